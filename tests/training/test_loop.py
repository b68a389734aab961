import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest
import torch

from wrinklelib.model.checkpoints import load_checkpoint
from wrinklelib.training.schedules import flat_over_last_quarter, schedule

SCRIPT = textwrap.dedent("""
    import sys
    from wrinklelib.data.layout import list_ids
    from wrinklelib.model.networks import create
    from wrinklelib.model.recipe import recipe
    from wrinklelib.training.dataset import Faces
    from wrinklelib.training.loop import TrainConfig, fit
    import torch
    root, out, updates, batch, accumulate, precision = sys.argv[1:7]
    torch.set_num_threads(1)
    ids = list_ids(root)
    torch.manual_seed(0)
    rec = recipe(4, 64, 32)
    train = Faces(root, ids[:10], "vote", rec, augment=True, seed=0, foreground=0.5)
    val = Faces(root, ids[10:], "vote", rec)
    cfg = TrainConfig(task="segmentation", updates=int(updates), validations=4, batch_size=int(batch),
                      accumulate=int(accumulate), lr=3e-3, weight_decay=1e-4, warmup=0.05, dice_weight=1.0, seed=0,
                      device="auto", precision=precision, progress=False)
    fit(create("unet", in_channels=4, out_channels=2, width=8), train, val, cfg, out, rec)
""")


@pytest.fixture(scope="module")
def script(tmp_path_factory):
    path = tmp_path_factory.mktemp("worker") / "worker.py"
    path.write_text(SCRIPT)
    return path


def args(script, root, out, updates=8, batch=4, accumulate=1, precision="auto"):
    return [sys.executable, str(script), str(root), str(out), str(updates), str(batch), str(accumulate), precision]


def train(script, root, out, **kw):
    subprocess.run(args(script, root, out, **kw), check=True, capture_output=True)
    return load_checkpoint(out / "last.pt")


def test_schedule_warms_up_then_decays_to_zero():
    assert schedule(0, 100, 0.1) == pytest.approx(0.1)
    assert schedule(9, 100, 0.1) == pytest.approx(1.0)
    assert schedule(99, 100, 0.1) < 0.01 and schedule(100, 100, 0.1) == 0.0


def test_plateau_rule_fails_on_a_curve_still_falling():
    falling = [(100, 1.0), (200, 0.8), (300, 0.6), (400, 0.5)]
    assert not flat_over_last_quarter(falling, 0.01)
    flat = [(100, 1.0), (200, 0.6), (300, 0.5), (400, 0.499)]
    assert flat_over_last_quarter(flat, 0.01)


def test_same_seed_same_weights_and_a_checkpoint_inference_can_use(script, synthetic_dir, tmp_path):
    a = train(script, synthetic_dir, tmp_path / "a")
    b = train(script, synthetic_dir, tmp_path / "b")
    assert [h["train_loss"] for h in a["history"]] == [h["train_loss"] for h in b["history"]]
    assert all(torch.equal(a["model"][k], b["model"][k]) for k in a["model"])
    assert a["model_args"] == {"network": "unet", "in_channels": 4, "out_channels": 2, "width": 8}
    assert [h["step"] for h in a["history"]] == [2, 4, 6, 8]       # four validation points
    assert {"optimizer", "rng", "step", "history", "train_config", "input_recipe"} <= set(a)
    assert a["input_recipe"]["channels"] == ["red", "green", "blue", "texture"] and a["input_recipe"]["size"] == 64
    assert a["input_recipe"]["patch"] == 32


def test_sigkill_mid_run_then_resume_is_exact(script, synthetic_dir, tmp_path):
    full = train(script, synthetic_dir, tmp_path / "full", updates=40, batch=2)
    out = tmp_path / "killed"
    proc = subprocess.Popen(args(script, synthetic_dir, out, updates=40, batch=2),
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while not (out / "last.pt").exists() and time.time() < deadline:
        time.sleep(0.01)
    time.sleep(0.05)
    assert proc.poll() is None, "run finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert load_checkpoint(out / "last.pt")["step"] < full["step"]
    resumed = train(script, synthetic_dir, out, updates=40, batch=2)
    assert [h["lr"] for h in resumed["history"]] == [h["lr"] for h in full["history"]]
    assert all(torch.equal(resumed["model"][k], full["model"][k]) for k in full["model"])
    again = train(script, synthetic_dir, out, updates=40, batch=2)      # a finished run trains no more
    assert again["step"] == full["step"] and len(again["history"]) == len(full["history"])


def test_two_gloo_processes_equal_one_up_to_float64_rounding(script, synthetic_dir, tmp_path):
    # One process accumulating two micro-batches of 2 sees the same data, BatchNorm batches
    # and averaged gradient as two processes with a global batch of 4, 2 each: the method
    # guarantees equal training up to the order of floating-point sums, which float64 makes
    # negligible on any machine (BatchNorm running statistics, kept per process, are skipped).
    one = train(script, synthetic_dir, tmp_path / "one", batch=2, accumulate=2, precision="float64")
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    subprocess.run([sys.executable, "-m", "torch.distributed.run", "--nproc_per_node", "2", "--master_port", "29517",
                    *args(script, synthetic_dir, tmp_path / "two", batch=4, precision="float64")[1:]],
                   check=True, capture_output=True, env=env)
    two = load_checkpoint(tmp_path / "two" / "last.pt")
    for h1, h2 in zip(one["history"], two["history"]):
        assert h2["train_loss"] == pytest.approx(h1["train_loss"], rel=1e-9)
    keys = [k for k in one["model"] if "running" not in k and one["model"][k].is_floating_point()]
    num = sum(float((one["model"][k] - two["model"][k]).norm() ** 2) for k in keys)
    den = sum(float(one["model"][k].norm() ** 2) for k in keys)
    assert (num / den) ** 0.5 < 1e-9
