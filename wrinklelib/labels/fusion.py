"""Combining several annotators' masks into one training target: majority vote, soft
labels and STAPLE."""

from __future__ import annotations

import numpy as np



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
