"""Colours of every part (linear RGB albedo): skin with its tone, blotches, freckles, moles,
pores at more than one scale, stubble and under-eye darkening; hair and brows as strands;
eyes, lips, mouth, clothing, glasses and earrings; and where the skin shines."""

from __future__ import annotations

import cv2
import numpy as np

from ...labels.faceclasses import (
    CLOTH,
    EARRING,
    GLASSES,
    HAIR,
    L_BROW,
    L_EAR,
    L_EYE,
    L_LIP,
    MOUTH,
    NECK,
    NOSE,
    R_BROW,
    R_EAR,
    R_EYE,
    SKIN,
    U_LIP,
)
from .scene import _background, _pt
from .spec import Spec


def linear(srgb) -> np.ndarray:
    """sRGB values in 0..1 to linear light."""
    return np.power(np.asarray(srgb, np.float32), 2.2)


def smooth_noise(rng: np.random.Generator, s: int, cells: int) -> np.ndarray:
    """Zero-mean, unit-deviation noise varying over about s / cells pixels."""
    small = rng.standard_normal((cells, cells)).astype(np.float32)
    out = cv2.resize(small, (s, s), interpolation=cv2.INTER_CUBIC)
    return (out - out.mean()) / (out.std() + 1e-6)


def strands(rng: np.random.Generator, s: int, detail: float, angle: float) -> np.ndarray:
    """Hair-like streaks around 1, drawn as noise smeared along a direction."""
    n = max(3, int(round(18 * detail)) | 1)
    kernel = np.zeros((n, n), np.float32)
    c, dx, dy = n // 2, np.cos(angle) * n / 2, np.sin(angle) * n / 2
    cv2.line(kernel, (int(round(c - dx)), int(round(c - dy))), (int(round(c + dx)), int(round(c + dy))), 1.0, 1)
    noise = rng.standard_normal((s, s)).astype(np.float32)
    streak = cv2.filter2D(noise, -1, kernel / kernel.sum())
    return 1 + 0.5 * streak / (streak.std() + 1e-6)


def _dots(rng, img: np.ndarray, centre, spread, count: int, radius: tuple[float, float], factor, s: int) -> None:
    """Darken small discs (freckles, moles, stubble roots) around a centre, in place."""
    for _ in range(count):
        x, y = rng.normal(centre[0], spread[0]), rng.normal(centre[1], spread[1])
        r = max(1, int(round(rng.uniform(*radius) * s)))
        c = _pt(x, y, s)
        if 0 <= c[0] < s and 0 <= c[1] < s:
            cv2.circle(img, c, r, tuple(float(f) for f in factor), -1)


def skin_albedo(rng: np.random.Generator, spec: Spec, s: int, detail: float, X, Y) -> np.ndarray:
    """The skin's colour everywhere (the painter keeps it where the labels say skin)."""
    g = spec.layout
    base = linear(spec.skin)
    blotch = smooth_noise(rng, s, 14)
    red = smooth_noise(rng, s, 24)
    mult = np.ones((s, s, 3), np.float32)
    mult *= (1 + 0.06 * blotch)[..., None]
    mult[..., 0] *= 1 + 0.05 * red
    mult[..., 1:] *= (1 - 0.04 * red)[..., None]
    for side in (-1, 1):                               # darker skin under the eyes
        d2 = ((X - g.cx - side * g.eye_dx) / (0.2 * g.a)) ** 2 + ((Y - g.eye_y - 0.09 * g.b) / (0.06 * g.b)) ** 2
        mult *= (1 - (0.08 + 0.1 * spec.age) * np.exp(-d2))[..., None]
    grain = cv2.GaussianBlur(rng.standard_normal((s, s)).astype(np.float32), (0, 0), 0.7 * detail + 0.3)
    mult *= (1 + 0.035 * grain / (grain.std() + 1e-6))[..., None]
    spots = np.ones((s, s, 3), np.float32)
    if spec.freckles:
        n = int(400 * spec.freckles * min(1.0, s / 256))
        for side in (-1, 1):
            _dots(rng, spots, (g.cx + side * 0.35 * g.a, g.eye_y + 0.25 * g.b), (0.16 * g.a, 0.1 * g.b), n // 2,
                  (0.0015, 0.004), (0.75, 0.68, 0.62), s)
    _dots(rng, spots, (g.cx, g.cy), (0.5 * g.a, 0.5 * g.b), spec.moles, (0.003, 0.007), (0.35, 0.28, 0.25), s)
    if spec.age > 0.55:
        _dots(rng, spots, (g.cx, g.cy - 0.2 * g.b), (0.5 * g.a, 0.4 * g.b), int(12 * (spec.age - 0.5)),
              (0.006, 0.015), (0.85, 0.78, 0.7), s)
    spots = cv2.GaussianBlur(spots, (0, 0), 0.6 * detail + 0.2)
    return base * mult * spots


def stubble(rng: np.random.Generator, spec: Spec, s: int, X, Y) -> np.ndarray:
    """Multiplicative darkening of a stubble's dense dark dots (1 where there is none)."""
    g = spec.layout
    region = (Y > g.nose_tip + 0.06 * g.b) & (((X - g.cx) / g.a) ** 2 + ((Y - g.cy) / g.b) ** 2 < 1.05)
    dots = (rng.random((s, s)) < 0.25) & region
    dark = np.where(dots, rng.uniform(0.45, 0.75), 1.0).astype(np.float32)
    return cv2.GaussianBlur(dark, (0, 0), 0.5)


