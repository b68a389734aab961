"""Drawing on images with numpy only (no plotting library), for figures and for the
overlays that `wrinkle predict` writes."""

from __future__ import annotations

import numpy as np


def overlay(image: np.ndarray, mask: np.ndarray, color=(255, 0, 0), alpha: float = 0.8) -> np.ndarray:
    """The image with mask pixels painted in a colour."""
    out = image.astype(np.float32).copy()
    m = mask > 0
    out[m] = (1 - alpha) * out[m] + alpha * np.asarray(color, np.float32)
    return out.astype(np.uint8)
