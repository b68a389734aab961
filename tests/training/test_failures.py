"""A run that cannot go on ends with one line and caches nothing."""

import subprocess

import pytest
import torch

from wrinklelib.config import run as runs
from wrinklelib.training import finetuning
from wrinklelib.training.loop import TrainingError
from wrinklelib.training.stage import RESULT, finetune_dir

from conftest import WRINKLE


@pytest.fixture
def run(synthetic_dir, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    return runs.resolve("smoke", {"data_dir": str(synthetic_dir), "n_train": 4, "n_val": 2, "n_test": 2,
                                  "n_pretrain": 2, "finetune_updates": [4, 4]})


def test_a_non_finite_loss_stops_the_run_and_caches_nothing(run, monkeypatch):
    from wrinklelib.training import loop

    monkeypatch.setattr(loop, "loss", lambda *a, **k: torch.tensor(float("nan"), requires_grad=True))
    with pytest.raises(TrainingError, match="not finite.*lower the learning rate"):
        finetuning.finetune(run, "none", 1.0, 0)
    assert not (finetune_dir(run, "none", 1.0, 0) / RESULT).exists()


def test_an_unreadable_checkpoint_names_the_command_that_starts_again(run):
    folder = finetune_dir(run, "none", 1.0, 0)
    folder.mkdir(parents=True)
    (folder / "last.pt").write_bytes(b"\x80\x02truncated")
    with pytest.raises(TrainingError, match=f"rm -r {folder}"):
        finetuning.finetune(run, "none", 1.0, 0)


@pytest.mark.parametrize("args, named", [(["--fraction", "200"], "--fraction 200"), (["--seed", "-5"], "--seed -5"),
                                         (["--target", "bogus"], "bogus")])
def test_a_job_the_run_cannot_train_is_one_line(args, named):
    r = subprocess.run([WRINKLE, "train", "--stage", "finetune", "--profile", "smoke", *args],
                       capture_output=True, text=True)
    assert r.returncode == 2 and named in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_validating_a_release_folder_against_the_truth_is_one_line(synthetic_dir):
    r = subprocess.run([WRINKLE, "train", "--stage", "finetune", "--profile", "smoke",
                        "-p", f"data_dir={synthetic_dir}",
                        "--validate", "truth"], capture_output=True, text=True)
    assert r.returncode == 2 and "validate 'truth'" in r.stderr and len(r.stderr.strip().splitlines()) == 1
