import subprocess
import sys

import jupytext
import nbformat
import pytest

from wrinklelib.book import execute as runner
from wrinklelib.config import paths

from conftest import WRINKLE

SOURCES = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))


def test_every_notebook_takes_only_profile_and_overrides_and_hides_them():
    assert [p.stem[:2] for p in SOURCES] == ["01", "02", "03", "04", "05", "06", "07", "08", "09"]
    for src in SOURCES:
        runner.check_parameters_cell(src)
        nb = jupytext.read(src)
        tags = nb.cells[runner.parameters_cell(nb)].metadata["tags"]
        assert "remove-cell" in tags
        assert not any("NBVAL" in c.source for c in nb.cells), f"{src.name}: nbval markers belong in tags"


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


def test_a_second_run_into_the_book_is_refused_while_one_writes_it(tmp_path):
    import os

    from wrinklelib.files import exclusive

    env = {**os.environ, "WRINKLE_GENERATED": str(tmp_path / "gen"), "WRINKLE_CACHE": str(tmp_path / "cache"),
           "TQDM_DISABLE": "1"}     # stderr holds the one error line, not progress bars
    with exclusive(tmp_path / "gen" / ".wrinkle-run.lock", "the book"):
        r = subprocess.run([WRINKLE, "run", "--profile", "smoke", "--only", "03"], capture_output=True, text=True,
                           env=env)
    assert r.returncode == 2 and "another process" in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_ctrl_c_ends_with_one_line(tmp_path):
    import os
    import signal
    import time

    env = {**os.environ, "WRINKLE_CACHE": str(tmp_path / "cache"), "TQDM_DISABLE": "1"}
    # Far more faces than a busy machine draws before the signal: the run must be cut short.
    # The child gets Ctrl-C's default action, as in a terminal: a test runner's worker may
    # ignore SIGINT, and an ignored signal stays ignored in the processes it starts.
    proc = subprocess.Popen([WRINKLE, "synth", "--out", str(tmp_path / "s"), "--n", "4000", "--size", "256"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    deadline = time.time() + 60
    while not list((tmp_path / "s").rglob("*.png")) and time.time() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 130 and "Traceback" not in err and "interrupted" in err, (proc.returncode, err[-2000:])
    assert len([line for line in err.splitlines() if line.strip()]) == 1, err


def test_references_catch_a_changed_default(tmp_path):
    """Changing the texture filter's sigma at 1024 px (through a sitecustomize that the
    notebook's kernel imports) makes nbval fail on the texture notebook's compared outputs."""
    import os

    (tmp_path / "sitecustomize.py").write_text(
        "import wrinklelib.labels.texture as t\nt.SIGMA_1024 = 6.0\n")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "WRINKLE_GENERATED": str(tmp_path / "gen"),
           "WRINKLE_CACHE": str(tmp_path / "cache"), "TQDM_DISABLE": "1"}     # its data must not be kept
    r = subprocess.run([sys.executable, "-m", "pytest", "--nbval", "--nbval-current-env",
                        "--nbval-sanitize-with", str(paths.REFERENCES / "sanitize.cfg"), "-p", "no:cacheprovider",
                        str(paths.REFERENCES / "02_texture_ground_truth.ipynb"), "-q"],
                       capture_output=True, text=True, env=env, cwd=paths.ROOT)
    assert r.returncode != 0
    failed = [line for line in r.stdout.splitlines() if line.startswith("FAILED")]
    assert any("Cell" in line for line in failed) and "texture filter at" in r.stdout, r.stdout[-3000:]


def test_a_reader_that_goes_away_ends_the_command_quietly():
    """`wrinkle bench ... | head`: the broken pipe ends the command with no traceback."""
    import sys

    code = ("import sys\nfrom wrinklelib.app import cli\nfrom wrinklelib.app.cli import tools\n"
            "def gone(args):\n    raise BrokenPipeError(32, 'Broken pipe')\n"
            "tools.cmd_bench = gone\nsys.exit(cli.main(['bench', 'synth']))\n")
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert r.returncode == 141 and r.stderr == "", r.stderr
