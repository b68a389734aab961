"""The paper's experiments as functions: pretraining, one finetuning run, the grid of
runs over arms, fractions and seeds, and Tables 1 and 2. Each run stores its result and
is skipped when run again with the same settings."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pandas as pd
import torch

from . import paths
from .datasets import FaceDataset
from .ioutil import show_progress, write_json
from .metrics import per_image_counts, summarize
from .model import UNet, count_parameters, set_head_prior, transfer_weights
from .paper import METHOD_NAMES, PAPER_TABLE1, PAPER_TABLE2
from .pipeline import Config, settings_hash
from .splits import fraction_key
from .train import TrainConfig, distributed, fit, load_checkpoint, model_from_checkpoint, predict, resolve_device

PRETEXT_TASKS = ("reconstruction", "deblur", "denoise", "superres")
#: Finetuning arms: input channels, texture input, and which pretraining they start from.
ARMS = {
    "none": dict(in_channels=3, texture_input=False, init=None),
    "ours": dict(in_channels=4, texture_input=True, init="texture"),
    "texture_scratch": dict(in_channels=4, texture_input=True, init=None),
    "rgb_pretrained": dict(in_channels=3, texture_input=False, init="texture"),
    **{t: dict(in_channels=4, texture_input=True, init=t) for t in PRETEXT_TASKS},
}


def target_scale(dataset, n: int = 64) -> float:
    """1 / standard deviation of the regression targets over (up to) n training items."""
    ys = torch.stack([dataset[i][1] for i in range(min(n, len(dataset)))])
    return float(1.0 / max(float(ys.std()), 1e-6))


PRETRAIN_KEYS = ("size", "width", "batch_size", "lr", "pretrain_epochs", "pretrain_min_steps", "seed", "device",
                 "weak_source")
FINETUNE_KEYS = PRETRAIN_KEYS + ("finetune_epochs", "finetune_min_steps")


def processes() -> int:
    """How many training processes to use: WRINKLE_NPROC, else one per visible GPU."""
    if "WRINKLE_NPROC" in os.environ:
        return int(os.environ["WRINKLE_NPROC"])
    return max(1, torch.cuda.device_count())


def launch_distributed(cfg: Config, stage: str, *args: str) -> None:
    """Run one training stage under torchrun with one process per device and wait for it.
    Every setting travels as a -p override, so the processes rebuild the same Config."""
    import subprocess
    import sys
    from dataclasses import asdict

    overrides = [x for k, v in asdict(cfg).items() if k != "profile" for x in ("-p", f"{k}={v!r}")]
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes()}",
           "-m", "wrinklelib.cli", "train", "--stage", stage, "--profile", cfg.profile, *overrides, *args]
    subprocess.run(cmd, check=True)


def _distribute() -> bool:
    """True when this process should hand training to torchrun (several devices, not yet inside it)."""
    return processes() > 1 and "WORLD_SIZE" not in os.environ


def weak_dir(cfg: Config, root: Path) -> Path | None:
    """Where texture masks are read from: None to compute them, the data root for the release's."""
    if cfg.weak_source not in ("compute", "release"):
        raise ValueError(f"weak_source must be 'compute' or 'release', got {cfg.weak_source!r}")
    return root if cfg.weak_source == "release" else None


def loader_workers(cfg: Config) -> int:
    """Data-loading processes: several on CUDA to keep the GPU busy, none on CPU (the
    cores are busy training, and one process keeps the in-memory cache)."""
    return min(8, os.cpu_count() or 1) if resolve_device(cfg.device).type == "cuda" else 0


def pretrain_dir(cfg: Config, split: dict, task: str = "texture") -> Path:
    h = settings_hash(cfg, split, PRETRAIN_KEYS)
    return paths.run_dir(cfg.profile) / f"pretrain-{task}-w{cfg.width}-s{cfg.seed}-{h}"


def pretrain(cfg: Config, root: Path, split: dict, task: str = "texture") -> Path:
    """Pretrain the 3->1 U-Net to predict the texture mask (or a pretext target); return
    the best checkpoint. Skipped when already complete; under torchrun when several
    devices are visible."""
    if _distribute():
        launch_distributed(cfg, "pretrain", "--task", task)
        return pretrain_dir(cfg, split, task) / "best.pt"
    weak = weak_dir(cfg, root)
    train_set = FaceDataset(root, split["pretrain"], task, augment=True, seed=cfg.seed, weak_dir=weak)
    val_set = FaceDataset(root, split["val"], task, seed=cfg.seed, weak_dir=weak)
    scale = target_scale(train_set) if task == "texture" else 1.0
    tc = TrainConfig(task="regression", epochs=cfg.pretrain_epochs, min_steps=cfg.pretrain_min_steps,
                     batch_size=cfg.batch_size, lr=cfg.lr, target_scale=scale, seed=cfg.seed,
                     device=cfg.device, progress=show_progress(), workers=loader_workers(cfg))
    torch.manual_seed(cfg.seed)
    out = fit(UNet(3, 1, cfg.width), train_set, val_set, tc, pretrain_dir(cfg, split, task))
    return out["best"]


