"""Supervised finetuning on fractions of the voted masks (the paper's Figure 2b, Table 1)
and the pretext finetunings of Table 2: one run per arm, fraction and seed, each scored on
the test faces and stored in its folder's result.json, skipped when run again."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import paths
from .data import load_sample
from .checkpoints import load_checkpoint, model_from_checkpoint
from .datasets import FaceDataset
from .inputs import recipe
from .ioutil import show_progress, write_json
from .metrics import per_image_counts, summarize
from .model import UNet, count_parameters, set_head_prior, transfer_weights
from .plots import overlay
from .pretraining import PRETRAIN_KEYS, distribute, launch_distributed, loader_workers, pretrain_dir
from .runs import Run, fraction_ids, stage_hash, test_ids_hash
from .settings import ARMS
from .splits import fraction_key
from .train import TrainConfig, distributed, fit, predict, resolve_device

#: The settings a finetuning run depends on (with the data, split and weak source).
FINETUNE_KEYS = PRETRAIN_KEYS + ("finetune_epochs", "finetune_min_steps", "finetune_patience")


def finetune_dir(run: Run, arm: str, fraction: float, seed: int) -> Path:
    """Checkpoint folder of one finetuning run, named after what it depends on."""
    s = run.settings
    name = f"{arm}-w{s.width}-{fraction_key(fraction)}pct-s{seed}-{stage_hash(run, FINETUNE_KEYS)}"
    return paths.CACHE / "train" / "finetune" / name


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


def finetune(run: Run, arm: str, fraction: float, seed: int) -> dict:
    """Finetune one arm on one training fraction with one seed; the model is chosen on
    validation JSI and scored on the test part. Cached in result.json."""
    out = finetune_dir(run, arm, fraction, seed)
    if (out / "result.json").exists():
        return json.loads((out / "result.json").read_text())
    if distribute():
        launch_distributed(run, "finetune", "--arm", arm, "--fraction", str(fraction), "--seed", str(seed))
        return json.loads((out / "result.json").read_text())
    s = run.settings
    ids = fraction_ids(run, fraction)
    train_set = dataset(run, ids, arm, augment=True, seed=seed)
    val_set = dataset(run, run.split["val"], arm, seed=seed)
    model, _ = build_arm(run, arm, seed, positive_share(train_set))
    tc = TrainConfig(task="segmentation", epochs=s.finetune_epochs, min_steps=s.finetune_min_steps,
                     batch_size=s.batch_size, lr=s.lr, patience=s.finetune_patience, seed=seed, device=s.device,
                     progress=show_progress(), workers=loader_workers(run, len(train_set)))
    result = fit(model, train_set, val_set, tc, out, recipe(ARMS[arm]["in_channels"], s.size))
    if distributed()[0] != 0:
        return {}                     # under torchrun, the first process scores and saves
    record = {"arm": arm, "fraction": fraction_key(fraction), "seed": seed, "n_train": len(ids),
              "params": count_parameters(model), "steps": result["history"][-1]["step"],
              "max_epochs": s.finetune_epochs,
              "test_ids_hash": test_ids_hash(run.split["test"]), **convergence(out),
              **evaluate(run, result["best"], run.split["test"], arm)}
    write_json(out / "result.json", record)
    return record


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
    device = resolve_device(run.settings.device)
    model = model_from_checkpoint(checkpoint)[0].to(device)
    faces = dataset(run, ids, arm)
    return predict(model, faces, device, run.settings.batch_size).argmax(1), faces


def evaluate(run: Run, checkpoint: Path, ids: list[str], arm: str) -> dict:
    """Test scores of a checkpoint against the voted masks (pooled and per-image JSI, Dice,
    precision, recall), the per-face counts (tp, fp, fn) that intervals resample, and on
    synthetic data the pooled JSI against the true wrinkles."""
    pred, test_set = predicted_masks(run, checkpoint, ids, arm)
    y = torch.stack([test_set[i][1] for i in range(len(test_set))])
    counts = per_image_counts(pred, y)
    scores = summarize(counts) | {"counts": counts[:, :3].tolist()}
    if run.synthetic:
        truth = np.stack([load_sample(run.root, i, run.settings.size).truth for i in ids])
        truth_counts = per_image_counts(pred.numpy(), truth)
        scores |= {"jsi_truth": summarize(truth_counts)["jsi"], "counts_truth": truth_counts[:, :3].tolist()}
    return scores


def run_grid(run: Run, arms, fractions, seeds) -> pd.DataFrame:
    """Every (arm, fraction, seed) run, one row each."""
    rows = [finetune(run, arm, f, s) for arm in arms for f in fractions for s in seeds]
    return pd.DataFrame(rows)


def predictions(run: Run, ids: list[str], arm: str, fraction: float, seed: int) -> np.ndarray:
    """Predicted masks (N x H x W) of one finetuned run on the given faces."""
    pred, _ = predicted_masks(run, finetune_dir(run, arm, fraction, seed) / "best.pt", ids, arm)
    return pred.numpy().astype(np.uint8)


def figure3_panels(run: Run, ids: list[str], arms: list[str], fraction: float, seed: int) -> list[list[np.ndarray]]:
    """Figure 3: per test face the image, the voted mask (green) and each arm's prediction (red)."""
    faces = [load_sample(run.root, i, run.settings.size) for i in ids]
    preds = {a: predictions(run, ids, a, fraction, seed) for a in arms}
    return [[f.image, overlay(f.image, f.mask, (0, 255, 0))] + [overlay(f.image, preds[a][k]) for a in arms]
            for k, f in enumerate(faces)]


def histories(run: Run, arms, fraction: float, seeds) -> pd.DataFrame:
    """Validation JSI per epoch of finished runs: arm, seed, epoch, val_jsi."""
    frames = [pd.read_csv(finetune_dir(run, a, fraction, s) / "history.csv").assign(arm=a, seed=s)
              for a in arms for s in seeds]
    return pd.concat(frames)[["arm", "seed", "epoch", "val_jsi"]]
