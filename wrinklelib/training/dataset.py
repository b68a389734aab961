"""torch Datasets: pretraining pairs (image -> texture or pretext target) and finetuning
pairs (image [+ texture] -> a wrinkle target), with seeded joint augmentation; and the
stream of samples a run draws, so that a run resumes at any update exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset
from torchvision import tv_tensors
from torchvision.transforms.v2 import functional as TF

from ..config.settings import TARGETS, SINGLE
from ..data import layout
from ..data.sample import load_sample, read_weak
from ..labels.targets import SOFT, fuse
from ..labels.texture import to_gray
from ..model.recipe import recipe, scale, texture_channel

PRETEXT = ("reconstruction", "deblur", "denoise", "superres")
DEFAULT_STRENGTH = {"blur_sigma": 2.0, "noise_std": 0.1, "sr_factor": 4}


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
    raise ValueError(f"unknown pretext task {task!r}; known: {', '.join(PRETEXT)}")


def is_target(name: str) -> bool:
    """True for the segmentation targets a finetuning run can train on."""
    return name == "mask" or name in TARGETS or name.startswith(SINGLE)


class FaceDataset(Dataset):
    """Faces of one split part at `size` x `size` pixels (resized when loaded if the files
    differ). `texture_input` adds the texture channel of the input recipe, or the weak mask
    read from `weak_dir`. `target` is "texture", a pretext task, "mask" (the folder's voted
    masks) or a fusion target of labels.targets. Decoded faces are cached in memory."""

    def __init__(self, root: Path, ids: list[str], target: str, size: int, texture_input: bool = False,
                 augment: bool = False, seed: int = 0, strength: dict | None = None,
                 weak_dir: Path | None = None, min_votes: int = 2):
        if target not in ("texture", *PRETEXT) and not is_target(target):
            raise ValueError(f"unknown target {target!r}")
        if not ids:
            raise ValueError("empty list of image ids")
        self.root, self.ids, self.target, self.size = Path(root), list(ids), target, size
        self.texture_input, self.augment, self.seed = texture_input, augment, seed
        self.strength = {**DEFAULT_STRENGTH, **(strength or {})}
        self.weak_dir, self.min_votes = (Path(weak_dir) if weak_dir else None), min_votes
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def _texture(self, s) -> np.ndarray:
        if self.weak_dir is not None:
            return read_weak(self.weak_dir, s.iid, self.size)
        return texture_channel(s.image, s.parsing, recipe(4, self.size)["texture"])

    def _label(self, s) -> np.ndarray:
        if self.target == "mask" or (self.target == "vote" and not s.annotations):
            if s.mask is None:
                raise layout.DataError(f"{layout.manual_path(self.root, s.iid)}: manual mask missing")
            return s.mask
        if not s.annotations:
            raise layout.DataError(f"{self.root}: target {self.target!r} needs per-annotator masks "
                                   f"({layout.ANNOTATIONS}/), which this folder lacks for {s.iid}")
        return fuse(self.target, s.annotations, self.min_votes, s.truth)

    def _load(self, index: int) -> dict:
        if index not in self._cache:
            annotated = is_target(self.target) and self.target != "mask"
            s = load_sample(self.root, self.ids[index], self.size, annotators=annotated)
            item = {"image": s.image}
            if self.texture_input or self.target == "texture":
                item["texture"] = self._texture(s)
            if is_target(self.target):
                item["label"] = self._label(s)
            self._cache[index] = item
        return self._cache[index]

    def _rng(self, key: int) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def _y(self, item: dict, rng: np.random.Generator) -> torch.Tensor:
        if self.target in PRETEXT:
            return scale(to_gray(item["image"]))
        if self.target == "texture":
            return torch.from_numpy(item["texture"] / 255.0).float()[None]
        label = item["label"]
        if self.target == "random_annotator":
            label = label[rng.integers(len(label))]
        if self.target in SOFT:
            return torch.from_numpy(label.astype(np.float32))
        return torch.from_numpy(label.astype(np.int64))

    def sample(self, index: int, key: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Face `index` as drawn the `key`-th time in a run: its augmentation, its degradation
        and (for a random-annotator target) its annotator depend on (seed, key) only."""
        item = self._load(index)
        rng = self._rng(key)
        x = scale(item["image"])
        if self.target in PRETEXT:
            x = scale(degrade(item["image"], self.target, self.strength, rng))
        y = self._y(item, rng)
        if self.texture_input:
            x = torch.cat([x, scale(item["texture"])], dim=0)
        if self.augment and rng.random() < 0.5:
            # Joint flip of input and target through torchvision's v2 functional API.
            x = TF.horizontal_flip(tv_tensors.Image(x)).as_subclass(torch.Tensor)
            y = TF.horizontal_flip(tv_tensors.Mask(y)).as_subclass(torch.Tensor)
        return x, y

    def __getitem__(self, index: int):
        return self.sample(index, index)


class Stream(Dataset):
    """The samples of a run from update `start` to `stop`: position k of the run draws face
    perm_e[k mod N] with e = k // N, perm_e a permutation seeded by (seed, e), so that the
    draws do not depend on where a run stopped and resumed."""

    def __init__(self, faces: FaceDataset, seed: int, positions: list[int]):
        self.faces, self.seed, self.positions = faces, seed, positions
        self._perms: dict[int, np.ndarray] = {}

    def _perm(self, epoch: int) -> np.ndarray:
        if epoch not in self._perms:
            g = torch.Generator().manual_seed(self.seed * 100003 + epoch)
            self._perms[epoch] = torch.randperm(len(self.faces), generator=g).numpy()
        return self._perms[epoch]

    def __len__(self) -> int:
        return len(self.positions)

    def __getitem__(self, i: int):
        k = self.positions[i]
        n = len(self.faces)
        return self.faces.sample(int(self._perm(k // n)[k % n]), k)
