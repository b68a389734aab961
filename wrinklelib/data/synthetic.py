"""Synthetic faces with known true wrinkles, exact face parsing and three simulated annotators.

Face `index` with seed `seed` is drawn from its own random generator, so any face can be
made alone and is the same everywhere. Geometry scales with the image size; fine detail
(wrinkle width, pores, annotator offsets) scales with `texture.detail_scale(size)`, the
same factor that scales the texture filter's sigma, so their ratio stays that of a
1024x1024 photograph at every resolution.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from . import layout as data
from .faceclasses import (CLOTH, HAIR, L_BROW, L_EAR, L_EYE, L_LIP, MOUTH, NECK, NOSE, R_BROW, R_EAR, R_EYE,
                          SKIN, U_LIP)
from ..files import show_progress, write_json
from ..labels.fusion import majority_vote
from ..labels.texture import detail_scale

#: Region ids of the wrinkle areas the paper's annotators focused on.
REGIONS = {1: "forehead", 2: "crows_feet", 3: "nasolabial", 4: "other"}
ANNOTATORS = ("annotator_a", "annotator_b", "annotator_c")


@dataclass
class Wrinkle:
    """One true wrinkle: a polyline (pixels), its drawn width (pixels), contrast and region."""

    points: np.ndarray
    width: int
    contrast: float
    region: int


@dataclass
class Face:
    """A synthetic face and everything known about it."""

    image: np.ndarray          # H x W x 3 uint8 RGB
    truth: np.ndarray          # H x W uint8 {0,1} true wrinkle pixels
    parsing: np.ndarray        # H x W uint8 BiSeNet classes
    regions: np.ndarray        # H x W uint8 region ids (REGIONS), 0 outside wrinkle areas
    annotations: dict[str, np.ndarray] = field(default_factory=dict)  # name -> {0,1}
    age: float = 0.0
    wrinkles: list[Wrinkle] = field(default_factory=list)


def face_rng(index: int, seed: int) -> np.random.Generator:
    """The random generator of one face, independent of every other face."""
    return np.random.default_rng([int(seed), int(index), 0x5EED])


def _pt(x: float, y: float) -> tuple[int, int]:
    return int(round(x)), int(round(y))


def _curve(p0, p1, p2, n: int = 16) -> np.ndarray:
    """Points of a quadratic Bezier curve from p0 to p2 bent towards p1."""
    t = np.linspace(0, 1, n)[:, None]
    p0, p1, p2 = (np.asarray(p, float) for p in (p0, p1, p2))
    return (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2


def _background(rng, s: int) -> np.ndarray:
    """A cluttered background: colour gradient, rectangles, lines and discs."""
    base = rng.uniform(30, 220, 3)
    tilt = rng.uniform(-60, 60, 3)
    ramp = np.linspace(-0.5, 0.5, s, dtype=np.float32)
    img = base + tilt * (ramp[:, None, None] if rng.random() < 0.5 else ramp[None, :, None])
    img = np.ascontiguousarray(np.broadcast_to(img, (s, s, 3)), dtype=np.float32)
    for _ in range(rng.integers(3, 9)):
        color = tuple(float(c) for c in rng.uniform(0, 255, 3))
        kind = rng.integers(3)
        a, b = rng.uniform(0, s, 2), rng.uniform(0, s, 2)
        if kind == 0:
            cv2.rectangle(img, _pt(*a), _pt(*b), color, -1)
        elif kind == 1:
            cv2.line(img, _pt(*a), _pt(*b), color, max(1, int(s * rng.uniform(0.003, 0.02))))
        else:
            cv2.circle(img, _pt(*a), int(s * rng.uniform(0.02, 0.12)), color, -1)
    return img


def _draw_face_layout(rng, s: int, img: np.ndarray, parsing: np.ndarray, skin: np.ndarray,
                      age: float) -> dict:
    """Draw neck, cloth, ears, hair, face, brows, eyes, nose and lips; return the geometry."""
    cx, cy = s * rng.uniform(0.44, 0.56), s * rng.uniform(0.44, 0.52)
    a = s * rng.uniform(0.22, 0.28)
    b = a * rng.uniform(1.25, 1.4)
    g = dict(cx=cx, cy=cy, a=a, b=b)
    gray_hair = min(1.0, max(0.0, (age - 0.4) * 1.5)) * rng.random()
    hair = rng.choice([[40, 30, 25], [90, 60, 35], [200, 170, 110], [20, 20, 20], [120, 50, 30]])
    hair = (1 - gray_hair) * np.asarray(hair, float) + gray_hair * 200.0
    shirt = rng.uniform(0, 255, 3)

    def fill(mask_draw, label, color):
        m = np.zeros((s, s), np.uint8)
        mask_draw(m)
        img[m > 0] = color
        parsing[m > 0] = label

    fill(lambda m: cv2.rectangle(m, _pt(cx - 2.2 * a, cy + 1.55 * b), _pt(cx + 2.2 * a, s), 1, -1),
         CLOTH, shirt)
    fill(lambda m: cv2.rectangle(m, _pt(cx - 0.55 * a, cy + 0.6 * b), _pt(cx + 0.55 * a, cy + 1.6 * b), 1, -1),
         NECK, skin * 0.85)
    # Hair behind the head, wider and higher than the face.
    fill(lambda m: cv2.ellipse(m, _pt(cx, cy - 0.25 * b), _pt(1.18 * a, 1.05 * b), 0, 0, 360, 1, -1),
         HAIR, hair)
    for side, label in ((-1, L_EAR), (1, R_EAR)):
        fill(lambda m: cv2.ellipse(m, _pt(cx + side * 0.97 * a, cy + 0.02 * b), _pt(0.15 * a, 0.26 * b),
                                   0, 0, 360, 1, -1), label, skin * 0.92)
    fill(lambda m: cv2.ellipse(m, _pt(cx, cy), _pt(a, b), 0, 0, 360, 1, -1), SKIN, skin)
    # Hairline: hair covers the top of the face ellipse, with a random fringe height.
    hairline = cy - b * rng.uniform(0.62, 0.78)
    g["hairline"] = hairline
    fill(lambda m: cv2.ellipse(m, _pt(cx, hairline - 0.35 * b), _pt(1.05 * a, 0.45 * b), 0, 0, 360, 1, -1),
         HAIR, hair)
    eye_y = cy - 0.12 * b
    g.update(eye_y=eye_y, eye_dx=0.4 * a, eye_w=0.17 * a, eye_h=0.07 * a, brow_y=eye_y - 0.17 * b)
    brow = hair * 0.6
    for side, blabel, elabel in ((-1, L_BROW, L_EYE), (1, R_BROW, R_EYE)):
        ex = cx + side * g["eye_dx"]
        pts = _curve((ex - side * 0.2 * a, g["brow_y"] + 0.02 * b), (ex, g["brow_y"] - 0.05 * b),
                     (ex + side * 0.22 * a, g["brow_y"] + 0.03 * b)).astype(np.int32)
        fill(lambda m: cv2.polylines(m, [pts], False, 1, max(1, int(0.045 * a))), blabel, brow)
        fill(lambda m: cv2.ellipse(m, _pt(ex, eye_y), _pt(g["eye_w"], g["eye_h"]), 0, 0, 360, 1, -1),
             elabel, (235, 235, 230))
        iris = np.zeros((s, s), np.uint8)
        cv2.circle(iris, _pt(ex, eye_y), max(1, int(0.06 * a)), 1, -1)
        img[(iris > 0) & (parsing == elabel)] = rng.uniform(20, 110, 3)
    nose_top, nose_tip = eye_y + 0.05 * b, cy + 0.28 * b
    g.update(nose_tip=nose_tip, nose_w=0.16 * a)
    poly = np.array([_pt(cx - 0.06 * a, nose_top), _pt(cx + 0.06 * a, nose_top),
                     _pt(cx + 0.16 * a, nose_tip), _pt(cx - 0.16 * a, nose_tip)], np.int32)
    fill(lambda m: cv2.fillPoly(m, [poly], 1), NOSE, skin * 0.97)
    mouth_y = cy + 0.52 * b
    g.update(mouth_y=mouth_y, mouth_w=0.3 * a)
    lip = np.asarray(skin) * np.array([0.8, 0.55, 0.55])
    fill(lambda m: cv2.ellipse(m, _pt(cx, mouth_y), _pt(0.3 * a, 0.06 * b), 0, 180, 360, 1, -1), U_LIP, lip)
    fill(lambda m: cv2.ellipse(m, _pt(cx, mouth_y), _pt(0.27 * a, 0.08 * b), 0, 0, 180, 1, -1), L_LIP, lip)
    fill(lambda m: cv2.line(m, _pt(cx - 0.28 * a, mouth_y), _pt(cx + 0.28 * a, mouth_y), 1,
                            max(1, int(0.015 * a))), MOUTH, (60, 20, 25))
    return g


def _wrinkle_paths(rng, g: dict, age: float, d: float) -> list[Wrinkle]:
    """Polylines of true wrinkles in the forehead, crow's feet, nasolabial and other areas."""
    cx, a, b = g["cx"], g["a"], g["b"]
    out = []

    def add(points, region, strength=1.0):
        width = max(1, int(round(rng.uniform(2.5, 7.0) * d)))
        contrast = float(np.clip(rng.uniform(0.05, 0.28) * (0.6 + 0.8 * age) * strength, 0.03, 0.4))
        out.append(Wrinkle(np.asarray(points, np.float32), width, contrast, region))

    top, bottom = g["hairline"] + 0.06 * b, g["brow_y"] - 0.08 * b
    for _ in range(rng.poisson(1 + 6 * age)):            # forehead lines
        y = rng.uniform(top, bottom)
        half = a * rng.uniform(0.15, 0.55)
        x0 = cx + rng.uniform(-0.25, 0.25) * a
        bend = rng.uniform(-0.04, 0.04) * b
        add(_curve((x0 - half, y), (x0, y + bend), (x0 + half, y + rng.uniform(-0.02, 0.02) * b)), 1)
    for side in (-1, 1):                                  # crow's feet
        corner_x = cx + side * (g["eye_dx"] + g["eye_w"] + 0.03 * a)
        for _ in range(rng.poisson(0.5 + 3.5 * age)):
            ang = rng.uniform(-0.7, 0.7)
            length = a * rng.uniform(0.08, 0.2)
            end = (corner_x + side * length * np.cos(ang), g["eye_y"] + length * np.sin(ang))
            mid = ((corner_x + end[0]) / 2, (g["eye_y"] + end[1]) / 2 + rng.uniform(-0.02, 0.02) * a)
            add(_curve((corner_x, g["eye_y"] + rng.uniform(-0.03, 0.03) * a), mid, end), 2)
        if rng.random() < 0.25 + 0.7 * age:               # nasolabial folds
            start = (cx + side * (g["nose_w"] + 0.06 * a), g["nose_tip"] - 0.02 * b)
            end = (cx + side * (g["mouth_w"] + 0.1 * a), g["mouth_y"] + rng.uniform(0.0, 0.12) * b)
            mid = (cx + side * (g["mouth_w"] + 0.16 * a), (start[1] + end[1]) / 2)
            add(_curve(start, mid, end), 3, strength=1.3)
        for _ in range(rng.poisson(0.3 + 1.5 * age)):     # under-eye and cheek lines
            x = cx + side * g["eye_dx"] + rng.uniform(-0.12, 0.12) * a
            y = g["eye_y"] + rng.uniform(0.12, 0.22) * b
            half = a * rng.uniform(0.05, 0.12)
            add(_curve((x - half, y), (x, y + 0.03 * b), (x + half, y - 0.01 * b)), 4, strength=0.8)
    for _ in range(rng.poisson(0.2 + 1.2 * age)):         # glabella lines between the brows
        x = cx + rng.uniform(-0.08, 0.08) * a
        y0 = g["brow_y"] - rng.uniform(0.0, 0.06) * b
        add(_curve((x, y0), (x + rng.uniform(-0.02, 0.02) * a, y0 + 0.06 * b), (x, y0 + 0.12 * b)), 4)
    return out