def finetune_dir(cfg: Config, split: dict, arm: str, fraction: float, seed: int) -> Path:
    h = settings_hash(cfg, split, FINETUNE_KEYS)
    return paths.run_dir(cfg.profile) / "finetune" / f"{arm}-w{cfg.width}-{fraction_key(fraction)}pct-s{seed}-{h}"


def build_arm(cfg: Config, split: dict, arm: str, seed: int, positive_share: float) -> tuple[UNet, dict]:
    """The 2-class U-Net of an arm, initialised as the arm prescribes."""
    if arm not in ARMS:
        raise ValueError(f"unknown arm {arm!r}; known: {', '.join(ARMS)}")
    spec = ARMS[arm]
    torch.manual_seed(seed)
    model = UNet(spec["in_channels"], 2, cfg.width)
    report = {}
    if spec["init"] is not None:
        ckpt = pretrain_dir(cfg, split, spec["init"]) / "best.pt"
        report = transfer_weights(load_checkpoint(ckpt)["model"], model)
    set_head_prior(model, positive_share)
    return model, report


def positive_share(dataset) -> float:
    """Share of wrinkle pixels in a finetuning dataset."""
    return float(np.mean([float(dataset[i][1].float().mean()) for i in range(len(dataset))]))


def finetune(cfg: Config, root: Path, split: dict, arm: str, fraction: float, seed: int) -> dict:
    """Finetune one arm on one training fraction with one seed; the model is chosen on
    validation JSI and scored on the test part. Cached in result.json."""
    out = finetune_dir(cfg, split, arm, fraction, seed)
    if (out / "result.json").exists():
        return json.loads((out / "result.json").read_text())
    if _distribute():
        launch_distributed(cfg, "finetune", "--arm", arm, "--fraction", str(fraction), "--seed", str(seed))
        return json.loads((out / "result.json").read_text())
    spec = ARMS[arm]
    ids = split["fractions"][fraction_key(fraction)]
    weak = weak_dir(cfg, root)
    train_set = FaceDataset(root, ids, "mask", spec["texture_input"], augment=True, seed=seed, weak_dir=weak)
    val_set = FaceDataset(root, split["val"], "mask", spec["texture_input"], seed=seed, weak_dir=weak)
    model, _ = build_arm(cfg, split, arm, seed, positive_share(train_set))
    tc = TrainConfig(task="segmentation", epochs=cfg.finetune_epochs, min_steps=cfg.finetune_min_steps,
                     batch_size=cfg.batch_size, lr=cfg.lr, seed=seed, device=cfg.device, progress=show_progress(),
                     workers=loader_workers(cfg))
    run = fit(model, train_set, val_set, tc, out)
    if distributed()[0] != 0:
        return {}                     # under torchrun, the first process scores and saves
    scores = evaluate(run["best"], root, split["test"], spec["texture_input"], cfg, weak)
    best_epoch = max(run["history"], key=lambda r: r["score"])["epoch"]
    result = {"arm": arm, "fraction": fraction_key(fraction), "seed": seed, "n_train": len(ids),
              "params": count_parameters(model), "best_epoch": best_epoch, "epochs": len(run["history"]),
              "steps": run["history"][-1]["step"], **scores}
    write_json(out / "result.json", result)
    return result


def load_model(checkpoint: Path) -> UNet:
    """The network stored in one of our checkpoints, rebuilt from the arguments it carries."""
    return model_from_checkpoint(checkpoint)[0]


def evaluate(checkpoint: Path, root: Path, ids: list[str], texture_input: bool, cfg: Config,
             weak: Path | None = None) -> dict:
    """Test scores of a checkpoint: pooled and per-image JSI, Dice, precision, recall."""
    device = resolve_device(cfg.device)
    model = load_model(checkpoint).to(device)
    test_set = FaceDataset(root, ids, "mask", texture_input, weak_dir=weak)
    pred = predict(model, test_set, device, cfg.batch_size).argmax(1)
    y = torch.stack([test_set[i][1] for i in range(len(test_set))])
    return summarize(per_image_counts(pred, y))


