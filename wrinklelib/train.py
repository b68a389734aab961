"""One training engine for every stage: texture (or pretext) regression and wrinkle
segmentation, with atomic per-epoch checkpoints that resume exactly.

Losses (choices the paper leaves open):
- regression stages: mean squared error between the 1-channel output and the target,
  the target divided by its standard deviation over the training set (`target_scale`),
  because the raw texture map (T/255, std ~0.03) is too small to learn from;
- segmentation: cross-entropy plus `dice_weight` x soft Dice of the wrinkle class, with
  the head's bias started at the class prior, since wrinkles are about 1% of pixels.
Optimiser AdamW with a linear warm-up, then either a fixed cosine decay over the epochs
(`patience` 0: pretraining and the paper's schedule) or a plateau schedule: a constant
rate cut by `PLATEAU_CUT` after `patience` epochs without a better validation score, and
a stop after as many more, neither before a quarter of the epochs (finetuning on the
synthetic profiles, which then converge by design rather than by a guessed length). Both
are pure functions of the step and the validation history, so a resumed run repeats them
exactly.
"""

from __future__ import annotations

import math
import os
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

from .checkpoints import load_checkpoint, save_checkpoint
from .ioutil import write_csv
from .metrics import per_image_counts, summarize
from .model import UNet


@dataclass
class TrainConfig:
    """Plain settings of one training run (saved in every checkpoint)."""

    task: str = "segmentation"        # "segmentation" or "regression"
    epochs: int = 1
    min_steps: int = 0                # at least this many optimiser steps in all, whatever the data size
    batch_size: int = 8
    accumulate: int = 1               # gradient accumulation: steps of batch_size per update
    lr: float = 1e-3
    weight_decay: float = 1e-4
    warmup: float = 0.05              # share of the steps spent warming up
    patience: int = 0                 # > 0: plateau schedule (epochs are then a maximum)
    dice_weight: float = 1.0
    target_scale: float = 1.0
    seed: int = 0
    device: str = "auto"
    compile: bool = False
    workers: int = 0
    progress: bool = True


def resolve_device(device: str) -> torch.device:
    """'auto' is CUDA when available, else CPU."""
    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: CUDA is not available on this machine; use auto or cpu")
    return torch.device(device)


def distributed() -> tuple[int, int]:
    """(rank, world size); starts the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


#: Factor of the learning-rate cut of the plateau schedule.
PLATEAU_CUT = 0.2


def schedule(step: int, total: int, warmup: float, cosine: bool = True) -> float:
    """Learning-rate factor: linear warm-up, then cosine decay to zero (or constant)."""
    w = max(1, int(total * warmup))
    if step < w:
        return (step + 1) / w
    if not cosine:
        return 1.0
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, total - w))))


def plateau(scores: list[float], patience: int, min_epochs: int = 0) -> tuple[int, bool]:
    """(learning-rate cuts so far, stop?) after these validation scores: `patience` epochs
    without a strictly better score cut the rate once; as many more after the cut stop.
    Neither happens before `min_epochs` epochs, so that a start still predicting nothing
    (validation JSI 0 for the first epochs of a pretext start) is not taken for a plateau."""
    best, stalled, cuts = -math.inf, 0, 0
    for epoch, score in enumerate(scores, 1):
        best, stalled = (score, 0) if score > best else (best, stalled + 1)
        if stalled >= patience and epoch >= min_epochs:
            if cuts:
                return cuts, True
            cuts, stalled = 1, 0
    return cuts, False


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice of the wrinkle class, pooled over the batch."""
    p = logits.float().softmax(1)[:, 1]
    t = target.float()
    return 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)


def loss_fn(cfg: TrainConfig, out: torch.Tensor, y: torch.Tensor) -> torch.Tensor:
    if cfg.task == "regression":
        return F.mse_loss(out.float(), y * cfg.target_scale)
    return F.cross_entropy(out.float(), y) + cfg.dice_weight * soft_dice_loss(out, y)


@torch.no_grad()
def predict(model: UNet, dataset, device: torch.device, batch_size: int = 16) -> torch.Tensor:
    """Raw outputs for a whole dataset (N x C x H x W, float32 on CPU)."""
    model.eval()
    outs = []
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    for x, _ in loader:
        x = x.to(device).contiguous(memory_format=torch.channels_last)
        with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
            outs.append(model(x).float().cpu())
    return torch.cat(outs)


def validate(model: UNet, dataset, cfg: TrainConfig, device: torch.device) -> dict[str, float]:
    """Validation scores: JSI and friends for segmentation, MSE and correlation for regression."""
    out = predict(model, dataset, device, cfg.batch_size)
    y = torch.stack([dataset[i][1] for i in range(len(dataset))])
    if cfg.task == "regression":
        target = y * cfg.target_scale
        mse = float(F.mse_loss(out, target))
        corr = float(torch.corrcoef(torch.stack([out.flatten(), target.flatten()]))[0, 1])
        return {"val_mse": mse, "val_corr": corr, "score": -mse}
    scores = summarize(per_image_counts(out.argmax(1), y))
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


