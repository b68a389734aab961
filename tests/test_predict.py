import subprocess

import numpy as np
import torch

from wrinklelib import data
from wrinklelib.model import UNet

from conftest import WRINKLE


def authors_checkpoint(path, cin=4, cout=2, width=4):
    torch.manual_seed(0)
    state = {"module." + k: v for k, v in UNet(cin, cout, width).state_dict().items()}
    torch.save({"model": state, "epoch": 149}, path)
    return path


def test_predict_with_authors_format_on_astronaut(tmp_path, astronaut):
    data.write_png(tmp_path / "in" / "astronaut.png", astronaut)
    ckpt = authors_checkpoint(tmp_path / "stage2_unet.pth")
    r = subprocess.run([WRINKLE, "predict", "--checkpoint", str(ckpt), "--images", str(tmp_path / "in"),
                        "--out", str(tmp_path / "out"), "--overlay", "--device", "cpu"],
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "authors input recipe" in r.stdout
    mask = data.read_mask(tmp_path / "out" / "astronaut.png")
    assert mask.shape == astronaut.shape[:2]
    assert data.read_image(tmp_path / "out" / "astronaut_overlay.png").shape == astronaut.shape


def test_pretrained_checkpoint_is_refused(tmp_path):
    ckpt = authors_checkpoint(tmp_path / "stage1.pth", cin=3, cout=1)
    (tmp_path / "in").mkdir()
    r = subprocess.run([WRINKLE, "predict", "--checkpoint", str(ckpt), "--images", str(tmp_path / "in"),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode != 0 and "3->1" in r.stderr


def test_not_a_unet_is_refused(tmp_path):
    torch.save({"model": {"layer.weight": torch.zeros(2)}}, tmp_path / "x.pth")
    r = subprocess.run([WRINKLE, "predict", "--checkpoint", str(tmp_path / "x.pth"), "--images", str(tmp_path),
                        "--out", str(tmp_path / "out")], capture_output=True, text=True)
    assert r.returncode != 0 and "not a U-Net checkpoint" in r.stderr
