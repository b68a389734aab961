import resource
import subprocess

import cv2
import numpy as np
import pytest
import skimage.data
import torch

from wrinklelib.data import layout as data
from wrinklelib.evaluation.regions import REGIONS
from wrinklelib.model.unet import UNet

from conftest import WRINKLE


def authors_checkpoint(path, cin=4, cout=2, width=4):
    torch.manual_seed(0)
    state = {"module." + k: v for k, v in UNet(cin, cout, width).state_dict().items()}
    torch.save({"model": state, "epoch": 149}, path)
    return path


@pytest.fixture(scope="module")
def photos(tmp_path_factory):
    """Photos of odd sizes: a JPEG, an RGBA PNG, a partly visible face, the same name in
    two folders, and a photo without a face (scikit-image's coffee)."""
    root = tmp_path_factory.mktemp("photos") / "in"
    bgr = skimage.data.astronaut()[..., ::-1]
    for rel, img in {"a/face.png": bgr, "b/face.png": bgr[40:340, 30:481],
                     "photo.jpg": cv2.resize(bgr, (333, 517)), "partial.png": bgr[60:400, 140:512],
                     "rgba.png": np.dstack([bgr, np.full(bgr.shape[:2], 255, np.uint8)]),
                     "coffee.png": skimage.data.coffee()[..., ::-1]}.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(root / rel), img)
    return root


def predict(*args):
    return subprocess.run([WRINKLE, "predict", *map(str, args), "--device", "cpu"], capture_output=True, text=True)


def test_every_photo_gets_a_mask_of_its_size_and_a_report_row_per_face(photos, tmp_path):
    ckpt = authors_checkpoint(tmp_path / "stage2_unet.pth")
    out = tmp_path / "out"
    r = predict("--checkpoint", ckpt, "--images", photos, "--out", out, "--report", "--overlay")
    assert r.returncode == 0, r.stderr
    assert "authors input recipe" in r.stdout and "1 without a face" in r.stdout
    assert "coffee.png" in r.stderr and "Traceback" not in r.stderr
    for rel in ["a/face.png", "b/face.png", "photo.jpg", "partial.png", "rgba.png"]:
        photo = data.read_image(photos / rel)
        mask = data.read_mask((out / rel).with_suffix(".png"))
        assert mask.shape == photo.shape[:2], rel
    assert not (out / "coffee.png").exists()
    import pandas as pd

    report = pd.read_csv(out / "report.csv")
    assert sorted(report.image) == ["a/face.png", "b/face.png", "partial.png", "photo.jpg", "rgba.png"]
    assert {f"{r}_share" for r in REGIONS} | {"image", "face"} <= set(report.columns)


def test_out_inside_the_input_is_refused_and_nothing_changes(photos, tmp_path):
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    before = {p: p.read_bytes() for p in photos.rglob("*") if p.is_file()}
    for out in (photos, photos / "masks"):
        r = predict("--checkpoint", ckpt, "--images", photos, "--out", out)
        assert r.returncode == 2 and "--out" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in photos.rglob("*") if p.is_file()} == before


def test_missing_or_empty_folder_is_an_error(tmp_path):
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    (tmp_path / "empty").mkdir()
    for folder in (tmp_path / "nowhere", tmp_path / "empty"):
        r = predict("--checkpoint", ckpt, "--images", folder, "--out", tmp_path / "out")
        assert r.returncode == 2 and "--images" in r.stderr


def test_large_photo_stays_within_memory(tmp_path):
    """A 6000 x 4000 photo: faces are found on a 1024 px copy and the network sees a fixed
    aligned crop, so memory stays far below 4 GB."""
    (tmp_path / "in").mkdir()
    big = cv2.resize(skimage.data.astronaut()[..., ::-1], (4000, 4000))
    cv2.imwrite(str(tmp_path / "in" / "big.jpg"), cv2.copyMakeBorder(big, 0, 0, 1000, 1000, cv2.BORDER_REFLECT))
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    r = predict("--checkpoint", ckpt, "--images", tmp_path / "in", "--out", tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert data.read_mask(tmp_path / "out" / "big.png").shape == (4000, 6000)
    peak_gb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024 ** 2
    assert peak_gb < 4, f"peak memory {peak_gb:.1f} GB"


def test_pretrained_checkpoint_is_refused(tmp_path, photos):
    ckpt = authors_checkpoint(tmp_path / "stage1.pth", cin=3, cout=1)
    r = predict("--checkpoint", ckpt, "--images", photos, "--out", tmp_path / "out")
    assert r.returncode == 2 and "3->1" in r.stderr


def test_bad_checkpoints_are_one_line(tmp_path, photos):
    torch.save({"model": {"layer.weight": torch.zeros(2)}}, tmp_path / "x.pth")
    r = predict("--checkpoint", tmp_path / "x.pth", "--images", photos, "--out", tmp_path / "out")
    assert r.returncode == 2 and "not a U-Net checkpoint" in r.stderr
    state = UNet(4, 2, 4).state_dict()
    state["inc.double_conv.3.weight"] = torch.zeros(5, 4, 3, 3)
    torch.save({"model": state}, tmp_path / "shape.pth")
    r = predict("--checkpoint", tmp_path / "shape.pth", "--images", photos, "--out", tmp_path / "out")
    assert r.returncode == 2 and "shape" in r.stderr and "Traceback" not in r.stderr


def test_cuda_without_a_gpu_is_one_line(tmp_path, photos):
    if torch.cuda.is_available():
        pytest.skip("a GPU is visible")
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    r = subprocess.run([WRINKLE, "predict", "--checkpoint", str(ckpt), "--images", str(photos), "--out",
                        str(tmp_path / "out"), "--device", "cuda"], capture_output=True, text=True)
    assert r.returncode == 2 and "cuda" in r.stderr and "Traceback" not in r.stderr


def test_out_that_contains_the_input_is_refused(photos, tmp_path):
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    before = {p: p.read_bytes() for p in photos.rglob("*") if p.is_file()}
    r = predict("--checkpoint", ckpt, "--images", photos, "--out", photos.parent)
    assert r.returncode == 2 and "contains --images" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert {p: p.read_bytes() for p in photos.rglob("*") if p.is_file()} == before


def fake_png(path, width: int, height: int) -> None:
    """A PNG whose header claims width x height pixels (its data is a stub)."""
    import struct
    import zlib

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    head = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", head) + chunk(b"IDAT", zlib.compress(b"\0" * 16))
                     + chunk(b"IEND", b""))


def test_a_photo_with_too_many_pixels_is_refused_from_its_header(tmp_path):
    (tmp_path / "in").mkdir()
    fake_png(tmp_path / "in" / "huge.png", 20000, 20000)
    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    r = predict("--checkpoint", ckpt, "--images", tmp_path / "in", "--out", tmp_path / "out")
    assert r.returncode == 1 and "20000 x 20000 pixels" in r.stderr and "Traceback" not in r.stderr


def test_a_photo_counts_as_written_only_with_all_its_outputs(photos, tmp_path, monkeypatch):
    from wrinklelib.app import photos as app_photos
    from wrinklelib.config.environment import resolve_device

    ckpt = authors_checkpoint(tmp_path / "s2.pth")
    monkeypatch.setattr(app_photos, "face_overlay", lambda *a: (_ for _ in ()).throw(OSError("disk full")))
    report = app_photos.predict_folder(ckpt, photos / "a", tmp_path / "out", resolve_device("cpu"), overlays=True)
    assert report["written"] == 0 and len(report["failed"]) == 1
    assert not list((tmp_path / "out").rglob("face.png"))
