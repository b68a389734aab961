"""The FFHQ-Wrinkle folder layout: writing synthetic data into it, reading and checking it.

Real release and synthetic data share this layout, so one loader serves both:

    images1024x1024/NN000/NNNNN.png   RGB faces (folder name kept at every size)
    manual_wrinkle_masks/NNNNN.png    majority-voted manual masks, wrinkle = nonzero
    weak_wrinkle_masks/NN000/NNNNN.png  texture masks, 8-bit gray
    face_parsed_labels/NNNNN.npy      uint8 BiSeNet classes, image size or half of it
    test_file_lists.txt               official test ids (optional)
  synthetic only:
    annotations/<annotator>/NNNNN.png  each simulated annotator's mask
    true_wrinkle_masks/NNNNN.png      the true wrinkles
    regions/NNNNN.png                 wrinkle-area ids (1 forehead, 2 crow's feet, 3 nasolabial)
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np

from .ioutil import atomic_write, show_progress, write_json

log = logging.getLogger(__name__)

IMAGES, MANUAL, WEAK = "images1024x1024", "manual_wrinkle_masks", "weak_wrinkle_masks"
PARSING, TEST_LIST = "face_parsed_labels", "test_file_lists.txt"
ANNOTATIONS, TRUTH, REGIONS = "annotations", "true_wrinkle_masks", "regions"
N_CLASSES = 19


class DataError(ValueError):
    """A data file that cannot be used; the message names the file and what is wrong."""


def image_id(i: int) -> str:
    """Five-digit FFHQ id."""
    return f"{int(i):05d}"


def image_path(root: Path, iid: str) -> Path:
    """Path of an image in FFHQ's folders of 1000."""
    return Path(root) / IMAGES / f"{int(iid) // 1000:02d}000" / f"{iid}.png"


def weak_path(root: Path, iid: str) -> Path:
    return Path(root) / WEAK / f"{int(iid) // 1000:02d}000" / f"{iid}.png"


def manual_path(root: Path, iid: str) -> Path:
    return Path(root) / MANUAL / f"{iid}.png"


def parsing_path(root: Path, iid: str) -> Path:
    return Path(root) / PARSING / f"{iid}.npy"


def list_ids(root: Path, folder: str = IMAGES) -> list[str]:
    """Sorted ids of the PNGs in one layout folder (images and weak masks are nested)."""
    base = Path(root) / folder
    pattern = "*/*.png" if folder in (IMAGES, WEAK) else "*.png"
    return sorted(p.stem for p in base.glob(pattern))


def read_test_list(root: Path) -> list[str] | None:
    """The official test ids, or None when the folder has no test list."""
    path = Path(root) / TEST_LIST
    if not path.exists():
        return None
    ids = []
    for line in path.read_text().split():
        stem = Path(line.strip()).stem
        if not stem.isdigit():
            raise DataError(f"{path}: entry {line!r} is not an image id")
        ids.append(image_id(int(stem)))
    return ids


# --- reading ---------------------------------------------------------------------------

def read_raw(path: Path) -> np.ndarray:
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file is missing")
    data = np.fromfile(path, np.uint8)
    img = cv2.imdecode(data, cv2.IMREAD_UNCHANGED) if data.size else None
    if img is None:
        raise DataError(f"{path}: cannot be decoded (corrupt or truncated image)")
    return img


def read_image(path: Path) -> np.ndarray:
    """An RGB uint8 image. Policy: gray is converted to RGB, RGBA drops alpha, each logged."""
    img = read_raw(path)
    if img.dtype != np.uint8:
        raise DataError(f"{path}: expected 8-bit image, got {img.dtype}")
    if img.ndim == 2:
        log.warning("%s: grayscale image converted to RGB", path)
        return np.repeat(img[..., None], 3, axis=2)
    if img.shape[2] == 4:
        log.warning("%s: RGBA image, alpha channel dropped", path)
        img = img[..., :3]
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def read_mask(path: Path) -> np.ndarray:
    """A binary mask as {0,1} uint8; values other than {0,1} or {0,255} are an error."""
    img = read_raw(path)
    if img.ndim != 2:
        raise DataError(f"{path}: mask must be single-channel gray, got shape {img.shape}")
    values = np.unique(img)
    if not (set(values.tolist()) <= {0, 1} or set(values.tolist()) <= {0, 255}):
        raise DataError(f"{path}: mask values must be {{0,1}} or {{0,255}}, found {values[:8].tolist()}")
    return (img > 0).astype(np.uint8)


