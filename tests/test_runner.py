import subprocess

import jupytext
import nbformat
import pytest

from wrinklelib import paths, runner
from wrinklelib.profiles import load_profiles

from conftest import WRINKLE

SOURCES = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_six_notebooks_each_with_one_parameters_cell():
    assert [p.stem[:2] for p in SOURCES] == ["01", "02", "03", "04", "05", "06"]
    for src in SOURCES:
        runner.parameters_cell(runner.read_notebook(src))


def test_every_profile_key_is_declared_by_a_notebook():
    declared = set().union(*(runner.declared_parameters(runner.read_notebook(s)) for s in SOURCES))
    profiles = load_profiles()
    assert set(profiles) == {"smoke", "cpu", "gpu", "paper"}
    for name, values in profiles.items():
        assert set(values) <= declared, f"profile {name}: {set(values) - declared} declared by no notebook"


def test_unknown_parameter_is_an_error_naming_it():
    r = subprocess.run([WRINKLE, "run", "--profile", "smoke", "--only", "01", "-p", "bogus=1"],
                       capture_output=True, text=True)
    assert r.returncode != 0 and "bogus" in r.stderr


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
    assert executed.metadata["wrinkle"]["parameters"]["profile"] == "smoke"
    code = [c.source for c in executed.cells
            if c.cell_type == "code" and "injected-parameters" not in c.metadata.get("tags", [])]
    expected = [c.source for c in jupytext.read(src).cells if c.cell_type == "code"]
    assert code == expected, f"{ref} is stale against {src}: run make refresh-references"
