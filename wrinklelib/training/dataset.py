"""torch Datasets: pretraining pairs (image -> texture or pretext target) and finetuning
pairs (image [+ texture] -> wrinkle mask), with seeded joint augmentation."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as TF

from ..data import layout
from ..data.sample import load_sample, read_weak
from ..labels.texture import to_gray
from ..model.recipe import recipe, scale, texture_channel

#: What each dataset item's target is.
TARGETS = ("texture", "mask", "reconstruction", "deblur", "denoise", "superres")


def degrade(image: np.ndarray, task: str, strength: dict, rng: np.random.Generator) -> np.ndarray:
    """The input of a pretext task: the image unchanged, blurred, noisy, or down- and up-scaled."""
    import cv2

    img = image.astype(np.float32)
    if task == "reconstruction":
        return img
    if task == "deblur":
        return cv2.GaussianBlur(img, (0, 0), strength["blur_sigma"])
    if task == "denoise":
        return np.clip(img + rng.normal(0, strength["noise_std"] * 255, img.shape), 0, 255)
    if task == "superres":
        h, w = img.shape[:2]
        f = strength["sr_factor"]
        small = cv2.resize(img, (max(1, w // f), max(1, h // f)), interpolation=cv2.INTER_AREA)
        return cv2.resize(small, (w, h), interpolation=cv2.INTER_LINEAR)
    raise ValueError(f"unknown pretext task {task!r}; known: reconstruction, deblur, denoise, superres")


DEFAULT_STRENGTH = {"blur_sigma": 2.0, "noise_std": 0.1, "sr_factor": 4}


class FaceDataset(Dataset):
    """Faces of one split part at `size` x `size` pixels (resized when loaded if the files
    differ). `texture_input` adds the texture channel of the input recipe (inputs.recipe),
    or the weak mask read from `weak_dir`; `target` is one of TARGETS. Decoded faces are
    cached in memory."""

    def __init__(self, root: Path, ids: list[str], target: str, size: int, texture_input: bool = False,
                 augment: bool = False, seed: int = 0, strength: dict | None = None,
                 weak_dir: Path | None = None):
        if target not in TARGETS:
            raise ValueError(f"unknown target {target!r}; known: {', '.join(TARGETS)}")
        if not ids:
            raise ValueError("empty list of image ids")
        self.root, self.ids, self.target, self.size = Path(root), list(ids), target, size
        self.texture_input, self.augment, self.seed = texture_input, augment, seed
        self.strength = {**DEFAULT_STRENGTH, **(strength or {})}
        self.weak_dir = Path(weak_dir) if weak_dir else None
        self.epoch = 0
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def set_epoch(self, epoch: int) -> None:
        """Augmentation depends on (seed, epoch, index) only, so a resumed run repeats it."""
        self.epoch = epoch

    def _texture(self, s) -> np.ndarray:
        if self.weak_dir is not None:
            return read_weak(self.weak_dir, s.iid, self.size)
        return texture_channel(s.image, s.parsing, recipe(4, self.size)["texture"])

    def _load(self, index: int) -> dict:
        if index not in self._cache:
            s = load_sample(self.root, self.ids[index], self.size)
            item = {"image": s.image}
            if self.texture_input or self.target == "texture":
                item["texture"] = self._texture(s)
            if self.target == "mask":
                if s.mask is None:
                    raise layout.DataError(f"{layout.manual_path(self.root, s.iid)}: manual mask missing")
                item["mask"] = s.mask
            self._cache[index] = item
        return self._cache[index]

    def _rng(self, index: int) -> np.random.Generator:
        key = f"{self.seed}:{self.epoch}:{index}".encode()
        return np.random.default_rng(int.from_bytes(hashlib.sha256(key).digest()[:8], "little"))

    def __getitem__(self, index: int):
        item = self._load(index)
        rng = self._rng(index)
        x = scale(item["image"])
        if self.target in ("reconstruction", "deblur", "denoise", "superres"):
            x = scale(degrade(item["image"], self.target, self.strength, rng))
            y = scale(to_gray(item["image"]))
        elif self.target == "texture":
            y = torch.from_numpy(item["texture"] / 255.0).float()[None]
        else:
            y = torch.from_numpy(item["mask"].astype(np.int64))
        if self.texture_input:
            x = torch.cat([x, scale(item["texture"])], dim=0)
        if self.augment and rng.random() < 0.5:
            # Joint flip of input and target through torchvision's v2 functional API.
            x = TF.horizontal_flip(tv_tensors.Image(x)).as_subclass(torch.Tensor)
            y = TF.horizontal_flip(tv_tensors.Mask(y)).as_subclass(torch.Tensor)
        return x, y
