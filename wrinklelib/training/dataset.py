"""torch Datasets of faces as a run trains and validates on them: pretraining pairs (image ->
texture or pretext target) and finetuning pairs (image [+ texture] -> a training target),
whole faces for validation and patches with seeded joint flips for training; and the stream
of draws of a run, so that a run resumes at any update exactly."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import torch
from torch.utils.data import Dataset

from ..data import layout
from ..data.sample import load_sample, read_weak
from ..labels.pretext import PRETEXT_TASKS, TASKS, degrade
from ..labels.targets import PAPER_TARGET, Target, fuse, target
from ..labels.texture import face_mask, to_gray
from ..model.recipe import face_arrays, recipe, scale, texture_channel, to_input
from .patches import crop, patch_origin, pixel_pool


class Faces(Dataset):
    """Faces of one split part under an input recipe (channels, face size, patch side).
    `task` is "texture", a pretext task or a training target of labels.targets. Items
    (`__getitem__`) are whole faces; `sample` draws a training patch. Decoded faces are kept
    in memory when `cache` is true."""

    def __init__(self, root: Path, ids: list[str], task: str, rec: dict, augment: bool = False, seed: int = 0,
                 foreground: float = 0.0, weak_dir: Path | None = None, min_votes: int = 2, cache: bool = True):
        if not ids:
            raise ValueError("empty list of image ids")
        self.target: Target | None = None if task in TASKS else target(task)
        self.root, self.ids, self.task, self.rec = Path(root), list(ids), task, rec
        self.size, self.patch = rec["size"], rec.get("patch", rec["size"])
        self.augment, self.seed, self.foreground = augment, seed, foreground
        self.weak_dir, self.min_votes, self.cache = (Path(weak_dir) if weak_dir else None), min_votes, cache
        self._cache: dict[int, dict] = {}

    def __len__(self) -> int:
        return len(self.ids)

    def _label(self, s) -> np.ndarray:
        if self.task == PAPER_TARGET and not s.annotations:
            if s.mask is None:
                raise layout.DataError(f"{layout.manual_path(self.root, s.iid)}: manual mask missing")
            return s.mask
        if not s.annotations:
            raise layout.DataError(f"{self.root}: target {self.task!r} needs per-annotator masks "
                                   f"({layout.ANNOTATIONS}/), which this folder lacks for {s.iid}")
        return fuse(self.task, s.annotations, self.min_votes, s.truth)

    def _load(self, index: int) -> dict:
        if index in self._cache:
            return self._cache[index]
        s = load_sample(self.root, self.ids[index], self.size, annotators=self.target is not None)
        textured = self.task == "texture" or "texture" in self.rec["channels"]
        weak = read_weak(self.weak_dir, s.iid, self.size) if self.weak_dir is not None and textured else None
        rgb, texture = face_arrays(s.image, s.parsing, self.rec, weak)
        item = {"rgb": rgb, "texture": texture, "image": s.image,
                "face": pixel_pool(face_mask(s.parsing) if s.parsing is not None else None)}
        if self.task == "texture":
            t = weak if weak is not None else texture_channel(s.image, s.parsing, recipe(4, self.size)["texture"])
            item["y"] = (np.asarray(t, np.float32) / 255.0)[None]
        if self.target is not None:
            item["label"] = self._label(s)
            marked = np.max(list(s.annotations.values()), axis=0) if s.annotations else s.mask
            item["marked"] = pixel_pool(marked)
        if self.cache:
            self._cache[index] = item
        return item

    def _rng(self, key: int) -> np.random.Generator:
        digest = hashlib.sha256(f"{self.seed}:{key}".encode()).digest()
        return np.random.default_rng(int.from_bytes(digest[:8], "little"))

    def _pair(self, item: dict, origin: tuple[int, int], side: int, rng: np.random.Generator):
        """Input and target of the square at `origin` of side `side`."""
        if self.task in PRETEXT_TASKS:
            image = crop(item["image"], origin, side, image=True)
            return scale(degrade(image, self.task, rng)), scale(to_gray(image))
        texture = None if item["texture"] is None else crop(item["texture"], origin, side)
        x = to_input(crop(item["rgb"], origin, side, image=True), texture)
        if self.task == "texture":
            return x, torch.from_numpy(np.ascontiguousarray(crop(item["y"], origin, side)))
        label = self.target.draw(item["label"], rng)
        return x, torch.from_numpy(np.ascontiguousarray(crop(label, origin, side), dtype=self.target.dtype()))

    def sample(self, index: int, key: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Face `index` as drawn the `key`-th time in a run: the patch's place, its flip, its
        degradation and (for a per-step target) its annotator depend on (seed, key) only."""
        item = self._load(index)
        rng = self._rng(key)
        origin = patch_origin(item["image"].shape[:2], self.patch, item["face"], item.get("marked", item["face"][:0]),
                              self.foreground, rng)
        x, y = self._pair(item, origin, self.patch, rng)
        if self.augment and rng.random() < 0.5:
            x, y = x.flip(-1), y.flip(-1)
        return x, y

    def __getitem__(self, index: int) -> tuple[torch.Tensor, torch.Tensor]:
        """Face `index` whole, as validation and test see it (no flip; a pretext task's
        corruption seeded by the face's place)."""
        return self._pair(self._load(index), (0, 0), self.size, self._rng(index))

    def labels(self) -> np.ndarray:
        """Every face's whole label (N x H x W), as validation scores against it."""
        return np.stack([self._load(i)["label"] for i in range(len(self))])


def positive_share(faces: Faces) -> float:
    """Share of wrinkle pixels in the whole faces' training labels."""
    return float(np.mean([float(np.mean(faces._load(i)["label"])) for i in range(len(faces))]))


class Stream(Dataset):
    """The samples of a run from update `start` to `stop`: position k of the run draws face
    perm_e[k mod N] with e = k // N, perm_e a permutation seeded by (seed, e), so that the
    draws do not depend on where a run stopped and resumed."""

    def __init__(self, faces: Faces, seed: int, positions: list[int]):
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
