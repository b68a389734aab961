"""Wrinkles as geometry: furrows where people have them, their number, depth and length
growing with age and deepened by the expression that folds the skin there."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .spec import Spec

#: Region ids of the furrows (written as the regions map), as dermatologists name the areas.
REGIONS = {1: "forehead", 2: "glabella", 3: "crows_feet", 4: "under_eye", 5: "nasolabial",
           6: "marionette", 7: "neck", 8: "perioral"}
#: Folds every face has, carved like furrows but no wrinkles: the upper eyelid's crease,
#: the tear trough and the corners of the mouth.
FOLD = 9
#: Furrows of these regions are not part of the true masks: neck lines lie outside the
#: face's skin, and folds are anatomy, not wrinkles.
UNLABELLED_REGIONS = (7, FOLD)


@dataclass(frozen=True)
class Furrow:
    """One furrow: a polyline (fractions of the image side, frontal frame), the Gaussian
    half-width of its valley (pixels at 1024 px), its depth relative to that width, and
    its region."""

    points: np.ndarray
    sigma: float
    strength: float
    region: int


def curve(p0, p1, p2, n: int = 24) -> np.ndarray:
    """Points of a quadratic Bezier curve from p0 to p2 bent towards p1."""
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2 = (np.asarray(p, float) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def _jitter(rng: np.random.Generator, pts: np.ndarray, amount: float) -> np.ndarray:
    """A polyline with a smooth random wobble across it (skin folds are never straight)."""
    wobble = np.cumsum(rng.normal(0, amount, len(pts)))
    wobble -= np.linspace(wobble[0], wobble[-1], len(pts))
    d = np.gradient(pts, axis=0)
    normal = np.stack([-d[:, 1], d[:, 0]], 1) / (np.linalg.norm(d, axis=1, keepdims=True) + 1e-9)
    return pts + normal * wobble[:, None]


class _Maker:
    """Collects furrows with the face's age deciding how deep they are."""

    def __init__(self, rng: np.random.Generator, spec: Spec):
        self.rng, self.spec, self.out = rng, spec, []

    def add(self, pts, region: int, sigma: tuple[float, float], strength: float) -> None:
        rng, age = self.rng, self.spec.age
        s = strength * rng.uniform(0.35, 1.0) * (0.25 + 1.1 * age)
        self.out.append(Furrow(_jitter(rng, np.asarray(pts, float), 0.0012), float(rng.uniform(*sigma)),
                               float(np.clip(s, 0.03, 2.2)), region))

    def count(self, base: float, per_age: float, boost: float = 0.0) -> int:
        return int(self.rng.poisson((base + per_age * self.spec.age ** 1.5) * (1 + boost)))


def _forehead(m: _Maker, g, spec: Spec) -> None:
    rng = m.rng
    top, bottom = g.hairline + 0.1 * g.b, g.brow_y - 0.09 * g.b
    for _ in range(m.count(0.8, 6.0, 1.2 * spec.raise_brows)):
        y = rng.uniform(top, bottom)
        half, x0 = g.a * rng.uniform(0.15, 0.55), g.cx + rng.uniform(-0.2, 0.2) * g.a
        bend = rng.uniform(-0.05, 0.03) * g.b
        m.add(curve((x0 - half, y), (x0, y + bend), (x0 + half, y + rng.uniform(-0.02, 0.02) * g.b)), 1,
              (1.4, 3.0), 1.0 + spec.raise_brows)


def _glabella(m: _Maker, g, spec: Spec) -> None:
    rng = m.rng
    for _ in range(m.count(0.15, 1.8, 1.5 * spec.frown)):
        x = g.cx + rng.uniform(-0.1, 0.1) * g.a
        y0 = g.brow_y - rng.uniform(0.02, 0.1) * g.b
        m.add(curve((x, y0), (x + rng.uniform(-0.02, 0.02) * g.a, y0 + 0.07 * g.b), (x, y0 + 0.14 * g.b)), 2,
              (1.4, 2.8), 1.1 + spec.frown)


def _eyes(m: _Maker, g, spec: Spec) -> None:
    rng = m.rng
    for side in (-1, 1):
        corner = np.array([g.cx + side * (g.eye_dx + g.eye_w + 0.02 * g.a), g.eye_y])
        for _ in range(m.count(0.5, 4.5, 1.5 * spec.smile)):
            ang, length = rng.uniform(-0.75, 0.75), g.a * rng.uniform(0.07, 0.2)
            start = corner + rng.uniform(0, 0.04) * g.a * np.array([side, 0])
            end = start + length * np.array([side * np.cos(ang), np.sin(ang)])
            mid = (start + end) / 2 + rng.uniform(-0.015, 0.015) * g.a
            m.add(curve(start, mid, end, 16), 3, (1.2, 2.4), 1.0 + spec.smile)
        for _ in range(m.count(0.4, 2.0)):
            x = g.cx + side * g.eye_dx + rng.uniform(-0.08, 0.08) * g.a
            y = g.eye_y + rng.uniform(0.1, 0.2) * g.b
            half = g.a * rng.uniform(0.06, 0.13)
            m.add(curve((x - half, y - side * 0.005), (x, y + 0.025 * g.b), (x + half, y + side * 0.005)), 4,
                  (1.2, 2.2), 0.8)


