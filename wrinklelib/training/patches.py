"""Where training patches fall: one function for every arm, pretext task and target.

A patch is centred on a pixel drawn uniformly from the face (skin and nose of the face
parsing), or, with probability `foreground`, on a pixel some annotator marked, as nnU-Net
oversamples foreground: wrinkles cover about 1% of a face, and patches drawn anywhere
would mostly teach the background. The labelled pixels are those any annotator marked (the
voted mask on real data), whatever the run trains on, so that every arm and target of a
seed sees the same patches. The patch is then moved inside the image.
"""

from __future__ import annotations

import numpy as np


def pixel_pool(mask: np.ndarray | None) -> np.ndarray:
    """Flat indices (int32) of a mask's nonzero pixels; empty for None."""
    return np.zeros(0, np.int32) if mask is None else np.flatnonzero(mask).astype(np.int32)


def patch_origin(shape: tuple[int, int], patch: int, face: np.ndarray, marked: np.ndarray, foreground: float,
                 rng: np.random.Generator) -> tuple[int, int]:
    """Top-left corner (row, column) of one patch of side `patch` in an image of `shape`:
    centred on a pixel of `marked` with probability `foreground` (when it has any), else on
    a pixel of `face` (any pixel when `face` is empty); both are flat indices."""
    h, w = shape
    if patch >= h and patch >= w:
        return 0, 0
    u = rng.random()                     # drawn always, so later draws do not depend on the pools
    pool = marked if len(marked) and u < foreground else face
    centre = int(pool[rng.integers(len(pool))]) if len(pool) else int(rng.integers(h * w))
    cy, cx = divmod(centre, w)
    return min(max(cy - patch // 2, 0), h - patch), min(max(cx - patch // 2, 0), w - patch)


def crop(array: np.ndarray, origin: tuple[int, int], patch: int, image: bool = False) -> np.ndarray:
    """The patch of an array: an image (H x W [x C], `image`) is cut on its first two axes,
    a label (H x W, or R x H x W for several annotators) on its last two."""
    y, x = origin
    return array[y:y + patch, x:x + patch] if image else array[..., y:y + patch, x:x + patch]
