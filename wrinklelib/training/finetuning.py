"""Supervised finetuning on fractions of the voted masks (the paper's Figure 2b, Table 1)
and the pretext finetunings of Table 2: one run per arm, fraction and seed, each scored on
the test faces and stored in its folder's result.json, skipped when run again."""

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
from ..evaluation.metrics import image_counts, summarize
from ..files import show_progress
from ..model.checkpoints import load_checkpoint, model_from_checkpoint
from ..model.recipe import recipe
from ..model.transfer import set_head_prior, transfer_weights
from ..model.unet import UNet, count_parameters
from .dataset import FaceDataset
from .loop import TrainConfig, fit
from .stage import finetune_dir, loader_workers, pretrain_dir, run_stage


def build_arm(run: Run, arm: str, seed: int, positive_share: float) -> tuple[UNet, dict]:
    """The 2-class U-Net of an arm, initialised as the arm prescribes."""
    spec = ARMS[arm]
    torch.manual_seed(seed)
    model = UNet(spec["in_channels"], 2, run.settings.width)
    report = {}
    if spec["init"] is not None:
        ckpt = pretrain_dir(run, spec["init"]) / "best.pt"
        report = transfer_weights(load_checkpoint(ckpt)["model"], model)
    set_head_prior(model, positive_share)
    return model, report


def positive_share(dataset) -> float:
    """Share of wrinkle pixels in a finetuning dataset."""
    return float(np.mean([float(dataset[i][1].float().mean()) for i in range(len(dataset))]))


def dataset(run: Run, ids: list[str], arm: str, augment: bool = False, seed: int = 0) -> FaceDataset:
    """Faces with their voted masks, in the input an arm takes."""
    return FaceDataset(run.root, ids, "mask", run.settings.size, ARMS[arm]["texture_input"], augment=augment,
                       seed=seed, weak_dir=run.weak_dir)


def _train(run: Run, arm: str, fraction: float, seed: int, out: Path) -> dict | None:
    s = run.settings
    ids = fraction_ids(run, fraction)
    train_set = dataset(run, ids, arm, augment=True, seed=seed)
    val_set = dataset(run, run.split["val"], arm, seed=seed)
    model, _ = build_arm(run, arm, seed, positive_share(train_set))
    tc = TrainConfig(task="segmentation", epochs=s.finetune_epochs, min_steps=s.finetune_min_steps,
                     batch_size=s.batch_size, lr=s.lr, patience=s.finetune_patience, seed=seed, device=s.device,
                     progress=show_progress(), workers=loader_workers(run, len(train_set)))
    result = fit(model, train_set, val_set, tc, out, recipe(ARMS[arm]["in_channels"], s.size))
    return {"arm": arm, "fraction": fraction_key(fraction), "seed": seed, "n_train": len(ids),
            "params": count_parameters(model), "steps": result["history"][-1]["step"],
            "max_epochs": s.finetune_epochs, "test_ids_hash": test_ids_hash(run.split["test"]),
            **convergence(out), **evaluate(run, result["best"], run.split["test"], arm)}


def finetune(run: Run, arm: str, fraction: float, seed: int) -> dict:
    """Finetune one arm on one training fraction with one seed; the model is chosen on
    validation JSI and scored on the test part. Cached in result.json."""
    out = finetune_dir(run, arm, fraction, seed)
    args = ["--stage", "finetune", "--arm", arm, "--fraction", str(fraction), "--seed", str(seed)]
    return run_stage(run, out, args, lambda: _train(run, arm, fraction, seed, out))


def convergence(out: Path) -> dict:
    """How a finished run converged, from its history: the best validation epoch, the epochs
    run, and the change of the validation score over the last quarter of the epochs."""
    history = pd.read_csv(out / "history.csv")
    scores = history.score.to_numpy()
    quarter = max(1, len(scores) // 4)
    start = scores[-quarter - 1] if len(scores) > quarter else scores[0]
    return {"best_epoch": int(history.epoch[scores.argmax()]), "epochs": len(scores),
            "last_quarter_change": float(scores[-1] - start)}


def predicted_masks(run: Run, checkpoint: Path, ids: list[str], arm: str) -> tuple[torch.Tensor, FaceDataset]:
    """Argmax masks (N x H x W) of a finetuned checkpoint on faces, and their dataset."""
    model = model_from_checkpoint(checkpoint)[0]
    faces = dataset(run, ids, arm)
    return predict_dataset(model, faces, resolve_device(run.settings.device), run.settings.batch_size).argmax(1), faces


def evaluate(run: Run, checkpoint: Path, ids: list[str], arm: str) -> dict:
    """Test scores of a checkpoint against the voted masks (pooled and per-image JSI, Dice,
    precision, recall), the per-face counts (tp, fp, fn) that intervals resample, and on
    synthetic data the pooled JSI against the true wrinkles."""
    pred, test_set = predicted_masks(run, checkpoint, ids, arm)
    counts = image_counts(pred, torch.stack([test_set[i][1] for i in range(len(test_set))]))
    scores = summarize(counts) | {"counts": counts[:, :3].tolist()}
    if run.synthetic:
        truth = np.stack([load_sample(run.root, i, run.settings.size).truth for i in ids])
        truth_counts = image_counts(pred.numpy(), truth)
        scores |= {"jsi_truth": summarize(truth_counts)["jsi"], "counts_truth": truth_counts[:, :3].tolist()}
    return scores


def run_grid(run: Run, arms, fractions, seeds) -> pd.DataFrame:
    """Every (arm, fraction, seed) run, one row each."""
    return pd.DataFrame([finetune(run, arm, f, s) for arm in arms for f in fractions for s in seeds])


def predictions(run: Run, ids: list[str], arm: str, fraction: float, seed: int) -> np.ndarray:
    """Predicted masks (N x H x W) of one finetuned run on the given faces."""
    pred, _ = predicted_masks(run, finetune_dir(run, arm, fraction, seed) / "best.pt", ids, arm)
    return pred.numpy().astype(np.uint8)


def histories(run: Run, arms, fraction: float, seeds) -> pd.DataFrame:
    """Validation JSI per epoch of finished runs: arm, seed, epoch, val_jsi."""
    frames = [pd.read_csv(finetune_dir(run, a, fraction, s) / "history.csv").assign(arm=a, seed=s)
              for a in arms for s in seeds]
    return pd.concat(frames)[["arm", "seed", "epoch", "val_jsi"]]
