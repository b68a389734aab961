"""How good a weak label the texture mask is: thresholded against the true wrinkles (or the
voted masks), and our texture masks against the release's precomputed ones."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels.targets import REFERENCE
from ..labels.texture import face_mask, texture_mask, to_uint8
from ..metrics import image_counts, jaccard, precision, recall


def threshold_study(samples, thresholds, reference: str = REFERENCE):
    """Precision, recall and Jaccard of the thresholded texture mask against a reference
    mask ('truth' or 'mask'), pooled over samples, one row per threshold."""
    totals = np.zeros((len(thresholds), 3), np.int64)
    for s in samples:
        ref = getattr(s, reference)
        if ref is None:
            continue
        t = texture_mask(s.image, s.parsing)
        for k, thr in enumerate(thresholds):
            totals[k] += image_counts((t > thr)[None], ref[None])[0, :3]
    tp, fp, fn = totals.T
    return pd.DataFrame({"threshold": thresholds, "precision": precision(tp, fp),
                         "recall": recall(tp, fn), "jaccard": jaccard(tp, fp, fn),
                         "share_of_face_marked": (tp + fp) / max(1, sum(
                             int(face_mask(s.parsing).sum()) for s in samples if s.parsing is not None))})


def whole_face_baseline(samples, reference: str = REFERENCE) -> float:
    """Jaccard of marking every face pixel against a reference mask, pooled over samples:
    the chance level a thresholded texture mask has to beat (it equals the reference's
    share of the face when the reference lies inside the face)."""
    totals = np.zeros(3, np.int64)
    for s in samples:
        ref = getattr(s, reference)
        if ref is None or s.parsing is None:
            continue
        totals += image_counts(face_mask(s.parsing)[None], ref[None])[0, :3]
    return float(jaccard(*totals))


def compare_with_release(samples, weak_masks) -> pd.DataFrame:
    """Our texture masks against the release's weak masks, per image: mean absolute
    difference in gray levels and Jaccard agreement of the non-zero (face) regions."""
    rows = []
    for s, theirs in zip(samples, weak_masks):
        ours = to_uint8(texture_mask(s.image, s.parsing)).astype(np.float32)
        tp, fp, fn, _ = image_counts((ours > 0)[None], (theirs > 0)[None])[0]
        rows.append({"id": s.iid, "mean_abs_diff": float(np.abs(ours - theirs).mean()),
                     "face_region_jaccard": float(jaccard(tp, fp, fn))})
    return pd.DataFrame(rows)


def weak_versus_model(study: pd.DataFrame, model_jsi: float, baseline: float | None = None) -> str:
    """The best thresholded texture mask against a finetuned model (and against marking the
    whole face), in one sentence."""
    best = study.loc[study.jaccard.idxmax()]
    chance = "" if baseline is None else f"; marking every face pixel: {baseline:.3f}"
    return (f"best Jaccard of a thresholded texture mask: {best.jaccard:.3f} (threshold {best.threshold:g}){chance}; "
            f"the finetuned model: {model_jsi:.3f}, {model_jsi / best.jaccard:.1f} times the texture mask")
