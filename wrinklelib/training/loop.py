"""One training loop for every stage: texture (or pretext) regression and wrinkle
segmentation, with atomic per-epoch checkpoints that resume exactly.

Optimiser AdamW with a linear warm-up, then either a fixed cosine decay over the epochs
(`patience` 0) or the plateau schedule of `schedules.plateau`.
"""

from __future__ import annotations

import math
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import torch
import torch.distributed as dist
import torch.nn.functional as F
from torch.utils.data import DataLoader, Subset
from tqdm import tqdm

from ..evaluation.inference import predict_dataset
from ..evaluation.metrics import image_counts, summarize
from ..files import write_csv
from ..model.checkpoints import load_checkpoint, save_checkpoint
from ..model.precision import autocast, channels_last
from .losses import loss
from .schedules import PLATEAU_CUT, plateau, schedule
from .stage import distributed, process_device


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


def validate(model: torch.nn.Module, dataset, cfg: TrainConfig, device: torch.device) -> dict[str, float]:
    """Validation scores: JSI and friends for segmentation, MSE and correlation for regression."""
    out = predict_dataset(model, dataset, device, cfg.batch_size)
    y = torch.stack([dataset[i][1] for i in range(len(dataset))])
    if cfg.task == "regression":
        target = y * cfg.target_scale
        mse = float(F.mse_loss(out, target))
        corr = float(torch.corrcoef(torch.stack([out.flatten(), target.flatten()]))[0, 1])
        return {"val_mse": mse, "val_corr": corr, "score": -mse}
    scores = summarize(image_counts(out.argmax(1), y))
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


def updates_per_epoch(n_items: int, cfg: TrainConfig) -> int:
    """Updates of one epoch: a pass over the data, stretched for small sets so that
    `epochs` epochs make at least `min_steps` updates (small fractions then get as many
    updates, and validations, as large ones)."""
    per_update = cfg.batch_size * cfg.accumulate
    return max(1, math.ceil(n_items / per_update), math.ceil(cfg.min_steps / max(cfg.epochs, 1)))


