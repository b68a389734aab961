"""The FFHQ-Wrinkle folder layout: paths, reading and writing files, and loading one face.

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
from pathlib import Path

import cv2
import numpy as np

from ..files import atomic_write
from ..labels.faceclasses import N_CLASSES

log = logging.getLogger(__name__)

IMAGES, MANUAL, WEAK = "images1024x1024", "manual_wrinkle_masks", "weak_wrinkle_masks"
PARSING, TEST_LIST = "face_parsed_labels", "test_file_lists.txt"
ANNOTATIONS, TRUTH, REGIONS = "annotations", "true_wrinkle_masks", "regions"


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


def layout_files(root: Path, folder: str = IMAGES) -> list[Path]:
    """Every PNG of one layout folder (images and weak masks are nested), hidden files skipped."""
    pattern = "*/*.png" if folder in (IMAGES, WEAK) else "*.png"
    return sorted(p for p in (Path(root) / folder).glob(pattern) if not p.name.startswith("."))


def list_ids(root: Path, folder: str = IMAGES) -> list[str]:
    """Sorted ids of the PNGs in one layout folder; names that are not numeric FFHQ ids are
    not part of the layout (check-data lists them)."""
    return sorted(p.stem for p in layout_files(root, folder) if p.stem.isdigit())


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
    """A face-parsing label map, scaled up to `shape` when it is a whole factor smaller."""
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
        labels = upscale_labels(labels, shape)
    return labels


def upscale_labels(labels: np.ndarray, shape: tuple[int, int]) -> np.ndarray:
    """A label map scaled up by a whole factor exactly as the release's face_masking.py does
    (scipy.ndimage.zoom with order 0), so that face masks match its pixel for pixel."""
    from scipy.ndimage import zoom

    if labels.shape == tuple(shape):
        return labels
    return zoom(labels, (shape[0] / labels.shape[0], shape[1] / labels.shape[1]), order=0)


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
