"""Supervised finetuning on fractions of the labels (the paper's Figure 2b, Table 1), the
pretext finetunings of Table 2 and the training targets of Table 3: one run per arm,
target, fraction and seed, each on its seed's own labelled faces with its fraction's fixed
budget of updates, trained on patches and validated on whole faces; its folder holds the
last weights (what evaluation scores) and result.json (how training went)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import torch

from ..config.run import Run, training_ids, validation_ids
from ..config.settings import ARMS
from ..data.splits import fraction_key, subset_hash
from ..files import show_progress
from ..labels.targets import PAPER_TARGET, target
from ..model.checkpoints import load_checkpoint
from ..model.networks import create, parameters
from ..model.transfer import set_head_prior, transfer_weights
from .dataset import Faces, positive_share
from .devices import distributed
from .loop import fit
from .schedules import last_quarter
from .stage import check_validation, finetune_config, finetune_dir, finetune_recipe, init_dir, loader_workers, run_stage


def build_arm(run: Run, arm: str, seed: int, prior: float, target_name: str = PAPER_TARGET) -> torch.nn.Module:
    """The 2-class network of an arm for a target (with confusion heads where the target
    asks for them), initialised as the arm prescribes from its seed's pretraining run."""
    torch.manual_seed(seed)
    kind = target(target_name).network
    extra = {"annotators": len(run.settings.annotators)} if kind == "confusion_unet" else {}
    model = create(kind, in_channels=ARMS[arm]["in_channels"], out_channels=2, width=run.settings.width, **extra)
    unet = getattr(model, "unet", model)
    init = init_dir(run, arm, seed)
    if init is not None:
        transfer_weights(load_checkpoint(init / "last.pt")["model"], unet)
    set_head_prior(unet, prior)
    return model


def faces(run: Run, ids: list[str], arm: str, target_name: str = PAPER_TARGET, train: bool = False,
          seed: int = 0) -> Faces:
    """Faces with a training target in an arm's input: patches for training, whole faces
    for validation and figures."""
    s = run.settings
    return Faces(run.root, ids, target_name, finetune_recipe(run, arm), augment=train, seed=seed,
                 foreground=s.foreground if train else 0.0, weak_dir=run.weak_dir, min_votes=s.min_votes,
                 cache=not train or loader_workers(run, len(ids)) == 0)


def _train(run: Run, arm: str, fraction: float, seed: int, target_name: str, updates: int, validate: str,
           out: Path) -> dict | None:
    ids = training_ids(run, fraction, seed)
    train_set = faces(run, ids, arm, target_name, train=True, seed=seed)
    val_set = faces(run, validation_ids(run), arm, validate)
    model = build_arm(run, arm, seed, positive_share(train_set), target_name)
    cfg = finetune_config(run, target_name, updates, seed)
    cfg.progress, cfg.workers = show_progress(), loader_workers(run, len(train_set))
    history = fit(model, train_set, val_set, cfg, out, finetune_recipe(run, arm))["history"]
    if distributed()[0]:
        return None                   # under torchrun the first process records the result
    last, before = last_quarter([(h["step"], h["val_jsi"]) for h in history])
    init = init_dir(run, arm, seed)
    return {"arm": arm, "target": target_name, "fraction": fraction_key(fraction), "seed": seed,
            "n_train": len(ids), "subset": subset_hash(ids), "pretrain_seed": run.settings.pretrain_seed(seed)
            if init else None, "params": parameters(**model.args),
            "updates": history[-1]["step"], "validated_against": validate, "val_jsi": last,
            "last_quarter_change": last - before, "train_s": float(sum(h["train_s"] for h in history)),
            "validation_s": float(sum(h["validation_s"] for h in history))}


def finetune(run: Run, arm: str, fraction: float, seed: int, target_name: str = PAPER_TARGET, updates: int = 0,
             validate: str = PAPER_TARGET) -> dict:
    """Finetune one arm on its seed's labelled faces at one fraction, with one target, for
    `updates` (by default the fraction's budget), its validation scored against `validate`
    (it only monitors). Cached in result.json; returns its folder's record with `folder`."""
    check_validation(run, validate)
    updates = updates or run.settings.updates(fraction)
    out = finetune_dir(run, arm, fraction, seed, target_name, updates, validate)
    args = ["--stage", "finetune", "--arm", arm, "--fraction", str(fraction), "--seed", str(seed),
            "--target", target_name, "--updates", str(updates), "--validate", validate]
    record = run_stage(run, out, args, lambda: _train(run, arm, fraction, seed, target_name, updates, validate, out))
    return record | {"folder": out.name}


def histories(run: Run, cells: list[tuple[str, float, str]], seeds, validate: str = PAPER_TARGET) -> pd.DataFrame:
    """Validation scores at every validation point of finished runs: arm, target, fraction,
    seed, step, val_jsi, val_precision, val_recall."""
    frames = [pd.read_csv(finetune_dir(run, a, f, s, t, validate=validate) / "history.csv")
              .assign(arm=a, target=t, fraction=f, seed=s) for a, f, t in cells for s in seeds]
    return pd.concat(frames)[["arm", "target", "fraction", "seed", "step", "val_jsi", "val_precision", "val_recall"]]
