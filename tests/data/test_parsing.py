import numpy as np
import pytest

from wrinklelib.data import parsing
from wrinklelib.labels.texture import face_mask


@pytest.fixture(scope="module")
def astro_labels(astronaut):
    return parsing.landmarks_parsing(astronaut)


def test_landmarks_find_the_astronaut_face(astronaut):
    pts = parsing.face_landmarks(astronaut)
    assert pts.shape == (68, 2)
    # Her face is in the upper middle of the photo (rows ~80-180, columns ~170-270).
    assert 150 < pts[:, 0].mean() < 290 and 70 < pts[:, 1].mean() < 200


def test_mask_covers_skin_and_leaves_out_the_rest(astronaut, astro_labels):
    pts = parsing.face_landmarks(astronaut)
    skin = face_mask(astro_labels)
    cheek = np.round((pts[2] + pts[31]) / 2).astype(int)
    nose_tip = np.round(pts[30]).astype(int)
    assert skin[cheek[1], cheek[0]] and skin[nose_tip[1], nose_tip[0]]
    for eye in (pts[36:42].mean(0), pts[42:48].mean(0)):
        x, y = np.round(eye).astype(int)
        assert not skin[y, x]
    mouth = np.round(pts[62]).astype(int)
    assert not skin[mouth[1], mouth[0]]
    assert not skin[:40].any() and not skin[:, :100].any() and not skin[300:].any()
    # Hair on top of her head (above the brows, around the face centre) is left out.
    assert not skin[40:70, 190:250].any()
    assert 0.01 < skin.mean() < 0.08


def test_no_face_is_a_clear_error():
    with pytest.raises(parsing.NoFaceFound):
        parsing.face_landmarks(np.full((120, 120, 3), 128, np.uint8))


def test_unknown_source():
    with pytest.raises(ValueError, match="unknown face-parsing source"):
        parsing.parser_for("magic")