def epoch_loader(train_set, cfg: TrainConfig, epoch: int, n_updates: int, rank: int, world: int,
                 device: torch.device) -> DataLoader:
    """The batches of one epoch, a seeded permutation repeated to fill its updates. Rank r
    takes the r-th contiguous slice of each global batch, so N processes see exactly the
    micro-batches of one process accumulating N slices."""
    if hasattr(train_set, "set_epoch"):
        train_set.set_epoch(epoch)
    per_update = cfg.batch_size * cfg.accumulate
    order = torch.randperm(len(train_set), generator=torch.Generator().manual_seed(cfg.seed * 100003 + epoch))
    order = order.repeat(math.ceil(n_updates * per_update / len(order)))[:n_updates * per_update]
    local = order.view(n_updates, cfg.accumulate, world, cfg.batch_size // world)[:, :, rank]
    return DataLoader(Subset(train_set, local.flatten().tolist()), batch_size=local.shape[-1], shuffle=False,
                      num_workers=cfg.workers, pin_memory=device.type == "cuda", persistent_workers=False)


def train_epoch(net, loader, opt, cfg: TrainConfig, epoch: int, n_updates: int, total: int, cuts: int,
                device: torch.device, world: int, show: bool) -> dict:
    """One epoch of updates; returns its row of the history (loss, rate, throughput)."""
    net.train()
    t0, seen, losses, lr = time.perf_counter(), 0, [], cfg.lr
    bar = tqdm(total=n_updates, desc=f"epoch {epoch + 1}/{cfg.epochs}", disable=not show, mininterval=2)
    for i, (x, y) in enumerate(loader):
        x, y = channels_last(x.to(device, non_blocking=True)), y.to(device, non_blocking=True)
        with autocast(device):
            batch_loss = loss(cfg.task, net(x), y, cfg.target_scale, cfg.dice_weight) / cfg.accumulate
        batch_loss.backward()
        losses.append(float(batch_loss.detach()) * cfg.accumulate)
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
    train_loss = torch.tensor(float(np.mean(losses)), device=device)   # NCCL reduces CUDA tensors only
    if world > 1:
        dist.all_reduce(train_loss)      # the mean over every process's share
        train_loss /= world
    return {"epoch": epoch + 1, "step": (epoch + 1) * n_updates, "train_loss": float(train_loss),
            "lr": lr, "images_per_s": seen / (time.perf_counter() - t0)}


def shared_score(model, val_set, cfg: TrainConfig, device: torch.device, rank: int, world: int,
                 row: dict) -> float:
    """Validate on the first process (adding its scores to the row) and share the score, so
    that every process follows the same schedule."""
    score = torch.tensor(0.0, dtype=torch.float64, device=device)
    if rank == 0:
        row |= validate(model, val_set, cfg, device)
        score.fill_(row["score"])
    if world > 1:
        dist.broadcast(score, 0)
    return float(score)


def save_epoch(out_dir: Path, model, opt, cfg: TrainConfig, epoch: int, history: list, best: float,
               improved: bool, recipe: dict) -> None:
    """last.pt (and best.pt on a better score) with what resuming and inference need, and
    history.csv."""
    state = dict(model=model.state_dict(), optimizer=opt.state_dict(), rng=_rng_state(), epoch=epoch,
                 history=history, best_score=best, model_args=dict(model.args), train_config=asdict(cfg),
                 input_recipe=recipe)
    if improved:
        save_checkpoint(out_dir / "best.pt", **state)
    save_checkpoint(out_dir / "last.pt", **state)
    write_csv(out_dir / "history.csv", pd.DataFrame(history))


def resume(last: Path, model, opt) -> tuple[list, float, int]:
    """(history, best score, first epoch to run) from last.pt, with model, optimiser and
    random state restored."""
    ckpt = load_checkpoint(last)
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optimizer"])
    _set_rng_state(ckpt["rng"])
    return ckpt["history"], ckpt["best_score"], ckpt["epoch"] + 1


def fit(model, train_set, val_set, cfg: TrainConfig, out_dir: Path, recipe: dict, resume_run: bool = True) -> dict:
    """Train `model`; write last.pt every epoch, best.pt on each best validation score and
    history.csv. Checkpoints carry the model's arguments and its input `recipe`, what
    inference needs. A finished run returns at once. With `cfg.patience`, training stops
    on a validation plateau, at the latest after `cfg.epochs` epochs."""
    out_dir = Path(out_dir)
    rank, world = distributed()
    device = process_device(cfg.device, world)
    torch.manual_seed(cfg.seed)
    torch.use_deterministic_algorithms(device.type == "cpu", warn_only=True)
    model = channels_last(model.to(device))
    if cfg.batch_size % world:
        raise ValueError(f"batch_size {cfg.batch_size} must be divisible by the {world} processes")
    n_updates = updates_per_epoch(len(train_set), cfg)
    total = cfg.epochs * n_updates
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    history, best, start = [], -math.inf, 0
    if resume_run and (out_dir / "last.pt").exists():
        history, best, start = resume(out_dir / "last.pt", model, opt)
    scores = [row["score"] for row in history]
    min_epochs = cfg.epochs // 4          # the plateau rule waits a quarter of the longest schedule
    cuts, stop = plateau(scores, cfg.patience, min_epochs) if cfg.patience else (0, False)
    net = torch.nn.parallel.DistributedDataParallel(model) if world > 1 else model
    if cfg.compile and device.type == "cuda":
        net = torch.compile(net)
    for epoch in range(start, cfg.epochs):
        if stop:
            break
        loader = epoch_loader(train_set, cfg, epoch, n_updates, rank, world, device)
        row = train_epoch(net, loader, opt, cfg, epoch, n_updates, total, cuts, device, world,
                          cfg.progress and rank == 0)
        scores.append(shared_score(model, val_set, cfg, device, rank, world, row))
        if cfg.patience:
            cuts, stop = plateau(scores, cfg.patience, min_epochs)
        if rank == 0:
            history.append(row)
            improved, best = row["score"] > best, max(best, row["score"])
            save_epoch(out_dir, model, opt, cfg, epoch, history, best, improved, recipe)
        if world > 1:
            dist.barrier()
    return {"history": history, "best": out_dir / "best.pt", "last": out_dir / "last.pt", "best_score": best}
