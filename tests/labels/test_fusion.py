import subprocess

import numpy as np
import pytest

from wrinklelib.labels import agreement, fusion
from wrinklelib.data.layout import read_mask, write_png

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


def test_staple_finds_the_unreliable_annotator():
    rng = np.random.default_rng(0)
    truth = (rng.random((64, 64)) < 0.2).astype(np.uint8)
    good1 = truth.copy(); good1[rng.random(truth.shape) < 0.02] ^= 1
    good2 = truth.copy(); good2[rng.random(truth.shape) < 0.02] ^= 1
    noisy = truth.copy(); noisy[rng.random(truth.shape) < 0.3] ^= 1
    prob, sens, spec = fusion.staple([good1, good2, noisy])
    assert sens[2] < min(sens[:2]) and spec[2] < min(spec[:2])
    assert agreement.pair_scores((prob >= 0.5).astype(np.uint8), truth)["jaccard"] > 0.9


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

    faces = [load_sample(synthetic_dir, f"{i:05d}", annotators=True) for i in range(6)]
    study = agreement.dataset_study(faces)
    assert set(study.measure) >= {"jaccard", "fleiss_kappa", "jaccard vs truth", "share of truth kept"}
    assert (study[study.measure == "jaccard"].images == 6).all()
    assert 0 < agreement.mean_pairwise_jaccard(study) < 1
    assert agreement.dataset_study([load_sample(synthetic_dir, "00000")]) is None
