import os
import signal
import subprocess
import time

import numpy as np
import pytest
import torch

from wrinklelib.data import layout as data
from wrinklelib.evaluation import weak_labels
from wrinklelib.labels import texture

from conftest import WRINKLE


def reference_texture(rgb: np.ndarray, ksize: int, sigma: float) -> np.ndarray:
    """The formula of the authors, written independently: explicit 2-D Gaussian kernel,
    reflect-101 padding with numpy, direct convolution."""
    gray = rgb.astype(np.float64) @ np.array([0.2126, 0.7152, 0.0722])
    r = ksize // 2
    x = np.arange(-r, r + 1)
    g = np.exp(-(x ** 2) / (2 * sigma ** 2))
    kernel = np.outer(g, g) / np.outer(g, g).sum()
    padded = np.pad(gray, r, mode="reflect")                  # numpy 'reflect' = reflect-101
    h, w = gray.shape
    blur = np.zeros_like(gray)
    for dy in range(ksize):
        for dx in range(ksize):
            blur += kernel[dy, dx] * padded[dy:dy + h, dx:dx + w]
    return 255 - np.clip(255 * gray / (blur + 1), 0, 255)


def test_filter_params():
    assert texture.filter_params(1024) == (21, 5.0)
    assert texture.filter_params(512) == (11, 2.5)
    assert texture.filter_params(64) == texture.filter_params(256)


def test_formula_on_random_image():
    img = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    ours = texture.texture_map(img, 21, 5.0)
    assert np.abs(ours - reference_texture(img, 21, 5.0)).max() < 0.01


def test_formula_on_real_photo(astronaut):
    crop = astronaut[60:180, 150:280]
    assert np.abs(texture.texture_map(crop, 21, 5.0) - reference_texture(crop, 21, 5.0)).max() < 0.01


def test_opencv_and_torch_agree_within_one_gray_level(astronaut):
    t_cv = texture.texture_map(astronaut, 21, 5.0)
    x = torch.from_numpy(astronaut).permute(2, 0, 1)[None].float()
    t_torch = texture.texture_map_torch(x, 21, 5.0)[0, 0].numpy()
    assert np.abs(t_cv - t_torch).max() <= 1.0


def test_mask_zeroes_outside_kept_classes():
    img = np.random.default_rng(1).integers(0, 256, (16, 16, 3), dtype=np.uint8)
    labels = np.zeros((16, 16), np.uint8)
    labels[4:12, 4:12] = 1
    labels[6:8, 6:8] = 4                         # an eye: removed
    t = texture.texture_mask(img, labels)
    assert (t[labels != 1] == 0).all()
    with pytest.raises(ValueError, match="differs"):
        texture.texture_mask(img, labels[:8])


def test_texture_command_no_face_mask_on_astronaut(tmp_path, astronaut):
    data.write_png(tmp_path / "in" / "astronaut.png", astronaut)
    subprocess.run([WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                    "--no-face-mask"], check=True, capture_output=True)
    written = data.read_gray(tmp_path / "out" / "astronaut.png")
    expected = reference_texture(astronaut, 21, 5.0)
    assert written.shape == astronaut.shape[:2]
    assert np.abs(written - expected).mean() < 2.0


def test_texture_command_killed_halfway_resumes(tmp_path, astronaut):
    import cv2

    big = cv2.resize(astronaut, (1024, 1024))
    for i in range(20):
        data.write_png(tmp_path / "in" / f"{i:05d}.png", np.roll(big, 8 * i, axis=1))
    out = tmp_path / "weak"
    cmd = [WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(out), "--no-face-mask"]
    proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 120
    while len(list(out.rglob("[0-9]*.png"))) < 5 and time.time() < deadline:
        time.sleep(0.005)
    assert proc.poll() is None, "finished before it could be killed"
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    done = sorted(out.rglob("[0-9]*.png"))   # not the temporary file of a killed write
    assert 5 <= len(done) < 20
    mtimes = {p: p.stat().st_mtime_ns for p in done}
    r = subprocess.run(cmd, check=True, capture_output=True, text=True)
    assert f"{len(done)} already done, {20 - len(done)} to write" in r.stdout
    assert len(list(out.rglob("[0-9]*.png"))) == 20
    assert all(p.stat().st_mtime_ns == t for p, t in mtimes.items())
    # Finished masks are whole: each decodes, in the release's folder layout.
    assert data.read_gray(out / "00000" / "00019.png").shape == (1024, 1024)