def _stroke_mask(s: int, points: np.ndarray, width: int) -> np.ndarray:
    """A {0,1} mask of a polyline drawn with the given width."""
    m = np.zeros((s, s), np.uint8)
    cv2.polylines(m, [np.round(points).astype(np.int32)], False, 1, max(1, int(width)), cv2.LINE_8)
    return m


def _annotate(rng, s: int, wrinkles: list[Wrinkle], style: str, d: float, skin_mask) -> np.ndarray:
    """One simulated annotator's mask; the error model of each style is in ANNOTATOR_MODELS."""
    m = ANNOTATOR_MODELS[style]
    out = np.zeros((s, s), np.uint8)
    for w in wrinkles:
        # Faint wrinkles are missed more often: a logistic curve in the contrast.
        p_miss = m["miss_base"] + (1 - m["miss_base"]) / (1 + np.exp((w.contrast - m["miss_c50"]) / 0.02))
        if rng.random() < p_miss:
            continue
        pts = w.points.copy()
        n = len(pts)
        cut = rng.uniform(0, m["cut_ends"], 2)            # stops early at either end
        pts = pts[int(cut[0] * n): max(int(cut[0] * n) + 2, n - int(cut[1] * n))]
        pts = pts + rng.normal(0, m["shift_px"] * d * 4, 2)   # whole-stroke offset
        width = max(1, w.width + int(round(m["width_delta"] * max(1.0, 4 * d))))
        out |= _stroke_mask(s, pts, width)
    for _ in range(rng.poisson(m["spurious"])):           # strokes where no wrinkle is
        ys, xs = np.nonzero(skin_mask)
        if len(xs) == 0:
            break
        k = rng.integers(len(xs))
        ang, length = rng.uniform(0, np.pi), s * rng.uniform(0.02, 0.06)
        p0 = np.array([xs[k], ys[k]], float)
        p1 = p0 + length * np.array([np.cos(ang), np.sin(ang)])
        out |= _stroke_mask(s, np.stack([p0, p1]), max(1, int(round(3 * d))))
    return out & skin_mask


