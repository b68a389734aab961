"""Every path the project writes to or reads from, defined once."""

from __future__ import annotations

import os
from pathlib import Path

#: Repository root; WRINKLE_ROOT overrides it (for example in tests run from a copy).
ROOT = Path(os.environ.get("WRINKLE_ROOT", Path(__file__).resolve().parents[1]))
NOTEBOOKS = ROOT / "notebooks"
BOOK = ROOT / "book"
#: Executed notebooks that the book renders (gitignored, written by `wrinkle run`).
EXECUTED = BOOK / "notebooks"
#: Generated tables, figures and run.json; WRINKLE_GENERATED moves them (tests do).
GENERATED = Path(os.environ.get("WRINKLE_GENERATED", BOOK / "_generated"))
TABLES = GENERATED / "tables"
FIGURES = GENERATED / "figures"
#: Committed, executed smoke-profile notebooks that nbval re-runs and compares.
REFERENCES = ROOT / "tests" / "references"
#: Data sets, weak masks, run results and checkpoints (gitignored, safe to delete).
CACHE = Path(os.environ.get("WRINKLE_CACHE", ROOT / ".cache"))


def table(name: str) -> Path:
    """CSV path of a generated table, creating its folder."""
    TABLES.mkdir(parents=True, exist_ok=True)
    return TABLES / f"{name}.csv"


def figure(name: str) -> Path:
    """PNG path of a generated figure, creating its folder."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    return FIGURES / f"{name}.png"
