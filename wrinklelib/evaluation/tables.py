"""Tables 1, 2 and 3 from the finetuning results, one row per cell (arm or target, and
fraction): the mean over seeds of each run's pooled test score with its t interval over
seeds, the hierarchical bootstrap's interval beside it, thin-structure scores, and the
paper's value (kept here as a reference, never as a result)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.settings import ARMS, METHOD_NAMES
from ..labels.pretext import PRETEXT_TASKS
from ..labels.targets import PAPER_TARGET, target
from ..model.networks import parameters as count
from .statistics import hierarchical_bootstrap, t_interval

#: Table 1 of the paper: test JSI by method and training fraction (percent of 400 images).
PAPER_TABLE1 = {
    "none": {"100": 0.4319, "50": 0.4120, "25": 0.3594, "5": 0.2608},
    "ours": {"100": 0.4511, "50": 0.4155, "25": 0.3700, "5": 0.3461},
}
#: Table 2 of the paper: test JSI after finetuning on 100% with each pretraining.
PAPER_TABLE2 = {"reconstruction": 0.4334, "deblur": 0.4393, "denoise": 0.4364, "superres": 0.4384, "ours": 0.4511}
#: The paper's value of each arm and fraction (Table 1, and Table 2 at 100%).
PAPER_VALUES = {**PAPER_TABLE1, **{t: {"100": v} for t, v in PAPER_TABLE2.items() if t != "ours"}}
COUNT_COLUMNS = ["counts", "counts_truth", "skeleton_counts", "skeleton_counts_truth"]


def runs_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per finetuning run, without the per-face counts (for CSV)."""
    return results.drop(columns=COUNT_COLUMNS, errors="ignore")


def target_name(name: str) -> str:
    """A training target as a reader names it (an unknown name as it is)."""
    try:
        return target(name).title
    except ValueError:
        return name


def cell_seeds(results: pd.DataFrame, arm: str, fraction: str, target: str = PAPER_TARGET) -> pd.DataFrame:
    """The runs of one cell, one row per seed, in seed order."""
    cell = results[(results.arm == arm) & (results.fraction == fraction) & (results.target == target)]
    return cell.sort_values("seed")


def _cell(cell: pd.DataFrame, suffix: str = "") -> dict:
    """Mean, t interval and bootstrap interval of a cell's pooled JSI, and its other scores."""
    mean, low, high = t_interval(cell[f"jsi{suffix}"])
    counts = np.array(cell[f"counts{suffix}"].tolist(), np.int64)
    _, b_low, b_high = hierarchical_bootstrap(counts)
    row = {f"mean{suffix}": mean, f"t_low{suffix}": low, f"t_high{suffix}": high,
           f"sd{suffix}": float(cell[f"jsi{suffix}"].std(ddof=1)) if len(cell) > 1 else float("nan"),
           f"boot_low{suffix}": b_low, f"boot_high{suffix}": b_high}
    for score in ("jsi_per_image", "dice", "dice_per_image", "cldice", "cldice_per_image",
                  "skeleton_precision", "skeleton_recall"):
        row[f"{score}{suffix}"] = float(cell[f"{score}{suffix}"].mean())
    return row


def estimates(results: pd.DataFrame, arms, target: str = PAPER_TARGET) -> pd.DataFrame:
    """Per arm and fraction: the cell's scores against the vote (and the truth, when known)
    with the paper's value beside them."""
    rows = []
    truth = "jsi_truth" in results and results.jsi_truth.notna().all()
    for arm in arms:
        for fraction in dict.fromkeys(results[(results.arm == arm) & (results.target == target)].fraction):
            cell = cell_seeds(results, arm, fraction, target)
            row = {"method": METHOD_NAMES.get(arm, arm), "arm": arm, "target": target, "fraction_pct": fraction,
                   "n_train": int(cell.n_train.iloc[0]), "updates": int(cell.updates.iloc[0]),
                   "paper": PAPER_VALUES.get(arm, {}).get(fraction, np.nan) if target == PAPER_TARGET else np.nan,
                   "seeds": len(cell), **_cell(cell)}
            rows.append(row | (_cell(cell, "_truth") if truth else {}))
    return pd.DataFrame(rows)


def table1(results: pd.DataFrame) -> pd.DataFrame:
    """Table 1: one row per method and fraction."""
    arms = [a for a in ("none", "ours", "texture_scratch", "rgb_pretrained") if a in set(results.arm)]
    return estimates(results, arms)


def table2(results: pd.DataFrame) -> pd.DataFrame:
    """Table 2: one row per pretraining and finetuning fraction (the paper reports 100%)."""
    return estimates(results, [a for a in (*PRETEXT_TASKS, "ours") if a in set(results.arm)])


def table3(results: pd.DataFrame, targets) -> pd.DataFrame:
    """Table 3: one row per training target and fraction, scored against the truth
    (jsi_truth, its t interval) and against the vote (jsi_vote) side by side."""
    frames = [estimates(results, ["ours"], t) for t in targets]
    t = pd.concat(frames, ignore_index=True)
    t.insert(0, "target_name", [target_name(x) for x in t.target])
    return t.rename(columns={"mean": "jsi_vote", "mean_truth": "jsi_truth", "t_low_truth": "t_low",
                             "t_high_truth": "t_high", "t_low": "t_low_vote", "t_high": "t_high_vote",
                             "cldice_truth": "cldice", "skeleton_precision_truth": "skeleton_precision",
                             "skeleton_recall_truth": "skeleton_recall",
                             "skeleton_precision": "skeleton_precision_vote",
                             "skeleton_recall": "skeleton_recall_vote", "cldice": "cldice_vote"})


def parameters(arm: str, width: int = 64) -> str:
    """An arm's parameter count at the paper's width, in millions as the paper prints it."""
    return f"{count('unet', in_channels=ARMS[arm]['in_channels'], out_channels=2, width=width) / 1e6:.3f}M"


#: Table 1's scores as a reader names them (columns of `estimates`).
SCORE_HEADERS = {"mean": "JSI", "jsi_per_image": "JSI per image", "dice": "Dice", "cldice": "clDice",
                 "mean_truth": "JSI vs truth", "cldice_truth": "clDice vs truth"}


def scores_layout(t: pd.DataFrame) -> pd.DataFrame:
    """Every score of Table 1's cells, mean over seeds, to three decimals, for reading."""
    present = {k: v for k, v in SCORE_HEADERS.items() if k in t}
    shown = t[["method", "fraction_pct", *present]].rename(columns={"fraction_pct": "labels", **present})
    shown["labels"] = shown["labels"].map(lambda f: f"{f}%")
    return shown.round(3)
