"""The evaluation stage: test scores are computed from a checkpoint, apart from training,
and cached by the checkpoint, the faces, the references and the scoring code."""

import json
from dataclasses import replace

import numpy as np
import pytest
import torch

from wrinklelib.config import run as runs
from wrinklelib.evaluation import experiments, scoring
from wrinklelib.metrics import image_counts
from wrinklelib.training.stage import RESULT, finetune_dir


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    return runs.resolve("smoke", {"n_train": 6, "n_val": 3, "n_test": 4, "n_pretrain": 2, "finetune_updates": [8, 8]})


def trained(run):
    """One finetuning run, trained and scored; its folder and the mtimes of its files."""
    row = experiments.grid(run, ["texture_scratch"], [1.0], [0]).iloc[0]
    folder = finetune_dir(run, "texture_scratch", 1.0, 0)
    return row, folder, {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def test_a_new_scoring_code_version_rescores_without_retraining(run, monkeypatch):
    row, folder, before = trained(run)
    old = scoring.score_file(run, folder / "last.pt", run.split["test"])
    monkeypatch.setattr(scoring, "EVALUATION_VERSION", "a-new-metric")
    again = experiments.grid(run, ["texture_scratch"], [1.0], [0]).iloc[0]
    new = scoring.score_file(run, folder / "last.pt", run.split["test"])
    assert new != old and new.exists() and old.exists()
    assert again["evaluation_version"] == "a-new-metric" and again["counts"] == row["counts"]
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before      # nothing retrained


def test_other_test_faces_are_scored_without_retraining(synthetic_dir, tmp_path, monkeypatch):
    """The test faces are evaluation's: fewer of them leave the training key alone and give
    scores on exactly those faces (a folder of the user's: the faces do not change with n)."""
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    asked = {"data_dir": str(synthetic_dir), "n_train": 5, "n_val": 2, "n_pretrain": 1, "finetune_updates": [8, 8]}
    run = runs.resolve("smoke", asked | {"n_test": 3})
    row, folder, before = trained(run)
    fewer = runs.resolve("smoke", asked | {"n_test": 2})
    assert finetune_dir(fewer, "texture_scratch", 1.0, 0) == folder
    assert fewer.split["train"] == run.split["train"] and fewer.split["test"] != run.split["test"]
    scores = scoring.test_scores(fewer, folder / "last.pt")
    assert len(scores["counts"]) == 2 and scores["test_ids_hash"] == runs.test_ids_hash(fewer.split["test"])
    assert {p.name: p.stat().st_mtime_ns for p in folder.iterdir()} == before


def test_a_training_value_that_lived_only_in_the_trainer_is_in_the_stage_key(run):
    """weight decay, warm-up and the Dice weight come from the profile and name the folder."""
    base = finetune_dir(run, "none", 1.0, 0)
    for key, value in (("weight_decay", 0.05), ("warmup", 0.1), ("dice_weight", 0.5), ("foreground", 0.5)):
        other = replace(run, settings=replace(run.settings, **{key: value}))
        assert finetune_dir(other, "none", 1.0, 0) != base, key
    other = replace(run, settings=replace(run.settings, pretrain_validations=8))
    assert experiments.Job("pretrain").folder(other) != experiments.Job("pretrain").folder(run)


def test_scores_are_those_of_the_whole_faces_against_the_vote_and_the_truth(run):
    """A smoke run trains on patches (its checkpoint says so) and is scored on whole faces."""
    row, folder, _ = trained(run)
    recipe = torch.load(folder / "last.pt", weights_only=True)["input_recipe"]
    assert (recipe["patch"], recipe["size"]) == (run.settings.patch, run.settings.size)
    assert recipe["patch"] < recipe["size"]
    pred = scoring.predict_faces(run, folder / "last.pt", run.split["test"])
    assert pred.shape == (4, run.settings.size, run.settings.size)       # whole faces, not patches
    from wrinklelib.data.sample import load_sample

    truth = np.stack([load_sample(run.root, i, run.settings.size).truth for i in run.split["test"]])
    assert image_counts(pred, truth)[:, :3].tolist() == row["counts_truth"]
    # training scores no test face
    assert json.loads((folder / RESULT).read_text()).keys().isdisjoint({"jsi", "counts"})


def test_a_wrong_recipe_in_the_checkpoint_is_refused_before_scoring(run, tmp_path):
    _, folder, _ = trained(run)
    ckpt = torch.load(folder / "last.pt", weights_only=True)
    ckpt["input_recipe"] = {**ckpt["input_recipe"], "size": -64}
    torch.save(ckpt, tmp_path / "bad.pt")
    with pytest.raises(ValueError, match="size=-64"):
        scoring.test_scores(run, tmp_path / "bad.pt")
