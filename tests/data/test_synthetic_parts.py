"""The synthetic world's parts, each against what it promises: specifications drawn from
the face's own generator, furrows that grow with age and expression, a relief whose
furrows are valleys, a scene whose labels are the release's classes, skin painted in
linear light."""

import numpy as np

from wrinklelib.data.synthetic.paint import linear, smooth_noise
from wrinklelib.data.synthetic.relief import face_oval, furrow_field, grid
from wrinklelib.data.synthetic.scene import layout_labels
from wrinklelib.data.synthetic.spec import draw_spec
from wrinklelib.data.synthetic.wrinkles import curve, draw_furrows
from wrinklelib.labels.faceclasses import N_CLASSES, SKIN


def specs(n=60):
    return [draw_spec(np.random.default_rng(k)) for k in range(n)]


def test_a_specification_is_a_function_of_its_generator_alone():
    a, b = draw_spec(np.random.default_rng(5)), draw_spec(np.random.default_rng(5))
    assert a == b and draw_spec(np.random.default_rng(6)) != a
    assert all(0 <= s.age <= 1 and -1 <= s.weight <= 1 for s in specs())


def test_older_faces_have_more_and_deeper_furrows():
    rows = [(s.age, draw_furrows(np.random.default_rng(k), s)) for k, s in enumerate(specs())]
    young = [f for age, f in rows if age < 0.3]
    old = [f for age, f in rows if age > 0.7]
    assert np.mean([len(f) for f in old]) > np.mean([len(f) for f in young])
    strength = lambda group: np.mean([x.strength for f in group for x in f] or [0])  # noqa: E731
    assert strength(old) >= strength(young)


def test_a_bezier_curve_starts_and_ends_where_asked():
    pts = curve([0, 0], [1, 2], [2, 0], 9)
    assert np.allclose(pts[0], [0, 0]) and np.allclose(pts[-1], [2, 0]) and pts[:, 1].max() == 1.0


def test_furrows_are_valleys_and_their_masks_are_where_they_lie():
    spec = max(specs(), key=lambda s: s.age)
    furrows = draw_furrows(np.random.default_rng(0), spec)
    depth, which, distance, _ = furrow_field(furrows, 256, 0.25)
    assert depth.shape == (256, 256) and depth.min() >= 0 and depth.max() > 0        # how deep each valley is
    assert (which[depth > 0] > 0).all()                  # every carved pixel belongs to a furrow
    assert depth[distance > 4].max(initial=0) == 0       # and nothing is carved far from the furrows


def test_the_scene_labels_are_the_release_classes_with_skin_inside_the_face():
    spec = specs(1)[0]
    X, Y = grid(128)
    labels, masks = layout_labels(np.random.default_rng(0), spec, 128, face_oval(spec, X, Y), X, Y)
    assert labels.shape == (128, 128) and labels.max() < N_CLASSES and (labels == SKIN).sum() > 128 * 128 * 0.05


def test_paint_works_in_linear_light():
    assert np.allclose(linear(np.array([0.0, 1.0])), [0.0, 1.0]) and 0.2 < linear(np.array([0.5]))[0] < 0.25
    noise = smooth_noise(np.random.default_rng(0), 64, 4)
    assert noise.shape == (64, 64) and noise.std() > 0
