"""The height field of a face: head, face oval and jaw, brow ridge, eye sockets, nose, cheekbones,
lips, chin, jowls, ears and neck, varied by identity and expression; then the furrows carved
into it and the skin's pores. Heights are in pixels of the rendered image, towards the camera."""

from __future__ import annotations

import cv2
import numpy as np

from .spec import Spec
from .wrinkles import Furrow

#: The smooth relief is built at this many pixels at most and scaled up.
MACRO = 256


def grid(n: int) -> tuple[np.ndarray, np.ndarray]:
    """Pixel-centre coordinates of an n x n image as fractions of its side."""
    t = (np.arange(n, dtype=np.float32) + 0.5) / n
    return np.meshgrid(t, t)


def _bump(X, Y, x0, y0, sx, sy, amp):
    return amp * np.exp(-((X - x0) ** 2 / (2 * sx * sx) + (Y - y0) ** 2 / (2 * sy * sy)))


def face_oval(spec: Spec, X, Y) -> np.ndarray:
    """Squared normalised radius of the face oval (< 1 inside), narrowing towards the jaw."""
    g = spec.layout
    v = (Y - g.cy) / g.b
    width = g.a * (1 - g.jaw_taper * np.clip(v, 0, None) ** 2)
    return ((X - g.cx) / width) ** 2 + v ** 2


def _features(spec: Spec, X, Y) -> np.ndarray:
    """Bumps and dips of the face's parts, in fractions of the image side."""
    g, age, w, smile = spec.layout, spec.age, spec.weight, spec.smile
    a, b = g.a, g.b
    z = np.zeros_like(X)
    for side in (-1, 1):
        ex = g.cx + side * g.eye_dx
        z += _bump(X, Y, ex, g.eye_y, 0.24 * a, 0.14 * b, -(0.12 + 0.06 * age - 0.02 * w) * a)   # eye socket
        z += _bump(X, Y, ex, g.eye_y, 0.13 * a, 0.065 * b, 0.05 * a)                           # eyeball, lids
        z += _bump(X, Y, ex + side * 0.05 * a, g.brow_y + 0.02 * b, 0.3 * a, 0.05 * b, 0.05 * a)  # brow ridge
        z += _bump(X, Y, g.cx + side * 0.5 * a, g.eye_y + (0.2 - 0.05 * smile) * b, 0.22 * a, 0.11 * b,
                   (0.05 + 0.04 * smile + 0.02 * w) * a)                                         # cheekbone
        z += _bump(X, Y, g.cx + side * 0.86 * a, g.brow_y, 0.12 * a, 0.12 * b, -0.03 * a)         # temple
        z += _bump(X, Y, g.cx + side * 0.62 * a, g.mouth_y + 0.1 * b, 0.16 * a, 0.12 * b,
                   (0.015 + 0.05 * age * (0.6 + max(w, 0))) * a)                                 # jowl
        z += _bump(X, Y, g.cx + side * 0.8 * g.nose_w, g.nose_tip, 0.28 * g.nose_w, 0.045 * b, 0.05 * a)  # wing
        z += _bump(X, Y, g.cx + side * 0.42 * g.nose_w, g.nose_tip + 0.035 * b, 0.17 * g.nose_w, 0.018 * b,
                   -0.05 * a)                                                                    # nostril
        z += _bump(X, Y, g.cx + side * 1.02 * a, g.eye_y + 0.15 * b, 0.06 * a, 0.16 * b, 0.12 * a)  # ear
    t = np.clip((Y - g.nose_top) / (g.nose_tip - g.nose_top), 0, 1)
    inside = np.exp(-((Y - (g.nose_top + g.nose_tip) / 2) / (0.62 * (g.nose_tip - g.nose_top))) ** 8)
    z += inside * (0.07 + 0.16 * t) * a * np.exp(-(X - g.cx) ** 2 / (2 * (g.nose_w * (0.3 + 0.45 * t)) ** 2))
    z += _bump(X, Y, g.cx, g.nose_tip, 0.45 * g.nose_w, 0.05 * b, 0.06 * a)                     # nose tip
    z += _bump(X, Y, g.cx, g.mouth_y - 0.035 * b, 0.9 * g.mouth_w, 0.03 * b, 0.035 * a)         # upper lip
    z += _bump(X, Y, g.cx, g.mouth_y + 0.045 * b, 0.8 * g.mouth_w, 0.035 * b, 0.045 * a)        # lower lip
    z += _bump(X, Y, g.cx, g.mouth_y, 1.05 * g.mouth_w, 0.008 * b, -0.02 * a)                   # mouth line
    z += _bump(X, Y, g.cx, g.mouth_y + 0.12 * b, 0.5 * g.mouth_w, 0.02 * b, -0.015 * a)          # below the lip
    z += _bump(X, Y, g.cx, g.cy + 0.82 * b, 0.22 * a, 0.09 * b, 0.05 * a)                       # chin
    return z


