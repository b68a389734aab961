"""Whether the finetuning cells converged, by a rule that can fail: for each cell, the mean
over its seeds of the change of validation JSI over the last quarter of the updates,
against a threshold from the profile."""

from __future__ import annotations

import pandas as pd

from ..labels.targets import PAPER_TARGET
from ..training.schedules import last_quarter
from .statistics import t_interval

COLUMNS = ["arm", "target", "fraction_pct", "seeds", "updates", "validated_against", "last_quarter_change",
           "change_t_low", "change_t_high", "threshold", "converged"]


def cell_converged(last_quarter_change: float, threshold: float) -> bool:
    """A cell converged when its validation JSI moved by no more than the threshold over the
    last quarter of its updates (a curve still rising, or falling, fails)."""
    return abs(last_quarter_change) <= threshold


#: A cell: its runs share arm, target, fraction, budget and validation reference (runs of one
#: cell with different budgets, or watched against different masks, show as separate rows,
#: never as one mean).
CELL = ["arm", "target", "fraction", "updates", "validated_against"]


def _with_reference(results: pd.DataFrame) -> pd.DataFrame:
    """Result rows with their validation reference (runs recorded before validation could
    score against anything but the vote were scored against the vote)."""
    reference = results.get("validated_against", pd.Series(PAPER_TARGET, index=results.index)).fillna(PAPER_TARGET)
    return results.assign(validated_against=reference)


def convergence(results: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """convergence.csv: one row per cell (arm, target, fraction, budget, reference). The rule
    judges the mean change; its t interval over seeds says whether the seeds can tell it
    from none."""
    rows = []
    for (arm, target, fraction, updates, reference), cell in _with_reference(results).groupby(CELL, sort=False):
        change, low, high = t_interval(cell.last_quarter_change)
        rows.append({"arm": arm, "target": target, "fraction_pct": fraction, "seeds": len(cell),
                     "updates": int(updates), "validated_against": reference,
                     "last_quarter_change": change, "change_t_low": low, "change_t_high": high,
                     "threshold": threshold,
                     "converged": cell_converged(change, threshold)})
    return pd.DataFrame(rows, columns=COLUMNS)


def budget_check(results: pd.DataFrame, threshold: float) -> pd.DataFrame:
    """Per cell, budget and validation reference (rows of jobs.longer_budgets and
    jobs.own_target_runs): its convergence row and the mean test JSI against the truth."""
    means = _with_reference(results).groupby(CELL, sort=False).jsi_truth.mean()
    return convergence(results, threshold).assign(jsi_truth=means.to_numpy())


#: The validation scores whose last-quarter change last_quarter_changes reports.
DRIFT_SCORES = ("val_jsi", "val_precision", "val_recall")


def last_quarter_changes(history: pd.DataFrame) -> pd.DataFrame:
    """Per cell (arm, target, fraction) of validation histories (finetuning.histories): the
    mean over seeds of each score's change over the last quarter of the updates, which says
    how a cell that failed the rule was still moving (e.g. recall falling, precision rising)."""
    rows = []
    def change(run: pd.DataFrame, score: str) -> float:
        last, before = last_quarter(list(zip(run.step, run[score])))
        return float(last - before)

    for (arm, target, fraction), cell in history.groupby(["arm", "target", "fraction"], sort=False):
        per_seed = [{k: change(run, k) for k in DRIFT_SCORES} for _, run in cell.sort_values("step").groupby("seed")]
        rows.append({"arm": arm, "target": target, "fraction": fraction, "seeds": len(per_seed),
                     **{f"{k}_change": float(pd.DataFrame(per_seed)[k].mean()) for k in DRIFT_SCORES}})
    return pd.DataFrame(rows, columns=["arm", "target", "fraction", "seeds",
                                       *(f"{k}_change" for k in DRIFT_SCORES)])
