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


def table(name: str) -> Path:
    """CSV path of a generated table, creating its folder."""
    tables().mkdir(parents=True, exist_ok=True)
    return tables() / f"{name}.csv"


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
