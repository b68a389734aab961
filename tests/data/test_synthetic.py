import shutil

import numpy as np
import pytest

from wrinklelib.data import layout, realism
from wrinklelib.data import synthetic as synth
from wrinklelib.data.sample import load_sample
from wrinklelib.labels.faceclasses import HAIR, L_EYE, NOSE, SKIN
from wrinklelib.labels.texture import face_mask


@pytest.fixture(scope="module")
def faces_1024():
    """The realism sample: six faces at 1024 px (the statistics are defined there)."""
    return [synth.make_face(i, 1024, 0) for i in range(6)]


def test_face_is_deterministic_and_independent_of_others():
    a = synth.make_face(5, 96, seed=1)
    synth.make_face(4, 96, seed=1)      # drawing another face first changes nothing
    b = synth.make_face(5, 96, seed=1)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.truth, b.truth)
    assert all(np.array_equal(a.annotations[k], b.annotations[k]) for k in a.annotations)
    assert not np.array_equal(a.image, synth.make_face(5, 96, seed=2).image)


def test_face_contents_and_truth_on_skin_only():
    f = synth.make_face(0, 128, seed=0)
    assert f.image.shape == (128, 128, 3) and f.image.dtype == np.uint8
    assert f.parsing.max() < 19 and {SKIN, NOSE, HAIR, L_EYE} <= set(np.unique(f.parsing))
    assert f.truth.sum() > 0 and not (f.truth.astype(bool) & ~face_mask(f.parsing)).any()
    assert list(f.annotations) == list(synth.ANNOTATORS)


def test_truth_is_the_visible_valley_of_a_carved_furrow():
    from wrinklelib.data.synthetic.face import TRUE_HALF_WIDTH, _truth_ids
    from wrinklelib.data.synthetic.relief import furrow_field
    from wrinklelib.data.synthetic.wrinkles import Furrow

    line = np.array([[0.2, 0.5], [0.8, 0.5]])
    deep, faint = Furrow(line, 4.0, 1.0, 1), Furrow(line + [0, 0.3], 4.0, 0.05, 1)
    labels = np.full((256, 256), SKIN, np.uint8)
    fields = furrow_field([deep, faint], 256, 1.0)
    depth, which = fields[0], fields[1]
    ids = _truth_ids([deep, faint], fields[1:], labels)
    rows = np.nonzero(ids[:, 128] == 1)[0]
    assert depth[128, 128] == pytest.approx(4.0, rel=0.05)          # depth = ratio x width at the centre
    assert rows.min() >= 128 - TRUE_HALF_WIDTH * 4 - 1 and rows.max() <= 128 + TRUE_HALF_WIDTH * 4 + 1
    assert (ids == 2).sum() == 0                                     # too shallow to be seen: no truth
    assert (which == 2).sum() > 0


def test_true_masks_stay_thin_below_256_px():
    """Below 256 px a valley is rendered wider than a 1024 px one shrunk (for the texture
    filter); its true mask is not: a furrow of half-width 4 px at 1024 px is its centre
    line at 80 px, where the rendered valley's 1.18 widths would be three pixels."""
    from wrinklelib.data.synthetic.face import TRUE_HALF_WIDTH, _truth_ids, label_scale
    from wrinklelib.data.synthetic.relief import furrow_field
    from wrinklelib.data.synthetic.wrinkles import Furrow
    from wrinklelib.labels.texture import detail_scale

    assert label_scale(1024) == label_scale(256) == 1.0 and label_scale(80) == pytest.approx(80 / 256)
    furrow = Furrow(np.array([[0.2, 0.5], [0.8, 0.5]]), 4.0, 1.0, 1)
    fields = furrow_field([furrow], 80, detail_scale(80))
    ids = _truth_ids([furrow], fields[1:], np.full((80, 80), SKIN, np.uint8))
    assert (ids[:, 40] == 1).sum() == 1
    assert ((fields[1][:, 40] == 1) & (fields[2][:, 40] < TRUE_HALF_WIDTH)).sum() == 3


