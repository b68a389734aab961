import time

import numpy as np

from wrinklelib.data import synthetic as synth
from wrinklelib.labels.texture import face_mask


def test_face_is_deterministic_and_independent_of_others():
    a = synth.make_face(5, 96, seed=1)
    synth.make_face(4, 96, seed=1)      # drawing another face first changes nothing
    b = synth.make_face(5, 96, seed=1)
    assert np.array_equal(a.image, b.image) and np.array_equal(a.truth, b.truth)
    for k in a.annotations:
        assert np.array_equal(a.annotations[k], b.annotations[k])
    c = synth.make_face(5, 96, seed=2)
    assert not np.array_equal(a.image, c.image)


def test_face_contents():
    f = synth.make_face(0, 128, seed=0)
    assert f.image.shape == (128, 128, 3) and f.image.dtype == np.uint8
    assert f.parsing.max() < 19 and {synth.SKIN, synth.NOSE, synth.HAIR, synth.L_EYE} <= set(np.unique(f.parsing))
    # True wrinkles lie on facial skin only, and the three annotators differ.
    assert f.truth.sum() > 0 and not (f.truth.astype(bool) & ~face_mask(f.parsing)).any()
    masks = list(f.annotations.values())
    assert len(masks) == 3 and not np.array_equal(masks[0], masks[1])


def test_wrinkle_count_grows_with_age():
    faces = [synth.make_face(i, 64, seed=0) for i in range(60)]
    ages = np.array([f.age for f in faces])
    counts = np.array([len(f.wrinkles) for f in faces])
    assert np.corrcoef(ages, counts)[0, 1] > 0.4


def test_annotators_disagree_like_real_ones():
    from wrinklelib.labels.agreement import pair_scores

    scores = [pair_scores(a, b)["jaccard"] for i in range(20)
              for f in [synth.make_face(i, 128, seed=0)]
              for a, b in [(f.annotations["annotator_a"], f.annotations["annotator_b"]),
                           (f.annotations["annotator_b"], f.annotations["annotator_c"])]]
    assert 0.15 < np.mean(scores) < 0.7


def test_1024_face_is_fast():
    start = time.perf_counter()
    synth.make_face(0, 1024, seed=0)
    assert time.perf_counter() - start < 2.0


def test_files_do_not_depend_on_the_number_of_workers(tmp_path):
    one = synth.write_synthetic(tmp_path / "one", 6, 64, seed=4, progress=False, workers=1)
    two = synth.write_synthetic(tmp_path / "two", 6, 64, seed=4, progress=False, workers=2)
    files = sorted(p.relative_to(one) for p in one.rglob("*") if p.is_file())
    assert len(files) == 6 * 8 + 1
    assert files == sorted(p.relative_to(two) for p in two.rglob("*") if p.is_file())
    assert all((one / f).read_bytes() == (two / f).read_bytes() for f in files)