def paint(rng: np.random.Generator, spec: Spec, labels: np.ndarray, masks: dict, s: int, detail: float,
          X, Y) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(albedo H x W x 3 linear RGB, specular strength H x W, hair micro-relief in pixels)."""
    img = _background(rng, s)
    hair = linear(spec.hair_colour)
    streak = strands(rng, s, detail, np.pi / 2 + rng.normal(0, 0.5))
    skin = skin_albedo(rng, spec, s, detail, X, Y)
    if spec.beard == "stubble":
        skin *= stubble(rng, spec, s, X, Y)[..., None]

    def put(classes, colour):
        m = np.isin(labels, classes)
        img[m] = colour[m] if np.ndim(colour) == 3 else colour

    put((SKIN, NOSE), skin)
    put((NECK, L_EAR, R_EAR), skin * 0.88)
    put((CLOTH,), _cloth(rng, s))
    put((HAIR,), (hair[None, None] * streak[..., None]).astype(np.float32))
    put((L_BROW, R_BROW), (hair[None, None] * 0.55 * streak[..., None]).astype(np.float32))
    put((U_LIP, L_LIP), skin * np.array([0.95, 0.62, 0.62], np.float32))
    put((MOUTH,), np.array([0.12, 0.03, 0.04], np.float32))
    put((GLASSES,), np.float32(rng.choice([0.02, 0.3])) * np.ones(3, np.float32))
    put((EARRING,), linear([0.85, 0.7, 0.35]))
    _eyes(rng, spec, img, labels, s)
    _hairline(rng, spec, img, labels, s, detail, hair)
    shine = np.where(np.isin(labels, (SKIN, NOSE)), 1.0, 0.0).astype(np.float32)
    shine += 1.5 * np.isin(labels, (L_EYE, R_EYE, GLASSES, EARRING)) + 0.6 * np.isin(labels, (U_LIP, L_LIP, HAIR))
    hair_relief = np.where(labels == HAIR, 2.0 * detail * (streak - 1), 0.0).astype(np.float32)
    return img, shine, hair_relief


def _cloth(rng: np.random.Generator, s: int) -> np.ndarray:
    colour = linear(rng.uniform(0.05, 0.9, 3))
    img = np.broadcast_to(colour, (s, s, 3)).astype(np.float32).copy()
    if rng.random() < 0.35:                              # stripes
        period = max(3, int(s * rng.uniform(0.01, 0.04)))
        rows = (np.arange(s) // period) % 2 == 0
        img[rows] *= rng.uniform(0.4, 0.8)
    return img


def _eyes(rng, spec: Spec, img: np.ndarray, labels: np.ndarray, s: int) -> None:
    """Sclera, iris and pupil inside the eye classes; lashes along the upper lid."""
    g = spec.layout
    iris = linear(rng.choice([[0.35, 0.22, 0.12], [0.15, 0.1, 0.07], [0.3, 0.45, 0.6], [0.35, 0.45, 0.3]]))
    for side, label in ((-1, L_EYE), (1, R_EYE)):
        m = labels == label
        img[m] = linear([0.82, 0.8, 0.78]) if not spec.eyes_closed else linear([0.05, 0.04, 0.04])
        if spec.eyes_closed:
            continue
        disc = np.zeros(labels.shape, np.uint8)
        centre = _pt(g.cx + side * g.eye_dx + rng.normal(0, 0.01) * g.a, g.eye_y, s)
        cv2.circle(disc, centre, max(1, int(0.07 * g.a * s)), 1, -1)
        img[(disc > 0) & m] = iris
        disc[:] = 0
        cv2.circle(disc, centre, max(1, int(0.03 * g.a * s)), 1, -1)
        img[(disc > 0) & m] = 0.01
        cv2.ellipse(img, centre, (max(1, int(g.eye_w * s)), max(1, int(g.eye_h * s))), 0, 190, 350,
                    (0.02, 0.015, 0.015), max(1, int(0.012 * g.a * s)))


def _hairline(rng, spec: Spec, img: np.ndarray, labels: np.ndarray, s: int, detail: float, hair) -> None:
    """Loose strands across the forehead near the hairline, drawn over skin (a face parser
    labels such thin strands as skin); a strand thinner than a pixel is blended in."""
    if spec.hair_style == "bald":
        return
    g = spec.layout
    layer = np.zeros(labels.shape, np.float32)
    for _ in range(rng.integers(2, 16)):
        x = g.cx + rng.uniform(-0.7, 0.7) * g.a
        y = g.hairline + rng.uniform(-0.02, 0.05) * g.b
        length = rng.uniform(0.04, 0.2) * g.b
        pts = np.array([(x, y), (x + rng.normal(0, 0.03) * g.a, y + length / 2),
                        (x + rng.normal(0, 0.06) * g.a, y + length)]) * s
        width = rng.uniform(0.6, 1.6) * detail
        cv2.polylines(layer, [np.round(pts).astype(np.int32)], False, float(min(1.0, width)),
                      max(1, int(round(width))), cv2.LINE_AA)
    alpha = np.clip(layer, 0, 1)[..., None] * 0.8
    img[:] = img * (1 - alpha) + hair * alpha
