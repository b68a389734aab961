"""Where a run executed into the book came from: the run record, the executing environment
(device, versions, git commit), each notebook's wall time and the compute its training and
scoring runs took."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat

from ..config import paths
from ..config.environment import environment

PROVENANCE, RUN_RECORD = "provenance.json", "run.json"


class PublishError(ValueError):
    """A run that cannot be published or a published run that cannot be used; names it."""


#: The tables whose rows are training runs (each with its folder and its seconds).
RUN_TABLES = ("04_pretraining", "06_pretraining", "05_pilot", "05_runs", "06_runs", "07_runs", "07_longer_budget")


#: The seconds of a training run that its compute counts (one thread each).
SECONDS = ("train_s", "validation_s", "score_s")


def run_seconds(frames) -> tuple[int, float]:
    """The distinct training runs of these result tables (a run in two tables once, by its
    folder; tables without folders or None are skipped) and the sum of their seconds of
    training, validation and test scoring."""
    import pandas as pd

    frames = [f[["folder", *[c for c in SECONDS if c in f]]] for f in frames
              if f is not None and len(f) and "folder" in f]
    if not frames:
        return 0, 0.0
    runs = pd.concat(frames, ignore_index=True).drop_duplicates("folder")
    return int(len(runs)), float(runs.drop(columns="folder").fillna(0.0).to_numpy().sum())


def compute(tables: Path | None = None) -> dict:
    """The compute a run's tables took: every distinct training run, the sum of its seconds
    of training, validation and test scoring, and the cores they were spread over (one
    thread each)."""
    import os

    import pandas as pd

    tables = Path(tables or paths.tables())
    n, seconds = run_seconds([pd.read_csv(tables / f"{n}.csv") for n in RUN_TABLES if (tables / f"{n}.csv").exists()
                              and (tables / f"{n}.csv").read_text().strip()])
    return {"runs": n, "run_wall_s": round(seconds, 1), "cores": os.cpu_count() or 1}


def provenance(notebooks: Path | None = None, run_file: Path | None = None) -> dict:
    """Where a run came from: the run record, the executing environment (device, versions,
    git commit) and each notebook's wall time, as recorded in the executed notebooks (by
    default the book's)."""
    notebooks = Path(notebooks or paths.EXECUTED)
    run_file = Path(run_file or paths.generated() / RUN_RECORD)
    if not run_file.exists():
        raise PublishError(f"{run_file}: no run record; run `wrinkle run` first")
    run = json.loads(run_file.read_text())
    books = sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb"))
    expected = len(list(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")))
    if len(books) != expected:
        raise PublishError(f"{notebooks}: expected the {expected} executed notebooks, found {len(books)}")
    meta = [nbformat.read(b, as_version=4).metadata.get("wrinkle", {}) for b in books]
    wrong = [b.name for b, m in zip(books, meta) if m.get("hash") != run["hash"]]
    if wrong:
        raise PublishError(f"{', '.join(wrong)}: executed for another run than {run['profile']}-{run['hash']}")
    commits = {m.get("environment", {}).get("git_commit") for m in meta}
    if len(commits) != 1 or any(str(c).endswith("-dirty") for c in commits):
        raise PublishError(f"{notebooks}: notebooks executed at {', '.join(sorted(map(str, commits)))}; a published "
                           "run's notebooks must all be executed at one commit of a clean tree (commit, then "
                           "`wrinkle run` again: trained runs are read from the cache)")
    env = meta[-1].get("environment") or environment()
    return {"compute": compute(), "run": f"{run['profile']}-{run['hash']}", "profile": run["profile"],
            "settings": run["settings"],
            "device": env.get("device"), "git_commit": env.get("git_commit"), "environment": env,
            "notebook_wall_s": {b.stem: round(m.get("wall_s", float("nan")), 1) for b, m in zip(books, meta)},
            "total_wall_s": round(sum(m.get("wall_s", 0) for m in meta), 1),
            "executed_utc": min(m.get("executed_utc", "?") for m in meta)}
