"""Runs side by side: a run's numbers do not depend on what trains next to it."""

import json
from dataclasses import replace

import pandas as pd
import pytest
import torch

from wrinklelib.config import run as runs
from wrinklelib.evaluation.experiments import Scored
from wrinklelib.training import finetuning
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
    first = run_jobs(side_by_side(run, 1), [Scored(alone)])[0]
    (alone.folder(run) / RESULT).rename(tmp_path / "alone.json")
    for f in alone.folder(run).iterdir():
        f.unlink()
    second = run_jobs(side_by_side(run, 2), [Scored(alone), Scored(Job("finetune", arm="texture_scratch", seed=4))])[0]
    assert json.loads((tmp_path / "alone.json").read_text())["val_jsi"] == second["val_jsi"]
    assert first["counts"] == second["counts"] and first["jsi"] == second["jsi"]


@pytest.fixture
def synthetic_run(tmp_path, monkeypatch):
    """A run on the generated faces (the truth known), as small as the smoke profile allows."""
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    return runs.resolve("smoke", {"n_train": 4, "n_val": 2, "n_test": 2, "n_pretrain": 2,
                                  "finetune_updates": [6, 6], "precision": "auto"})


def test_validation_against_the_truth_watches_and_changes_nothing_else(synthetic_run):
    """The reference of validation is part of a run's folder and row, and the weights (so
    the test scores) are those of the same run validated against the vote."""
    run = synthetic_run
    on_vote = Job("finetune", arm="none", seed=1, target="union")
    on_truth = replace(on_vote, validate="truth")
    assert on_vote.folder(run) != on_truth.folder(run)
    a, b = run_jobs(side_by_side(run, 1), [Scored(on_vote), Scored(on_truth)])
    assert (a["validated_against"], b["validated_against"]) == ("vote", "truth")
    assert a["counts"] == b["counts"] and a["counts_truth"] == b["counts_truth"]
    losses = [pd.read_csv(j.folder(run) / "history.csv").train_loss.tolist() for j in (on_vote, on_truth)]
    assert losses[0] == losses[1]
    # What the two validations score against differs (at this size the model marks nothing yet).
    vote, truth = (finetuning.faces(run, run.split["val"], "none", ref) for ref in ("vote", "truth"))
    assert any(not torch.equal(vote[i][1], truth[i][1]) for i in range(len(vote)))


def test_validation_against_the_truth_needs_synthetic_data(run):
    """A release folder (here one in the release layout) has no truth to validate against."""
    assert not run.synthetic
    with pytest.raises(ValueError, match="synthetic"):
        Job("finetune", arm="none", validate="truth").execute(run)


def test_longer_budgets_trains_nothing_when_every_cell_converged(run):
    from wrinklelib.evaluation.experiments import longer_budgets

    conv = pd.DataFrame({"arm": ["ours"], "target": ["intersection"], "fraction_pct": [100], "converged": [True]})
    assert longer_budgets(run, conv) == []


def test_own_target_runs_watch_only_cells_that_failed_and_train_on_one_mask(run, monkeypatch):
    """A failed intersection cell is watched against the intersection; a failed soft or
    confusion cell has no mask of its own to watch, a converged one is left alone."""
    from wrinklelib.evaluation import experiments as jobs

    asked = []
    monkeypatch.setattr(jobs, "grid", lambda run, arms, fractions, seeds, targets, validate:
                        asked.append((arms[0], targets[0], fractions[0], validate)) or pd.DataFrame({"seed": seeds}))
    conv = pd.DataFrame({"arm": ["ours"] * 4, "target": ["intersection", "mean", "confusion", "union"],
                         "fraction_pct": ["100", "100", "5", "5"], "converged": [False, False, False, True]})
    assert [len(f) for f in jobs.own_target_runs(run, conv)] == [len(run.settings.fusion_seeds)]
    assert asked == [("ours", "intersection", 1.0, "intersection")]
    assert jobs.own_target_runs(run, conv.assign(converged=True)) == []


@pytest.mark.parametrize("validate, named", [("mean", "validate 'mean': expected one of vote, union"),
                                             ("annotator:nobody", "annotators: careful")])
def test_a_validation_reference_that_is_not_one_mask_is_refused_in_one_line(synthetic_run, validate, named):
    from wrinklelib.config.settings import SettingError
    from wrinklelib.training.stage import check_validation

    with pytest.raises(SettingError, match=named):
        check_validation(synthetic_run, validate)
    check_validation(synthetic_run, "intersection")
    check_validation(synthetic_run, "annotator:" + synthetic_run.settings.annotators[0])
