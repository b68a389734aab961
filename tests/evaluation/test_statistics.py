import numpy as np
import pytest

from wrinklelib.evaluation.statistics import bootstrap, pooled_jsi, verdict


def test_pooled_jsi_known_answer():
    counts = np.array([[1, 1, 0], [1, 0, 1]])          # tp 2, fp 1, fn 1 -> 0.5
    assert pooled_jsi(counts) == pytest.approx(0.5)


def test_identical_arms_give_a_zero_interval():
    rng = np.random.default_rng(0)
    a = rng.integers(0, 50, (3, 20, 3))
    mean, lo, hi = bootstrap(a, a)
    assert mean == lo == hi == 0.0 and verdict(lo, hi) == "inconclusive"


def test_a_clearly_better_arm_is_supported_and_the_reverse_contradicted():
    rng = np.random.default_rng(1)
    good = np.stack([rng.integers(40, 60, (5, 30)), rng.integers(0, 10, (5, 30)), rng.integers(0, 10, (5, 30))], -1)
    bad = good.copy()
    bad[..., 1] += 40                                    # many more false positives
    mean, lo, hi = bootstrap(good, bad, n_boot=300)
    assert mean > 0 and lo > 0 and verdict(lo, hi) == "supported"
    assert verdict(*bootstrap(bad, good, n_boot=300)[1:]) == "contradicted"
    single, slo, shi = bootstrap(good, n_boot=300)
    assert slo <= single <= shi
