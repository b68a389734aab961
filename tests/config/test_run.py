"""One resolved run reaches every notebook: the smoke profile on a release-layout folder,
with overrides, executed end to end."""

import json
import os
import shutil
import subprocess

import nbformat
import numpy as np
import pytest

from wrinklelib.config import run as runs
from wrinklelib.config.settings import SettingError
from wrinklelib.data import layout as data
from wrinklelib.data.sample import load_sample, read_weak
from wrinklelib.data.synthetic import write_synthetic
from wrinklelib.model.checkpoints import load_checkpoint

from conftest import WRINKLE


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """48 faces in the release layout at 64 px: voted masks, half-size label maps and
    striped weak masks (unlike any computed texture mask), no per-annotator folders."""
    root = write_synthetic(tmp_path_factory.mktemp("release"), 48, 64, seed=7, progress=False)
    for extra in (data.ANNOTATIONS, data.TRUTH, data.REGIONS):
        shutil.rmtree(root / extra)
    (root / "synthetic.json").unlink()
    for iid in data.list_ids(root):
        weak = np.zeros((64, 64), np.uint8)
        weak[::4] = 200                              # stripes: a target no computation gives
        data.write_png(data.weak_path(root, iid), weak)
    return root


def test_resolve_is_deterministic_and_saves_run_json(release, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path))
    a = runs.resolve("smoke", {"data_dir": str(release), "n_test": 5, "n_train": 10})
    b = runs.resolve("smoke", {"data_dir": str(release), "n_test": 5, "n_train": 10})
    assert a.hash == b.hash and a.split == b.split and len(a.split["test"]) == 5
    record = json.loads((a.folder / "run.json").read_text())
    assert record["hash"] == a.hash and record["settings"]["n_test"] == 5 and record["test_ids"] == a.split["test"]
    assert runs.load(a.folder / "run.json").split == a.split
    c = runs.resolve("smoke", {"data_dir": str(release), "n_test": 6, "n_train": 10})
    assert c.hash != a.hash and c.folder != a.folder
    assert (a.folder / "split.json").exists()       # another run never overwrites a split


def test_size_resizes_real_data_when_loaded(release):
    s = load_sample(release, "01000", 32)
    assert s.image.shape == (32, 32, 3) and s.mask.shape == s.parsing.shape == (32, 32)
    assert set(np.unique(s.mask)) <= {0, 1} and s.parsing.max() < 19
    assert read_weak(release, "01000", 32).shape == (32, 32)


def test_missing_weak_masks_are_named(release, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path))
    bare = tmp_path / "bare"
    shutil.copytree(release, bare)
    shutil.rmtree(bare / data.WEAK)
    with pytest.raises(SettingError, match="weak_wrinkle_masks"):
        runs.resolve("smoke", {"data_dir": str(bare), "weak_source": "release"})


def test_notebooks_share_one_resolved_run_on_a_release_folder(release, tmp_path):
    env = {**os.environ, "WRINKLE_CACHE": str(tmp_path / "cache"), "WRINKLE_GENERATED": str(tmp_path / "gen"),
           "TQDM_DISABLE": "1"}
    out = tmp_path / "executed"
    r = subprocess.run([WRINKLE, "run", "--profile", "smoke", "--data", str(release), "--only", "01", "04",
                        "-p", "n_test=4", "-p", "seeds=[0, 1]", "-p", "weak_source='release'", "--out", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
    run_files = list((tmp_path / "cache" / "runs").glob("*/run.json"))
    assert len(run_files) == 1
    record = json.loads(run_files[0].read_text())
    assert record["settings"]["n_test"] == 4 and record["settings"]["seeds"] == [0, 1]
    assert record["weak_dir"] == str(release)
    hashes = {nbformat.read(nb, as_version=4).metadata["wrinkle"]["hash"] for nb in sorted(out.glob("*.ipynb"))}
    assert len(list(out.glob("*.ipynb"))) == 2 and hashes == {record["hash"]}
    # Notebook 04's texture pretraining read the release's weak masks.
    pretrained = list((tmp_path / "cache" / "train").glob("pretrain-texture-*"))
    assert len(pretrained) == 1
    recipe = load_checkpoint(pretrained[0] / "last.pt")["input_recipe"]
    assert recipe["weak_source"] == "release"


def test_a_finetuning_run_scores_the_runs_test_faces(release, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path))
    from wrinklelib.evaluation import experiments

    run = runs.resolve("smoke", {"data_dir": str(release), "n_test": 4, "finetune_updates": [4, 4]})
    result = experiments.grid(run, ["none"], [1.0], [0]).iloc[0]
    assert result["test_ids_hash"] == runs.test_ids_hash(run.split["test"]) and len(result["counts"]) == 4
    assert result["updates"] == 4 and "jsi_truth" not in result          # no truth in a release folder
