"""Runs side by side: a run's numbers do not depend on what trains next to it."""

import json
from dataclasses import replace

import pytest

from wrinklelib.config import run as runs
from wrinklelib.training.jobs import Job, run_jobs
from wrinklelib.training.stage import RESULT


@pytest.fixture
def run(synthetic_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    return runs.resolve("smoke", {"data_dir": str(synthetic_dir), "n_train": 4, "n_val": 2, "n_test": 2,
                                  "n_pretrain": 2, "finetune_updates": [6, 6], "precision": "auto"})


def side_by_side(run, n):
    return replace(run, settings=replace(run.settings, parallel_runs=n))


def test_a_run_gives_the_same_jsi_alone_and_next_to_another(run, tmp_path):
    alone = Job("finetune", arm="none", seed=3)
    first = run_jobs(side_by_side(run, 1), [alone])[0]
    (alone.folder(run) / RESULT).rename(tmp_path / "alone.json")
    for f in alone.folder(run).iterdir():
        f.unlink()
    second = run_jobs(side_by_side(run, 2), [alone, Job("finetune", arm="texture_scratch", seed=4)])[0]
    assert json.loads((tmp_path / "alone.json").read_text())["counts"] == second["counts"]
    assert first["jsi"] == second["jsi"] and first["val_jsi"] == second["val_jsi"]
