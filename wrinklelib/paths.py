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
GENERATED = BOOK / "_generated"
TABLES = GENERATED / "tables"
FIGURES = GENERATED / "figures"
#: Committed, executed smoke-profile notebooks that nbval re-runs and compares.
REFERENCES = ROOT / "tests" / "references"
#: Data sets, weak masks, run results and checkpoints (gitignored, safe to delete).
CACHE = Path(os.environ.get("WRINKLE_CACHE", ROOT / ".cache"))


def synthetic_data_dir(profile: str, size: int, seed: int) -> Path:
    """Folder of the synthetic data set that a profile generates."""
    return CACHE / "data" / f"synthetic-{profile}-{size}px-seed{seed}"


def run_dir(profile: str) -> Path:
    """Folder for checkpoints and per-run results of one profile."""
    return CACHE / "runs" / profile


def table(name: str) -> Path:
    """CSV path of a generated table, creating its folder."""
    TABLES.mkdir(parents=True, exist_ok=True)
    return TABLES / f"{name}.csv"


def figure(name: str) -> Path:
    """PNG path of a generated figure, creating its folder."""
    FIGURES.mkdir(parents=True, exist_ok=True)
    return FIGURES / f"{name}.png"
