"""Output folders that lose nothing: never inside an input folder, one output per input
(relative paths kept), never a file overwritten that an earlier run of the command did not
write (the folder's record lists what it wrote), settings stored beside the outputs, and
only our own temporary files of a killed run cleaned, in the folders we write."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from ..files import clean_temp, write_json, write_text

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp", ".tif", ".tiff")
SETTINGS_FILE = "wrinkle-settings.json"
#: The files earlier runs wrote into an output folder (one relative path per line).
RECORD_FILE = "wrinkle-outputs.txt"


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
    """Refuse an image with more pixels than MAX_PIXELS, from its header alone, whatever its
    format; a file whose header Pillow cannot read (every format listed in IMAGE_SUFFIXES
    it can) is refused as not an image, never handed to a decoder that would allocate
    whatever its header asks for."""
    import warnings

    from PIL import Image

    Image.MAX_IMAGE_PIXELS = None          # the limit is ours, checked here
    size = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            with Image.open(path) as img:
                size = img.size
    except OSError:
        size = None
    if size is None:
        raise OutputError(f"{path}: not an image this tool reads ({', '.join(IMAGE_SUFFIXES)})")
    w, h = size
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


def _record(out: Path) -> set[str]:
    path = Path(out) / RECORD_FILE
    return set(path.read_text().splitlines()) if path.is_file() else set()


def prepare(out: Path, settings: dict, targets: list[Path] = ()) -> bool:
    """Make ready an output folder for `targets`: refuse one that is a file or holds a file
    at a target's place that no earlier run of ours wrote; record the targets (before any
    is written, so that a killed run's files stay ours) and the settings; clean our own
    temporary files of a killed run in the target folders. True when existing outputs were
    made with the same settings."""
    out = Path(out)
    if out.exists() and not out.is_dir():
        raise OutputError(f"--out {out}: is a file; expected a folder (new or one this command wrote)")
    mine = _record(out)
    names = [str(Path(t).relative_to(out)) for t in targets]
    for name in names:
        if (out / name).exists() and name not in mine:
            raise OutputError(f"--out {out}: {name} exists and was not written by this command; "
                              "choose another folder or move that file")
    path = out / SETTINGS_FILE
    try:
        same = path.exists() and json.loads(path.read_text()) == json.loads(json.dumps(settings))
    except (ValueError, UnicodeDecodeError) as err:
        raise OutputError(f"{path}: not readable JSON ({err}); move it away or choose another --out") from err
    out.mkdir(parents=True, exist_ok=True)
    write_text(out / RECORD_FILE, "".join(f"{n}\n" for n in sorted(mine | set(names))))
    write_json(path, settings)
    clean_temp({Path(t).parent for t in targets} | {out})
    return same
