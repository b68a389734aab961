import subprocess

import numpy as np
import pytest

from wrinklelib.data.layout import read_mask, write_png
from wrinklelib.evaluation import agreement
from wrinklelib.labels import fusion

from conftest import WRINKLE, random_masks


def test_majority_by_hand():
    a = np.array([[1, 0, 1, 0]])
    b = np.array([[1, 1, 0, 0]])
    c = np.array([[0, 1, 1, 0]]) * 255           # {0,255} masks are accepted
    assert fusion.vote_count([a, b, c]).tolist() == [[2, 2, 2, 0]]
    assert fusion.majority_vote([a, b, c], 2).tolist() == [[1, 1, 1, 0]]
    assert fusion.majority_vote([a, b, c], 3).tolist() == [[0, 0, 0, 0]]
    assert fusion.majority_vote([a, b, c], 1).tolist() == [[1, 1, 1, 0]]
    assert np.allclose(fusion.soft_label([a, b, c]), [[2 / 3, 2 / 3, 2 / 3, 0]])


@pytest.mark.parametrize("masks,k,msg", [
    ([np.zeros((2, 2)), np.zeros((2, 3))], 1, "differ in shape"),
    ([np.full((2, 2), 2), np.zeros((2, 2))], 1, "values"),
    ([np.zeros((2, 2))] * 3, 4, "min_votes=4"),
])
def test_errors(masks, k, msg):
    with pytest.raises(ValueError, match=msg):
        fusion.majority_vote(masks, k)