def macro_relief(spec: Spec, n: int) -> tuple[np.ndarray, np.ndarray]:
    """(height in fractions of the side, face-oval squared radius) on an n x n grid: one
    head, narrowing to the jaw, with the face's parts on it, and the neck below."""
    g = spec.layout
    X, Y = grid(n)
    r2 = face_oval(spec, X, Y)
    v = (Y - g.cy) / g.b
    width = 1.1 * g.a * (1 - 0.8 * g.jaw_taper * np.clip(v, 0, None) ** 2)
    head_r2 = ((X - g.cx) / width) ** 2 + ((v + 0.06) / 1.08) ** 2
    head = 0.72 * g.a * (1 + 0.1 * spec.weight) * np.sqrt(np.clip(1 - head_r2, 0, 1)) ** 0.7
    neck_w = 0.68 * g.a * (1 + 0.15 * spec.weight)
    neck = np.where(v > 0.45, 0.45 * g.a * np.sqrt(np.clip(1 - ((X - g.cx) / neck_w) ** 2, 0, 1)), 0)
    z = np.maximum(head, neck) + _features(spec, X, Y) * np.clip(1.3 - r2, 0, 1)
    return z.astype(np.float32), r2.astype(np.float32)


def furrow_field(furrows: list[Furrow], size: int, detail: float) -> tuple[np.ndarray, ...]:
    """At size x size: the depth of the carved valleys in pixels, the index + 1 of the furrow
    each pixel's valley belongs to (0: none), the distance to that furrow's centre line in
    units of its width, and its depth-to-width ratio there. A furrow tapers to nothing at
    both ends."""
    ids = np.zeros((size, size), np.int32)
    seg_furrow, seg_taper = [0], [0.0]
    for k, f in enumerate(furrows):
        pts = np.round(f.points * size).astype(int)
        n = len(pts) - 1
        for j in range(n):
            seg_furrow.append(k + 1)
            seg_taper.append(float(np.sin(np.pi * (j + 0.5) / n) ** 0.6))
            cv2.line(ids, tuple(pts[j]), tuple(pts[j + 1]), len(seg_furrow) - 1, 1)
    if not furrows:
        zero = np.zeros((size, size), np.float32)
        return zero, ids, zero, zero
    dist, label = cv2.distanceTransformWithLabels((ids == 0).astype(np.uint8), cv2.DIST_L2, 5,
                                                  labelType=cv2.DIST_LABEL_PIXEL)
    segment = np.zeros(label.max() + 1, np.int32)
    segment[label[ids > 0]] = ids[ids > 0]
    seg = segment[label]
    which = np.asarray(seg_furrow, np.int32)[seg]
    taper = np.asarray(seg_taper, np.float32)[seg]
    sigma = np.asarray([1.0] + [f.sigma * detail for f in furrows], np.float32)[which]
    strength = np.asarray([0.0] + [f.strength for f in furrows], np.float32)[which]
    r = dist / sigma
    ratio = strength * taper
    depth = ratio * sigma * np.exp(-0.5 * r * r) * (r < 4)
    return depth.astype(np.float32), np.where(r < 4, which, 0), r.astype(np.float32), ratio.astype(np.float32)


def skin_relief(rng: np.random.Generator, size: int, detail: float, amount: float) -> np.ndarray:
    """Micro-relief of the skin in pixels at three scales: fine grain, pores (about 4 px
    at 1024 px) and a gentle undulation (about 12 px)."""
    fine = cv2.GaussianBlur(rng.standard_normal((size, size)).astype(np.float32), (0, 0), 0.8 * detail + 0.2)
    fine /= fine.std() + 1e-6
    layers = [0.3 * fine]
    for cell, weight in ((4, 0.6), (12, 0.6)):
        n = max(8, int(size / (cell * detail)))
        layers.append(weight * cv2.resize(rng.standard_normal((n, n)).astype(np.float32), (size, size),
                                          interpolation=cv2.INTER_CUBIC))
    return amount * detail * sum(layers)
