"""Weakly supervised pretraining (the paper's Figure 2a) and the pretext tasks of Table 2:
a 3->1 U-Net learns the texture mask, or a clean gray image, from the RGB face."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import torch

from . import paths
from .checkpoints import model_from_checkpoint
from .datasets import FaceDataset
from .inputs import recipe, unscale
from .ioutil import show_progress
from .model import UNet
from .runs import RUN_FILE, Run, stage_hash
from .train import TrainConfig, fit, predict, resolve_device

#: The settings a pretraining stage depends on (with the data, split and weak source).
PRETRAIN_KEYS = ("size", "width", "batch_size", "lr", "pretrain_epochs", "pretrain_min_steps", "seed", "device")


def target_scale(dataset, n: int = 64) -> float:
    """1 / standard deviation of the regression targets over (up to) n training items."""
    ys = torch.stack([dataset[i][1] for i in range(min(n, len(dataset)))])
    return float(1.0 / max(float(ys.std()), 1e-6))


def processes() -> int:
    """How many training processes to use: WRINKLE_NPROC, else one per visible GPU."""
    if "WRINKLE_NPROC" in os.environ:
        return int(os.environ["WRINKLE_NPROC"])
    return max(1, torch.cuda.device_count())


def distribute() -> bool:
    """True when this process should hand training to torchrun (several devices, not yet inside it)."""
    return processes() > 1 and "WORLD_SIZE" not in os.environ


def launch_distributed(run: Run, stage: str, *args: str) -> None:
    """Run one training stage under torchrun, one process per device, and wait for it. The
    processes read the run's run.json, so they train with exactly this run's settings."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes()}",
           "-m", "wrinklelib.cli", "train", "--run-file", str(run.folder / RUN_FILE), "--stage", stage, *args]
    subprocess.run(cmd, check=True)


#: Decoded faces up to this many bytes are cached by the dataset in the training process.
CACHE_BYTES = 4 * 2 ** 30


def loader_workers(run: Run, n_images: int) -> int:
    """Data-loading processes: none when the decoded faces fit in memory (the dataset then
    caches them once, where workers, started anew every epoch, would decode them again each
    epoch) or on a CPU (its cores are busy training); else several, to keep a GPU busy."""
    s = run.settings
    if resolve_device(s.device).type != "cuda" or n_images * s.size ** 2 * 4 <= CACHE_BYTES:
        return 0
    return min(8, os.cpu_count() or 1)


def pretrain_dir(run: Run, task: str = "texture") -> Path:
    """Checkpoint folder of one pretraining stage, named after what it depends on."""
    s = run.settings
    return paths.CACHE / "train" / f"pretrain-{task}-w{s.width}-s{s.seed}-{stage_hash(run, PRETRAIN_KEYS)}"


def pretrain(run: Run, task: str = "texture") -> Path:
    """Pretrain the 3->1 U-Net to predict the texture mask (or a pretext target); return
    the best checkpoint. Skipped when already complete; under torchrun when several
    devices are visible."""
    if distribute():
        launch_distributed(run, "pretrain", "--task", task)
        return pretrain_dir(run, task) / "best.pt"
    s = run.settings
    train_set = FaceDataset(run.root, run.split["pretrain"], task, s.size, augment=True, seed=s.seed,
                            weak_dir=run.weak_dir)
    val_set = FaceDataset(run.root, run.split["val"], task, s.size, seed=s.seed, weak_dir=run.weak_dir)
    scale = target_scale(train_set) if task == "texture" else 1.0
    tc = TrainConfig(task="regression", epochs=s.pretrain_epochs, min_steps=s.pretrain_min_steps,
                     batch_size=s.batch_size, lr=s.lr, target_scale=scale, seed=s.seed,
                     device=s.device, progress=show_progress(), workers=loader_workers(run, len(train_set)))
    torch.manual_seed(s.seed)
    rec = recipe(3, s.size) | {"target": task, "weak_source": s.weak_source,
                               "weak_dir": str(run.weak_dir) if run.weak_dir else None}
    return fit(UNet(3, 1, s.width), train_set, val_set, tc, pretrain_dir(run, task), rec)["best"]


def prediction_panels(run: Run, checkpoint: Path, ids: list[str]) -> list[list[np.ndarray]]:
    """Per face: the input image, its target and the pretrained net's prediction, in the
    target's units (a figure of what pretraining learned)."""
    model, ckpt = model_from_checkpoint(checkpoint)
    task = ckpt["input_recipe"]["target"]
    ds = FaceDataset(run.root, ids, task, run.settings.size, seed=run.settings.seed, weak_dir=run.weak_dir)
    out = predict(model, ds, resolve_device(run.settings.device)).numpy()[:, 0] / ckpt["train_config"]["target_scale"]
    items = [ds[i] for i in range(len(ds))]
    return [[unscale(x[:3]), y[0].numpy(), np.clip(p, 0, None) if task == "texture" else p]
            for (x, y), p in zip(items, out)]
