"""Weakly supervised pretraining (the paper's Figure 2a) and the pretext tasks of Table 2:
a 3->1 U-Net learns the texture mask, or a clean gray image, from RGB patches of the face,
validated on whole faces."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..config.environment import resolve_device
from ..config.run import Run, validation_ids
from ..files import show_progress
from ..model.checkpoints import load_checkpoint, model_from_checkpoint
from ..model.inference import predict
from ..model.networks import create
from ..model.recipe import unscale
from .dataset import Faces
from .devices import distributed
from .loop import EVAL_BATCH, fit
from .schedules import flat_over_last_quarter, last_quarter
from .stage import loader_workers, pretrain_config, pretrain_dir, pretrain_recipe, run_stage


def target_scale(dataset: Faces, n: int = 64) -> float:
    """1 / standard deviation of the regression targets over (up to) n whole training faces."""
    ys = torch.stack([dataset[i][1] for i in range(min(n, len(dataset)))])
    return float(1.0 / max(float(ys.std()), 1e-6))


def faces(run: Run, task: str, ids: list[str], train: bool, seed: int = 0) -> Faces:
    """Pretraining faces of a task: patches for training, whole faces for validation."""
    return Faces(run.root, ids, task, pretrain_recipe(run, task), augment=train, seed=seed, weak_dir=run.weak_dir,
                 cache=not train or loader_workers(run, len(ids)) == 0)


def _train(run: Run, task: str, seed: int, out: Path) -> dict | None:
    s = run.settings
    train_set = faces(run, task, run.split["pretrain"], True, seed)
    val_set = faces(run, task, validation_ids(run), False, seed)
    scale = target_scale(train_set) if task == "texture" else 1.0
    cfg = pretrain_config(run, seed)
    cfg.target_scale, cfg.progress = scale, show_progress()
    cfg.workers = loader_workers(run, len(train_set))
    torch.manual_seed(seed)
    history = fit(create("unet", in_channels=3, out_channels=1, width=s.width), train_set, val_set, cfg, out,
                  pretrain_recipe(run, task))["history"]
    if distributed()[0]:
        return None                   # under torchrun the first process records the result
    points = [(h["step"], h["val_mse"]) for h in history]
    last, before = last_quarter(points)
    return {"task": task, "seed": seed, "updates": history[-1]["step"], "val_mse": last,
            "last_quarter_change": (last - before) / abs(before),
            "converged": flat_over_last_quarter(points, s.pretrain_tolerance),
            "train_s": float(sum(h.get("train_s", 0.0) for h in history)),
            "validation_s": float(sum(h.get("validation_s", 0.0) for h in history))}


def pretrain(run: Run, task: str = "texture", seed: int | None = None) -> Path:
    """Pretrain the 3->1 U-Net to predict the texture mask (or a pretext target) for its
    budget; return its checkpoint. Skipped when already complete."""
    seed = run.settings.pretrain_seeds[0] if seed is None else seed
    out = pretrain_dir(run, task, seed)
    run_stage(run, out, ["--stage", "pretrain", "--task", task, "--seed", str(seed)],
              lambda: _train(run, task, seed, out))
    return out / "last.pt"


def target_scale_of(checkpoint: Path) -> float:
    """The factor a pretrained checkpoint's regression target was scaled by."""
    return float(load_checkpoint(checkpoint)["train_config"]["target_scale"])


def prediction_panels(run: Run, checkpoint: Path, ids: list[str]) -> list[list[np.ndarray]]:
    """Per whole face: the input image, its target and the pretrained net's prediction, in
    the target's units (a figure of what pretraining learned)."""
    model, ckpt = model_from_checkpoint(checkpoint)
    task = ckpt["input_recipe"]["target"]
    ds = faces(run, task, ids, False)
    items = [ds[i] for i in range(len(ds))]
    out = predict(model, (x for x, _ in items), resolve_device(run.settings.device), EVAL_BATCH).numpy()[:, 0]
    out = out / ckpt["train_config"]["target_scale"]
    return [[unscale(x[:3]), y[0].numpy(), np.clip(p, 0, None) if task == "texture" else p]
            for (x, y), p in zip(items, out)]


def summary(run: Run, task: str = "texture"):
    """Every finished pretraining run of a task, one row per seed (updates, final validation
    MSE and correlation, last-quarter change, converged), and their histories (column seed)."""
    import json

    import pandas as pd

    rows, curves = [], []
    for seed in run.settings.pretrain_seeds:
        folder = pretrain_dir(run, task, seed)
        result = json.loads((folder / "result.json").read_text())
        history = pd.read_csv(folder / "history.csv").assign(seed=seed)
        rows.append({"seed": seed, "updates": result["updates"], "val_mse": result["val_mse"],
                     "val_corr": float(history.val_corr.iloc[-1]), "last_quarter_change": result["last_quarter_change"],
                     "converged": bool(result["converged"]), "folder": folder.name,
                     "train_s": result.get("train_s", 0.0), "validation_s": result.get("validation_s", 0.0)})
        curves.append(history[["seed", "step", "train_loss", "val_mse", "val_corr"]])
    return pd.DataFrame(rows), pd.concat(curves, ignore_index=True)


def convergence_sentence(runs, tolerance: float) -> str:
    """Whether the pretraining runs converged by their rule, and how far from it they were."""
    changes = ", ".join(f"{c:+.1%}" for c in runs.last_quarter_change)
    n, ok = len(runs), int(runs.converged.sum())
    verdict = ("converged" if ok == n else "did NOT converge" if ok == 0 else f"converged in {ok} of {n} runs")
    return (f"Pretraining {verdict} by its rule (validation loss changed by at most {tolerance:.0%} over the last "
            f"quarter of its {int(runs.updates.iloc[0])} updates): it changed by {changes}"
            + (" per run." if n > 1 else ".")
            + ("" if ok == n else " Its loss was still falling; the finetuning runs start from it as it stands."))
