"""The network's input recipe, built and checked here only: which channels, how scaled,
which texture variant, what is face-masked, the face size and the training patch. Training
(on patches), validation and test (on whole faces), `wrinkle score` and own photos all make
their inputs with `face_arrays` and `to_input`, and every checkpoint carries its recipe."""

from __future__ import annotations

import numpy as np
import torch

from ..labels.texture import authors_texture_mask, face_mask, filter_params, texture_mask
from .unet import MULTIPLE

RGB = ["red", "green", "blue"]
TEXTURE_VARIANTS = ("bt709-float", "opencv-uint8")
#: Face sizes a recipe may ask for (pixels): beyond this an input would not fit in memory.
MAX_SIZE = 4096


class RecipeError(ValueError):
    """An input recipe that cannot be used; the message names the field."""


def scale(x: np.ndarray) -> torch.Tensor:
    """uint8-range array (H x W [x C]) to a C x H x W float tensor in [-1, 1] (x/255*2-1)."""
    t = torch.from_numpy(np.ascontiguousarray(x, dtype=np.float32))
    t = t[None] if t.ndim == 2 else t.permute(2, 0, 1)
    return t / 255.0 * 2 - 1


def unscale(t: torch.Tensor) -> np.ndarray:
    """The inverse of scale for figures: C x H x W in [-1, 1] to H x W x C uint8."""
    x = ((t.detach().float().cpu() + 1) * 127.5).clamp(0, 255).round().to(torch.uint8)
    return x.permute(1, 2, 0).numpy()


def recipe(in_channels: int, size: int, patch: int | None = None) -> dict:
    """Our recipe at a face size: RGB as is, and for 4 channels the face-masked texture
    mask (BT.709 gray, float filter at the size's kernel and sigma); trained on square
    patches of `patch` pixels (the whole face when None), applied to whole faces."""
    ksize, sigma = filter_params(size)
    return {"source": "wrinklelib", "channels": RGB + ["texture"] * (in_channels == 4),
            "scaling": "x/255*2-1", "rgb_face_masked": False, "size": int(size), "patch": int(patch or size),
            "texture": {"variant": "bt709-float", "ksize": ksize, "sigma": sigma, "face_masked": True}}


#: The authors' released U-Nets: face-masked RGB and the texture mask of their example
#: notebook (OpenCV gray, 21x21 sigma 5 at 1024 px, truncated to uint8).
AUTHORS_RECIPE = {"source": "authors", "channels": RGB + ["texture"], "scaling": "x/255*2-1",
                  "rgb_face_masked": True, "size": 1024, "patch": 1024,
                  "texture": {"variant": "opencv-uint8", "ksize": 21, "sigma": 5.0, "face_masked": True}}


def _fail(where: str, field: str, found, expected: str):
    raise RecipeError(f"{where}: input_recipe {field}={found!r:.60}; expected {expected}")


def check_recipe(rec, where: str = "input_recipe") -> dict:
    """An input recipe as inference needs it, each field within its bounds; else one line
    naming the file and the field."""
    if not isinstance(rec, dict):
        _fail(where, "(whole)", rec, "a dict with channels, size, texture and rgb_face_masked")
    channels = rec.get("channels")
    if channels not in (RGB, RGB + ["texture"]):
        _fail(where, "channels", channels, f"{RGB} or {RGB + ['texture']}")
    size = rec.get("size")
    if type(size) is not int or not MULTIPLE <= size <= MAX_SIZE or size % MULTIPLE:
        _fail(where, "size", size, f"a multiple of {MULTIPLE} from {MULTIPLE} to {MAX_SIZE}")
    patch = rec.get("patch", size)
    if type(patch) is not int or not MULTIPLE <= patch <= size or patch % MULTIPLE:
        _fail(where, "patch", patch, f"a multiple of {MULTIPLE} from {MULTIPLE} to the size {size}")
    if not isinstance(rec.get("rgb_face_masked"), bool):
        _fail(where, "rgb_face_masked", rec.get("rgb_face_masked"), "true or false")
    tex = rec.get("texture")
    if not isinstance(tex, dict) or tex.get("variant") not in TEXTURE_VARIANTS:
        _fail(where, "texture", tex, f"a dict with variant one of {', '.join(TEXTURE_VARIANTS)}")
    k, sigma = tex.get("ksize"), tex.get("sigma")
    if type(k) is not int or not 1 <= k <= 255 or k % 2 == 0:
        _fail(where, "texture.ksize", k, "an odd integer from 1 to 255")
    if not isinstance(sigma, (int, float)) or not 0 < sigma <= 100:
        _fail(where, "texture.sigma", sigma, "a number above 0 and at most 100")
    return {**rec, "patch": patch}


def texture_channel(image: np.ndarray, parsing: np.ndarray | None, spec: dict) -> np.ndarray:
    """The texture channel of a recipe for one RGB image (float32, 0..255)."""
    if spec["variant"] == "opencv-uint8":
        return authors_texture_mask(image, parsing, spec["ksize"], spec["sigma"])
    return texture_mask(image, parsing, ksize=spec["ksize"], sigma=spec["sigma"])


def face_arrays(image: np.ndarray, parsing: np.ndarray | None, rec: dict,
                texture: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray | None]:
    """One whole face's channels under a recipe before scaling: the RGB image (face-masked
    when the recipe says so) and the texture channel (None for RGB-only recipes). The
    texture is computed on the whole face (its blur sees past any patch's border) unless
    `texture` gives it (for example the release's weak mask). No parsing: nothing masked."""
    rgb = image
    if rec["rgb_face_masked"] and parsing is not None:
        rgb = image * face_mask(parsing)[..., None]
    if "texture" not in rec["channels"]:
        return rgb, None
    t = texture_channel(image, parsing, rec["texture"]) if texture is None else texture
    return rgb, np.asarray(t, np.float32)


def to_input(rgb: np.ndarray, texture: np.ndarray | None) -> torch.Tensor:
    """The C x H x W network input of a face's (or a patch's) channels."""
    return scale(rgb) if texture is None else torch.cat([scale(rgb), scale(texture)])


def network_input(image: np.ndarray, parsing: np.ndarray | None, rec: dict,
                  texture: np.ndarray | None = None) -> torch.Tensor:
    """The C x H x W input of one whole RGB face under a recipe."""
    return to_input(*face_arrays(image, parsing, rec, texture))
