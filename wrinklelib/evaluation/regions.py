"""Per-face wrinkle measurements in the areas dermatologists grade, placed from the 68
landmarks of an aligned face: the share of skin that is wrinkle, the number of wrinkles
and their total length from the mask's skeleton. Left and right are as seen in the image."""

from __future__ import annotations

import cv2
import numpy as np
from skimage.measure import label
from skimage.morphology import skeletonize

from ..labels.texture import face_mask

REGIONS = ("forehead", "glabella", "crows_feet_left", "crows_feet_right", "under_eye_left", "under_eye_right",
           "nasolabial_left", "nasolabial_right", "cheeks")


def region_polygons(pts: np.ndarray) -> dict[str, list[np.ndarray]]:
    """Polygons (lists of N x 2 arrays, image coordinates) of each region from 68 landmarks."""
    p = np.asarray(pts, np.float64)
    d = np.hypot(*(p[42:48].mean(0) - p[36:42].mean(0)))          # eye distance, the unit
    brow_top = p[17:27, 1].min()
    up, down = np.array([0, -1.0]), np.array([0, 1.0])
    forehead = np.vstack([p[17:27] + 0.3 * d * up, p[26:16:-1] * [1, 0] + [0, brow_top - 0.9 * d]])
    glabella = np.array([p[21] + 0.3 * d * up, p[22] + 0.3 * d * up, [p[22, 0], p[28, 1]], [p[21, 0], p[28, 1]]])

    def crows(corner: np.ndarray, side: float) -> np.ndarray:
        x0, x1 = corner[0] + side * 0.08 * d, corner[0] + side * 0.45 * d
        return np.array([[x0, corner[1] - 0.3 * d], [x1, corner[1] - 0.3 * d], [x1, corner[1] + 0.3 * d],
                         [x0, corner[1] + 0.3 * d]])

    def under_eye(lid: np.ndarray) -> np.ndarray:
        return np.vstack([lid + 0.06 * d * down, lid[::-1] + 0.35 * d * down])

    def nasolabial(wing: np.ndarray, corner: np.ndarray, side: float) -> np.ndarray:
        return np.array([wing + [side * 0.05 * d, 0], corner + [side * 0.05 * d, 0.1 * d],
                         corner + [side * 0.3 * d, 0.1 * d], wing + [side * 0.35 * d, 0]])

    def cheek(jaw: np.ndarray, lid, wing, corner, side: float) -> np.ndarray:
        return np.vstack([jaw[:1], [lid + 0.4 * d * down], [wing + [side * 0.35 * d, 0]],
                          [corner + [side * 0.3 * d, 0.1 * d]], jaw[:0:-1]])

    return {"forehead": [forehead], "glabella": [glabella],
            "crows_feet_left": [crows(p[36], -1)], "crows_feet_right": [crows(p[45], 1)],
            "under_eye_left": [under_eye(p[[36, 41, 40, 39]])], "under_eye_right": [under_eye(p[[42, 47, 46, 45]])],
            "nasolabial_left": [nasolabial(p[31], p[48], -1)], "nasolabial_right": [nasolabial(p[35], p[54], 1)],
            "cheeks": [cheek(p[1:5], p[40], p[31], p[48], -1), cheek(p[15:11:-1], p[47], p[35], p[54], 1)]}


def region_masks(pts: np.ndarray, shape: tuple[int, int]) -> dict[str, np.ndarray]:
    """Boolean mask of each region on an image of this shape."""
    out = {}
    for name, polys in region_polygons(pts).items():
        m = np.zeros(shape, np.uint8)
        cv2.fillPoly(m, [np.round(q).astype(np.int32) for q in polys], 1)
        out[name] = m.astype(bool)
    return out


def measure(mask: np.ndarray, parsing: np.ndarray, pts: np.ndarray) -> dict[str, float]:
    """Per region: `<region>_share` of skin pixels marked wrinkle, `<region>_count` of
    wrinkles (connected pieces of the skeleton) and `<region>_length_px`, their total
    skeleton length in pixels of the aligned face."""
    skin = face_mask(parsing)
    wrinkle = mask.astype(bool) & skin
    skeleton = skeletonize(wrinkle)
    row = {}
    for name, region in region_masks(pts, mask.shape).items():
        area = region & skin
        n_skin = int(area.sum())
        row[f"{name}_share"] = float((wrinkle & area).sum() / n_skin) if n_skin else float("nan")
        bones = skeleton & area
        row[f"{name}_count"] = int(label(bones, connectivity=2).max())
        row[f"{name}_length_px"] = int(bones.sum())
    return row
