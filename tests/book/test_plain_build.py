"""A plain `jupyter-book build book` on a copy of the repository builds the whole site:
from the published run named in results/DEFAULT when the book holds no executed run, and
from an executed run (here: the smoke references) when it holds one, saying which."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from wrinklelib.config import paths

JB = str(Path(sys.executable).with_name("jupyter-book"))


@pytest.fixture(scope="module")
def clone(tmp_path_factory):
    """The repository's tracked files, as a fresh clone has them."""
    files = subprocess.run(["git", "ls-files"], cwd=paths.ROOT, capture_output=True, text=True).stdout.split()
    if not (paths.ROOT / "results" / "DEFAULT").exists():
        pytest.skip("no published run named in results/DEFAULT")
    root = tmp_path_factory.mktemp("clone")
    for f in files:
        src = paths.ROOT / f
        if src.is_symlink() or src.is_file():
            (root / f).parent.mkdir(parents=True, exist_ok=True)
            if src.is_symlink():
                os.symlink(os.readlink(src), root / f)
            else:
                shutil.copy2(src, root / f)
    return root


def build(root):
    env = {**os.environ, "PYTHONPATH": str(root)}
    env.pop("WRINKLE_GENERATED", None)
    return subprocess.run([JB, "build", "book", "-W", "-n", "--keep-going"], cwd=root, capture_output=True,
                          text=True, env=env)


def test_plain_build_shows_the_published_run(clone):
    r = build(clone)
    name = (clone / "results" / "DEFAULT").read_text().strip()
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert f"shows the published run results/{name}" in r.stdout
    html = clone / "book" / "_build" / "html"
    pages = {p.stem for p in (html / "notebooks").glob("*.html")}
    assert pages == {p.stem for p in (clone / "notebooks").glob("[0-9][0-9]_*.py")}
    results = (html / "results.html").read_text()
    assert "Table 1" in results and json.loads((clone / "results" / name / "run.json").read_text())["hash"] in results
    assert (html / "_images").exists() and any((html / "_images").iterdir())


def test_plain_build_shows_a_run_executed_into_the_book(clone):
    shutil.rmtree(clone / "book" / "_build", ignore_errors=True)
    shutil.rmtree(clone / "book" / "_generated", ignore_errors=True)
    (clone / "book" / "notebooks").mkdir(exist_ok=True)
    for nb in (clone / "book" / "notebooks").glob("*.ipynb"):
        nb.unlink()
    refs = sorted((clone / "tests" / "references").glob("*.ipynb"))
    for ref in refs:
        shutil.copy(ref, clone / "book" / "notebooks" / ref.name)
    record = nbformat.read(refs[0], as_version=4).metadata["wrinkle"]
    (clone / "book" / "_generated").mkdir()
    (clone / "book" / "_generated" / "run.json").write_text(
        json.dumps({"profile": "smoke", "hash": record["hash"], "settings": {}}))
    r = build(clone)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    assert f"shows run smoke-{record['hash']}, executed here" in r.stdout
