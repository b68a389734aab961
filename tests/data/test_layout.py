import filecmp
import shutil
import subprocess

import numpy as np
import pytest

from wrinklelib.data import layout as data
from wrinklelib.data.check import check_data
from wrinklelib.data.layout import DataError

from conftest import WRINKLE


def test_synth_command_is_reproducible_and_valid(tmp_path):
    for d in ("a", "b"):
        subprocess.run([WRINKLE, "synth", "--out", str(tmp_path / d), "--n", "20", "--size", "256"], check=True)
    cmp = filecmp.dircmp(tmp_path / "a", tmp_path / "b")

    def same(c):
        return not (c.left_only or c.right_only or c.diff_files) and all(same(s) for s in c.subdirs.values())

    assert same(cmp)
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*") if p.is_file())
    assert all(filecmp.cmp(tmp_path / "a" / f, tmp_path / "b" / f, shallow=False) for f in files)
    r = subprocess.run([WRINKLE, "check-data", str(tmp_path / "a")], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout


def test_layout_contents(synthetic_dir):
    ids = data.list_ids(synthetic_dir)
    assert len(ids) == 12 and ids[0] == "01000"
    assert data.list_ids(synthetic_dir, data.MANUAL) == ids
    assert (synthetic_dir / data.ANNOTATIONS / "careful" / "01000.png").exists()
    labels = data.read_parsing(data.parsing_path(synthetic_dir, "01000"), (64, 64))
    assert labels.shape == (64, 64)


@pytest.fixture
def broken(synthetic_dir, tmp_path):
    """A copy of the synthetic folder with one defect of each kind; returns (root, bad files)."""
    root = tmp_path / "broken"
    shutil.copytree(synthetic_dir, root)
    bad = {}
    # a mask without its image
    data.write_png(data.manual_path(root, "01099"), np.zeros((64, 64), np.uint8))
    bad["mask_without_image"] = data.manual_path(root, "01099")
    # a mask whose size differs from its image
    data.write_png(data.manual_path(root, "01001"), np.zeros((32, 32), np.uint8))
    bad["mask_size"] = data.manual_path(root, "01001")
    # mask values other than {0,1} / {0,255}
    data.write_png(data.manual_path(root, "01002"), np.full((64, 64), 7, np.uint8))
    bad["mask_values"] = data.manual_path(root, "01002")
    # corrupt and truncated PNG images
    data.image_path(root, "01003").write_bytes(b"not a png at all")
    bad["corrupt"] = data.image_path(root, "01003")
    raw = data.image_path(root, "01004").read_bytes()
    data.image_path(root, "01004").write_bytes(raw[: len(raw) // 2])
    bad["truncated"] = data.image_path(root, "01004")
    # unreadable .npy and a label map whose size differs from its image
    data.parsing_path(root, "01005").write_bytes(b"\x93NUMPY garbage")
    bad["npy"] = data.parsing_path(root, "01005")
    np.save(data.parsing_path(root, "01006"), np.zeros((48, 48), np.uint8))
    bad["parsing_size"] = data.parsing_path(root, "01006")
    # a test-list id with no image
    (root / data.TEST_LIST).write_text("01007.png\n12345.png\n")
    bad["test_list"] = root / data.TEST_LIST
    # grayscale and RGBA images are converted with a note, not rejected
    import cv2
    cv2.imwrite(str(data.image_path(root, "01008")), np.zeros((64, 64), np.uint8))
    cv2.imwrite(str(data.image_path(root, "01009")), np.zeros((64, 64, 4), np.uint8))
    # a 16-bit image, which the loaders reject
    cv2.imwrite(str(data.image_path(root, "01010")), np.zeros((64, 64, 3), np.uint16))
    bad["16bit"] = data.image_path(root, "01010")
    # annotator folders: a missing mask, a mask of the wrong size, a value other than 0/255
    (root / data.ANNOTATIONS / "careful" / "01011.png").unlink()
    bad["annotator_missing"] = root / data.ANNOTATIONS / "careful" / "01011.png"
    data.write_png(root / data.ANNOTATIONS / "misses_faint" / "01007.png", np.zeros((32, 32), np.uint8))
    bad["annotator_size"] = root / data.ANNOTATIONS / "misses_faint" / "01007.png"
    data.write_png(root / data.ANNOTATIONS / "over_marks" / "01008.png", np.full((64, 64), 77, np.uint8))
    bad["annotator_value"] = root / data.ANNOTATIONS / "over_marks" / "01008.png"
    # a file name that is not an id, with a space and an accent
    odd = data.image_path(root, "01000").with_name("visage é 1.png")
    odd.write_bytes(data.image_path(root, "01000").read_bytes())
    bad["odd_name"] = odd
    return root, bad


def test_check_data_names_each_bad_file(broken):
    root, bad = broken
    problems = check_data(root)
    fatal = {p.path for p in problems if p.fatal}
    for kind, path in bad.items():
        assert str(path) in fatal, f"{kind} not reported"
    notes = {p.path for p in problems if not p.fatal}
    assert {str(data.image_path(root, "01008")), str(data.image_path(root, "01009"))} <= notes
    assert any("12345" in p.message for p in problems)


def test_check_data_command_fails_and_names_files(broken):
    root, bad = broken
    r = subprocess.run([WRINKLE, "check-data", str(root)], capture_output=True, text=True)
    assert r.returncode != 0
    for path in bad.values():
        assert str(path) in r.stdout


def test_missing_folder_is_reported(tmp_path):
    (tmp_path / data.IMAGES).mkdir()
    problems = check_data(tmp_path)
    assert any(data.MANUAL in p.path for p in problems)


def test_loaders_give_the_same_messages(broken):
    root, bad = broken
    with pytest.raises(DataError, match="01003.png: cannot be decoded"):
        data.read_image(bad["corrupt"])
    with pytest.raises(DataError, match="mask values"):
        data.read_mask(bad["mask_values"])
    with pytest.raises(DataError, match="unreadable .npy"):
        data.read_parsing(bad["npy"])
    assert data.read_image(data.image_path(root, "01008")).shape == (64, 64, 3)


def test_half_size_parsing_is_upscaled(tmp_path):
    labels = np.arange(16, dtype=np.uint8).reshape(4, 4) % 19
    np.save(tmp_path / "x.npy", labels)
    up = data.read_parsing(tmp_path / "x.npy", (8, 8))
    assert np.array_equal(up[::2, ::2], labels) and np.array_equal(up[1::2, 1::2], labels)


def test_realism_command_measures_a_folder(synthetic_dir):
    r = subprocess.run([WRINKLE, "realism", str(synthetic_dir), "--n", "3"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    assert "mean t_std" in r.stdout and "real portraits 14 to 28" in r.stdout


def test_realism_of_a_folder_without_faces_is_one_line(tmp_path):
    r = subprocess.run([WRINKLE, "realism", str(tmp_path)], capture_output=True, text=True)
    assert r.returncode == 2 and str(tmp_path) in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


def test_check_data_notes_where_a_folder_differs_from_the_release(synthetic_dir, tmp_path):
    root = tmp_path / "copy"
    shutil.copytree(synthetic_dir, root)
    shutil.rmtree(root / data.WEAK)
    (root / data.TEST_LIST).unlink()
    notes = [p for p in check_data(root) if not p.fatal]
    assert any("1024x1024" in p.message for p in notes)
    assert any("weak masks" in p.message for p in notes) and any("test list" in p.message for p in notes)
    assert not [p for p in check_data(root) if p.fatal]