def fit(model: UNet, train_set, val_set, cfg: TrainConfig, out_dir: Path, recipe: dict, resume: bool = True) -> dict:
    """Train `model`; write last.pt every epoch, best.pt on each best validation score and
    history.csv. Checkpoints carry the model's arguments and its input `recipe`, what
    inference needs. With resume, continue from last.pt; a finished run returns at once.
    With `cfg.patience`, training stops on a validation plateau, at the latest after
    `cfg.epochs` epochs."""
    out_dir = Path(out_dir)
    rank, world = distributed()
    device = resolve_device(cfg.device)
    if device.type == "cuda" and world > 1:
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(device.type == "cpu", warn_only=True)
    # channels_last pays on both: 1.18x for the width-8 U-Net on 2 CPU cores, more on CUDA.
    model = model.to(device).to(memory_format=torch.channels_last)
    if cfg.batch_size % world:
        raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
    per_update = cfg.batch_size * cfg.accumulate
    # An epoch is a pass over the data, stretched for small sets so that `epochs` epochs make
    # at least `min_steps` updates: small fractions get as many updates, and validations,
    # as large ones rather than stopping after a handful of steps.
    steps_per_epoch = max(1, math.ceil(len(train_set) / per_update), math.ceil(cfg.min_steps / max(cfg.epochs, 1)))
    epochs = cfg.epochs
    total = epochs * steps_per_epoch
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history, best, start_epoch = [], -math.inf, 0
    last = out_dir / "last.pt"
    if resume and last.exists():
        ckpt = load_checkpoint(last)
        model.load_state_dict(ckpt["model"])
        opt.load_state_dict(ckpt["optimizer"])
        _set_rng_state(ckpt["rng"])
        history, best, start_epoch = ckpt["history"], ckpt["best_score"], ckpt["epoch"] + 1
    scores = [row["score"] for row in history]
    min_epochs = epochs // 4          # the plateau rule waits a quarter of the longest schedule
    cuts, stop = plateau(scores, cfg.patience, min_epochs) if cfg.patience else (0, False)
    net = model
    if world > 1:
        net = torch.nn.parallel.DistributedDataParallel(model)
    if cfg.compile and device.type == "cuda":
        net = torch.compile(net)
    use_bf16 = device.type == "cuda"
    for epoch in range(start_epoch, epochs):
        if stop:
            break
        train_set.set_epoch(epoch) if hasattr(train_set, "set_epoch") else None
        order = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(cfg.seed * 100003 + epoch))
        # Each update takes the next global batch; under torchrun every rank takes its share.
        n_updates = steps_per_epoch
        order = order.repeat(math.ceil(n_updates * per_update / len(order)))[:n_updates * per_update]
        # Rank r takes the r-th contiguous slice of each batch, so N processes see exactly
        # the micro-batches of one process accumulating N slices.
        local = order.view(n_updates, cfg.accumulate, world, cfg.batch_size // world)[:, :, rank]
        loader = DataLoader(Subset(train_set, local.flatten().tolist()), batch_size=local.shape[-1],
                            shuffle=False, num_workers=cfg.workers, pin_memory=device.type == "cuda",
                            persistent_workers=False)
        net.train()
        t0, seen, losses = time.perf_counter(), 0, []
        bar = tqdm(total=n_updates, desc=f"epoch {epoch + 1}/{epochs}", disable=not cfg.progress or rank > 0,
                   mininterval=2)
        for i, (x, y) in enumerate(loader):
            x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
            x = x.contiguous(memory_format=torch.channels_last)
            with torch.autocast(device.type, dtype=torch.bfloat16, enabled=use_bf16):
                loss = loss_fn(cfg, net(x), y) / cfg.accumulate
            loss.backward()
            losses.append(float(loss.detach()) * cfg.accumulate)
            seen += x.shape[0] * world
            if (i + 1) % cfg.accumulate == 0:
                lr = cfg.lr * schedule(epoch * n_updates + i // cfg.accumulate, total, cfg.warmup,
                                       cosine=not cfg.patience) * PLATEAU_CUT ** cuts
                for group in opt.param_groups:
                    group["lr"] = lr
                opt.step()
                opt.zero_grad(set_to_none=True)
                bar.update(1)
                bar.set_postfix(loss=f"{np.mean(losses[-cfg.accumulate:]):.4f}",
                                img_s=f"{seen / (time.perf_counter() - t0):.1f}")
        bar.close()
        train_time = time.perf_counter() - t0
        train_loss = torch.tensor(float(np.mean(losses)), device=device)   # NCCL reduces CUDA tensors only
        if world > 1:
            dist.all_reduce(train_loss)      # the mean over every process's share
            train_loss /= world
        row = {"epoch": epoch + 1, "step": (epoch + 1) * n_updates, "train_loss": float(train_loss),
               "lr": lr, "images_per_s": seen / train_time}
        score = torch.tensor(0.0, dtype=torch.float64, device=device)
        if rank == 0:
            row |= validate(model, val_set, cfg, device)
            score.fill_(row["score"])
        if world > 1:
            dist.broadcast(score, 0)         # every process follows the same plateau schedule
        scores.append(float(score))
        if cfg.patience:
            cuts, stop = plateau(scores, cfg.patience, min_epochs)
        if rank == 0:
            history.append(row)
            improved = row["score"] > best
            best = max(best, row["score"])
            state = dict(model=model.state_dict(), optimizer=opt.state_dict(),
                         scaler=None, rng=_rng_state(), epoch=epoch, history=history, best_score=best,
                         model_args=dict(model.args), train_config=asdict(cfg), input_recipe=recipe)
            if improved:
                save_checkpoint(out_dir / "best.pt", **state)
            save_checkpoint(last, **state)
            import pandas as pd

            write_csv(out_dir / "history.csv", pd.DataFrame(history))
        if world > 1:
            dist.barrier()
    return {"history": history, "best": out_dir / "best.pt", "last": last, "best_score": best}
