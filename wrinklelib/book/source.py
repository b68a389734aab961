"""Which run the book shows: one executed into the book here, else the published run named
in results/DEFAULT (the one `make book-published` and a plain `jupyter-book build book`
show). A restored run is marked as such, so that it is never mistaken for one executed
here, and a run executed here is never overwritten by a restore the user did not ask for."""

from __future__ import annotations

import json

from ..config import paths

DEFAULT = paths.RESULTS / "DEFAULT"


def default_published() -> str | None:
    """The name of the published run the book shows by default."""
    return DEFAULT.read_text().strip() if DEFAULT.exists() else None


def restored() -> str | None:
    """The published run the book's inputs were restored from, if they were."""
    marker = paths.generated() / paths.RESTORED_MARKER
    return marker.read_text().strip() if marker.exists() else None


def book_run() -> tuple[str, str]:
    """("executed", run name) or ("published", folder name); LookupError when the book has
    neither (or only part of a run executed here), naming the ways to get one."""
    record = paths.generated() / "run.json"
    books = sorted(paths.EXECUTED.glob("[0-9][0-9]_*.ipynb"))
    if record.exists() and books and not restored():
        run = json.loads(record.read_text())
        name = f"{run['profile']}-{run['hash']}"
        expected = len(list(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")))
        if len(books) == expected:
            return "executed", name
        raise LookupError(f"the book holds {len(books)} of {expected} notebooks of run {name}: finish it with "
                          "`wrinkle run`, or show the published run with `make book-published`")
    published = restored() or default_published()
    if published and (paths.RESULTS / published / "provenance.json").exists():
        return "published", published
    raise LookupError("the book holds no executed run and results/ no published one: run `make book` "
                      "(executes every notebook) or `make book-published PUBLISHED=NAME` (shows results/NAME)")
