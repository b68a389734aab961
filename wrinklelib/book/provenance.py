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
    env = meta[-1].get("environment") or environment()
    return {"run": f"{run['profile']}-{run['hash']}", "profile": run["profile"], "settings": run["settings"],
            "device": env.get("device"), "git_commit": env.get("git_commit"), "environment": env,
            "notebook_wall_s": {b.stem: round(m.get("wall_s", float("nan")), 1) for b, m in zip(books, meta)},
            "total_wall_s": round(sum(m.get("wall_s", 0) for m in meta), 1),
            "executed_utc": min(m.get("executed_utc", "?") for m in meta)}
