"""Every folder the project writes to or reads from, defined once.

The repository root is where the package lies. The cache and the book's generated folder
can be moved with WRINKLE_CACHE and WRINKLE_GENERATED (tests do); both are read when a
path is asked for, never when the module is imported.
"""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root (the folder holding the package, the notebooks and the book).
ROOT = Path(__file__).resolve().parents[2]
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
#: Executed notebooks that the book renders (gitignored, written by `wrinkle run`).
EXECUTED = BOOK / "notebooks"
#: Committed, executed smoke-profile notebooks that nbval re-runs and compares.
REFERENCES = ROOT / "tests" / "references"
#: Published runs (committed).
RESULTS = ROOT / "results"
#: In the book's generated folder: the name of the published run its inputs were restored from.
RESTORED_MARKER = "restored_from.txt"
#: The file of the model a published run ships.
MODEL_FILE = "wrinkle-unet.pt"


def cache() -> Path:
    """Data sets, weak masks, run records and checkpoints (gitignored, safe to delete)."""
    return Path(os.environ.get("WRINKLE_CACHE") or ROOT / ".cache")


def generated() -> Path:
    """Generated tables, figures and run records of the book."""
    return Path(os.environ.get("WRINKLE_GENERATED") or BOOK / "_generated")


def tables() -> Path:
    """Folder of the generated CSV tables."""
    return generated() / "tables"


def figures() -> Path:
    """Folder of the generated figures."""
    return generated() / "figures"


def shipped_model(run: str | None = None) -> Path:
    """The model a run ships: in the book's generated folder, or in a published run's."""
    if run is None:
        return generated() / "model" / MODEL_FILE
    return RESULTS / run / "model" / MODEL_FILE


def published_run() -> str | None:
    """The name of the published run the book shows by default (results/DEFAULT)."""
    default = RESULTS / "DEFAULT"
    return default.read_text().strip() if default.is_file() else None


def figure(name: str) -> Path:
    """PNG path of a generated figure, creating its folder."""
    figures().mkdir(parents=True, exist_ok=True)
    return figures() / f"{name}.png"


#: How a recorded path inside the cache begins.
CACHE_TOKEN = "$WRINKLE_CACHE"


def relative(path: Path) -> str:
    """A path as recorded in published files and run records, so that a record reads the
    same on every machine: `$WRINKLE_CACHE/...` when inside the cache (wherever the cache
    lies: checkouts that share one read each other's run records), else relative to the
    repository when inside it, else as given."""
    path = Path(path).resolve()
    for base, prefix in ((cache().resolve(), CACHE_TOKEN), (ROOT, None)):
        try:
            rest = path.relative_to(base)
        except ValueError:
            continue
        return str(rest) if prefix is None else f"{prefix}/{rest}"
    return str(path)


def absolute(recorded: str) -> Path:
    """A path as `relative` recorded it, on this machine."""
    if recorded == CACHE_TOKEN or recorded.startswith(CACHE_TOKEN + "/"):
        return cache() / recorded[len(CACHE_TOKEN) + 1:]
    path = Path(recorded)
    return path if path.is_absolute() else ROOT / path


#: Every table the notebooks write, by name, and what it holds: pages read them by these
#: names, and a name outside this list is an error (a renamed table cannot drop a page's
#: paragraph unnoticed).
TABLES = {
    "01_realism": "texture statistics of synthetic faces against a photograph",
    "01_sizes": "faces in each part of the split and in each labelled subset",
    "01_widths": "true wrinkle widths and coverage at the run's size and at 80 px",
    "02_thresholds": "thresholded texture masks against the truth",
    "03_agreement": "annotators' agreement with each other and with the truth",
    "04_pretraining_history": "validation loss of the pretraining runs",
    "04_pretraining": "how each pretraining run ended, and whether it converged",
    "05_pilot": "the pilot: validation JSI of every Table 1 arm at each budget",
    "05_effect_by_budget": "the pilot's effects of Ours (minus No pretraining, minus texture input) against the budget",
    "05_runs": "every Table 1 run",
    "05_convergence": "convergence of each Table 1 cell",
    "table1": "Table 1",
    "06_pretraining": "how each pretext pretraining run ended",
    "06_runs": "every Table 2 run",
    "06_convergence": "convergence of each Table 2 cell",
    "table2": "Table 2",
    "07_runs": "every Table 3 run",
    "07_convergence": "convergence of each Table 3 cell",
    "07_drift": "how far each Table 3 cell moved over its last quarter",
    "07_longer_budget": "Table 3 cells that did not converge, trained again longer or watched against their target",
    "07_against_vote": "each Table 3 target against the vote, paired by seed",
    "table3": "Table 3",
    "claims": "every claim tested, with families, Holm's adjustment and detectable effects",
    "convergence": "convergence of every cell of Tables 1 to 3",
    "09_region_report": "the region report of the own-photos page",
    "notebook_times": "wall time of each notebook of the run",
}


class MissingTable(LookupError):
    """A table that is not in TABLES or was not written; the message names it."""


def table(name: str) -> Path:
    """CSV path of a generated table (one of TABLES), creating its folder."""
    if name not in TABLES:
        raise MissingTable(f"table {name!r} is not a table of the book; known: {', '.join(TABLES)}")
    tables().mkdir(parents=True, exist_ok=True)
    return tables() / f"{name}.csv"


def write_table(name: str, frame) -> Path:
    """Write a generated table (one of TABLES) atomically as CSV; returns its path."""
    from ..files import write_csv

    return write_csv(table(name), frame)


def read_table(name: str, folder: Path | None = None, optional: bool = False):
    """A generated table (one of TABLES) from the book's tables or `folder`; a MissingTable
    naming the file when it was not written (None instead when `optional`: tables that only
    some data or profiles write). A table written without rows reads as an empty frame."""
    import pandas as pd

    if name not in TABLES:
        raise MissingTable(f"table {name!r} is not a table of the book; known: {', '.join(TABLES)}")
    path = Path(folder or tables()) / f"{name}.csv"
    if not path.exists():
        if optional:
            return None
        raise MissingTable(f"{path}: table {name!r} was not written; execute its notebook first")
    if not path.read_text().strip():
        return pd.DataFrame()
    return pd.read_csv(path, dtype={"fraction_pct": str})
