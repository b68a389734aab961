"""One training loop for every stage: texture (or pretext) regression, wrinkle segmentation
and the confusion model, counted in updates, with an atomic checkpoint at every validation
point that resumes exactly.

Every run gets a fixed budget of updates on a warm-up plus cosine schedule to zero and is
validated at `validations` evenly spaced points; its last weights are the result.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import DataLoader
from tqdm import tqdm

from ..files import write_csv
from ..metrics import image_counts, summarize
from ..model import precision
from ..model.checkpoints import CheckpointError, check_finite, load_checkpoint, save_checkpoint
from ..model.inference import predict, segment
from .dataset import Stream
from .devices import distributed, process_device
from .losses import loss
from .schedules import schedule

#: Whole faces per forward pass in validation (memory, not results: outputs in eval mode
#: do not depend on the batch).
EVAL_BATCH = 4


class TrainingError(RuntimeError):
    """A run that cannot go on; the message names its folder and what to do."""


@dataclass
class TrainConfig:
    """Every value one training run depends on (saved in every checkpoint; a stage's folder
    is named by a hash of it). The profile's values come from `training.stage.train_config`."""

    task: str                         # the loss: "segmentation", "regression" or "confusion"
    updates: int                      # the budget
    validations: int                  # evenly spaced validation points
    batch_size: int
    lr: float
    weight_decay: float
    warmup: float                     # share of the budget spent warming up
    dice_weight: float
    seed: int
    device: str
    precision: str
    accumulate: int = 1               # gradient accumulation: steps of batch_size per update
    target_scale: float = 1.0         # regression targets are multiplied by it
    compile: bool = False
    workers: int = 0                  # data-loading processes (do not change results)
    progress: bool = True             # progress bars (do not change results)

    def every(self) -> int:
        """Updates between two validation points."""
        return max(1, self.updates // self.validations)

    def key(self) -> dict:
        """The values that decide the run's weights (not how it is shown or fed)."""
        return {k: v for k, v in asdict(self).items() if k not in ("workers", "progress")}


def train_config(s, task: str, updates: int, validations: int, seed: int, **extra) -> TrainConfig:
    """The TrainConfig of one run from the run's settings (every value from the profile)."""
    return TrainConfig(task=task, updates=updates, validations=validations, batch_size=s.batch_size, lr=s.lr,
                       weight_decay=s.weight_decay, warmup=s.warmup, dice_weight=s.dice_weight, seed=seed,
                       device=s.device, precision=s.precision, **extra)


def validate(model: torch.nn.Module, dataset, cfg: TrainConfig, device: torch.device) -> dict[str, float]:
    """Validation scores on whole faces: JSI and friends for segmentation, MSE and
    correlation for regression."""
    inputs = (dataset[i][0] for i in range(len(dataset)))
    if cfg.task == "regression":
        out = predict(model, inputs, device, EVAL_BATCH).double()
        target = torch.stack([dataset[i][1] for i in range(len(dataset))]).double() * cfg.target_scale
        mse = float(F.mse_loss(out, target))
        corr = float(torch.corrcoef(torch.stack([out.flatten(), target.flatten()]))[0, 1])
        return {"val_mse": mse, "val_corr": corr, "score": -mse}
    scores = summarize(image_counts(segment(model, inputs, device, EVAL_BATCH), dataset.labels()))
    return {f"val_{k}": v for k, v in scores.items()} | {"score": scores["jsi"]}


def _rng_state() -> dict:
    state = {"torch": torch.get_rng_state()}
    if torch.cuda.is_available():
        state["cuda"] = torch.cuda.get_rng_state_all()
    return state


def _set_rng_state(state: dict) -> None:
    torch.set_rng_state(state["torch"])
    if "cuda" in state and torch.cuda.is_available():
        torch.cuda.set_rng_state_all(state["cuda"])


def rate(cfg: TrainConfig, update: int) -> float:
    """The learning rate of one update."""
    return cfg.lr * schedule(update, cfg.updates, cfg.warmup)


def chunk_loader(train_set, cfg: TrainConfig, start: int, stop: int, rank: int, world: int,
                 device: torch.device) -> DataLoader:
    """The batches of updates start..stop. Rank r takes the r-th contiguous slice of each
    global batch, so N processes see exactly the micro-batches of one process
    accumulating N slices."""
    per_update = cfg.batch_size * cfg.accumulate
    pos = torch.arange(start * per_update, stop * per_update)
    local = pos.view(stop - start, cfg.accumulate, world, cfg.batch_size // world)[:, :, rank]
    return DataLoader(Stream(train_set, cfg.seed, local.flatten().tolist()), batch_size=local.shape[-1],
                      shuffle=False, num_workers=cfg.workers, pin_memory=device.type == "cuda")


def train_step(net, x: torch.Tensor, y: torch.Tensor, cfg: TrainConfig, device: torch.device,
               weights: torch.dtype) -> torch.Tensor:
    """One forward and backward pass of a batch (the gradient of 1/accumulate of an update):
    what training, the benchmark and the dry-run plan all time. Returns the loss."""
    x, y = precision.batch(x, device, weights), y.to(device, non_blocking=True)
    with precision.autocast(device, weights):
        batch_loss = loss(cfg.task, net(x), y, cfg.target_scale, cfg.dice_weight) / cfg.accumulate
    if not torch.isfinite(batch_loss):
        raise TrainingError("the loss is not finite")
    batch_loss.backward()
    return batch_loss.detach() * cfg.accumulate


def apply_update(opt, cfg: TrainConfig, update: int) -> float:
    """The optimiser step of one update at its scheduled learning rate; returns the rate."""
    lr = rate(cfg, update)
    for group in opt.param_groups:
        group["lr"] = lr
    opt.step()
    opt.zero_grad(set_to_none=True)
    return lr


def train_chunk(net, loader, opt, cfg: TrainConfig, start: int, stop: int, device: torch.device,
                world: int, show: bool) -> dict:
    """Updates start..stop; returns their row of the history (loss, rate, throughput)."""
    net.train()
    weights = precision.weights_dtype(net)
    t0, seen, losses, lr = time.perf_counter(), 0, [], cfg.lr
    bar = tqdm(total=stop - start, desc=f"updates {start}-{stop}", disable=not show, mininterval=2)
    for i, (x, y) in enumerate(loader):
        update = start + i // cfg.accumulate
        try:
            losses.append(float(train_step(net, x, y, cfg, device, weights)))
        except TrainingError as err:
            raise TrainingError(f"{err} at update {update}; lower the learning rate (setting lr)") from err
        seen += x.shape[0] * world
        if (i + 1) % cfg.accumulate == 0:
            lr = apply_update(opt, cfg, update)
            bar.update(1)
            bar.set_postfix(loss=f"{np.mean(losses[-cfg.accumulate:]):.4f}",
                            img_s=f"{seen / (time.perf_counter() - t0):.1f}")
    bar.close()
    train_loss = torch.tensor(float(np.mean(losses)), dtype=torch.float64, device=device)  # NCCL: CUDA tensors only
    if world > 1:
        dist.all_reduce(train_loss)      # the mean over every process's share
        train_loss /= world
    return {"step": stop, "train_loss": float(train_loss), "lr": lr,
            "images_per_s": seen / (time.perf_counter() - t0)}


def shared_score(model, val_set, cfg: TrainConfig, device: torch.device, rank: int, world: int,
                 row: dict) -> None:
    """Validate on the first process (adding its scores to the row) and share the score, so
    that every process stops at the same update."""
    score = torch.tensor(0.0, dtype=torch.float64, device=device)
    if rank == 0:
        row |= validate(model, val_set, cfg, device)
        score.fill_(row["score"])
    if world > 1:
        dist.broadcast(score, 0)
    row["score"] = float(score)


def save_point(out_dir: Path, model, opt, cfg: TrainConfig, history: list, recipe: dict) -> None:
    """last.pt with what resuming and inference need, and history.csv; weights that are no
    longer finite are never saved (a rerun would resume them and fail the same way)."""
    try:
        check_finite(model.state_dict(), out_dir / "last.pt")
    except CheckpointError as err:
        raise TrainingError(f"{err}; lower the learning rate (setting lr)") from err
    state = dict(model=model.state_dict(), optimizer=opt.state_dict(), rng=_rng_state(), step=history[-1]["step"],
                 history=history, model_args=dict(model.args), train_config=asdict(cfg), input_recipe=recipe)
    save_checkpoint(out_dir / "last.pt", **state)
    write_csv(out_dir / "history.csv", pd.DataFrame(history))


def resume(last: Path, model, opt) -> list:
    """The history so far, with model, optimiser and random state restored from last.pt."""
    try:
        ckpt = load_checkpoint(last)
        check_finite(ckpt["model"], last)
    except (ValueError, KeyError, TypeError) as err:
        raise TrainingError(f"{err}; start that stage again with: rm -r {last.parent}") from err
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    _set_rng_state(ckpt["rng"])
    return ckpt["history"]


def finished(history: list, cfg: TrainConfig) -> bool:
    """Whether a run has spent its budget."""
    return bool(history) and history[-1]["step"] >= cfg.updates


def fit(model, train_set, val_set, cfg: TrainConfig, out_dir: Path, recipe: dict, resume_run: bool = True) -> dict:
    """Train `model` until its budget is spent; a checkpoint
    (last.pt, with the model's arguments and its input `recipe`, what inference needs) and
    history.csv at every validation point. A finished run returns at once."""
    out_dir = Path(out_dir)
    rank, world = distributed()
    device = process_device(cfg.device, world)
    if cfg.batch_size % world:
        raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(device.type == "cpu", warn_only=True)
    model = precision.prepare(model, device, cfg.precision)
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history = resume(out_dir / "last.pt", model, opt) if resume_run and (out_dir / "last.pt").exists() else []
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    if cfg.compile and device.type == "cuda":
        net = torch.compile(net)
    while not finished(history, cfg):
        start = history[-1]["step"] if history else 0
        stop = min(cfg.updates, start + cfg.every())
        loader = chunk_loader(train_set, cfg, start, stop, rank, world, device)
        t0 = time.perf_counter()
        try:
            row = train_chunk(net, loader, opt, cfg, start, stop, device, world, cfg.progress and rank == 0)
        except TrainingError as err:
            raise TrainingError(f"{out_dir}: {err}; nothing of this run is kept as a result") from err
        t1 = time.perf_counter()
        shared_score(model, val_set, cfg, device, rank, world, row)
        row |= {"train_s": t1 - t0, "validation_s": time.perf_counter() - t1}
        history.append(row)
        if rank == 0:
            save_point(out_dir, model, opt, cfg, history, recipe)
        if world > 1:
            dist.barrier()
    return {"history": history, "last": out_dir / "last.pt", "model": model}
