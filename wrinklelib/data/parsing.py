"""Face parsing from three explicit sources: precomputed label maps, BiSeNet weights, or
an offline landmark model (dlib's 68 points, shipped inside a pip package)."""

from __future__ import annotations

import importlib.util
from functools import lru_cache
from pathlib import Path

import cv2
import numpy as np

from ..labels.faceclasses import HAIR, L_BROW, L_EYE, L_LIP, MOUTH, NOSE, R_BROW, R_EYE, SKIN, U_LIP


class NoFaceFound(RuntimeError):
    """The landmark detector found no face in the image."""


def landmark_model_path() -> Path:
    """The 68-point shape predictor file of the face_recognition_models package.

    The package is located without importing it: its __init__ imports pkg_resources,
    which recent setuptools no longer ship.
    """
    spec = importlib.util.find_spec("face_recognition_models")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("package face_recognition_models is not installed "
                                "(pip install face_recognition_models)")
    path = Path(list(spec.submodule_search_locations)[0]) / "models" / "shape_predictor_68_face_landmarks.dat"
    if not path.exists():
        raise FileNotFoundError(f"{path}: landmark model file missing from face_recognition_models")
    return path


def landmarks_unavailable() -> str | None:
    """Why faces cannot be parsed from landmarks on this machine (dlib or its model file
    missing), or None when they can."""
    if importlib.util.find_spec("dlib") is None:
        return "dlib is not installed (pip install dlib-bin)"
    try:
        landmark_model_path()
    except FileNotFoundError as err:
        return str(err)
    return None


@lru_cache(maxsize=1)
def _dlib_models():
    import dlib

    return dlib.get_frontal_face_detector(), dlib.shape_predictor(str(landmark_model_path()))


#: Faces are searched on a copy whose long side is at most this many pixels: detection
#: time and memory then stay bounded for photos of any size.
DETECT_SIDE = 1024
#: Detector score below which a second box is taken for texture, not a face.
MIN_SCORE = 0.4


def all_face_landmarks(image: np.ndarray) -> list[np.ndarray]:
    """68 x 2 landmark coordinates (x, y) of every face in an RGB uint8 image, the most
    certain first."""
    import dlib

    detector, predictor = _dlib_models()
    scale = min(1.0, DETECT_SIDE / max(image.shape[:2]))
    small = image if scale == 1.0 else cv2.resize(image, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    # Small images are upsampled once so faces of ~40 px are still found.
    boxes, scores, _ = detector.run(small, 1 if max(small.shape[:2]) < 1500 else 0, 0.0)
    ranked = sorted(zip(scores, boxes), key=lambda sb: -sb[0])
    # The detector adds weak boxes on texture (0.12 on the astronaut's suit, against 1.16
    # for her face): below MIN_SCORE a box counts only when nothing better was found.
    kept = [b for k, (sc, b) in enumerate(ranked) if sc >= MIN_SCORE or k == 0]
    faces = []
    for box in kept:
        shape = predictor(small, dlib.rectangle(box.left(), box.top(), box.right(), box.bottom()))
        faces.append(np.array([(p.x, p.y) for p in shape.parts()], np.float32) / scale)
    return faces


def face_landmarks(image: np.ndarray) -> np.ndarray:
    """68 x 2 landmark coordinates (x, y) of the largest face in an RGB uint8 image."""
    faces = all_face_landmarks(image)
    if not faces:
        raise NoFaceFound("no face found by the landmark detector")
    return faces[0]


def _poly(labels: np.ndarray, pts: np.ndarray, value: int) -> None:
    cv2.fillPoly(labels, [np.round(pts).astype(np.int32)], int(value))


def landmarks_parsing(image: np.ndarray, hair_delta_e: float = 18.0, pts: np.ndarray | None = None) -> np.ndarray:
    """A BiSeNet-style label map from 68 landmarks (found in the image unless given): skin
    (jaw outline plus a forehead extended above the brows, minus pixels whose colour is far
    from the cheeks), brows, eyes, nose and lips; everything else is background."""
    pts = face_landmarks(image) if pts is None else pts
    h, w = image.shape[:2]
    labels = np.zeros((h, w), np.uint8)
    jaw, brows = pts[0:17], pts[17:27]
    brow_y = brows[:, 1].min()
    face_h = pts[8, 1] - brow_y
    # Forehead: an arc from the jaw's ends over the brows, reaching 0.6 face heights up.
    cx = (jaw[0, 0] + jaw[16, 0]) / 2
    half = (jaw[16, 0] - jaw[0, 0]) / 2
    t = np.linspace(np.pi, 2 * np.pi, 24)
    arc = np.stack([cx + half * np.cos(t), brow_y - 0.6 * face_h * np.abs(np.sin(t)) * 0.9], 1)
    arc[0, 1] = jaw[0, 1]
    arc[-1, 1] = jaw[16, 1]
    _poly(labels, np.concatenate([jaw, arc[::-1][1:-1]]), SKIN)
    # Hair over the forehead: skin-coloured pixels only, judged against the cheeks in Lab.
    lab = cv2.cvtColor(image, cv2.COLOR_RGB2LAB).astype(np.float32)
    cheeks = np.zeros((h, w), np.uint8)
    for a, b in ((1, 31), (15, 35)):
        cv2.circle(cheeks, tuple(np.round((pts[a] + pts[b]) / 2).astype(int)), max(2, int(0.06 * face_h)), 1, -1)
    ref = np.median(lab[cheeks > 0], axis=0)
    far = np.linalg.norm((lab - ref) * np.array([0.5, 1, 1], np.float32), axis=2) > hair_delta_e
    above = np.zeros((h, w), bool)
    above[: int(brow_y)] = True
    labels[(labels == SKIN) & far & above] = HAIR
    # Specks of hair-coloured skin left inside the hair: keep the largest skin region only.
    n, comp, stats, _ = cv2.connectedComponentsWithStats((labels == SKIN).astype(np.uint8), connectivity=4)
    if n > 2:
        keep = 1 + int(np.argmax(stats[1:, cv2.CC_STAT_AREA]))
        labels[(labels == SKIN) & (comp != keep)] = HAIR
    thick = max(2, int(0.03 * face_h))
    for sl, lab_id in ((slice(17, 22), L_BROW), (slice(22, 27), R_BROW)):
        cv2.polylines(labels, [np.round(pts[sl]).astype(np.int32)], False, lab_id, thick)
    _poly(labels, pts[36:42], L_EYE)
    _poly(labels, pts[42:48], R_EYE)
    bridge = [pts[27:28] + [[-0.04 * face_h, 0]], pts[31:36], pts[27:28] + [[0.04 * face_h, 0]]]
    _poly(labels, np.concatenate(bridge), NOSE)
    _poly(labels, pts[48:60], U_LIP)
    _poly(labels, pts[[48, 54, 55, 56, 57, 58, 59]], L_LIP)
    _poly(labels, pts[60:68], MOUTH)
    return labels


def parser_for(source: str, bisenet_path: Path | None = None, device: str = "cpu"):
    """A function image -> label map for source 'landmarks' or 'bisenet'."""
    if source == "landmarks":
        return landmarks_parsing
    if source == "bisenet":
        from ..model.bisenet import bisenet_parse, load_bisenet

        model = load_bisenet(bisenet_path, device)
        return lambda image: bisenet_parse(model, image, device)
    raise ValueError(f"unknown face-parsing source {source!r}; use 'landmarks' or 'bisenet'")
