"""`wrinkle check-data`: every problem of a data folder in the FFHQ-Wrinkle layout, each
naming its file, found with the same readers that training and scoring use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .data import (ANNOTATIONS, IMAGES, MANUAL, PARSING, TEST_LIST, WEAK, DataError, image_path, layout_files,
                   list_ids, manual_path, read_gray, read_mask, read_parsing, read_raw, read_test_list)
from .splits import read_split


@dataclass(frozen=True)
class Problem:
    """One problem found in a data folder."""

    path: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{'ERROR' if self.fatal else 'note'}: {self.path}: {self.message}"


def _check(problems: list, func, path, *args):
    try:
        return func(path, *args)
    except DataError as err:
        problems.append(Problem(str(path), str(err).split(": ", 1)[-1]))
        return None


def check_data(root: Path, split_files: list[Path] = ()) -> list[Problem]:
    """Every problem of a data folder in the FFHQ-Wrinkle layout, each naming its file."""
    root = Path(root)
    problems: list[Problem] = []
    if not root.is_dir():
        return [Problem(str(root), "data folder does not exist")]
    for folder in (IMAGES, MANUAL):
        if not (root / folder).is_dir():
            problems.append(Problem(str(root / folder), "required folder is missing"))
    if problems:
        return problems
    for folder in (IMAGES, MANUAL, WEAK):
        for path in layout_files(root, folder):
            if not path.stem.isdigit():
                problems.append(Problem(str(path), "file name is not a numeric FFHQ id; the loaders skip it"))
    images = set(list_ids(root))
    shapes = {}
    for iid in sorted(images):
        path = image_path(root, iid)
        raw = _check(problems, read_raw, path)
        if raw is None:
            continue
        if raw.dtype != "uint8":
            problems.append(Problem(str(path), f"expected an 8-bit image, got {raw.dtype}"))
            continue
        if raw.ndim == 2 or raw.shape[2] != 3:
            kind = "grayscale" if raw.ndim == 2 else f"{raw.shape[2]}-channel"
            problems.append(Problem(str(path), f"{kind} image: will be converted to RGB", fatal=False))
        shapes[iid] = raw.shape[:2]
    for iid in list_ids(root, MANUAL):
        path = manual_path(root, iid)
        if iid not in images:
            problems.append(Problem(str(path), "mask has no image"))
            continue
        mask = _check(problems, read_mask, path)
        if mask is not None and iid in shapes and mask.shape != shapes[iid]:
            problems.append(Problem(str(path), f"mask size {mask.shape} differs from image size {shapes[iid]}"))
    for path in sorted((root / PARSING).glob("*.npy")):
        iid = path.stem
        if iid not in images:
            problems.append(Problem(str(path), "label map has no image"))
            continue
        _check(problems, read_parsing, path, shapes.get(iid))
    for path in sorted((root / WEAK).glob("*/*.png")):
        if path.stem not in images:
            problems.append(Problem(str(path), "weak mask has no image"))
            continue
        weak = _check(problems, read_gray, path)
        if weak is not None and path.stem in shapes and weak.shape != shapes[path.stem]:
            problems.append(Problem(str(path), f"weak mask size {weak.shape} differs from image size {shapes[path.stem]}"))
    manual = set(list_ids(root, MANUAL))
    for folder in sorted(d for d in (root / ANNOTATIONS).glob("*") if d.is_dir()):
        for iid in sorted(manual):
            path = folder / f"{iid}.png"
            if not path.exists():
                problems.append(Problem(str(path), "annotator mask missing (every voted mask needs one per annotator)"))
                continue
            mask = _check(problems, read_mask, path)
            if mask is not None and iid in shapes and mask.shape != shapes[iid]:
                problems.append(Problem(str(path), f"mask size {mask.shape} differs from image size {shapes[iid]}"))
    try:
        test_ids = read_test_list(root) or []
    except DataError as err:
        problems.append(Problem(str(root / TEST_LIST), str(err).split(": ", 1)[-1]))
        test_ids = []
    for iid in test_ids:
        if iid not in images:
            problems.append(Problem(str(root / TEST_LIST), f"id {iid} has no image"))
        elif iid not in manual:
            problems.append(Problem(str(root / TEST_LIST), f"id {iid} has no manual mask"))
    for split_file in split_files:
        try:
            split = read_split(split_file)
        except (DataError, ValueError) as err:
            problems.append(Problem(str(split_file), str(err)))
            continue
        for part in ("train", "val", "test"):
            for iid in split.get(part, []):
                if iid not in images or iid not in manual:
                    problems.append(Problem(str(split_file), f"{part} id {iid} has no image or no mask"))
    return problems
