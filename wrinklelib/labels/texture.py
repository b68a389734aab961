"""Texture maps: the paper's weak label, a Gaussian-filter ratio image masked to facial skin.

    T = 255 - clip(255 * I / (G + 1), 0, 255)

with I the BT.709 gray image (float) and G its Gaussian blur (21x21, sigma 5 at 1024 px,
reflect-101 borders). T is continuous; it is zeroed outside the kept face-parsing classes.
"""

from __future__ import annotations

import math

import cv2
import numpy as np

from .faceclasses import FACE_SKIN

#: Face-parsing classes kept by the texture mask: skin and nose.
KEEP_CLASSES = FACE_SKIN
#: Gaussian sigma at 1024x1024, the paper's resolution.
SIGMA_1024 = 5.0
#: Below 256 px fine detail is not shrunk further (see detail_scale).
MIN_DETAIL_SCALE = 0.25
BT709 = (0.2126, 0.7152, 0.0722)


def detail_scale(size: int) -> float:
    """Scale of fine detail (wrinkle width, pores, filter sigma) relative to a 1024 px photo.

    It follows the image size down to 256 px and is held at 0.25 below, where a
    proportional sigma would fall under one pixel and the map would be pore noise.
    """
    return max(size / 1024.0, MIN_DETAIL_SCALE)


def filter_params(size: int) -> tuple[int, float]:
    """Kernel size and sigma of the texture filter at a given image size (21, 5.0 at 1024)."""
    sigma = SIGMA_1024 * detail_scale(size)
    return 2 * math.ceil(2 * sigma) + 1, sigma


def to_gray(image: np.ndarray) -> np.ndarray:
    """BT.709 luma of an RGB uint8 image as float32 in [0, 255]."""
    if image.ndim == 2:
        return image.astype(np.float32)
    if image.ndim != 3 or image.shape[2] != 3:
        raise ValueError(f"expected an H x W x 3 RGB image, got shape {image.shape}")
    return image.astype(np.float32) @ np.asarray(BT709, np.float32)


def texture_map(image: np.ndarray, ksize: int | None = None, sigma: float | None = None) -> np.ndarray:
    """The continuous texture map T (float32, 0..255) of one RGB image, with OpenCV."""
    if ksize is None or sigma is None:
        ksize, sigma = filter_params(max(image.shape[:2]))
    gray = to_gray(image)
    blur = cv2.GaussianBlur(gray, (ksize, ksize), sigma, borderType=cv2.BORDER_REFLECT_101)
    return 255.0 - np.clip(255.0 * gray / (blur + 1.0), 0.0, 255.0)


def face_mask(parsing: np.ndarray, keep=KEEP_CLASSES) -> np.ndarray:
    """Boolean mask of the kept face-parsing classes."""
    return np.isin(parsing, keep)


def texture_mask(image: np.ndarray, parsing: np.ndarray | None, keep=KEEP_CLASSES,
                 ksize: int | None = None, sigma: float | None = None) -> np.ndarray:
    """Texture map zeroed outside the face (no masking when parsing is None)."""
    t = texture_map(image, ksize, sigma)
    if parsing is not None:
        if parsing.shape != t.shape:
            raise ValueError(f"parsing shape {parsing.shape} differs from image shape {t.shape}")
        t = np.where(face_mask(parsing, keep), t, 0.0).astype(np.float32)
    return t


def authors_texture_mask(image: np.ndarray, parsing: np.ndarray | None, ksize: int = 21,
                         sigma: float = 5.0) -> np.ndarray:
    """The texture mask as the authors' example notebook computes it for a photo: OpenCV
    gray (BT.601) and its Gaussian blur, both uint8, 255 - clip(255 * gray / (blur + 1))
    truncated to uint8, zeroed outside the face (float32 for the network input)."""
    gray = cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)
    blur = cv2.GaussianBlur(gray, (ksize, ksize), sigma)
    t = (255.0 - np.clip(gray.astype(np.float64) * 255.0 / (blur.astype(np.float64) + 1.0), 0, 255)).astype(np.uint8)
    if parsing is not None:
        t = np.where(face_mask(parsing), t, 0)
    return t.astype(np.float32)


def to_uint8(t: np.ndarray) -> np.ndarray:
    """Round a texture map to the 8-bit gray levels stored in weak-mask PNGs."""
    return np.clip(np.rint(t), 0, 255).astype(np.uint8)


def gaussian_kernel_1d(ksize: int, sigma: float):
    """The normalised 1-D Gaussian kernel that OpenCV uses for this size and sigma (torch)."""
    import torch

    x = torch.arange(ksize, dtype=torch.float64) - (ksize - 1) / 2
    k = torch.exp(-(x ** 2) / (2 * sigma ** 2))
    return (k / k.sum()).float()


def texture_map_torch(images, ksize: int | None = None, sigma: float | None = None):
    """Batched texture maps on any torch device: images N x 3 x H x W in 0..255 -> N x 1 x H x W."""
    import torch
    import torch.nn.functional as F

    if images.ndim != 4 or images.shape[1] != 3:
        raise ValueError(f"expected N x 3 x H x W images, got shape {tuple(images.shape)}")
    if ksize is None or sigma is None:
        ksize, sigma = filter_params(max(images.shape[-2:]))
    weights = torch.tensor(BT709, device=images.device, dtype=torch.float32).view(1, 3, 1, 1)
    gray = (images.float() * weights).sum(1, keepdim=True)
    k = gaussian_kernel_1d(ksize, sigma).to(images.device)
    pad = ksize // 2
    # Separable blur; 'reflect' in torch is OpenCV's BORDER_REFLECT_101.
    blur = F.conv2d(F.pad(gray, (pad, pad, 0, 0), mode="reflect"), k.view(1, 1, 1, -1))
    blur = F.conv2d(F.pad(blur, (0, 0, pad, pad), mode="reflect"), k.view(1, 1, -1, 1))
    return 255.0 - torch.clamp(255.0 * gray / (blur + 1.0), 0.0, 255.0)
