"""Supervised finetuning on fractions of the labels (the paper's Figure 2b, Table 1), the
pretext finetunings of Table 2 and the training targets of Table 3: one run per arm,
target, fraction and seed, each with its fraction's fixed budget of updates, scored with
its last weights on the test faces against the vote and (synthetic data) the truth, and
stored in its folder's result.json, skipped when asked again."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import torch

from ..config.environment import resolve_device
from ..config.run import Run, fraction_ids, test_ids_hash
from ..config.settings import ARMS
from ..data.sample import load_sample
from ..data.splits import fraction_key
from ..evaluation.inference import predict_dataset
from ..evaluation.metrics import image_counts, skeleton_counts, summarize, summarize_thin
from ..files import show_progress
from ..model.checkpoints import load_checkpoint, model_from_checkpoint
from ..model.confusion import ConfusionUNet
from ..model.recipe import recipe
from ..model.transfer import set_head_prior, transfer_weights
from ..model.unet import UNet, count_parameters
from .dataset import FaceDataset
from .loop import TrainConfig, fit
from .schedules import last_quarter
from .stage import check_validation, distributed, finetune_dir, loader_workers, pretrain_dir, run_stage


def build_arm(run: Run, arm: str, seed: int, positive_share: float, target: str = "vote") -> torch.nn.Module:
    """The 2-class U-Net of an arm (with confusion heads for that target), initialised as
    the arm prescribes."""
    spec = ARMS[arm]
    torch.manual_seed(seed)
    w = run.settings.width
    model = ConfusionUNet(spec["in_channels"], 2, w, len(run.settings.annotators)) if target == "confusion" \
        else UNet(spec["in_channels"], 2, w)
    unet = model.unet if target == "confusion" else model
    if spec["init"] is not None:
        transfer_weights(load_checkpoint(pretrain_dir(run, spec["init"]) / "last.pt")["model"], unet)
    set_head_prior(unet, positive_share)
    return model


def dataset(run: Run, ids: list[str], arm: str, target: str = "vote", augment: bool = False,
            seed: int = 0) -> FaceDataset:
    """Faces with a training target, in the input an arm takes."""
    return FaceDataset(run.root, ids, target, run.settings.size, ARMS[arm]["texture_input"], augment=augment,
                       seed=seed, weak_dir=run.weak_dir, min_votes=run.settings.min_votes)


def positive_share(train_set: FaceDataset) -> float:
    """Share of wrinkle pixels in the training targets."""
    return float(np.mean([float(train_set[i][1].float().mean()) for i in range(len(train_set))]))


def _train(run: Run, arm: str, fraction: float, seed: int, target: str, updates: int, validate: str,
           out: Path) -> dict | None:
    s = run.settings
    ids = fraction_ids(run, fraction)
    train_set = dataset(run, ids, arm, target, augment=True, seed=seed)
    val_set = dataset(run, run.split["val"], arm, validate, seed=seed)
    model = build_arm(run, arm, seed, positive_share(train_set), target)
    tc = TrainConfig(task="confusion" if target == "confusion" else "segmentation", updates=updates,
                     validations=s.validations, batch_size=s.batch_size, lr=s.lr, seed=seed, device=s.device,
                     precision=s.precision, progress=show_progress(), workers=loader_workers(run, len(train_set)))
    result = fit(model, train_set, val_set, tc, out, recipe(ARMS[arm]["in_channels"], s.size))
    if distributed()[0]:
        return None                   # under torchrun the first process scores and records
    history = result["history"]
    last, before = last_quarter([(h["step"], h["val_jsi"]) for h in history])
    return {"arm": arm, "target": target, "fraction": fraction_key(fraction), "seed": seed, "n_train": len(ids),
            "params": count_parameters(model), "updates": history[-1]["step"], "validated_against": validate,
            "val_jsi": last, "last_quarter_change": last - before, "test_ids_hash": test_ids_hash(run.split["test"]),
            **evaluate(run, out / "last.pt", run.split["test"], arm)}


def finetune(run: Run, arm: str, fraction: float, seed: int, target: str = "vote", updates: int = 0,
             validate: str = "vote") -> dict:
    """Finetune one arm on one training fraction with one seed and target, for `updates`
    (by default the fraction's budget), its validation scored against `validate` (the vote
    or the truth: it only monitors); scored with its last weights on the test part.
    Cached in result.json."""
    check_validation(run, validate)
    updates = updates or run.settings.updates(fraction)
    out = finetune_dir(run, arm, fraction, seed, target, updates, validate)
    args = ["--stage", "finetune", "--arm", arm, "--fraction", str(fraction), "--seed", str(seed), "--target", target,
            "--updates", str(updates), "--validate", validate]
    return run_stage(run, out, args, lambda: _train(run, arm, fraction, seed, target, updates, validate, out))


def predicted_masks(run: Run, checkpoint: Path, ids: list[str], arm: str) -> tuple[torch.Tensor, FaceDataset]:
    """Argmax masks (N x H x W) of a finetuned checkpoint on faces, and their dataset."""
    model = model_from_checkpoint(checkpoint)[0]
    faces = dataset(run, ids, arm)
    return predict_dataset(model, faces, resolve_device(run.settings.device), run.settings.batch_size).argmax(1), faces


def scores_against(pred: np.ndarray, reference: np.ndarray, suffix: str = "") -> dict:
    """Every score of predicted masks against one reference, and the per-face counts
    (tp, fp, fn and skeleton counts) that intervals resample."""
    counts, thin = image_counts(pred, reference), skeleton_counts(pred, reference)
    return {f"{k}{suffix}": v for k, v in (summarize(counts) | summarize_thin(thin)).items()} | \
        {f"counts{suffix}": counts[:, :3].tolist(), f"skeleton_counts{suffix}": thin.tolist()}


def evaluate(run: Run, checkpoint: Path, ids: list[str], arm: str) -> dict:
    """Test scores of a checkpoint against the voted masks and, on synthetic data, against
    the true wrinkles (suffix _truth)."""
    pred, test_set = predicted_masks(run, checkpoint, ids, arm)
    pred = pred.numpy()
    scores = scores_against(pred, torch.stack([test_set[i][1] for i in range(len(test_set))]).numpy())
    if run.synthetic:
        truth = np.stack([load_sample(run.root, i, run.settings.size).truth for i in ids])
        scores |= scores_against(pred, truth, "_truth")
    return scores


def predictions(run: Run, ids: list[str], arm: str, fraction: float, seed: int, target: str = "vote",
                validate: str = "vote") -> np.ndarray:
    """Predicted masks (N x H x W) of one finetuned run on the given faces."""
    pred, _ = predicted_masks(run, finetune_dir(run, arm, fraction, seed, target, validate=validate) / "last.pt",
                              ids, arm)
    return pred.numpy().astype(np.uint8)


def histories(run: Run, cells: list[tuple[str, float, str]], seeds, validate: str = "vote") -> pd.DataFrame:
    """Validation scores at every validation point of finished runs: arm, target, fraction,
    seed, step, val_jsi, val_precision, val_recall."""
    frames = [pd.read_csv(finetune_dir(run, a, f, s, t, validate=validate) / "history.csv")
              .assign(arm=a, target=t, fraction=f, seed=s) for a, f, t in cells for s in seeds]
    return pd.concat(frames)[["arm", "target", "fraction", "seed", "step", "val_jsi", "val_precision", "val_recall"]]