def test_texture_command_with_parsing_maps(tmp_path, synthetic_dir):
    out = tmp_path / "weak"
    subprocess.run([WRINKLE, "texture", "--images", str(synthetic_dir / data.IMAGES), "--out", str(out),
                    "--parsing", str(synthetic_dir / data.PARSING)], check=True, capture_output=True)
    assert len(list(out.rglob("*.png"))) == 12
    weak = data.read_gray(out / "01000" / "01000.png")
    labels = data.read_parsing(data.parsing_path(synthetic_dir, "01000"), weak.shape)
    assert (weak[~np.isin(labels, texture.KEEP_CLASSES)] == 0).all()


def test_texture_command_reports_corrupt_input(tmp_path, astronaut):
    data.write_png(tmp_path / "in" / "good.png", astronaut[:64, :64])
    (tmp_path / "in" / "bad.png").write_bytes(b"broken")
    r = subprocess.run([WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                        "--no-face-mask"], capture_output=True, text=True)
    assert r.returncode != 0 and "bad.png" in r.stderr
    assert (tmp_path / "out" / "good.png").exists()


def test_texture_command_redoes_masks_when_settings_change(tmp_path, astronaut):
    data.write_png(tmp_path / "in" / "a" / "face.png", astronaut)
    data.write_png(tmp_path / "in" / "b" / "face.png", astronaut[::-1])
    out = tmp_path / "out"
    (out / "a").mkdir(parents=True)
    (out / "a" / ".face.png.wrinkle-999999999-x1y2.tmp").write_bytes(b"")        # left by a killed run
    cmd = [WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(out), "--no-face-mask"]
    subprocess.run(cmd, check=True, capture_output=True)
    first = data.read_gray(out / "a" / "face.png")
    assert (out / "b" / "face.png").exists() and not list(out.rglob("*.tmp"))
    assert (out / "a" / "face.png").stat().st_mode & 0o777 == 0o666 & ~current_umask()
    r = subprocess.run(cmd + ["--sigma", "2"], check=True, capture_output=True, text=True)
    assert "0 already done" in r.stdout
    assert not np.array_equal(data.read_gray(out / "a" / "face.png"), first)


def current_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


@pytest.mark.parametrize("args, named", [(["--ksize", "4"], "--ksize"), (["--sigma", "0"], "--sigma")])
def test_texture_command_bad_options_are_one_line(tmp_path, astronaut, args, named):
    data.write_png(tmp_path / "in" / "face.png", astronaut)
    r = subprocess.run([WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(tmp_path / "out"),
                        "--no-face-mask", *args], capture_output=True, text=True)
    assert r.returncode == 2 and named in r.stderr and "Traceback" not in r.stderr


def test_texture_command_refuses_out_inside_images(tmp_path, astronaut):
    data.write_png(tmp_path / "in" / "face.png", astronaut)
    r = subprocess.run([WRINKLE, "texture", "--images", str(tmp_path / "in"), "--out", str(tmp_path / "in"),
                        "--no-face-mask"], capture_output=True, text=True)
    assert r.returncode == 2 and "--out" in r.stderr
    assert sorted(p.name for p in (tmp_path / "in").iterdir()) == ["face.png"]


def test_compare_with_release(synthetic_dir):
    from wrinklelib.data.sample import load_sample

    samples = [load_sample(synthetic_dir, f"{1000 + i:05d}") for i in range(3)]
    theirs = [texture.to_uint8(texture.texture_mask(s.image, s.parsing)).astype(np.float32) for s in samples]
    same = weak_labels.compare_with_release(samples, theirs)
    assert (same.mean_abs_diff == 0).all() and (same.face_region_jaccard == 1).all()
    shifted = weak_labels.compare_with_release(samples, [np.roll(t, 5, axis=1) + 3 for t in theirs])
    assert (shifted.mean_abs_diff > 0).all() and (shifted.face_region_jaccard < 1).all()
