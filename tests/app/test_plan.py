"""The paper profile's code path on a small folder in the FFHQ-Wrinkle release layout."""

import os
import shutil
import signal
import subprocess
import time

import numpy as np
import pytest

from wrinklelib.data import layout as data
from wrinklelib.data.synthetic import write_synthetic

from conftest import WRINKLE


@pytest.fixture(scope="module")
def release(tmp_path_factory):
    """36 faces in the release layout: images, voted masks, half-size label maps, weak
    masks and an official test list (no per-annotator or truth folders)."""
    root = write_synthetic(tmp_path_factory.mktemp("release"), 36, 64, seed=5, progress=False)
    for extra in (data.ANNOTATIONS, data.TRUTH, data.REGIONS):
        shutil.rmtree(root / extra)
    for iid in data.list_ids(root):
        data.write_png(data.weak_path(root, iid), np.zeros((64, 64), np.uint8))
    (root / data.TEST_LIST).write_text("\n".join(f"{1000 + i:05d}.png" for i in range(0, 36, 6)) + "\n")
    return root


def env(tmp_path):
    return {**os.environ, "WRINKLE_CACHE": str(tmp_path / "cache"), "TQDM_DISABLE": "1"}


def test_dry_run_prints_the_plan(release, tmp_path):
    r = subprocess.run([WRINKLE, "run", "--profile", "paper", "--data", str(release), "--dry-run"],
                       capture_output=True, text=True, env=env(tmp_path))
    assert r.returncode == 0, r.stdout + r.stderr
    for text in ("pretraining:", "finetuning: train/val/test", "runs:", "projected wall time", "nothing was trained"):
        assert text in r.stdout
    assert not (tmp_path / "cache").exists()


def test_dry_run_names_defects(release, tmp_path):
    bad = tmp_path / "bad"
    shutil.copytree(release, bad)
    data.image_path(bad, "01002").write_bytes(b"truncated")
    data.write_png(data.manual_path(bad, "01003"), np.full((64, 64), 9, np.uint8))
    r = subprocess.run([WRINKLE, "run", "--profile", "paper", "--data", str(bad), "--dry-run"],
                       capture_output=True, text=True, env=env(tmp_path))
    assert r.returncode != 0
    assert "01002.png" in r.stdout and "01003.png" in r.stdout


PAPER = ["--profile", "paper", "-p", "width=4", "-p", "batch_size=2", "-p", "size=64", "-p", "patch=32",
         "-p", "device='cpu'", "-p", "pretrain_updates=24", "-p", "official_test=True"]


def test_paper_profile_runs_interrupted_and_resumed(release, tmp_path):
    """The paper profile's code path (at 64 px and width 4): pretraining killed after its
    first checkpoint resumes to its budget; a finetuning run follows."""
    cmd = [WRINKLE, "train", "--stage", "pretrain", *PAPER, "-p", f"data_dir='{release}'"]
    proc = subprocess.Popen(cmd, env=env(tmp_path), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    runs = tmp_path / "cache" / "train"
    deadline = time.time() + 120
    while not list(runs.glob("pretrain-*/last.pt")) and time.time() < deadline:
        time.sleep(0.01)
    assert proc.poll() is None, "finished before it could be interrupted"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    r = subprocess.run(cmd, env=env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    from wrinklelib.model.checkpoints import load_checkpoint

    last = load_checkpoint(next(runs.glob("pretrain-*/last.pt")))
    assert last["step"] == 24 and [h["step"] for h in last["history"]] == list(range(1, 25))
    # The split used the official test list and shrank the paper's counts to this folder.
    import json

    split = json.loads(next((tmp_path / "cache" / "runs").glob("paper-*/split.json")).read_text())
    assert split["test"] == [f"{1000 + i:05d}" for i in range(0, 36, 6)] and split["official_test_list"]
    r = subprocess.run([WRINKLE, "train", "--stage", "finetune", *PAPER, "-p", f"data_dir='{release}'",
                        "-p", "finetune_updates=[8, 8, 8, 8]", "--arm", "ours", "--fraction", "0.25"],
                       env=env(tmp_path), capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "'val_jsi':" in r.stdout and "'subset':" in r.stdout


def test_several_devices_launch_torchrun(release, tmp_path):
    """With two processes asked for, pretraining runs under torchrun (gloo on CPU)."""
    e = {**env(tmp_path), "WRINKLE_NPROC": "2", "OMP_NUM_THREADS": "1"}
    r = subprocess.run([WRINKLE, "train", "--stage", "pretrain", *PAPER[:-4], "-p", "pretrain_updates=16",
                        "-p", f"data_dir='{release}'"], env=e, capture_output=True, text=True)
    assert r.returncode == 0, r.stderr[-2000:]
    from wrinklelib.model.checkpoints import load_checkpoint

    assert load_checkpoint(next((tmp_path / "cache" / "train").glob("pretrain-*/last.pt")))["step"] == 16


def test_score_authors_checkpoint_on_official_test_list(release, tmp_path):
    import torch

    from wrinklelib.model.networks import create

    state = create("unet", in_channels=4, out_channels=2, width=4).state_dict()
    torch.save({"model": {"module." + k: v for k, v in state.items()}}, tmp_path / "s2.pth")
    r = subprocess.run([WRINKLE, "score", "--checkpoint", str(tmp_path / "s2.pth"), "--data", str(release),
                        "--official-test", "--device", "cpu"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "images: 6" in r.stdout and "jsi:" in r.stdout and "authors" in r.stdout
