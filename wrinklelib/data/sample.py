"""One face as the experiments use it: the image and whatever labels its folder holds,
resized to a run's training size when loaded."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .layout import (
    ANNOTATIONS,
    REGIONS,
    TRUTH,
    DataError,
    image_path,
    manual_path,
    parsing_path,
    read_gray,
    read_image,
    read_mask,
    read_parsing,
    read_raw,
    weak_path,
)


def resize(array: np.ndarray, size: int | None, labels: bool = False) -> np.ndarray:
    """A square array resized to size x size: area averaging for images, nearest neighbour
    for label maps and masks. None or an equal size returns the array unchanged."""
    if size is None or array.shape[:2] == (size, size):
        return array
    interpolation = cv2.INTER_NEAREST if labels else cv2.INTER_AREA
    return cv2.resize(array, (size, size), interpolation=interpolation)


@dataclass
class Sample:
    """One face as the experiments use it; fields absent from the data are None."""

    iid: str
    image: np.ndarray
    parsing: np.ndarray | None = None
    mask: np.ndarray | None = None
    truth: np.ndarray | None = None
    regions: np.ndarray | None = None
    annotations: dict | None = None


def load_sample(root: Path, iid: str, size: int | None = None, annotators: bool = False) -> Sample:
    """Read one face and whatever labels the folder holds for it, resized to `size` (the
    run's training size) when given."""
    root = Path(root)
    image = read_image(image_path(root, iid))
    ppath = parsing_path(root, iid)
    parsing = read_parsing(ppath, image.shape[:2]) if ppath.exists() else None

    def label(path: Path, reader=read_mask):
        if not path.exists():
            return None
        mask = reader(path)
        if mask.shape[:2] != image.shape[:2]:
            raise DataError(f"{path}: {mask.shape[1]} x {mask.shape[0]} pixels, its image "
                            f"{image_path(root, iid)} {image.shape[1]} x {image.shape[0]}; a mask must match its image")
        return resize(mask, size, labels=True)

    s = Sample(iid, resize(image, size), parsing=resize(parsing, size, labels=True) if parsing is not None else None,
               mask=label(manual_path(root, iid)), truth=label(root / TRUTH / f"{iid}.png"),
               regions=label(root / REGIONS / f"{iid}.png", read_raw))
    if annotators and (root / ANNOTATIONS).is_dir():
        folders = sorted(d for d in (root / ANNOTATIONS).iterdir() if d.is_dir())
        s.annotations = {d.name: label(d / f"{iid}.png") for d in folders if (d / f"{iid}.png").exists()}
    return s


def read_weak(root: Path, iid: str, size: int | None = None) -> np.ndarray:
    """The release's precomputed texture mask of one face, resized like its image."""
    return resize(read_gray(weak_path(root, iid)), size)