def test_wrinkles_grow_with_age():
    faces = [synth.make_face(i, 64, seed=0) for i in range(40)]
    ages = np.array([f.age for f in faces])
    labelled = np.array([sum(w.region not in synth.wrinkles.UNLABELLED_REGIONS for w in f.furrows) for f in faces])
    assert np.corrcoef(ages, labelled)[0, 1] > 0.4
    assert min(labelled) <= 2               # some faces nearly free of wrinkles


def test_texture_statistics_on_known_answers():
    rng = np.random.default_rng(0)
    n = 256
    f = np.fft.fftfreq(n)
    r = np.hypot(*np.meshgrid(f, f))
    r[0, 0] = 1
    field = np.real(np.fft.ifft2(r ** -1.5 * np.exp(2j * np.pi * rng.random((n, n)))))     # power ~ 1/f^3
    assert realism.spectrum_slope(field) == pytest.approx(-3.0, abs=0.15)
    assert realism.spectrum_slope(rng.standard_normal((n, n))) == pytest.approx(0.0, abs=0.1)
    flat = np.full((200, 200, 3), 180, np.uint8)
    parsing = np.zeros((200, 200), np.uint8)
    parsing[40:160, 50:150] = SKIN
    stats = realism.texture_statistics(flat, parsing)
    assert stats["t_std"] == pytest.approx(0.0, abs=1e-9) and stats["share_t_above_20"] == 0.0


def test_synthetic_faces_are_as_hard_as_real_ones(faces_1024):
    rows = [realism.texture_statistics(f.image, f.parsing) for f in faces_1024]
    means = {k: np.mean([r[k] for r in rows]) for k in rows[0]}
    assert all(realism.within_bands(means).values()), means


def test_the_thresholded_texture_mask_is_a_weak_label():
    from wrinklelib.data.sample import Sample
    from wrinklelib.evaluation.weak_labels import threshold_study

    faces = [synth.make_face(i, 80, seed=0) for i in range(30)]      # the profiles' size
    study = threshold_study([Sample(str(i), f.image, f.parsing, None, f.truth) for i, f in enumerate(faces)],
                            [2, 5, 10, 15, 20, 30])
    assert study.jaccard.max() <= 0.12


def test_release_layout_and_the_authors_face_masking_recipe(tmp_path):
    """The release's png_parsing.py copies the images whose name a manual mask has (ids below
    1000 skipped) and face_masking.py zeroes every pixel outside classes 1 and 10 of the
    label map scaled up two-fold with scipy.ndimage.zoom(order=0); the same recipe, written
    here, gives the library's face-masked RGB pixel for pixel."""
    from scipy.ndimage import zoom

    root = synth.write_synthetic(tmp_path / "s", 4, 128, seed=2, progress=False)
    assert (root / layout.TEST_LIST).exists() and len(layout.list_ids(root, layout.WEAK)) == 4
    copied = [p for p in (root / layout.IMAGES).rglob("*.png")
              if (root / layout.MANUAL / p.name).exists() and not 0 <= int(p.stem) < 1000]
    assert len(copied) == 4
    for p in copied:
        labels = np.load(root / layout.PARSING / f"{p.stem}.npy")
        assert labels.shape == (64, 64)                  # the release stores half-size labels
        big = zoom(labels, (2, 2), order=0)
        theirs = np.array(layout.read_image(p))
        theirs[~((big == 1) | (big == 10))] = 0
        s = load_sample(root, p.stem)
        assert np.array_equal(theirs, s.image * face_mask(s.parsing)[..., None])


def test_files_do_not_depend_on_the_number_of_workers(tmp_path):
    one = synth.write_synthetic(tmp_path / "one", 6, 64, seed=4, progress=False, workers=1)
    two = synth.write_synthetic(tmp_path / "two", 6, 64, seed=4, progress=False, workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
    shutil.rmtree(one / layout.REGIONS)
    assert synth.write_synthetic(one, 6, 64, seed=4, progress=False, workers=1) == one   # resumes
