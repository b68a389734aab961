"""Weakly supervised pretraining (the paper's Figure 2a) and the pretext tasks of Table 2:
a 3->1 U-Net learns the texture mask, or a clean gray image, from the RGB face."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..config.environment import resolve_device
from ..config.run import Run
from ..evaluation.inference import predict_dataset
from ..files import show_progress
from ..model.checkpoints import model_from_checkpoint
from ..model.recipe import recipe, unscale
from ..model.unet import UNet
from .dataset import FaceDataset
from .loop import TrainConfig, fit
from .schedules import flat_over_last_quarter, last_quarter
from .stage import distributed, loader_workers, pretrain_dir, run_stage


def target_scale(dataset, n: int = 64) -> float:
    """1 / standard deviation of the regression targets over (up to) n training items."""
    ys = torch.stack([dataset[i][1] for i in range(min(n, len(dataset)))])
    return float(1.0 / max(float(ys.std()), 1e-6))


def _train(run: Run, task: str, out: Path) -> dict | None:
    s = run.settings
    train_set = FaceDataset(run.root, run.split["pretrain"], task, s.size, augment=True, seed=s.seed,
                            weak_dir=run.weak_dir)
    val_set = FaceDataset(run.root, run.split["val"], task, s.size, seed=s.seed, weak_dir=run.weak_dir)
    scale = target_scale(train_set) if task == "texture" else 1.0
    tc = TrainConfig(task="regression", updates=s.pretrain_updates, validations=16, batch_size=s.batch_size,
                     lr=s.lr, target_scale=scale, seed=s.seed, device=s.device, precision=s.precision,
                     progress=show_progress(), workers=loader_workers(run, len(train_set)))
    torch.manual_seed(s.seed)
    rec = recipe(3, s.size) | {"target": task, "weak_source": s.weak_source,
                               "weak_dir": str(run.weak_dir) if run.weak_dir else None}
    history = fit(UNet(3, 1, s.width), train_set, val_set, tc, out, rec)["history"]
    if distributed()[0]:
        return None                   # under torchrun the first process records the result
    points = [(h["step"], h["val_mse"]) for h in history]
    last, before = last_quarter(points)
    return {"task": task, "updates": history[-1]["step"], "val_mse": last,
            "last_quarter_change": (last - before) / abs(before),
            "converged": flat_over_last_quarter(points, s.pretrain_tolerance)}


def pretrain(run: Run, task: str = "texture") -> Path:
    """Pretrain the 3->1 U-Net to predict the texture mask (or a pretext target) for its
    budget; return its checkpoint. Skipped when already complete."""
    out = pretrain_dir(run, task)
    run_stage(run, out, ["--stage", "pretrain", "--task", task], lambda: _train(run, task, out))
    return out / "last.pt"


def target_scale_of(checkpoint: Path) -> float:
    """The factor a pretrained checkpoint's regression target was scaled by."""
    from ..model.checkpoints import load_checkpoint

    return float(load_checkpoint(checkpoint)["train_config"]["target_scale"])


def prediction_panels(run: Run, checkpoint: Path, ids: list[str]) -> list[list[np.ndarray]]:
    """Per face: the input image, its target and the pretrained net's prediction, in the
    target's units (a figure of what pretraining learned)."""
    model, ckpt = model_from_checkpoint(checkpoint)
    task = ckpt["input_recipe"]["target"]
    ds = FaceDataset(run.root, ids, task, run.settings.size, seed=run.settings.seed, weak_dir=run.weak_dir)
    out = predict_dataset(model, ds, resolve_device(run.settings.device)).numpy()[:, 0]
    out = out / ckpt["train_config"]["target_scale"]
    items = [ds[i] for i in range(len(ds))]
    return [[unscale(x[:3]), y[0].numpy(), np.clip(p, 0, None) if task == "texture" else p]
            for (x, y), p in zip(items, out)]
