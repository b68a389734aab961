"""Whether the finetuning runs converged: one row per run with its best validation epoch,
the epochs it ran and the change of its validation JSI over the last quarter."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import write_csv

#: A run has converged when its best validation epoch came before its last, or when its
#: validation JSI changed by less than this over the last quarter of its epochs.
CONVERGED_CHANGE = 0.005


def convergence(results: pd.DataFrame, run_name: str) -> pd.DataFrame:
    """One row per finetuning run of the named run: its best validation epoch, epochs run
    (of at most max_epochs), the change of validation JSI over the last quarter, and
    whether it converged."""
    t = pd.DataFrame({"run": [f"{r.arm}-{r.fraction}pct-seed{r.seed}" for r in results.itertuples()],
                      "best_epoch": results.best_epoch, "epochs": results.epochs,
                      "max_epochs": results.max_epochs,
                      "last_quarter_change": results.last_quarter_change.round(4)})
    t["converged"] = (t.best_epoch < t.epochs) | (t.last_quarter_change.abs() < CONVERGED_CHANGE)
    t["of_run"] = run_name
    return t


def convergence_layout(t: pd.DataFrame) -> pd.DataFrame:
    """The convergence table for a reader: readable headers, the epoch limit beside the
    epochs run, the change signed to three decimals, yes or no."""
    return pd.DataFrame({
        "training run": t.run, "best epoch": t.best_epoch,
        "epochs run (limit)": [f"{e} ({m})" for e, m in zip(t.epochs, t.max_epochs)],
        "validation JSI change, last quarter": t.last_quarter_change.map("{:+.3f}".format),
        "converged": t.converged.map({True: "yes", False: "no"}),
    }).set_index("training run")


def save_convergence(t: pd.DataFrame, path: Path) -> pd.DataFrame:
    """Add a notebook's convergence rows to the saved table: rows of another run are
    dropped (never mixed in), rows of the same training runs replaced."""
    if Path(path).exists():
        old = pd.read_csv(path)
        old = old[(old.of_run == t.of_run.iloc[0]) & ~old.run.isin(t.run)] if "of_run" in old else old.iloc[:0]
        t = pd.concat([old, t], ignore_index=True)
    write_csv(path, t)
    return t