#: Error models of the simulated annotators (documented in notebook 01 and the book).
ANNOTATOR_MODELS = {
    "annotator_a": dict(miss_base=0.05, miss_c50=0.08, cut_ends=0.25, shift_px=0.12,
                        width_delta=-1, spurious=0.3,
                        summary="conservative: misses faint wrinkles, draws thin, stops early"),
    "annotator_b": dict(miss_base=0.03, miss_c50=0.05, cut_ends=0.1, shift_px=0.15,
                        width_delta=+1, spurious=1.5,
                        summary="generous: draws thick, misses little, adds spurious strokes"),
    "annotator_c": dict(miss_base=0.08, miss_c50=0.06, cut_ends=0.15, shift_px=0.35,
                        width_delta=0, spurious=1.0,
                        summary="imprecise: shifts strokes off the wrinkle, misses some"),
}


def make_face(index: int, size: int = 256, seed: int = 0) -> Face:
    """Draw synthetic face `index` of data set `seed` at size x size pixels."""
    if size < 32:
        raise ValueError(f"size must be at least 32 pixels, got {size}")
    rng = face_rng(index, seed)
    s, d = size, detail_scale(size)
    age = float(rng.beta(2.0, 2.0))
    skin = np.array([rng.uniform(150, 245), 0, 0])
    skin[1] = skin[0] * rng.uniform(0.68, 0.85)
    skin[2] = skin[1] * rng.uniform(0.75, 0.92)
    img = _background(rng, s)
    parsing = np.zeros((s, s), np.uint8)
    g = _draw_face_layout(rng, s, img, parsing, skin, age)
    skin_mask = np.isin(parsing, (SKIN, NOSE)).astype(np.uint8)
    body = np.isin(parsing, (SKIN, NOSE, NECK, L_EAR, R_EAR))

    # Pores and fine skin texture: smoothed noise at pore scale plus slower mottling.
    pores = cv2.GaussianBlur(rng.standard_normal((s, s)).astype(np.float32), (0, 0), 0.7 * d + 0.3)
    pores /= pores.std() + 1e-6
    mottle = cv2.GaussianBlur(rng.standard_normal((s, s)).astype(np.float32), (0, 0), 6 * d + 1)
    mottle /= mottle.std() + 1e-6
    texture = 1 + rng.uniform(0.02, 0.05) * pores + 0.02 * mottle

    wrinkles = _wrinkle_paths(rng, g, age, d)
    truth = np.zeros((s, s), np.uint8)
    depth = np.zeros((s, s), np.float32)
    for w in wrinkles:
        stroke = _stroke_mask(s, w.points, w.width)
        truth |= stroke
        soft = cv2.GaussianBlur(stroke.astype(np.float32), (0, 0), 0.35 * w.width + 0.3)
        depth = np.maximum(depth, w.contrast * soft / max(soft.max(), 1e-6))
    truth &= skin_mask
    shade = np.ones((s, s), np.float32)
    yy, xx = np.mgrid[0:s, 0:s].astype(np.float32)
    r2 = ((xx - g["cx"]) / g["a"]) ** 2 + ((yy - g["cy"]) / g["b"]) ** 2
    light = rng.uniform(-0.25, 0.25, 2)
    shade += light[0] * (xx - g["cx"]) / g["a"] + light[1] * (yy - g["cy"]) / g["b"]
    shade -= 0.25 * np.clip(r2, 0, 1.5) ** 2
    factor = np.where(body, shade * texture * (1 - depth * skin_mask), 1.0)
    img = img * factor[..., None]
    img += rng.normal(0, rng.uniform(0.5, 2.0), img.shape)   # sensor noise everywhere
    image = np.clip(img, 0, 255).astype(np.uint8)

    regions = np.zeros((s, s), np.uint8)
    for w in wrinkles:
        regions[_stroke_mask(s, w.points, w.width + max(2, int(6 * d))) > 0] = w.region
    regions *= skin_mask
    # Each annotator has a stream of its own, so changing one error model leaves the face alone.
    annotations = {name: _annotate(np.random.default_rng([int(seed), int(index), 0xA770, i]), s,
                                   wrinkles, name, d, skin_mask)
                   for i, name in enumerate(ANNOTATORS)}
    return Face(image, truth, parsing, regions, annotations, age, wrinkles)


