import numpy as np
import pytest
from scipy import stats

from wrinklelib.evaluation.statistics import (
    detectable_effect,
    hierarchical_bootstrap,
    holm,
    paired_t,
    pooled_jsi,
    t_interval,
    verdict,
)


def test_t_interval_matches_the_textbook_formula():
    v = np.array([0.50, 0.52, 0.47, 0.55, 0.49])
    mean, low, high = t_interval(v)
    half = stats.t.ppf(0.975, 4) * v.std(ddof=1) / np.sqrt(5)
    assert (mean, low, high) == pytest.approx((v.mean(), v.mean() - half, v.mean() + half))
    assert np.isnan(t_interval([0.5])[1])


def test_paired_t_pairs_by_seed():
    a, b = np.array([0.5, 0.6, 0.7, 0.55]), np.array([0.49, 0.58, 0.69, 0.53])
    r = paired_t(a, b)
    assert r["difference"] == pytest.approx(0.015) and r["seeds"] == 4
    assert r["p"] == pytest.approx(stats.ttest_rel(a, b).pvalue)
    assert r["t_low"] > 0          # the pairing removes the large seed-to-seed spread


def test_detectable_effect_gives_eighty_percent_power():
    sd, n = 0.02, 10
    effect = detectable_effect(sd, n)
    crit = stats.t.ppf(0.975, n - 1)
    power = stats.nct.sf(crit, n - 1, effect / (sd / np.sqrt(n)))
    assert power == pytest.approx(0.8, abs=1e-6)
    assert detectable_effect(sd, 40) < effect / 1.9      # four times the seeds, about half the effect


def test_detectable_effect_is_statsmodels_where_that_converges():
    from statsmodels.stats.power import TTestPower

    for n, alpha in ((10, 0.05), (10, 0.05 / 13), (5, 0.05), (3, 0.05)):
        reference = TTestPower().solve_power(effect_size=None, nobs=n, alpha=alpha, power=0.8)
        assert detectable_effect(1.0, n, alpha) == pytest.approx(reference, rel=1e-6)


@pytest.mark.parametrize("n, alpha", [(3, 0.05 / 4), (2, 0.05 / 3)])
def test_detectable_effect_keeps_eighty_percent_power_at_two_or_three_seeds(n, alpha):
    """Where scipy's noncentral t gives nan in a far tail (and statsmodels' solver with it),
    the effect found still has 80% power, by an integral that uses no noncentral t: the
    statistic is (Z + nc) / sqrt(V / df) with V chi-square, so its upper tail is the mean
    over V of a normal tail."""
    from scipy import integrate

    df, effect = n - 1, detectable_effect(1.0, n, alpha)
    nc, crit = effect * np.sqrt(n), stats.t.ppf(1 - alpha / 2, df)
    power = integrate.quad(lambda v: stats.chi2.pdf(v, df) * stats.norm.cdf(nc - crit * np.sqrt(v / df)),
                           0, np.inf)[0]
    assert power == pytest.approx(0.8, abs=1e-6)


def test_holm_adjusts_step_down():
    assert holm([0.01, 0.04, 0.03, 0.2]).tolist() == pytest.approx([0.04, 0.09, 0.09, 0.2])


def test_verdicts_and_the_detectable_effect_beside_inconclusive():
    assert verdict(0.02, 0.01, 0.015) == "supported"
    assert verdict(-0.02, 0.01, 0.015) == "contradicted"
    assert verdict(0.02, 0.2, 0.031) == "inconclusive (could detect 0.031)"
    beyond = "inconclusive (could detect 7.251, more than a JSI difference can be: too few seeds)"
    assert verdict(0.2, 0.7, 7.251) == beyond


def test_pooled_jsi_and_bootstrap_of_a_difference():
    rng = np.random.default_rng(1)
    tp = rng.integers(40, 60, (4, 30))
    a = np.stack([tp, np.full_like(tp, 10), np.full_like(tp, 10)], -1)
    b = np.stack([tp, np.full_like(tp, 30), np.full_like(tp, 10)], -1)
    assert pooled_jsi(a[:1]).item() == pytest.approx(a[0, :, 0].sum() / a[0].sum())
    mean, low, high = hierarchical_bootstrap(a, b, n_boot=300)
    assert low < mean < high and low > 0