def _mouth(m: _Maker, g, spec: Spec) -> None:
    rng = m.rng
    for side in (-1, 1):
        if rng.random() < 0.5 + 0.5 * spec.age + 0.5 * spec.smile:            # nasolabial folds
            start = (g.cx + side * (g.nose_w + 0.05 * g.a), g.nose_tip - 0.03 * g.b)
            end = (g.cx + side * (g.mouth_w + 0.06 * g.a), g.mouth_y + rng.uniform(0.02, 0.1) * g.b)
            mid = (g.cx + side * (g.mouth_w + 0.15 * g.a), (start[1] + end[1]) / 2)
            m.add(curve(start, mid, end), 5, (7.0, 14.0), 0.7 + 0.5 * spec.smile + 0.2 * spec.weight)
        if rng.random() < 1.2 * spec.age ** 2:                                 # marionette lines
            start = (g.cx + side * (g.mouth_w + 0.01 * g.a), g.mouth_y + 0.03 * g.b)
            end = (g.cx + side * (g.mouth_w + 0.06 * g.a), g.mouth_y + rng.uniform(0.18, 0.26) * g.b)
            m.add(curve(start, ((start[0] + end[0]) / 2 + side * 0.02 * g.a, (start[1] + end[1]) / 2), end), 6,
                  (1.8, 3.5), 0.9)
    for _ in range(m.count(0.0, 2.0)):                                          # perioral lines
        x = g.cx + rng.uniform(-0.7, 0.7) * g.mouth_w
        y = g.mouth_y - rng.uniform(0.05, 0.1) * g.b
        m.add(curve((x, y), (x + 0.005, y - 0.03 * g.b), (x + rng.uniform(-0.01, 0.01), y - 0.06 * g.b), 10), 8,
              (1.0, 1.8), 0.7)


def _folds(m: _Maker, g, spec: Spec) -> None:
    """Anatomical folds: not wrinkles, but dark lines a texture map responds to."""
    rng = m.rng
    for side in (-1, 1):
        ex = g.cx + side * g.eye_dx
        lid = g.eye_y - g.eye_h - rng.uniform(0.015, 0.035) * g.b
        m.out.append(Furrow(curve((ex - side * 0.95 * g.eye_w, lid + 0.02 * g.b), (ex, lid - 0.02 * g.b),
                                  (ex + side * 1.05 * g.eye_w, lid + 0.01 * g.b)), float(rng.uniform(1.5, 2.5)),
                            float(rng.uniform(0.6, 1.2)), FOLD))
        trough = g.eye_y + rng.uniform(0.07, 0.1) * g.b
        m.out.append(Furrow(curve((ex - side * 0.6 * g.eye_w, trough - 0.01 * g.b), (ex, trough + 0.02 * g.b),
                                  (ex + side * 0.9 * g.eye_w, trough)), float(rng.uniform(3, 5)),
                            float(rng.uniform(0.2, 0.5) * (0.5 + spec.age)), FOLD))
        corner = np.array([g.cx + side * g.mouth_w, g.mouth_y - 0.04 * g.b * spec.smile])
        points = corner - [side * 0.01, 0.008], corner + [side * 0.005, 0], corner + [side * 0.01, 0.01]
        m.out.append(Furrow(curve(*points, 8), float(rng.uniform(2, 3.5)), float(rng.uniform(0.5, 1.0)), FOLD))


def _neck(m: _Maker, g, spec: Spec) -> None:
    rng = m.rng
    for _ in range(m.count(0.2, 2.5, 0.3 * max(spec.weight, 0))):
        y = g.cy + rng.uniform(1.08, 1.3) * g.b
        half = g.a * rng.uniform(0.2, 0.4)
        m.add(curve((g.cx - half, y), (g.cx, y + rng.uniform(0.01, 0.04) * g.b), (g.cx + half, y)), 7,
              (2.0, 4.0), 1.0)


def draw_furrows(rng: np.random.Generator, spec: Spec) -> list[Furrow]:
    """Every furrow of one face."""
    m = _Maker(rng, spec)
    g = spec.layout
    for place in (_forehead, _glabella, _eyes, _mouth, _neck, _folds):
        place(m, g, spec)
    return m.out
