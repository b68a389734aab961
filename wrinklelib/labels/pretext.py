"""What a network is pretrained to predict: the texture mask (the paper's weak label) or,
for Table 2, a clean gray image from a corrupted one (the pretext tasks)."""

from __future__ import annotations

import cv2
import numpy as np

#: Pretext tasks of Table 2, each a pretraining target besides the texture mask.
PRETEXT_TASKS = ("reconstruction", "deblur", "denoise", "superres")
#: Every pretraining task: the texture mask, then the pretext tasks.
TASKS = ("texture", *PRETEXT_TASKS)
#: How strongly each pretext task corrupts its input.
STRENGTH = {"blur_sigma": 2.0, "noise_std": 0.1, "sr_factor": 4}


def degrade(image: np.ndarray, task: str, rng: np.random.Generator, strength: dict | None = None) -> np.ndarray:
    """The input of a pretext task: the image unchanged, blurred, noisy, or down- and up-scaled."""
    s = {**STRENGTH, **(strength or {})}
    img = image.astype(np.float32)
    if task == "reconstruction":
        return img
    if task == "deblur":
        return cv2.GaussianBlur(img, (0, 0), s["blur_sigma"])
    if task == "denoise":
        return np.clip(img + rng.normal(0, s["noise_std"] * 255, img.shape), 0, 255)
    if task == "superres":
        h, w = img.shape[:2]
        f = s["sr_factor"]
        small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    raise ValueError(f"unknown pretext task {task!r}; known: {', '.join(PRETEXT_TASKS)}")


def strength_sentence(strength: dict | None = None) -> str:
    """How strongly each pretext task corrupts its input, in words."""
    s = {**STRENGTH, **(strength or {})}
    return (f"Deblur: Gaussian blur of sigma {s['blur_sigma']:g} px; denoise: Gaussian noise of standard deviation "
            f"{s['noise_std']:g} of the gray range; super-resolution: downscaled by {s['sr_factor']:g} and scaled "
            "back up; reconstruction: the clean image.")
