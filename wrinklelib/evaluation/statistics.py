"""Confidence intervals for pooled JSI over seeds and test faces, by a two-level bootstrap:
each resample draws seeds with replacement and, independently, test faces with replacement
(the same faces for every arm, so differences stay paired)."""

from __future__ import annotations

import numpy as np

N_BOOT = 2000


def pooled_jsi(counts: np.ndarray) -> np.ndarray:
    """Pooled JSI over the face axis of counts (..., faces, 3) of (tp, fp, fn)."""
    tp, fp, fn = np.moveaxis(counts.sum(-2), -1, 0)
    return np.where(tp + fp + fn > 0, tp / np.maximum(tp + fp + fn, 1), 1.0)


def bootstrap(counts_a: np.ndarray, counts_b: np.ndarray | None = None, n_boot: int = N_BOOT,
              seed: int = 0, level: float = 0.95) -> tuple[float, float, float]:
    """Mean over seeds of the pooled JSI of arm a (minus arm b's, seed by seed, when given)
    and its bootstrap interval. counts: seeds x faces x 3, the same seeds and faces in both."""
    a = np.asarray(counts_a, np.int64)
    b = None if counts_b is None else np.asarray(counts_b, np.int64)
    if b is not None and a.shape != b.shape:
        raise ValueError(f"paired counts differ in shape: {a.shape} vs {b.shape}")

    rng = np.random.default_rng(seed)
    n_seeds, n_faces = a.shape[:2]
    point = pooled_jsi(a) - (pooled_jsi(b) if b is not None else 0)
    draws = np.empty(n_boot)
    for k in range(n_boot):
        s = rng.integers(0, n_seeds, n_seeds)
        f = rng.integers(0, n_faces, n_faces)
        value = pooled_jsi(a[s][:, f])
        if b is not None:
            value = value - pooled_jsi(b[s][:, f])
        draws[k] = value.mean()
    lo, hi = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(point.mean()), float(lo), float(hi)


def verdict(lo: float, hi: float) -> str:
    """'supported' when the interval of a difference lies above zero, 'contradicted' below,
    else 'inconclusive'."""
    return "supported" if lo > 0 else "contradicted" if hi < 0 else "inconclusive"
