"""Statistics over seeds. A cell's score is the mean over its seeds of each run's pooled
test JSI, with a t interval over the seeds (n - 1 degrees of freedom); a difference
between two arms pairs runs of the same seed (the same faces, the same split) and gets a
paired t interval and p value. A hierarchical bootstrap that resamples seeds, then test
faces, is the second opinion; the t interval decides. Verdicts come from p values adjusted
by Holm's method within each family of comparisons (one table's question), and every
verdict carries the smallest effect the comparison could have detected with 80% power at
the level of Holm's first step in its family."""

from __future__ import annotations

import numpy as np
from scipy import stats

from ..metrics import jaccard

LEVEL = 0.95
POWER = 0.8
N_BOOT = 2000


def t_interval(values, level: float = LEVEL) -> tuple[float, float, float]:
    """(mean, low, high) of the t interval of a mean over seeds (nan bounds for one seed)."""
    v = np.asarray(values, float)
    mean = float(v.mean())
    if len(v) < 2:
        return mean, float("nan"), float("nan")
    half = stats.t.ppf((1 + level) / 2, len(v) - 1) * v.std(ddof=1) / np.sqrt(len(v))
    return mean, mean - half, mean + half


def paired_t(a, b, level: float = LEVEL) -> dict[str, float]:
    """Mean paired difference a - b, its t interval, the two-sided paired-t p value and its
    minimum detectable effect at 80% power."""
    d = np.asarray(a, float) - np.asarray(b, float)
    mean, low, high = t_interval(d, level)
    n, sd = len(d), float(d.std(ddof=1)) if len(d) > 1 else float("nan")
    p = float(stats.ttest_1samp(d, 0.0).pvalue) if n > 1 and sd > 0 else (0.0 if mean else 1.0)
    return {"difference": mean, "t_low": low, "t_high": high, "p": p, "seeds": n,
            "detectable": detectable_effect(sd, n, 1 - level)}


def paired_t_power(effect: float, n: int, alpha: float = 1 - LEVEL) -> float:
    """Power of the two-sided paired t test at level `alpha` over n seeds for a true mean
    difference of `effect` standard deviations (the formula of statsmodels' TTestPower)."""
    df, nc = n - 1, effect * np.sqrt(n)
    crit = stats.t.ppf(1 - alpha / 2, df)
    # scipy's noncentral t returns nan for some far lower tails (about 1e-16 at 2-3 seeds),
    # which derails statsmodels' root finder there: that tail is taken as the zero it is.
    lower = float(np.nan_to_num(stats.nct.cdf(-crit, df, nc), nan=0.0))
    return float(stats.nct.sf(crit, df, nc)) + lower


def detectable_effect(sd: float, n: int, alpha: float = 1 - LEVEL, power: float = POWER) -> float:
    """The smallest true mean difference a two-sided paired t test at level `alpha` over n
    seeds with this standard deviation of the differences detects with the given power.
    Equals statsmodels' TTestPower where that converges; stays right at 2-3 seeds, where
    TTestPower does not (tests/evaluation/test_statistics.py)."""
    from scipy.optimize import brentq

    if n < 2 or not np.isfinite(sd):
        return float("nan")
    if sd == 0:
        return 0.0
    high = 1.0
    while paired_t_power(high, n, alpha) < power:       # bracket the root: power rises with the effect
        high *= 2
    d = brentq(lambda e: paired_t_power(e, n, alpha) - power, 0.0, high, xtol=1e-12)
    return float(d * sd)


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of one family of p values, in the order given
    (statsmodels' multipletests)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p_values, float)
    return p.copy() if len(p) == 0 else multipletests(p, method="holm")[1]


def first_step_level(family_size: int, alpha: float = 1 - LEVEL) -> float:
    """The level of Holm's first (strictest) step in a family of this size: alpha / size."""
    return alpha / max(1, family_size)


def verdict(difference: float, p_adjusted: float, detectable: float, alpha: float = 1 - LEVEL) -> str:
    """'supported' (a significant gain), 'contradicted' (a significant loss), or
    'inconclusive' with the smallest effect these seeds could have seen."""
    if p_adjusted < alpha:
        return "supported" if difference > 0 else "contradicted"
    if not np.isfinite(detectable):
        return "inconclusive"
    # A JSI difference lies in [-1, 1]: past 1 no effect was detectable, and the reader is told why.
    beyond = ", more than a JSI difference can be: too few seeds" if detectable >= 1 else ""
    return f"inconclusive (could detect {detectable:.3f}{beyond})"


def pooled_jsi(counts: np.ndarray) -> np.ndarray:
    """Pooled JSI over the face axis of counts (..., faces, 3) of (tp, fp, fn), with the
    metrics core's Jaccard."""
    tp, fp, fn = np.moveaxis(np.asarray(counts).sum(-2), -1, 0)
    return jaccard(tp, fp, fn)


def hierarchical_bootstrap(counts_a: np.ndarray, counts_b: np.ndarray | None = None, n_boot: int = N_BOOT,
                           seed: int = 0, level: float = LEVEL) -> tuple[float, float, float]:
    """Mean over seeds of the pooled JSI of arm a (minus arm b's, seed by seed, when given)
    and its percentile interval from resampling seeds, then test faces within the resampled
    seeds (the same faces for both arms). counts: seeds x faces x 3."""
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
        f = rng.integers(0, n_faces, (n_seeds, n_faces))
        value = pooled_jsi(a[s[:, None], f])
        if b is not None:
            value = value - pooled_jsi(b[s[:, None], f])
        draws[k] = value.mean()
    low, high = np.quantile(draws, [(1 - level) / 2, (1 + level) / 2])
    return float(point.mean()), float(low), float(high)
