"""The parts of the picture and their face-parsing classes, in the frontal frame: background
clutter, clothing, neck, ears, face, hair and hairline, brows, eyes, nose, lips, beard,
glasses and earrings. Each part is drawn once into the label map; colours come later."""

from __future__ import annotations

import cv2
import numpy as np

from ...labels.faceclasses import (
    BACKGROUND,
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
from .spec import Spec
from .wrinkles import curve


def _pt(x: float, y: float, s: int) -> tuple[int, int]:
    return int(round(x * s)), int(round(y * s))


def _ax(a: float, b: float, s: int) -> tuple[int, int]:
    return max(1, int(round(a * s))), max(1, int(round(b * s)))


def _poly(labels: np.ndarray, pts: np.ndarray, value: int) -> None:
    cv2.fillPoly(labels, [np.round(pts * labels.shape[0]).astype(np.int32)], int(value))


def _hair_cap(spec: Spec, r2: np.ndarray, X, Y, rng: np.random.Generator) -> np.ndarray:
    """Boolean mask of the hair for the face's style, with an uneven hairline; the hair
    covers the head above the hairline and its sides down to the ears, and long hair falls
    beside the face."""
    g = spec.layout
    du, v = (X - g.cx) / g.a, (Y - g.cy) / g.b
    head = (du / 1.14) ** 2 + ((v + 0.25) / 1.02) ** 2 < 1
    wave = np.interp(X[0], np.linspace(0, 1, 12), rng.normal(0, 0.01, 12))[None, :]
    line = g.hairline + wave + 0.5 * g.b * np.clip(np.abs(du) - 0.5, 0, None) ** 1.3
    if spec.hair_style == "receding":
        line = line - 0.1 * g.b + 0.3 * g.b * np.clip(np.abs(du) - 0.1, 0, 0.5)
    if spec.hair_style == "bangs":
        line = line + rng.uniform(0.12, 0.25) * g.b * np.exp(-(du / 0.55) ** 2)
    face = r2 < 1
    ears = g.eye_y + 0.05 * g.b
    cap = head & (Y < line) | head & ~face & (Y < ears)
    if spec.hair_style == "bald":
        cap = head & ~face & (Y < ears) & (Y > g.cy - 0.75 * g.b)
    if spec.hair_style == "long":
        fall = 1.25 + 0.08 * np.sin(du * 9 + rng.uniform(0, 6))
        cap |= ~face & ((du / 1.4) ** 2 + (np.minimum(v - 0.2, 0) / 0.9) ** 2 < 1) & (v < fall)
    return cap


def _background(rng: np.random.Generator, s: int) -> np.ndarray:
    """Cluttered background colours (linear RGB)."""
    base = rng.uniform(0.05, 0.8, 3)
    ramp = np.linspace(-0.5, 0.5, s, dtype=np.float32)
    tilt = rng.uniform(-0.3, 0.3, 3)
    img = base + tilt * (ramp[:, None, None] if rng.random() < 0.5 else ramp[None, :, None])
    img = np.ascontiguousarray(np.broadcast_to(img, (s, s, 3)), dtype=np.float32)
    for _ in range(rng.integers(4, 12)):
        colour = tuple(float(c) for c in rng.uniform(0, 0.9, 3))
        kind, p, q = rng.integers(3), rng.uniform(0, 1, 2), rng.uniform(0, 1, 2)
        if kind == 0:
            cv2.rectangle(img, _pt(*p, s), _pt(*q, s), colour, -1)
        elif kind == 1:
            cv2.line(img, _pt(*p, s), _pt(*q, s), colour, max(1, int(s * rng.uniform(0.002, 0.02))))
        else:
            cv2.circle(img, _pt(*p, s), int(s * rng.uniform(0.02, 0.12)), colour, -1)
    return cv2.GaussianBlur(img, (0, 0), s * rng.uniform(0.001, 0.006))


def layout_labels(rng: np.random.Generator, spec: Spec, s: int, r2: np.ndarray, X, Y) -> tuple[np.ndarray, dict]:
    """The frontal label map (BiSeNet classes) and the masks the painter needs."""
    g = spec.layout
    lab = np.full((s, s), BACKGROUND, np.uint8)
    shoulders = g.cy + rng.uniform(1.05, 1.25) * g.b
    neck_w = 0.68 * g.a * (1 + 0.15 * spec.weight)
    slope = 0.12 * g.b * np.clip((np.abs(X - g.cx) - neck_w) / g.a, 0, None)
    lab[(Y > shoulders - 0.1 * g.b + slope) & (np.abs(X - g.cx) < 2.4 * g.a)] = CLOTH
    lab[(np.abs(X - g.cx) < neck_w) & (Y > g.cy + 0.4 * g.b) & (Y < shoulders + 0.08 * g.b)] = NECK
    cap = _hair_cap(spec, r2, X, Y, rng)
    behind = spec.hair_style == "long"
    if behind:
        lab[cap & (lab == BACKGROUND)] = HAIR
    for side, label in ((-1, L_EAR), (1, R_EAR)):
        cv2.ellipse(lab, _pt(g.cx + side * 1.0 * g.a, g.eye_y + 0.15 * g.b, s), _ax(0.09 * g.a, 0.2 * g.b, s),
                    0, 0, 360, int(label), -1)
    lab[r2 < 1] = SKIN
    lab[cap & ((r2 >= 1) | (lab == SKIN) | (lab == BACKGROUND) | (lab == L_EAR) | (lab == R_EAR))
        & (Y < g.eye_y + 0.1 * g.b)] = HAIR
    if behind:
        lab[cap & (lab != SKIN)] = HAIR
    _nose(lab, g)
    _brows_eyes(lab, spec, s)
    _mouth(lab, g, s, spec.smile)
    masks = {"cap": cap, "shoulders": shoulders}
    if spec.beard == "full":
        beard = (r2 < 1.02) & (Y > g.nose_tip + 0.08 * g.b) & ~np.isin(lab, (U_LIP, L_LIP, MOUTH))
        beard &= ((np.abs(X - g.cx) > 0.6 * g.mouth_w) | (Y > g.mouth_y + 0.06 * g.b) | (Y < g.mouth_y - 0.05 * g.b))
        lab[beard] = HAIR
        masks["beard"] = beard
    if spec.glasses:
        masks["glasses"] = _glasses(lab, g, s, rng)
    if spec.earrings:
        for side in (-1, 1):
            cv2.circle(lab, _pt(g.cx + side * 1.02 * g.a, g.eye_y + 0.36 * g.b, s), max(1, int(0.018 * g.a * s)),
                       int(EARRING), -1)
    return lab, masks


def _nose(lab: np.ndarray, g) -> None:
    top, tip, w = g.nose_top, g.nose_tip, g.nose_w
    pts = np.array([(g.cx - 0.3 * w, top), (g.cx + 0.3 * w, top), (g.cx + 0.55 * w, tip - 0.08 * g.b),
                    (g.cx + 1.05 * w, tip + 0.01 * g.b), (g.cx + 0.5 * w, tip + 0.05 * g.b),
                    (g.cx - 0.5 * w, tip + 0.05 * g.b), (g.cx - 1.05 * w, tip + 0.01 * g.b),
                    (g.cx - 0.55 * w, tip - 0.08 * g.b)])
    _poly(lab, pts, NOSE)


def _brows_eyes(lab: np.ndarray, spec: Spec, s: int) -> None:
    g = spec.layout
    for side, blabel, elabel in ((-1, L_BROW, L_EYE), (1, R_BROW, R_EYE)):
        ex = g.cx + side * g.eye_dx
        inner = 0.03 * g.b * spec.frown
        pts = curve((ex - side * 0.22 * g.a, g.brow_y + 0.02 * g.b + inner), (ex, g.brow_y - 0.05 * g.b),
                    (ex + side * 0.24 * g.a, g.brow_y + 0.03 * g.b), 16)
        cv2.polylines(lab, [np.round(pts * s).astype(np.int32)], False, int(blabel),
                      max(1, int(round((0.04 + 0.02 * spec.male) * g.a * s))))
        h = 0.012 * g.a if spec.eyes_closed else g.eye_h
        cv2.ellipse(lab, _pt(ex, g.eye_y, s), _ax(g.eye_w, h, s), 0, 0, 360, int(elabel), -1)


def _mouth(lab: np.ndarray, g, s: int, smile: float) -> None:
    lift = 0.04 * g.b * smile
    upper = np.array([(g.cx - g.mouth_w, g.mouth_y - lift), (g.cx - 0.4 * g.mouth_w, g.mouth_y - 0.055 * g.b),
                      (g.cx, g.mouth_y - 0.04 * g.b), (g.cx + 0.4 * g.mouth_w, g.mouth_y - 0.055 * g.b),
                      (g.cx + g.mouth_w, g.mouth_y - lift), (g.cx, g.mouth_y + 0.005 * g.b)])
    lower = np.array([(g.cx - g.mouth_w, g.mouth_y - lift), (g.cx, g.mouth_y + 0.003 * g.b),
                      (g.cx + g.mouth_w, g.mouth_y - lift), (g.cx + 0.5 * g.mouth_w, g.mouth_y + 0.06 * g.b),
                      (g.cx - 0.5 * g.mouth_w, g.mouth_y + 0.06 * g.b)])
    _poly(lab, upper, U_LIP)
    _poly(lab, lower, L_LIP)
    opening = (0.012 + 0.02 * smile) * g.b
    cv2.ellipse(lab, _pt(g.cx, g.mouth_y, s), _ax(0.85 * g.mouth_w, opening, s), 0, 0, 360, int(MOUTH), -1)


def _glasses(lab: np.ndarray, g, s: int, rng: np.random.Generator) -> np.ndarray:
    """Frames around the eyes, the bridge and the temples; returns the frame mask."""
    frame = np.zeros_like(lab)
    thick = max(1, int(round(rng.uniform(0.006, 0.02) * s)))
    hw, hh = rng.uniform(0.2, 0.26) * g.a, rng.uniform(0.1, 0.15) * g.b
    for side in (-1, 1):
        c = _pt(g.cx + side * g.eye_dx, g.eye_y + 0.01 * g.b, s)
        cv2.ellipse(frame, c, _ax(hw, hh, s), 0, 0, 360, 1, thick)
        cv2.line(frame, _pt(g.cx + side * (g.eye_dx + hw), g.eye_y - 0.02 * g.b, s),
                 _pt(g.cx + side * 1.0 * g.a, g.eye_y + 0.05 * g.b, s), 1, thick)
    cv2.line(frame, _pt(g.cx - g.eye_dx + hw, g.eye_y, s), _pt(g.cx + g.eye_dx - hw, g.eye_y, s), 1, thick)
    lab[frame > 0] = GLASSES
    return frame > 0
