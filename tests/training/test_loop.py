import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from wrinklelib.model.checkpoints import load_checkpoint
from wrinklelib.training.schedules import plateau, schedule

SCRIPT = textwrap.dedent("""
    import sys
    from wrinklelib.data.layout import list_ids
    from wrinklelib.model.recipe import recipe
    from wrinklelib.model.unet import UNet
    from wrinklelib.training.dataset import FaceDataset
    from wrinklelib.training.loop import TrainConfig, fit
    import torch
    root, out, epochs, batch = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    accumulate = int(sys.argv[5]) if len(sys.argv) > 5 else 1
    patience = int(sys.argv[6]) if len(sys.argv) > 6 else 0
    ids = list_ids(root)
    torch.manual_seed(0)
    train = FaceDataset(root, ids[:10], "mask", 64, texture_input=True, augment=True, seed=0)
    val = FaceDataset(root, ids[10:], "mask", 64, texture_input=True)
    cfg = TrainConfig(task="segmentation", epochs=epochs, batch_size=batch, accumulate=accumulate, lr=3e-3,
                      patience=patience, seed=0, progress=False)
    fit(UNet(4, 2, 8), train, val, cfg, out, recipe(4, 64))
""")


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    path = tmp_path_factory.mktemp("worker") / "worker.py"
    path.write_text(SCRIPT)
    return path


def run(script, root, out, epochs=3, batch=4, accumulate=1, patience=0):
    subprocess.run([sys.executable, str(script), str(root), str(out), str(epochs), str(batch), str(accumulate),
                    str(patience)], check=True, capture_output=True)
    return load_checkpoint(out / "last.pt")


def test_schedule_warms_up_then_decays():
    assert schedule(0, 100, 0.1) == pytest.approx(0.1)
    assert schedule(9, 100, 0.1) == pytest.approx(1.0)
    assert schedule(99, 100, 0.1) < 0.01


def test_same_seed_same_loss_curve(script, synthetic_dir, tmp_path):
    a = run(script, synthetic_dir, tmp_path / "a")
    b = run(script, synthetic_dir, tmp_path / "b")
    assert [h["train_loss"] for h in a["history"]] == [h["train_loss"] for h in b["history"]]
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    assert a["model_args"] == {"in_channels": 4, "out_channels": 2, "width": 8}
    assert {"optimizer", "rng", "epoch", "history", "train_config", "input_recipe"} <= set(a)
    assert a["input_recipe"]["channels"] == ["red", "green", "blue", "texture"] and a["input_recipe"]["size"] == 64


@pytest.mark.parametrize("patience", [0, 1])
def test_sigkill_mid_epoch_then_resume_is_exact(script, synthetic_dir, tmp_path, patience):
    full = run(script, synthetic_dir, tmp_path / "full", epochs=12, batch=2, patience=patience)
    out = tmp_path / "killed"
    proc = subprocess.Popen([sys.executable, str(script), str(synthetic_dir), str(out), "12", "2", "1", str(patience)],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out / "last.pt").exists() and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert proc.poll() is None, "run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    partial = load_checkpoint(out / "last.pt")
    assert partial["epoch"] < full["epoch"]
    resumed = run(script, synthetic_dir, out, epochs=12, batch=2, patience=patience)
    assert resumed["epoch"] == full["epoch"]
    assert [h["lr"] for h in resumed["history"]] == [h["lr"] for h in full["history"]]
    assert all(torch.equal(resumed["model"][k], full["model"][k]) for k in full["model"])
    assert full["epoch"] == 11 if patience == 0 else full["epoch"] < 11   # stopped on its plateau
    # a run stopped on its plateau is finished: running it again trains nothing more
    again = run(script, synthetic_dir, out, epochs=12, batch=2, patience=patience)
    assert again["epoch"] == full["epoch"] and len(again["history"]) == len(full["history"])


def test_two_gloo_processes_match_one(script, synthetic_dir, tmp_path):
    # One process accumulating two micro-batches of 2 sees the same data, BatchNorm batches
    # and averaged gradient as two processes with a global batch of 4, 2 each.
    one = run(script, synthetic_dir, tmp_path / "one", epochs=2, batch=2, accumulate=2)
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port",
                    "29517", str(script), str(synthetic_dir), str(tmp_path / "two"), "2", "4"],
                   check=True, capture_output=True, env=env)
    two = load_checkpoint(tmp_path / "two" / "last.pt")
    # Equal up to the order of floating-point sums: losses within 1e-4 relative; weights within
    # 1e-2 (Adam divides by the gradient scale, which magnifies rounding in tiny gradients, and
    # channels_last convolutions sum in another order on one thread than on two; measured
    # ~5e-3, while splitting the batch differently gives ~0.1).
    # (BatchNorm running statistics differ, each process keeping its own, and are skipped.)
    for h1, h2 in zip(one["history"], two["history"]):
        assert h2["train_loss"] == pytest.approx(h1["train_loss"], rel=1e-4)
    keys = [k for k in one["model"] if "running" not in k and one["model"][k].is_floating_point()]
    num = sum(float((one["model"][k] - two["model"][k]).norm() ** 2) for k in keys)
    den = sum(float(one["model"][k].norm() ** 2) for k in keys)
    assert (num / den) ** 0.5 < 1e-2


def test_plateau_cuts_once_then_stops():
    rising = [0.1, 0.2, 0.3, 0.4]
    assert plateau(rising, 2) == (0, False)
    # two epochs without a better score: one cut; two more: stop
    assert plateau([0.1, 0.3, 0.2, 0.25], 2) == (1, False)
    assert plateau([0.1, 0.3, 0.2, 0.25, 0.35, 0.3, 0.3], 2) == (1, True)
    # an equal score is no improvement
    assert plateau([0.5, 0.5, 0.5], 2) == (1, False)


def test_plateau_waits_for_min_epochs():
    # a start that predicts nothing for its first epochs is not a plateau
    zeros = [0.0, 0.0, 0.0, 0.0, 0.0]
    assert plateau(zeros, 2) == (1, True)
    assert plateau(zeros, 2, min_epochs=6) == (0, False)
    assert plateau(zeros + [0.0], 2, min_epochs=6) == (1, False)


def test_constant_schedule_after_warmup():
    assert schedule(0, 100, 0.1, cosine=False) == pytest.approx(0.1)
    assert schedule(50, 100, 0.1, cosine=False) == schedule(99, 100, 0.1, cosine=False) == 1.0