def test_fleiss_kappa_wikipedia_example():
    # Fleiss (1971) as worked on Wikipedia: 10 subjects, 14 raters, 5 categories: 0.210.
    table = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0], [2, 2, 8, 1, 1],
             [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2], [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    assert agreement.fleiss_kappa(np.array(table)) == pytest.approx(0.210, abs=5e-4)


def test_pixel_kappa_perfect_agreement():
    m = random_masks(1, (8, 8))[0]
    assert agreement.pixel_fleiss_kappa([m, m, m]) == pytest.approx(1.0)


def noisy_annotators(seed: int = 0, shape=(64, 64)):
    """The truth and three annotators: two good, one who flips 30% of the pixels."""
    rng = np.random.default_rng(seed)
    truth = (rng.random(shape) < 0.2).astype(np.uint8)
    masks = []
    for flip in (0.02, 0.02, 0.3):
        m = truth.copy()
        m[rng.random(shape) < flip] ^= 1
        masks.append(m)
    return truth, masks


def test_vote_staple_agrees_with_simpleitk_on_random_noisy_annotators(tmp_path):
    import SimpleITK as sitk

    for a in range(3):
        (tmp_path / f"a{a}").mkdir()
    references = []
    for i in range(4):
        truth, masks = noisy_annotators(i)
        for a, m in enumerate(masks):
            write_png(tmp_path / f"a{a}" / f"{i:05d}.png", m * 255)
        f = sitk.STAPLEImageFilter()
        f.SetForegroundValue(1.0)
        references.append(sitk.GetArrayFromImage(f.Execute([sitk.GetImageFromArray(m) for m in masks])) >= 0.5)
    r = subprocess.run([WRINKLE, "vote", "--method", "staple", "--annotations",
                        *[str(tmp_path / f"a{a}") for a in range(3)],
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ours = np.stack([read_mask(tmp_path / "o" / f"{i:05d}.png") for i in range(4)])
    assert (ours == np.stack(references)).mean() >= 0.99
    truth, masks = noisy_annotators(0)
    assert agreement.pair_scores((fusion.staple(masks) >= 0.5).astype(np.uint8), truth)["jaccard"] > 0.9


def test_targets_made_from_three_annotators():
    from wrinklelib.labels.targets import fuse, svls_kernel

    m = [np.array([[1, 1, 0, 0]], np.uint8), np.array([[1, 0, 1, 0]], np.uint8), np.array([[1, 0, 0, 0]], np.uint8)]
    ann = dict(zip(("careful", "misses_faint", "over_marks"), m))
    assert fuse("vote", ann).tolist() == [[1, 0, 0, 0]]
    assert fuse("union", ann).tolist() == [[1, 1, 1, 0]] and fuse("intersection", ann).tolist() == [[1, 0, 0, 0]]
    assert fuse("mean", ann) == pytest.approx(np.array([[1, 1 / 3, 1 / 3, 0]]))
    assert fuse("smoothed", ann) == pytest.approx(np.array([[0.95, 0.05, 0.05, 0.05]]))
    assert fuse("annotator:misses_faint", ann).tolist() == [[1, 0, 1, 0]]
    assert fuse("confusion", ann).shape == (3, 1, 4)
    k = svls_kernel()
    assert k.sum() == pytest.approx(1.0) and k[1, 1] == pytest.approx(0.5)   # the centre weighs as all neighbours
    with pytest.raises(ValueError, match="truth"):
        fuse("truth", ann)


def test_vote_command_equals_pixelwise_majority(tmp_path):
    dirs = []
    for a in range(3):
        d = tmp_path / f"ann{a}"
        for i, m in enumerate(random_masks(4, (16, 16), seed=a)):
            write_png(d / f"{i:05d}.png", m * 255)
        dirs.append(d)
    subprocess.run([WRINKLE, "vote", "--annotations", *map(str, dirs), "--out", str(tmp_path / "out")], check=True)
    for i in range(4):
        masks = [read_mask(d / f"{i:05d}.png") for d in dirs]
        expected = (sum(m.astype(int) for m in masks) >= 2).astype(np.uint8)
        assert np.array_equal(read_mask(tmp_path / "out" / f"{i:05d}.png"), expected)


def test_vote_command_names_missing_file(tmp_path):
    for a in range(2):
        write_png(tmp_path / f"d{a}" / "00001.png", np.zeros((4, 4), np.uint8))
    (tmp_path / "d1" / "00001.png").unlink()
    write_png(tmp_path / "d1" / "00002.png", np.zeros((4, 4), np.uint8))
    r = subprocess.run([WRINKLE, "vote", "--annotations", str(tmp_path / "d0"), str(tmp_path / "d1"),
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode != 0 and "00001.png" in r.stderr


def test_vote_refuses_an_annotator_folder_as_out_and_changes_nothing(tmp_path):
    dirs = []
    for a in range(3):
        write_png(tmp_path / f"d{a}" / "00001.png", random_masks(1, (8, 8), seed=a)[0] * 255)
        dirs.append(tmp_path / f"d{a}")
    before = (tmp_path / "d1" / "00001.png").read_bytes()
    r = subprocess.run([WRINKLE, "vote", "--annotations", *map(str, dirs), "--out", str(dirs[1])],
                       capture_output=True, text=True)
    assert r.returncode == 2 and "--out" in r.stderr and len(r.stderr.strip().splitlines()) == 1
    assert (tmp_path / "d1" / "00001.png").read_bytes() == before


def test_vote_file_missing_from_the_first_folder_is_an_error(tmp_path):
    for a in range(3):
        write_png(tmp_path / f"d{a}" / "00001.png", np.zeros((4, 4), np.uint8))
    for a in (1, 2):
        write_png(tmp_path / f"d{a}" / "00002.png", np.zeros((4, 4), np.uint8))
    r = subprocess.run([WRINKLE, "vote", "--annotations", *[str(tmp_path / f"d{a}") for a in range(3)],
                        "--out", str(tmp_path / "o")], capture_output=True, text=True)
    assert r.returncode == 2 and str(tmp_path / "d0" / "00002.png") in r.stderr
    assert not (tmp_path / "o").exists()


def test_dataset_study_on_synthetic_faces(synthetic_dir):
    from wrinklelib.data.sample import load_sample

    faces = [load_sample(synthetic_dir, f"{1000 + i:05d}", annotators=True) for i in range(6)]
    study = agreement.dataset_study(faces)
    assert set(study.measure) >= {"jaccard", "fleiss_kappa", "jaccard vs truth", "share of truth kept"}
    assert (study[study.measure == "jaccard"].images == 6).all()
    assert 0 < agreement.mean_pairwise_jaccard(study) < 1
    assert agreement.dataset_study([load_sample(synthetic_dir, "01000")]) is None