def _write_face(out: Path, i: int, size: int, seed: int) -> None:
    """Draw face i and write its files; the regions map last, marking it complete."""
    iid = data.image_id(i)
    if data.image_path(out, iid).exists() and (out / data.REGIONS / f"{iid}.png").exists():
        return
    face = make_face(i, size, seed)
    for name in ANNOTATORS:
        data.write_png(out / data.ANNOTATIONS / name / f"{iid}.png", face.annotations[name] * 255)
    voted = majority_vote([face.annotations[k] for k in ANNOTATORS], min_votes=2)
    data.write_png(data.manual_path(out, iid), voted * 255)
    data.write_png(out / data.TRUTH / f"{iid}.png", face.truth * 255)
    data.write_npy(data.parsing_path(out, iid), face.parsing)
    data.write_png(data.image_path(out, iid), face.image)
    # Written last: its presence marks the face complete for a resumed run.
    data.write_png(out / data.REGIONS / f"{iid}.png", face.regions)


def write_synthetic(out: Path, n: int, size: int, seed: int = 0, progress: bool | None = None,
                    workers: int | None = None) -> Path:
    """Write n synthetic faces in the FFHQ-Wrinkle layout; faces already written are kept.
    Faces are drawn in `workers` processes (default: one per CPU core, at most 16); each
    face has its own generator, so the files do not depend on the number of workers."""
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    out = Path(out)
    meta = {"kind": "synthetic", "n": int(n), "size": int(size), "seed": int(seed)}
    progress = show_progress() if progress is None else progress
    workers = workers or min(16, os.cpu_count() or 1)
    bar = dict(total=n, desc="synthetic faces", disable=not progress, mininterval=2)
    if workers == 1 or n < 2 * workers:
        for i in tqdm(range(n), **bar):
            _write_face(out, i, size, seed)
    else:
        # spawn, not fork: the caller may hold torch's or OpenCV's thread pools
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn"),
                                 initializer=cv2.setNumThreads, initargs=(1,)) as pool:
            jobs = pool.map(_write_face, [out] * n, range(n), [size] * n, [seed] * n, chunksize=8)
            for _ in tqdm(jobs, **bar):
                pass
    write_json(out / "synthetic.json", meta)
    return out
