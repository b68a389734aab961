import numpy as np
import pytest

from wrinklelib.data.sample import Sample
from wrinklelib.evaluation import weak_labels
from wrinklelib.labels.texture import KEEP_CLASSES


def _sample(face_px: int, truth_px: int, outside_px: int = 0) -> Sample:
    parsing = np.zeros((10, 10), np.uint8)
    parsing.flat[:face_px] = KEEP_CLASSES[0]
    truth = np.zeros((10, 10), bool)
    truth.flat[:truth_px] = True
    truth.flat[face_px:face_px + outside_px] = True
    return Sample("x", np.zeros((10, 10, 3), np.uint8), parsing, None, truth)


def test_whole_face_baseline_is_the_truths_share_of_the_face():
    assert weak_labels.whole_face_baseline([_sample(40, 10)]) == pytest.approx(0.25)
    # pooled over images, and truth outside the face counts as missed
    assert weak_labels.whole_face_baseline([_sample(40, 10), _sample(20, 5, outside_px=5)]) == pytest.approx(15 / 65)


def test_weak_versus_model_names_the_baseline():
    study = weak_labels.threshold_study([_sample(40, 10)], [2])
    line = weak_labels.weak_versus_model(study, 0.5, baseline=0.25)
    assert "every face pixel: 0.250" in line