def read_gray(path: Path) -> np.ndarray:
    """An 8-bit gray image (weak texture masks) as float32."""
    img = read_raw(path)
    if img.ndim != 2:
        raise DataError(f"{path}: expected a single-channel gray image, got shape {img.shape}")
    return img.astype(np.float32)


def read_parsing(path: Path, shape: tuple[int, int] | None = None) -> np.ndarray:
    """A face-parsing label map, upscaled with nearest neighbour to `shape` when smaller."""
    path = Path(path)
    if not path.exists():
        raise DataError(f"{path}: file is missing")
    try:
        labels = np.load(path, allow_pickle=False)
    except (ValueError, OSError, EOFError) as err:
        raise DataError(f"{path}: unreadable .npy ({err})") from err
    if labels.ndim != 2 or not np.issubdtype(labels.dtype, np.integer):
        raise DataError(f"{path}: expected a 2-D integer label map, got {labels.dtype} {labels.shape}")
    if labels.size and (labels.min() < 0 or labels.max() >= N_CLASSES):
        raise DataError(f"{path}: labels must lie in 0..{N_CLASSES - 1}, found {labels.min()}..{labels.max()}")
    labels = labels.astype(np.uint8)
    if shape is not None and labels.shape != tuple(shape):
        if not _is_scaled(labels.shape, shape):
            raise DataError(f"{path}: label map {labels.shape} does not match image {tuple(shape)}")
        labels = cv2.resize(labels, (shape[1], shape[0]), interpolation=cv2.INTER_NEAREST)
    return labels


def _is_scaled(small: tuple, big: tuple) -> bool:
    """True when `small` is `big` divided by a whole factor (the release stores 512 for 1024)."""
    return all(b % s == 0 for s, b in zip(small, big)) and big[0] // small[0] == big[1] // small[1]


# --- writing ---------------------------------------------------------------------------

def write_png(path: Path, array: np.ndarray) -> Path:
    """Write an RGB or gray uint8 array as PNG, atomically."""
    out = cv2.cvtColor(array, cv2.COLOR_RGB2BGR) if array.ndim == 3 else array

    def write(p: Path):
        ok, buf = cv2.imencode(".png", out)
        if not ok:
            raise OSError(f"could not encode {path}")
        buf.tofile(p)

    return atomic_write(path, write)


def write_npy(path: Path, array: np.ndarray) -> Path:
    """Write a .npy file atomically."""
    def write(p: Path):
        with open(p, "wb") as f:
            np.save(f, array)

    return atomic_write(path, write)


def write_synthetic(out: Path, n: int, size: int, seed: int = 0, progress: bool | None = None) -> Path:
    """Write n synthetic faces in the FFHQ-Wrinkle layout; faces already written are kept."""
    from tqdm import tqdm

    from .synth import ANNOTATORS, make_face
    from .voting import majority_vote

    out = Path(out)
    meta = {"kind": "synthetic", "n": int(n), "size": int(size), "seed": int(seed)}
    progress = show_progress() if progress is None else progress
    for i in tqdm(range(n), desc="synthetic faces", disable=not progress, mininterval=2):
        iid = image_id(i)
        if image_path(out, iid).exists() and (out / REGIONS / f"{iid}.png").exists():
            continue
        face = make_face(i, size, seed)
        for name in ANNOTATORS:
            write_png(out / ANNOTATIONS / name / f"{iid}.png", face.annotations[name] * 255)
        voted = majority_vote([face.annotations[k] for k in ANNOTATORS], min_votes=2)
        write_png(manual_path(out, iid), voted * 255)
        write_png(out / TRUTH / f"{iid}.png", face.truth * 255)
        write_npy(parsing_path(out, iid), face.parsing)
        write_png(image_path(out, iid), face.image)
        # Written last: its presence marks the face complete for a resumed run.
        write_png(out / REGIONS / f"{iid}.png", face.regions)
    write_json(out / "synthetic.json", meta)
    return out


# --- checking --------------------------------------------------------------------------

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
    images = set(list_ids(root))
    shapes = {}
    for iid in sorted(images):
        path = image_path(root, iid)
        raw = _check(problems, read_raw, path)
        if raw is None:
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
        from .splits import read_split

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