def run_grid(cfg: Config, root: Path, split: dict, arms, fractions, seeds) -> pd.DataFrame:
    """Every (arm, fraction, seed) run, one row each."""
    rows = [finetune(cfg, root, split, arm, f, s) for arm in arms for f in fractions for s in seeds]
    return pd.DataFrame(rows)


def summary(results: pd.DataFrame, metric: str = "jsi") -> pd.DataFrame:
    """Mean, standard deviation and number of seeds per arm and fraction."""
    g = results.groupby(["arm", "fraction"], sort=False)[metric]
    return g.agg(mean="mean", std="std", seeds="count").reset_index()


def paired(results: pd.DataFrame, a: str, b: str, metric: str = "jsi") -> pd.DataFrame:
    """Per fraction: mean and spread of (a - b) over seeds run with both arms, in words too."""
    wide = results.pivot_table(index=["fraction", "seed"], columns="arm", values=metric)
    diff = (wide[a] - wide[b]).rename("diff").reset_index()
    order = {f: k for k, f in enumerate(dict.fromkeys(results.fraction))}
    diff = diff.sort_values("fraction", key=lambda s: s.map(order), kind="stable")
    out = diff.groupby("fraction", sort=False)["diff"].agg(mean_diff="mean", std_diff="std", seeds="count").reset_index()
    out["verdict"] = [
        "single seed: no spread to compare with" if n < 2 else
        (f"{a} ahead by more than the spread" if m > s else f"{b} ahead by more than the spread" if -m > s
         else "difference smaller than the seed-to-seed spread")
        for m, s, n in zip(out.mean_diff, out.std_diff.fillna(0), out.seeds)]
    return out


def table1(results: pd.DataFrame, width: int) -> pd.DataFrame:
    """Table 1: our JSI (mean, std over seeds) per method and fraction beside the paper's,
    parameter counts from the model at the run's width and at the paper's width 64, and the
    improvement of Ours over No pretraining computed as the paper does (difference x 100)."""
    s = summary(results)
    rows = []
    for arm in [a for a in ("none", "ours", "texture_scratch", "rgb_pretrained") if a in set(s.arm)]:
        spec = ARMS[arm]
        for _, r in s[s.arm == arm].iterrows():
            rows.append({"method": METHOD_NAMES.get(arm, arm), "arm": arm, "fraction_pct": r.fraction,
                         "jsi_ours_mean": r["mean"], "jsi_ours_std": r["std"], "seeds": r.seeds,
                         "jsi_paper": PAPER_TABLE1.get(arm, {}).get(r.fraction, np.nan),
                         "params_run": count_parameters(UNet(spec["in_channels"], 2, width)),
                         "params_width64": count_parameters(UNet(spec["in_channels"], 2, 64))})
    t = pd.DataFrame(rows)
    if {"none", "ours"} <= set(t.arm):
        base = t[t.arm == "none"].set_index("fraction_pct")
        ours = t[t.arm == "ours"].set_index("fraction_pct")
        t["improvement_pts_ours"] = t.fraction_pct.map((ours.jsi_ours_mean - base.jsi_ours_mean) * 100).where(t.arm == "ours")
        t["improvement_pts_paper"] = t.fraction_pct.map((ours.jsi_paper - base.jsi_paper) * 100).where(t.arm == "ours")
    return t


def table2(results: pd.DataFrame, fraction: str = "100") -> pd.DataFrame:
    """Table 2: JSI after each pretraining, finetuned on one fraction, beside the paper's."""
    s = summary(results)
    s = s[s.fraction == fraction]
    order = [a for a in (*PRETEXT_TASKS, "ours") if a in set(s.arm)]
    s = s.set_index("arm").loc[order].reset_index()
    return pd.DataFrame({"method": [METHOD_NAMES[a] for a in s.arm], "arm": s.arm, "fraction_pct": fraction,
                         "jsi_ours_mean": s["mean"], "jsi_ours_std": s["std"], "seeds": s.seeds,
                         "jsi_paper": [PAPER_TABLE2[a] if fraction == "100" else np.nan for a in s.arm]})


def predictions(cfg: Config, root: Path, split: dict, ids: list[str], arm: str, fraction: float,
                seed: int) -> np.ndarray:
    """Predicted masks (N x H x W) of one finetuned run on the given faces."""
    spec = ARMS[arm]
    device = resolve_device(cfg.device)
    model = load_model(finetune_dir(cfg, split, arm, fraction, seed) / "best.pt").to(device)
    ds = FaceDataset(root, ids, "mask", spec["texture_input"], weak_dir=weak_dir(cfg, root))
    return predict(model, ds, device, cfg.batch_size).argmax(1).numpy().astype(np.uint8)
