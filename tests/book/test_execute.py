import subprocess

import jupytext
import nbformat
import pytest

from wrinklelib.book import execute as runner
from wrinklelib.config import paths

from conftest import WRINKLE

SOURCES = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_six_notebooks_take_only_profile_and_overrides():
    assert [p.stem[:2] for p in SOURCES] == ["01", "02", "03", "04", "05", "06"]
    for src in SOURCES:
        runner.check_parameters_cell(src)


def test_no_notebook_code_cell_is_long():
    for src in SOURCES:
        for cell in jupytext.read(src).cells:
            if cell.cell_type == "code":
                lines = [line for line in cell.source.splitlines()
                         if line.strip() and not line.startswith(("import ", "from "))]
                assert len(lines) <= 10, f"{src.name}: a code cell of {len(lines)} lines:\n{cell.source}"


@pytest.mark.parametrize("args, named", [
    (["-p", "bogus=1"], "bogus"),
    (["-p", "size=abc"], "size"),
    (["-p", "size=100"], "size"),
    (["-p", "profile=gpu"], "--profile"),
    (["-p", "n_train=-5"], "n_train"),
    (["-p", "fractions=[2.0]"], "fractions"),
    (["-p", "arms=['bogus']"], "arms"),
    (["-p", "weak_source='web'"], "weak_source"),
    (["--data", "/nonexistent"], "data_dir"),
    (["--only", "99"], "99"),
])
def test_bad_setting_is_one_line_naming_it(args, named, tmp_path):
    r = subprocess.run([WRINKLE, "run", "--profile", "smoke", "--only", "01", *args, "--out", str(tmp_path)],
                       capture_output=True, text=True)
    assert r.returncode == 2
    assert named in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("args, named", [
    (["train", "--stage", "pretrain", "--profile", "nope"], "nope"),
    (["train", "--stage", "finetune", "--arm", "bogus"], "bogus"),
    (["synth", "--n", "-3", "--out", "x"], "--n"),
    (["unpack", "no-such-run.tar.gz"], "no-such-run.tar.gz"),
    (["publish", "x/y"], "x/y"),
])
def test_bad_command_options_are_one_line(args, named):
    r = subprocess.run([WRINKLE, *args], capture_output=True, text=True)
    assert r.returncode == 2 and named in r.stderr and "Traceback" not in r.stderr


def test_parse_override():
    assert runner.parse_override("seeds=[0,1]") == ("seeds", [0, 1])
    assert runner.parse_override("data_dir=/x/y") == ("data_dir", "/x/y")
    with pytest.raises(runner.ParameterError):
        runner.parse_override("novalue")


@pytest.mark.parametrize("src", SOURCES, ids=lambda p: p.stem)
def test_reference_is_fresh(src):
    """The committed smoke reference must hold the same code as the notebook source;
    `make refresh-references` rewrites it."""
    ref = paths.REFERENCES / f"{src.stem}.ipynb"
    assert ref.exists(), f"{ref} missing: run make refresh-references"
    executed = nbformat.read(ref, as_version=4)
    assert executed.metadata["wrinkle"]["parameters"] == {"profile": "smoke", "overrides": {}}
    code = [c.source for c in executed.cells
            if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    expected = [c.source for c in jupytext.read(src).cells if c.cell_type == "code"]
    assert code == expected, f"{ref} is stale against {src}: run make refresh-references"
