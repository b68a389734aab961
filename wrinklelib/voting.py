"""Combining several annotators: majority vote, soft labels, STAPLE, and their agreement."""

from __future__ import annotations

from itertools import combinations

import numpy as np

from .metrics import confusion_counts, dice, jaccard


def stack_masks(masks) -> np.ndarray:
    """n x H x W {0,1} uint8 stack; masks may be {0,1} or {0,255}; other values are an error."""
    masks = [np.asarray(m) for m in masks]
    if not masks:
        raise ValueError("no annotator masks given")
    shapes = {m.shape for m in masks}
    if len(shapes) != 1:
        raise ValueError(f"annotator masks differ in shape: {sorted(shapes)}")
    for i, m in enumerate(masks):
        values = set(np.unique(m).tolist())
        if not (values <= {0, 1} or values <= {0, 255}):
            raise ValueError(f"mask {i} has values {sorted(values)[:6]}; expected {{0,1}} or {{0,255}}")
    return (np.stack(masks) > 0).astype(np.uint8)


def vote_count(masks) -> np.ndarray:
    """Number of annotators marking each pixel."""
    return stack_masks(masks).sum(0).astype(np.uint8)


def majority_vote(masks, min_votes: int = 2) -> np.ndarray:
    """{0,1} mask of pixels marked by at least min_votes of the annotators (paper: 2 of 3)."""
    stack = stack_masks(masks)
    if not 1 <= min_votes <= len(stack):
        raise ValueError(f"min_votes={min_votes} must lie between 1 and the number of annotators ({len(stack)})")
    return (stack.sum(0) >= min_votes).astype(np.uint8)


def soft_label(masks) -> np.ndarray:
    """Fraction of annotators marking each pixel, a smoothed target in [0, 1]."""
    return stack_masks(masks).mean(0).astype(np.float32)


def staple(masks, within=None, iterations: int = 50, tol: float = 1e-6) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Binary STAPLE (Warfield 2004): truth probability per pixel, and each annotator's
    sensitivity and specificity, by expectation-maximisation. `within` restricts the
    estimate to a region (for example the face); pixels outside get probability 0."""
    stack = stack_masks(masks).astype(np.float64)
    region = np.ones(stack.shape[1:], bool) if within is None else np.asarray(within, bool)
    d = stack[:, region]                                   # n x P decisions
    prior = float(np.clip(d.mean(), 1e-6, 1 - 1e-6))
    sens = np.full(len(d), 0.9)
    spec = np.full(len(d), 0.99)
    w = d.mean(0)
    for _ in range(iterations):
        log_a = np.log(prior) + (d * np.log(sens[:, None]) + (1 - d) * np.log(1 - sens[:, None])).sum(0)
        log_b = np.log(1 - prior) + ((1 - d) * np.log(spec[:, None]) + d * np.log(1 - spec[:, None])).sum(0)
        w_new = 1 / (1 + np.exp(log_b - log_a))
        sens = np.clip((d * w_new).sum(1) / max(w_new.sum(), 1e-9), 1e-6, 1 - 1e-6)
        spec = np.clip(((1 - d) * (1 - w_new)).sum(1) / max((1 - w_new).sum(), 1e-9), 1e-6, 1 - 1e-6)
        done = np.abs(w_new - w).max() < tol
        w = w_new
        if done:
            break
    prob = np.zeros(stack.shape[1:], np.float32)
    prob[region] = w
    return prob, sens, spec


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
    tp, fp, fn, _ = confusion_counts(a, b)
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
        estimates["STAPLE"] = (staple(masks, within)[0] >= 0.5).astype(np.uint8)
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
    from .texture import face_mask

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


METHODS = ("majority", "soft", "staple")


def combine(masks, method: str = "majority", min_votes: int = 2) -> np.ndarray:
    """One uint8 mask (0..255) from several annotators' masks by the given method."""
    if method == "majority":
        return majority_vote(masks, min_votes) * 255
    if method == "soft":
        return np.rint(soft_label(masks) * 255).astype(np.uint8)
    if method == "staple":
        return (staple(masks)[0] >= 0.5).astype(np.uint8) * 255
    raise ValueError(f"unknown method {method!r}; known: {', '.join(METHODS)}")


def vote_folders(folders, out, method: str = "majority", min_votes: int = 2) -> int:
    """Combine same-named PNG masks from one folder per annotator into `out` (never one of
    them); every file must exist in every folder, checked before anything is written.
    Returns the number of masks written."""
    from pathlib import Path

    from .data import DataError, read_mask, write_png
    from .outputs import check_out, prepare

    folders = [Path(d) for d in folders]
    for d in folders:
        if not d.is_dir():
            raise DataError(f"--annotations {d}: no such folder")
    check_out(out, {f"--annotations {d}": d for d in folders})
    names = {d: {p.name for p in d.glob("*.png") if not p.name.startswith(".")} for d in folders}
    every = sorted(set().union(*names.values()))
    if not every:
        raise DataError(f"--annotations: no PNG masks in {', '.join(map(str, folders))}")
    missing = [str(d / n) for d in folders for n in every if n not in names[d]]
    if missing:
        raise DataError(f"missing annotation files: {', '.join(missing[:10])}"
                        + (f" and {len(missing) - 10} more" if len(missing) > 10 else ""))
    prepare(out, {"method": method, "min_votes": min_votes, "folders": [str(d.resolve()) for d in folders]})
    for n in every:
        masks = [read_mask(d / n) for d in folders]
        if len({m.shape for m in masks}) > 1:
            raise DataError(f"{n}: annotation sizes differ across folders: {sorted({m.shape for m in masks})}")
        write_png(Path(out) / n, combine(masks, method, min_votes).astype(np.uint8))
    return len(every)
