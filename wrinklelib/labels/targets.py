"""Training targets made from three annotators' masks (Table 3): the paper's vote and the
other ways to fuse annotators, each a hard mask (class indices), a soft one (wrinkle
probability per pixel) or, for the confusion model, every annotator's own mask.

- vote: pixels at least `min_votes` annotators marked (the paper: 2 of 3);
- union / intersection: marked by any / by all;
- mean: the share of annotators marking each pixel (a soft target);
- staple: SimpleITK's STAPLE estimate (Warfield et al. 2004) at probability 0.5;
- smoothed: the vote with uniform label smoothing (`SMOOTHING` of the mass spread evenly);
- svls: the vote with spatially varying label smoothing (Islam and Glocker 2021): each
  pixel's one-hot label averaged with its neighbours' by a 3x3 Gaussian whose centre weighs
  as much as all neighbours together;
- annotator:<skill>: that annotator alone;
- random_annotator: one annotator's mask, drawn anew at every step;
- confusion: all three masks, for the learned confusion model;
- truth: the true wrinkles (synthetic data only), the reference every model is scored against.
"""

from __future__ import annotations

import cv2
import numpy as np

from ..config.settings import MASKS, SINGLE
from .fusion import majority_vote, stack_masks, staple

#: The share of the label mass spread evenly over both classes by uniform smoothing.
SMOOTHING = 0.1
SOFT = ("mean", "smoothed", "svls")


def is_mask(name: str) -> bool:
    """Whether the target `name` is one hard mask per face (not soft, not several masks)."""
    return name in MASKS or name.startswith(SINGLE)


def svls_kernel(sigma: float = 1.0) -> np.ndarray:
    """The 3x3 SVLS kernel: a Gaussian whose centre weighs as much as its neighbours."""
    x = np.arange(-1, 2, dtype=np.float64)
    k = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma ** 2))
    k[1, 1] = k.sum() - k[1, 1]
    return (k / k.sum()).astype(np.float32)


def svls(mask: np.ndarray) -> np.ndarray:
    """Spatially varying label smoothing of a binary mask: the wrinkle probability."""
    return cv2.filter2D(mask.astype(np.float32), -1, svls_kernel(), borderType=cv2.BORDER_REFLECT_101)


def fuse(name: str, annotations: dict[str, np.ndarray], min_votes: int = 2,
         truth: np.ndarray | None = None) -> np.ndarray:
    """The target `name` of one face: uint8 {0,1} for hard targets, float32 in [0, 1] for
    soft ones, R x H x W uint8 for the confusion model."""
    masks = [annotations[k] for k in annotations]
    stack = stack_masks(masks)
    if name == "vote":
        return majority_vote(masks, min_votes)
    if name == "union":
        return stack.max(0)
    if name == "intersection":
        return stack.min(0)
    if name == "mean":
        return stack.mean(0).astype(np.float32)
    if name == "staple":
        return (staple(masks) >= 0.5).astype(np.uint8)
    if name == "smoothed":
        return (majority_vote(masks, min_votes) * (1 - SMOOTHING) + SMOOTHING / 2).astype(np.float32)
    if name == "svls":
        return svls(majority_vote(masks, min_votes))
    if name in ("confusion", "random_annotator"):
        return stack
    if name.startswith(SINGLE):
        return stack_masks([annotations[name[len(SINGLE):]]])[0]
    if name == "truth":
        if truth is None:
            raise ValueError("target 'truth' needs the true wrinkle masks (synthetic data)")
        return truth.astype(np.uint8)
    raise ValueError(f"unknown target {name!r}")
