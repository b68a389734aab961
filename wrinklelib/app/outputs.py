"""Output folders that lose nothing: never inside an input folder, one output per input
(relative paths kept), settings stored beside the outputs so that a change redoes them,
and temporary files of a killed run cleaned."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..files import clean_temp, write_json

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
SETTINGS_FILE = "wrinkle-settings.json"


class OutputError(ValueError):
    """An output folder or file layout that would overwrite or lose something."""


def list_images(folder: Path, option: str = "--images") -> list[Path]:
    """Image files under a folder, recursively and sorted, hidden files skipped; an error
    naming the option when the folder is missing or holds none."""
    folder = Path(folder)
    if not folder.is_dir():
        raise OutputError(f"{option} {folder}: no such folder")
    found = sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix.lower() in IMAGE_SUFFIXES
                   and not any(part.startswith(".") for part in p.relative_to(folder).parts))
    if not found:
        raise OutputError(f"{option} {folder}: no images ({', '.join(IMAGE_SUFFIXES)}) in it")
    return found


def check_out(out: Path, inputs: dict[str, Path]) -> Path:
    """Refuse an output folder that is, lies inside or contains an input folder (named by
    its option): outputs written there could overwrite the inputs."""
    target = Path(out).resolve()
    for option, folder in inputs.items():
        src = Path(folder).resolve()
        if target == src or src in target.parents:
            raise OutputError(f"--out {out}: lies inside {option} {folder}; choose a folder outside the inputs")
        if target in src.parents:
            raise OutputError(f"--out {out}: contains {option} {folder}; choose a folder outside the inputs")
    return Path(out)


#: Photos with more pixels than this are refused before they are decoded (a small file can
#: hold a huge image: 20000 x 20000 pixels took 3 GB).
MAX_PIXELS = 80_000_000


def check_pixels(path: Path) -> None:
    """Refuse an image with more pixels than MAX_PIXELS, from its header alone."""
    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None          # the limit is ours, checked here
    try:
        with Image.open(path) as img:
            w, h = img.size
    except OSError:
        return                             # not readable here: the decoder names the problem
    if w * h > MAX_PIXELS:
        raise OutputError(f"{path}: {w} x {h} pixels, more than {MAX_PIXELS // 10 ** 6} million; scale it down")


def output_paths(files: list[Path], root: Path, out: Path, place: Callable[[Path], Path] | None = None
                 ) -> dict[Path, Path]:
    """Each input's output: by default its path relative to root, under out, as PNG (or
    where `place` puts it); an error naming both inputs when two would share an output."""
    mapping, seen = {}, {}
    for f in files:
        target = place(f) if place else Path(out) / Path(f).relative_to(root).with_suffix(".png")
        if target in seen:
            raise OutputError(f"{seen[target]} and {f} would both write {target}; rename one of them")
        seen[target] = f
        mapping[f] = target
    return mapping


def prepare(out: Path, settings: dict) -> bool:
    """Clean temporary files of a killed run in out and record the settings the outputs are
    made with; True when existing outputs were made with the same settings (reusable)."""
    out = Path(out)
    clean_temp(out)
    path = out / SETTINGS_FILE
    same = path.exists() and json.loads(path.read_text()) == json.loads(json.dumps(settings))
    write_json(path, settings)
    return same
