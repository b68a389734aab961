import numpy as np
import pytest
import torch

from wrinklelib import metrics


def test_counts_and_scores_by_hand():
    pred = np.array([[1, 1, 0], [0, 1, 0]])
    true = np.array([[1, 0, 0], [0, 1, 1]])
    assert metrics.image_counts(pred[None], true[None])[0].tolist() == [2, 1, 1, 2]
    assert metrics.jaccard(2, 1, 1) == pytest.approx(0.5)
    assert metrics.dice(2, 1, 1) == pytest.approx(2 / 3)
    assert metrics.precision(2, 1) == pytest.approx(2 / 3)
    assert metrics.recall(2, 1) == pytest.approx(2 / 3)


def test_pooled_differs_from_per_image():
    pred = np.array([[[1, 1, 1, 1]], [[0, 0, 0, 1]]])
    true = np.array([[[1, 1, 1, 1]], [[0, 0, 1, 0]]])
    s = metrics.summarize(metrics.image_counts(pred, true))
    assert s["jsi"] == pytest.approx(4 / 6) and s["jsi_per_image"] == pytest.approx(0.5)


def test_shape_mismatch_names_shapes():
    with pytest.raises(ValueError, match=r"\(1, 2, 2\).*\(1, 2, 3\)"):
        metrics.image_counts(np.zeros((1, 2, 2)), np.zeros((1, 2, 3)))


def test_against_torchmetrics():
    from torchmetrics.classification import BinaryF1Score, BinaryJaccardIndex, BinaryPrecision, BinaryRecall

    g = torch.Generator().manual_seed(0)
    pred = (torch.rand(5, 32, 32, generator=g) < 0.2).long()
    true = (torch.rand(5, 32, 32, generator=g) < 0.1).long()
    s = metrics.summarize(metrics.image_counts(pred, true))
    assert s["jsi"] == pytest.approx(float(BinaryJaccardIndex()(pred, true)), abs=1e-6)
    assert s["dice"] == pytest.approx(float(BinaryF1Score()(pred, true)), abs=1e-6)
    assert s["precision"] == pytest.approx(float(BinaryPrecision()(pred, true)), abs=1e-6)
    assert s["recall"] == pytest.approx(float(BinaryRecall()(pred, true)), abs=1e-6)
    per = np.mean([float(BinaryJaccardIndex()(p, t)) for p, t in zip(pred, true)])
    assert s["jsi_per_image"] == pytest.approx(per, abs=1e-6)
