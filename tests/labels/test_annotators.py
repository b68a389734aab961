"""Simulated annotators: each skill marks the wrinkles as its summary says."""

import numpy as np

from wrinklelib.labels.annotators import SKILLS, annotate, visibility


def lines(n=40, size=256):
    rng = np.random.default_rng(0)
    out = []
    for _ in range(n):
        x0, y0 = rng.uniform(40, 200, 2)
        out.append(np.stack([np.linspace(x0, x0 + 30, 12), np.full(12, y0)], 1))
    return out


def test_skills_differ_as_described():
    size, furrows = 256, lines()
    allowed = np.ones((size, size), bool)
    texture = np.zeros((size, size), np.float32)
    widths = np.full(len(furrows), 2.0)
    faint, clear = np.full(len(furrows), 3.0), np.full(len(furrows), 30.0)
    marked = {}
    for name, skill in SKILLS.items():
        marked[name] = {seen: annotate(np.random.default_rng(1), skill, furrows, widths, v, texture, allowed, 1.0).sum()
                        for seen, v in (("faint", faint), ("clear", clear))}
    # Faint wrinkles are missed by the one who misses them far more than by the careful one.
    assert marked["misses_faint"]["faint"] < 0.5 * marked["careful"]["faint"]
    # The over-marker draws thicker lines: more pixels for the same clear wrinkles.
    assert marked["over_marks"]["clear"] > 1.3 * marked["careful"]["clear"]


def test_visibility_is_the_mean_texture_over_each_valley():
    texture = np.zeros((8, 8), np.float32)
    ids = np.zeros((8, 8), np.int32)
    ids[2, 2:5], texture[2, 2:5] = 1, [3.0, 6.0, 9.0]
    ids[6, 1], texture[6, 1] = 2, 12.0
    assert np.allclose(visibility(texture, ids, 3), [6.0, 12.0, 0.0])
