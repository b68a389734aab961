"""FFHQ-style face alignment from dlib's 68 landmarks: the oriented square that produced
the FFHQ crops, the warp of a photo onto it (reflect padding) and the warp of a mask back."""

from __future__ import annotations

import cv2
import numpy as np


def ffhq_quad(pts: np.ndarray) -> np.ndarray:
    """The 4 x 2 corners (top-left, bottom-left, bottom-right, top-right) of FFHQ's crop:
    an eyes-level square centred a tenth of the eye-to-mouth distance below the eyes,
    of side 2 * max(2 |eye_to_eye|, 1.8 |eye_to_mouth|) / 2."""
    pts = np.asarray(pts, np.float64)
    eye_left, eye_right = pts[36:42].mean(0), pts[42:48].mean(0)
    eye_avg, eye_to_eye = (eye_left + eye_right) / 2, eye_right - eye_left
    eye_to_mouth = (pts[48] + pts[54]) / 2 - eye_avg
    x = eye_to_eye - np.flipud(eye_to_mouth) * [-1, 1]
    x /= np.hypot(*x)
    x *= max(np.hypot(*eye_to_eye) * 2.0, np.hypot(*eye_to_mouth) * 1.8)
    y = np.flipud(x) * [-1, 1]
    c = eye_avg + eye_to_mouth * 0.1
    return np.stack([c - x - y, c - x + y, c + x + y, c + x - y])


def quad_transform(quad: np.ndarray, size: int) -> np.ndarray:
    """2 x 3 affine matrix taking the quad onto a size x size square."""
    dst = np.float32([[0, 0], [0, size], [size, size]])
    return cv2.getAffineTransform(np.float32(quad[:3]), dst)


def align(image: np.ndarray, pts: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """The aligned size x size crop of one face and the 2 x 3 matrix photo -> crop. A photo
    much larger than the crop is first shrunk with area averaging (no aliasing); borders
    outside the photo are filled by reflection, as FFHQ's recipe pads."""
    quad = ffhq_quad(pts)
    side = np.hypot(*(quad[3] - quad[0]))
    shrink = max(1, int(np.floor(side / size / 2)))
    src = image
    if shrink > 1:
        src = cv2.resize(image, (image.shape[1] // shrink, image.shape[0] // shrink), interpolation=cv2.INTER_AREA)
        quad = quad / shrink
    m = quad_transform(quad, size)
    crop = cv2.warpAffine(src, m, (size, size), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REFLECT)
    scale = np.diag([1 / shrink, 1 / shrink, 1.0])
    full = np.vstack([m, [0, 0, 1]]) @ scale            # photo -> shrunk photo -> crop
    return crop, full[:2]


def warp_back(mask: np.ndarray, matrix: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A crop's label mask on the photo (nearest neighbour); 0 outside the crop."""
    return cv2.warpAffine(mask, matrix, (shape[1], shape[0]), flags=cv2.INTER_NEAREST | cv2.WARP_INVERSE_MAP,
                          borderMode=cv2.BORDER_CONSTANT, borderValue=0)


def to_crop(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Photo coordinates (N x 2) in crop coordinates."""
    return np.asarray(points, np.float64) @ matrix[:, :2].T + matrix[:, 2]


def to_photo(points: np.ndarray, matrix: np.ndarray) -> np.ndarray:
    """Crop coordinates (N x 2) in photo coordinates."""
    inv = cv2.invertAffineTransform(np.asarray(matrix, np.float64))
    return np.asarray(points, np.float64) @ inv[:, :2].T + inv[:, 2]
