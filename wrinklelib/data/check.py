"""`wrinkle check-data`: every problem of a data folder in the FFHQ-Wrinkle layout, each
naming its file, found with the same readers that training and scoring use."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from .layout import (
    ANNOTATIONS,
    IMAGES,
    MANUAL,
    PARSING,
    TEST_LIST,
    WEAK,
    DataError,
    image_path,
    layout_files,
    list_ids,
    manual_path,
    read_gray,
    read_mask,
    read_parsing,
    read_raw,
    read_test_list,
)
from .splits import read_split


@dataclass(frozen=True)
class Problem:
    """One problem found in a data folder."""

    path: str
    message: str
    fatal: bool = True

    def __str__(self) -> str:
        return f"{'ERROR' if self.fatal else 'note'}: {self.path}: {self.message}"


def _read(problems: list, func, path, *args):
    """func(path, *args), or None with the DataError recorded as a problem of that file."""
    try:
        return func(path, *args)
    except DataError as err:
        problems.append(Problem(str(path), str(err).split(": ", 1)[-1]))
        return None


def _same_size(problems: list, path: Path, array, shapes: dict, iid: str, what: str) -> None:
    if array is not None and iid in shapes and array.shape != shapes[iid]:
        problems.append(Problem(str(path), f"{what} size {array.shape} differs from image size {shapes[iid]}"))


def check_names(root: Path) -> list[Problem]:
    """Files of the layout folders whose names are not FFHQ ids (the loaders skip them)."""
    return [Problem(str(path), "file name is not a numeric FFHQ id; the loaders skip it")
            for folder in (IMAGES, MANUAL, WEAK) for path in layout_files(root, folder) if not path.stem.isdigit()]


def check_images(root: Path, problems: list) -> dict[str, tuple[int, int]]:
    """Read every image; returns the size of each readable one."""
    shapes = {}
    for iid in list_ids(root):
        path = image_path(root, iid)
        raw = _read(problems, read_raw, path)
        if raw is None:
            continue
        if raw.dtype != "uint8":
            problems.append(Problem(str(path), f"expected an 8-bit image, got {raw.dtype}"))
            continue
        if raw.ndim == 2 or raw.shape[2] != 3:
            kind = "grayscale" if raw.ndim == 2 else f"{raw.shape[2]}-channel"
            problems.append(Problem(str(path), f"{kind} image: will be converted to RGB", fatal=False))
        shapes[iid] = raw.shape[:2]
    return shapes


def check_labels(root: Path, shapes: dict, images: set, problems: list) -> None:
    """Manual masks, face-parsing maps and weak masks: each readable, of its image's size."""
    for iid in list_ids(root, MANUAL):
        path = manual_path(root, iid)
        if iid not in images:
            problems.append(Problem(str(path), "mask has no image"))
        else:
            _same_size(problems, path, _read(problems, read_mask, path), shapes, iid, "mask")
    for path in sorted((root / PARSING).glob("*.npy")):
        if path.stem not in images:
            problems.append(Problem(str(path), "label map has no image"))
        else:
            _read(problems, read_parsing, path, shapes.get(path.stem))
    for path in sorted((root / WEAK).glob("*/*.png")):
        if path.stem not in images:
            problems.append(Problem(str(path), "weak mask has no image"))
        else:
            _same_size(problems, path, _read(problems, read_gray, path), shapes, path.stem, "weak mask")


def check_annotators(root: Path, shapes: dict, manual: set, problems: list) -> None:
    """Every voted mask has one mask per annotator folder, of the image's size."""
    for folder in sorted(d for d in (root / ANNOTATIONS).glob("*") if d.is_dir()):
        for iid in sorted(manual):
            path = folder / f"{iid}.png"
            if not path.exists():
                problems.append(Problem(str(path), "annotator mask missing (every voted mask needs one per annotator)"))
            else:
                _same_size(problems, path, _read(problems, read_mask, path), shapes, iid, "mask")


def check_lists(root: Path, images: set, manual: set, split_files, problems: list) -> None:
    """The official test list and any split files name images that have manual masks."""
    try:
        test_ids = read_test_list(root) or []
    except DataError as err:
        problems.append(Problem(str(root / TEST_LIST), str(err).split(": ", 1)[-1]))
        test_ids = []
    for iid in test_ids:
        if iid not in images or iid not in manual:
            what = "image" if iid not in images else "manual mask"
            problems.append(Problem(str(root / TEST_LIST), f"id {iid} has no {what}"))
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


def check_release_form(root: Path, shapes: dict, problems: list) -> None:
    """Notes where a usable folder differs from the release's own sizes and files (the
    authors' scripts expect them: 1024 px images, labels at half that size, weak masks and
    a test list)."""
    sizes = sorted(set(shapes.values()))
    if sizes and sizes != [(1024, 1024)]:
        problems.append(Problem(str(root / IMAGES), f"images of {', '.join(f'{h}x{w}' for h, w in sizes[:3])} px; "
                                "the release's are 1024x1024 (loaders resize; the authors' scripts do not)", False))
    for path in sorted((root / PARSING).glob("*.npy"))[:1]:
        shape = shapes.get(path.stem)
        try:
            labels = read_parsing(path)
        except DataError:
            continue
        if shape and labels.shape != (shape[0] // 2, shape[1] // 2):
            problems.append(Problem(str(root / PARSING), f"label maps of {labels.shape}; the release stores "
                                    f"them at half the image size, {(shape[0] // 2, shape[1] // 2)}", False))
    for name, what in ((WEAK, "weak masks"), (TEST_LIST, "official test list")):
        if not (root / name).exists():
            problems.append(Problem(str(root / name), f"no {what} (the release has them)", False))


def check_data(root: Path, split_files=()) -> list[Problem]:
    """Every problem of a data folder in the FFHQ-Wrinkle layout, each naming its file."""
    root = Path(root)
    if not root.is_dir():
        return [Problem(str(root), "data folder does not exist")]
    problems = [Problem(str(root / f), "required folder is missing") for f in (IMAGES, MANUAL)
                if not (root / f).is_dir()]
    if problems:
        return problems
    problems = check_names(root)
    shapes = check_images(root, problems)
    images, manual = set(list_ids(root)), set(list_ids(root, MANUAL))
    check_labels(root, shapes, images, problems)
    check_annotators(root, shapes, manual, problems)
    check_lists(root, images, manual, split_files, problems)
    check_release_form(root, shapes, problems)
    return problems
