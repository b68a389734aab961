"""Segmentation metrics from true/false positive/negative counts, one function per idea."""

from __future__ import annotations

import numpy as np


def confusion_counts(pred, target) -> tuple[int, int, int, int]:
    """(tp, fp, fn, tn) of two binary masks of equal shape (numpy arrays or torch tensors)."""
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"prediction shape {tuple(pred.shape)} differs from target shape {tuple(target.shape)}")
    p, t = pred != 0, target != 0
    tp = int((p & t).sum())
    fp = int((p & ~t).sum())
    fn = int((~p & t).sum())
    return tp, fp, fn, int(p.numel() if hasattr(p, "numel") else p.size) - tp - fp - fn


def per_image_counts(pred, target) -> np.ndarray:
    """N x 4 array of (tp, fp, fn, tn) for a batch of masks N x H x W (numpy or torch)."""
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"prediction shape {tuple(pred.shape)} differs from target shape {tuple(target.shape)}")
    p, t = pred != 0, target != 0
    dims = tuple(range(1, p.ndim))
    tp = (p & t).sum(dims)
    fp = (p & ~t).sum(dims)
    fn = (~p & t).sum(dims)
    tp, fp, fn = (np.asarray(x.cpu() if hasattr(x, "cpu") else x, dtype=np.int64) for x in (tp, fp, fn))
    tn = int(np.prod(p.shape[1:])) - tp - fp - fn
    return np.stack([tp, fp, fn, tn], axis=1)


def _ratio(num, den, empty: float):
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.where(den > 0, num / np.maximum(den, 1), empty)


def jaccard(tp, fp, fn, empty: float = 1.0):
    """Jaccard similarity index |A&B| / |A|B|; `empty` when both masks are empty."""
    return _ratio(tp, tp + fp + fn, empty)


def dice(tp, fp, fn, empty: float = 1.0):
    """Dice / F1 score 2|A&B| / (|A| + |B|)."""
    return _ratio(2 * np.asarray(tp), 2 * np.asarray(tp) + fp + fn, empty)


def precision(tp, fp, empty: float = 1.0):
    """Share of predicted pixels that are true."""
    return _ratio(tp, np.asarray(tp) + fp, empty)


def recall(tp, fn, empty: float = 1.0):
    """Share of true pixels that are predicted."""
    return _ratio(tp, np.asarray(tp) + fn, empty)


def summarize(counts: np.ndarray) -> dict[str, float]:
    """Pooled ('micro', all pixels together) and per-image mean scores from N x 4 counts."""
    counts = np.asarray(counts, np.int64).reshape(-1, 4)
    tp, fp, fn, _ = counts.sum(0)
    per = counts.T
    return {
        "jsi": float(jaccard(tp, fp, fn)),
        "jsi_per_image": float(np.mean(jaccard(per[0], per[1], per[2]))),
        "dice": float(dice(tp, fp, fn)),
        "dice_per_image": float(np.mean(dice(per[0], per[1], per[2]))),
        "precision": float(precision(tp, fp)),
        "recall": float(recall(tp, fn)),
    }
