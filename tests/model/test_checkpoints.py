import subprocess

import pytest
import torch

from wrinklelib.model.checkpoints import load_for_inference, model_from_checkpoint
from wrinklelib.model.networks import create
from wrinklelib.model.recipe import recipe

from conftest import WRINKLE


def ours(path, **changes):
    state = {"model": create("unet", in_channels=4, out_channels=2, width=4).state_dict(),
             "model_args": {"network": "unet", "in_channels": 4, "out_channels": 2, "width": 4},
             "input_recipe": recipe(4, 64)} | changes
    torch.save(state, path)
    return path


@pytest.mark.parametrize("make, named", [
    (lambda p: p.write_bytes(b""), "not a readable checkpoint"),
    (lambda p: ours(p, model_args={"in_channels": 4, "width": 4}), "model_args"),
    (lambda p: ours(p, input_recipe="authors"), "input_recipe"),
])
def test_a_bad_checkpoint_is_one_line_naming_it(tmp_path, make, named):
    path = tmp_path / "bad.pt"
    make(path)
    with pytest.raises(ValueError, match=named):
        load_for_inference(path)
    (tmp_path / "in").mkdir()
    r = subprocess.run([WRINKLE, "predict", "--checkpoint", str(path), "--images", str(tmp_path / "in"),
                        "--out", str(tmp_path / "out"), "--no-align"], capture_output=True, text=True)
    assert r.returncode == 2 and "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1


def test_a_good_checkpoint_rebuilds_its_network(tmp_path):
    model, ckpt = model_from_checkpoint(ours(tmp_path / "ok.pt"))
    assert model.args == ckpt["model_args"]
    assert load_for_inference(tmp_path / "ok.pt")[1]["size"] == 64
