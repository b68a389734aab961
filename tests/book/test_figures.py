"""Every figure a notebook saves is shown on its page: an executed notebook (the smoke
references, the published run the book shows) has at least as many images in its outputs
as calls that save a figure in its code."""

import json
from pathlib import Path

import pytest

from wrinklelib.config import paths


def executed() -> list[Path]:
    published = paths.published_run()
    books = sorted(paths.REFERENCES.glob("[0-9][0-9]_*.ipynb"))
    if published:
        books += sorted((paths.RESULTS / published / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    return books


def counts(notebook: Path) -> tuple[int, int]:
    """(images in the outputs, figures the code saves)."""
    nb = json.loads(notebook.read_text())
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    images = sum(any(k in o.get("data", {}) for k in ("image/png", "image/jpeg")) for c in code
                 for o in c.get("outputs", []))
    saved = sum("".join(c["source"]).count("paths.figure(") for c in code)
    return images, saved


@pytest.mark.parametrize("notebook", executed(), ids=lambda p: f"{p.parent.parent.name}/{p.stem}")
def test_every_saved_figure_is_shown(notebook):
    images, saved = counts(notebook)
    assert images >= saved, f"{notebook}: {saved} figures saved, {images} shown"


def test_the_count_fails_on_a_figure_that_is_saved_and_not_shown(tmp_path):
    nb = {"cells": [{"cell_type": "code", "source": ["x = plots.grid(p, t, path=paths.figure('a'))"],
                     "outputs": []}]}
    (tmp_path / "n.ipynb").write_text(json.dumps(nb))
    assert counts(tmp_path / "n.ipynb") == (0, 1)
