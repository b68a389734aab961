"""How much annotators agree with each other, with their vote and (on synthetic faces)
with the truth: Jaccard and Dice per pair, Fleiss' kappa over pixels, per-region scores."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from ..labels.fusion import majority_vote, soft_label, stack_masks, staple
from ..metrics import dice, image_counts, jaccard


def fleiss_kappa(counts: np.ndarray) -> float:
    """Fleiss' kappa from an N x k table: counts[i, j] raters put subject i in category j."""
    counts = np.asarray(counts, float)
    n = counts.sum(1)
    if not np.allclose(n, n[0]) or n[0] < 2:
        raise ValueError("every subject needs the same number (at least 2) of ratings")
    n = n[0]
    p_i = ((counts * (counts - 1)).sum(1)) / (n * (n - 1))
    p_j = counts.sum(0) / counts.sum()
    p_bar, p_e = p_i.mean(), (p_j ** 2).sum()
    return float((p_bar - p_e) / (1 - p_e)) if p_e < 1 else 1.0


def pixel_fleiss_kappa(masks, within=None) -> float:
    """Fleiss' kappa over pixels (two categories), optionally only within a region."""
    stack = stack_masks(masks)
    region = np.ones(stack.shape[1:], bool) if within is None else np.asarray(within, bool)
    yes = stack[:, region].sum(0)
    return fleiss_kappa(np.stack([len(stack) - yes, yes], 1))


def pair_scores(a, b) -> dict[str, float]:
    """Jaccard and Dice of two masks."""
    tp, fp, fn, _ = image_counts(np.asarray(a)[None], np.asarray(b)[None])[0]
    return {"jaccard": float(jaccard(tp, fp, fn)), "dice": float(dice(tp, fp, fn))}


def agreement(masks: dict[str, np.ndarray], min_votes: int = 2) -> list[dict]:
    """Rows of pairwise and annotator-versus-consensus Jaccard and Dice for one image."""
    names = list(masks)
    consensus = majority_vote(list(masks.values()), min_votes)
    rows = [{"pair": f"{a} vs {b}", **pair_scores(masks[a], masks[b])} for a, b in combinations(names, 2)]
    rows += [{"pair": f"{a} vs vote", **pair_scores(masks[a], consensus)} for a in names]
    return rows


def image_study(annotations: dict[str, np.ndarray], truth: np.ndarray | None, within=None,
                regions: np.ndarray | None = None, region_names: dict | None = None,
                min_votes: int = 2) -> list[dict]:
    """Long-format rows (measure, who, value) of one image's agreement and accuracy."""
    masks = list(annotations.values())
    vote = majority_vote(masks, min_votes)
    rows = [{"measure": "jaccard", "who": r["pair"], "value": r["jaccard"]} for r in agreement(annotations, min_votes)]
    rows.append({"measure": "fleiss_kappa", "who": "all annotators", "value": pixel_fleiss_kappa(masks, within)})
    if regions is not None:
        for rid, name in (region_names or {}).items():
            inside = regions == rid
            if inside.any():
                for a, m in annotations.items():
                    rows.append({"measure": f"jaccard in {name}", "who": f"{a} vs vote",
                                 "value": pair_scores(m * inside, vote * inside)["jaccard"]})
    if truth is not None:
        estimates = dict(annotations)
        estimates[f"vote {min_votes} of {len(masks)}"] = vote
        estimates["soft label >= 0.5"] = (soft_label(masks) >= 0.5).astype(np.uint8)
        estimates["STAPLE"] = (staple(masks) >= 0.5).astype(np.uint8)
        for who, m in estimates.items():
            rows.append({"measure": "jaccard vs truth", "who": who, "value": pair_scores(m, truth)["jaccard"]})
        rows.append({"measure": "share of truth kept", "who": f"vote {min_votes} of {len(masks)}",
                     "value": float((vote & truth).sum() / max(int(truth.sum()), 1))})
    return rows


def study_table(rows: list[dict]):
    """Mean and standard deviation over images of each (measure, who)."""
    import pandas as pd

    frame = pd.DataFrame(rows)
    return (frame.groupby(["measure", "who"], sort=False)["value"]
            .agg(mean="mean", std="std", images="count").reset_index())


def dataset_study(samples, min_votes: int = 2, region_names: dict | None = None):
    """study_table over every sample that has per-annotator masks (agreement measured within
    the face when a parsing map exists); None when no sample has them."""
    from ..labels.texture import face_mask

    rows = []
    for s in samples:
        if s.annotations:
            within = face_mask(s.parsing) if s.parsing is not None else None
            rows += image_study(s.annotations, s.truth, within, s.regions, region_names, min_votes)
    return study_table(rows) if rows else None


def mean_pairwise_jaccard(study) -> float:
    """Mean Jaccard index over the annotator pairs of a study table."""
    pairs = study[(study.measure == "jaccard") & ~study.who.str.contains("vote")]
    return float(pairs["mean"].mean())
