"""The network's input recipe: which channels, how scaled, which texture variant, what is
face-masked and at what size. Training and inference build inputs with the same
functions, and every checkpoint carries the recipe it was trained with."""

from __future__ import annotations

import numpy as np
import torch

from ..labels.texture import authors_texture_mask, face_mask, filter_params, texture_mask

RGB = ["red", "green", "blue"]


def scale(x: np.ndarray) -> torch.Tensor:
    """uint8-range array (H x W [x C]) to a C x H x W float tensor in [-1, 1] (x/255*2-1)."""
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    t = t[None] if t.ndim == 2 else t.permute(2, 0, 1)
    return t / 255.0 * 2 - 1


def unscale(t: torch.Tensor) -> np.ndarray:
    """The inverse of scale for figures: C x H x W in [-1, 1] to H x W x C uint8."""
    x = ((t.detach().float().cpu() + 1) * 127.5).clamp(0, 255).round().to(torch.uint8)
    return x.permute(1, 2, 0).numpy()


def recipe(in_channels: int, size: int) -> dict:
    """Our recipe at a training size: RGB as is, and for 4 channels the face-masked texture
    mask (BT.709 gray, float filter at the size's kernel and sigma)."""
    ksize, sigma = filter_params(size)
    return {"source": "wrinklelib", "channels": RGB + ["texture"] * (in_channels == 4),
            "scaling": "x/255*2-1", "rgb_face_masked": False, "size": int(size),
            "texture": {"variant": "bt709-float", "ksize": ksize, "sigma": sigma, "face_masked": True}}


#: The authors' released U-Nets: face-masked RGB and the texture mask of their example
#: notebook (OpenCV gray, 21x21 sigma 5 at 1024 px, truncated to uint8).
AUTHORS_RECIPE = {"source": "authors", "channels": RGB + ["texture"], "scaling": "x/255*2-1",
                  "rgb_face_masked": True, "size": 1024,
                  "texture": {"variant": "opencv-uint8", "ksize": 21, "sigma": 5.0, "face_masked": True}}


def texture_channel(image: np.ndarray, parsing: np.ndarray | None, spec: dict) -> np.ndarray:
    """The texture channel of a recipe for one RGB image (float32, 0..255)."""
    if spec["variant"] == "opencv-uint8":
        return authors_texture_mask(image, parsing, spec["ksize"], spec["sigma"])
    return texture_mask(image, parsing, ksize=spec["ksize"], sigma=spec["sigma"])


def network_input(image: np.ndarray, parsing: np.ndarray | None, rec: dict,
                  texture: np.ndarray | None = None) -> torch.Tensor:
    """The C x H x W input of one RGB image under a recipe; `texture` replaces the computed
    texture channel (for example the release's weak mask). No parsing: nothing is masked."""
    rgb = image
    if rec["rgb_face_masked"] and parsing is not None:
        rgb = image * face_mask(parsing)[..., None]
    chans = [scale(rgb)]
    if "texture" in rec["channels"]:
        t = texture_channel(image, parsing, rec["texture"]) if texture is None else texture
        chans.append(scale(t))
    return torch.cat(chans)
