"""The one metrics core: count true/false positives and negatives once per image (and, for
thin structures, skeleton pixels), then reduce the counts, pooled over all pixels
("micro") or averaged per image.

Every score in the project (validation, test tables, annotator agreement, texture
thresholds, checkpoint scoring) goes through `image_counts` and a reduction here, the
way segmentation_models.pytorch splits `get_stats` from its reductions.
"""

from __future__ import annotations

import numpy as np

REDUCTIONS = ("micro", "per_image")


def image_counts(pred, target) -> np.ndarray:
    """N x 4 int64 array of (tp, fp, fn, tn) for masks N x H x W (numpy arrays or torch
    tensors; nonzero is positive)."""
    if tuple(pred.shape) != tuple(target.shape):
        raise ValueError(f"prediction shape {tuple(pred.shape)} differs from target shape {tuple(target.shape)}")
    if len(pred.shape) < 2:
        raise ValueError(f"expected a batch of masks N x H x W, got shape {tuple(pred.shape)}")
    p, t = pred != 0, target != 0
    dims = tuple(range(1, p.ndim))
    tp, fp, fn = (p & t).sum(dims), (p & ~t).sum(dims), (~p & t).sum(dims)
    tp, fp, fn = (np.asarray(x.cpu() if hasattr(x, "cpu") else x, dtype=np.int64) for x in (tp, fp, fn))
    tn = int(np.prod(p.shape[1:])) - tp - fp - fn
    return np.stack([tp, fp, fn, tn], axis=1)


def _ratio(num, den, empty: float):
    num, den = np.asarray(num, float), np.asarray(den, float)
    return np.where(den > 0, num / np.maximum(den, 1), empty)


def jaccard(tp, fp, fn, empty: float = 1.0):
    """Jaccard similarity index |A&B| / |A|B|; `empty` when both masks are empty."""
    return _ratio(tp, np.asarray(tp) + fp + fn, empty)


def dice(tp, fp, fn, empty: float = 1.0):
    """Dice / F1 score 2|A&B| / (|A| + |B|)."""
    return _ratio(2 * np.asarray(tp), 2 * np.asarray(tp) + fp + fn, empty)


def precision(tp, fp, empty: float = 1.0):
    """Share of predicted pixels that are true."""
    return _ratio(tp, np.asarray(tp) + fp, empty)


def recall(tp, fn, empty: float = 1.0):
    """Share of true pixels that are predicted."""
    return _ratio(tp, np.asarray(tp) + fn, empty)


SCORES = {"jsi": lambda tp, fp, fn: jaccard(tp, fp, fn), "dice": lambda tp, fp, fn: dice(tp, fp, fn),
          "precision": lambda tp, fp, fn: precision(tp, fp), "recall": lambda tp, fp, fn: recall(tp, fn)}


def reduce(counts: np.ndarray, score: str, reduction: str = "micro") -> float:
    """One score from N x 4 counts: "micro" sums the counts over images first, "per_image"
    scores each image and averages."""
    if score not in SCORES:
        raise ValueError(f"unknown score {score!r}; known: {', '.join(SCORES)}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; known: {', '.join(REDUCTIONS)}")
    counts = np.asarray(counts, np.int64).reshape(-1, 4)
    tp, fp, fn = counts.sum(0)[:3] if reduction == "micro" else counts.T[:3]
    return float(np.mean(SCORES[score](tp, fp, fn)))


def summarize(counts: np.ndarray) -> dict[str, float]:
    """Pooled and per-image JSI and Dice, pooled precision and recall, from N x 4 counts."""
    return {"jsi": reduce(counts, "jsi"), "jsi_per_image": reduce(counts, "jsi", "per_image"),
            "dice": reduce(counts, "dice"), "dice_per_image": reduce(counts, "dice", "per_image"),
            "precision": reduce(counts, "precision"), "recall": reduce(counts, "recall")}


#: Columns of skeleton_counts: skeleton pixels of the prediction inside the target, of the
#: prediction, of the target inside the prediction, of the target.
SKELETON_COUNTS = ("pred_skeleton_hit", "pred_skeleton", "true_skeleton_hit", "true_skeleton")


def skeleton_counts(pred, target) -> np.ndarray:
    """N x 4 int64 skeleton counts (SKELETON_COUNTS) for masks N x H x W, skeletons by
    scikit-image's skeletonize: what clDice (Shit et al. 2021) is made of, exactly."""
    from skimage.morphology import skeletonize

    pred, target = (np.asarray(a.cpu() if hasattr(a, "cpu") else a) != 0 for a in (pred, target))
    if pred.shape != target.shape:
        raise ValueError(f"prediction shape {pred.shape} differs from target shape {target.shape}")
    rows = []
    for p, t in zip(pred, target):
        sp, st = skeletonize(p), skeletonize(t)
        rows.append([int((sp & t).sum()), int(sp.sum()), int((st & p).sum()), int(st.sum())])
    return np.asarray(rows, np.int64).reshape(-1, 4)


THIN = {"skeleton_precision": lambda c: _ratio(c[0], c[1], 1.0),
        "skeleton_recall": lambda c: _ratio(c[2], c[3], 1.0)}


def _cldice(c) -> np.ndarray:
    tprec, tsens = THIN["skeleton_precision"](c), THIN["skeleton_recall"](c)
    return _ratio(2 * tprec * tsens, tprec + tsens, 0.0)


THIN["cldice"] = _cldice


def reduce_thin(counts: np.ndarray, score: str, reduction: str = "micro") -> float:
    """clDice, skeleton precision or skeleton recall from N x 4 skeleton counts, pooled
    ("micro") or per image."""
    if score not in THIN:
        raise ValueError(f"unknown thin-structure score {score!r}; known: {', '.join(THIN)}")
    if reduction not in REDUCTIONS:
        raise ValueError(f"unknown reduction {reduction!r}; known: {', '.join(REDUCTIONS)}")
    counts = np.asarray(counts, np.int64).reshape(-1, 4)
    c = counts.sum(0) if reduction == "micro" else counts.T
    return float(np.mean(THIN[score](c)))


def summarize_thin(counts: np.ndarray) -> dict[str, float]:
    """clDice (pooled and per image) and pooled skeleton precision and recall."""
    return {"cldice": reduce_thin(counts, "cldice"), "cldice_per_image": reduce_thin(counts, "cldice", "per_image"),
            "skeleton_precision": reduce_thin(counts, "skeleton_precision"),
            "skeleton_recall": reduce_thin(counts, "skeleton_recall")}
