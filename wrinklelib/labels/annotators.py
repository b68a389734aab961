"""Simulated annotators: people who look at a rendered face and trace the wrinkles they see.

Each has a skill of their own. What they see of a wrinkle is its contrast in the picture
(the mean texture-map value over its true valley), so a faint wrinkle is missed more often
than a deep one. They trace it as a line of their own thickness, may stop short of its ends
or draw it beside it, and some mark lines where no wrinkle is. The profile names the three
who annotate (`annotators`).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np


@dataclass(frozen=True)
class Skill:
    """How one annotator works. Pixel amounts are at 1024 px and scale with the detail."""

    summary: str
    miss_base: float       # chance of missing even a clear wrinkle
    miss_t50: float        # visible contrast (texture-map units) missed half the time
    cut_ends: float        # share of a line's length they may leave out at each end
    shift_px: float        # standard deviation of the offset of a whole line
    widen_px: float        # drawn thickness minus the true valley's width
    spurious: float        # expected lines drawn where no wrinkle is, per face


SKILLS = {
    "careful": Skill("careful: finds most wrinkles, traces them closely", 0.04, 3.0, 0.08, 1.5, 0.0, 0.3),
    "misses_faint": Skill("misses faint wrinkles and stops short of their ends", 0.06, 9.0, 0.3, 2.5, -1.0, 0.3),
    "over_marks": Skill("over-marks: thick lines shifted by 1 - 2 px at 256 px, and lines on shadows",
                        0.02, 2.0, 0.05, 6.0, 5.0, 2.5),
}


def visibility(texture: np.ndarray, truth_ids: np.ndarray, n: int) -> np.ndarray:
    """Mean texture-map value over the true valley of each of n furrows (0 when unseen)."""
    ids = truth_ids.ravel()
    sums = np.bincount(ids, texture.ravel(), minlength=n + 1)
    counts = np.bincount(ids, minlength=n + 1)
    return (sums / np.maximum(counts, 1))[1:]


def _stroke(out: np.ndarray, pts: np.ndarray, width: float) -> None:
    cv2.polylines(out, [np.round(pts).astype(np.int32)], False, 1, max(1, int(round(width))), cv2.LINE_8)


def annotate(rng: np.random.Generator, skill: Skill, lines: list[np.ndarray], widths: np.ndarray,
             seen: np.ndarray, texture: np.ndarray, allowed: np.ndarray, detail: float) -> np.ndarray:
    """One annotator's {0,1} mask: `lines` are the furrows' polylines in the picture's
    pixels, `widths` their true valleys' widths, `seen` their visible contrast, `allowed`
    where annotating is possible (the face)."""
    s = allowed.shape[0]
    out = np.zeros((s, s), np.uint8)
    for pts, width, vis in zip(lines, widths, seen):
        p_miss = skill.miss_base + (1 - skill.miss_base) / (1 + np.exp((vis - skill.miss_t50) / 1.5))
        if rng.random() < p_miss or len(pts) < 2:
            continue
        n = len(pts)
        cut = (rng.uniform(0, skill.cut_ends, 2) * n).astype(int)
        part = pts[cut[0]: max(cut[0] + 2, n - cut[1])]
        d = part[-1] - part[0]
        normal = np.array([-d[1], d[0]]) / (np.hypot(*d) + 1e-9)
        _stroke(out, part + normal * rng.normal(0, skill.shift_px * detail), width + skill.widen_px * detail)
    _spurious(rng, skill, out, texture, allowed, detail)
    return out & allowed.astype(np.uint8)


def _spurious(rng, skill: Skill, out: np.ndarray, texture: np.ndarray, allowed: np.ndarray, detail: float) -> None:
    """Short lines where no wrinkle is, drawn where the picture is darkest locally."""
    count = rng.poisson(skill.spurious)
    if not count:
        return
    weights = np.where(allowed, texture, 0).ravel().astype(np.float64) ** 2
    if weights.sum() <= 0:
        return
    s = allowed.shape[0]
    for k in rng.choice(weights.size, size=count, p=weights / weights.sum()):
        y, x = divmod(int(k), s)
        ang, length = rng.uniform(-0.6, 0.6), s * rng.uniform(0.02, 0.06)
        d = length / 2 * np.array([np.cos(ang), np.sin(ang)])
        _stroke(out, np.array([[x, y] - d, [x, y] + d]), (3 + skill.widen_px) * detail)
