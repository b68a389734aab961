"""What every notebook calls first."""

from __future__ import annotations

import os

from ..config import run as runs


def start(profile: str, overrides: dict | None = None) -> runs.Run:
    """A notebook's first step: resolve the run, record its hash in the notebook (as the
    glued value `run_hash`, which `wrinkle run` checks) and print what it is. Progress
    bars are turned off in this kernel and its training processes: executed notebooks
    show results, not bars that differ from run to run."""
    from myst_nb import glue

    os.environ["TQDM_DISABLE"] = "1"
    run = runs.resolve(profile, overrides)
    glue("run_hash", run.hash, display=False)
    for note in run.notes:
        print("note:", note)
    print(runs.describe(run))
    return run
