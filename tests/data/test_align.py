import numpy as np
import pytest

from wrinklelib.data import align
from wrinklelib.evaluation import regions


def synthetic_landmarks(scale=1.0, angle=0.0, shift=(0, 0)):
    """68 points with eyes level at y=0 (centres at x=-1 and 1) and the mouth at y=2."""
    pts = np.zeros((68, 2))
    pts[36:42] = [-1, 0]
    pts[42:48] = [1, 0]
    pts[48], pts[54] = [-0.8, 2], [0.8, 2]
    rot = np.array([[np.cos(angle), -np.sin(angle)], [np.sin(angle), np.cos(angle)]])
    return pts @ rot.T * scale + shift


def test_ffhq_quad_is_a_square_of_the_recipes_side():
    quad = align.ffhq_quad(synthetic_landmarks())
    # eye_to_eye = 2, eye_to_mouth = 2: side 2 * max(2 * 2, 1.8 * 2) = 8, centre 0.2 below the eyes.
    assert np.allclose(quad.mean(0), [0, 0.2])
    assert np.allclose(np.hypot(*(quad[3] - quad[0])), 8) and np.allclose(np.hypot(*(quad[1] - quad[0])), 8)


def test_quad_turns_with_the_face():
    quad = align.ffhq_quad(synthetic_landmarks(angle=0.3))
    top = quad[3] - quad[0]
    assert np.arctan2(top[1], top[0]) == pytest.approx(0.3)


def test_crop_and_back_are_inverse():
    pts = synthetic_landmarks(scale=40, angle=0.2, shift=(300, 200))
    image = np.zeros((500, 700, 3), np.uint8)
    crop, m = align.align(image, pts, 256)
    assert crop.shape == (256, 256, 3)
    eyes = align.to_crop(pts[[36, 42]], m)
    assert eyes[0, 1] == pytest.approx(eyes[1, 1], abs=1e-3)          # eyes level in the crop
    assert np.allclose(align.to_photo(eyes, m), pts[[36, 42]])
    back = align.warp_back(np.ones((256, 256), np.uint8), m, (500, 700))
    assert back[int(pts[36, 1]), int(pts[36, 0])] == 1 and back[0, 0] == 0


def test_region_measures_on_a_known_mask():
    pts = synthetic_landmarks(scale=20, shift=(100, 100)).astype(np.float32)
    pts[17:27] = np.stack([np.linspace(60, 140, 10), np.full(10, 85)], 1)       # brows
    parsing = np.ones((240, 200), np.uint8)                                     # all skin
    mask = np.zeros((240, 200), np.uint8)
    mask[60, 70:131] = 1                                                        # one forehead line, 61 px
    row = regions.measure(mask, parsing, pts)
    assert row["forehead_count"] == 1 and row["forehead_length_px"] == pytest.approx(61, abs=2)
    assert 0 < row["forehead_share"] < 0.1 and row["glabella_count"] == 0
