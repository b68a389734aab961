"""Atomic file writes: write to a temporary file beside the target, then rename."""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Callable


def show_progress() -> bool:
    """Progress bars are on unless TQDM_DISABLE is set (as in executed notebooks and tests)."""
    return os.environ.get("TQDM_DISABLE", "") in ("", "0")


#: Suffix of the temporary files atomic_write leaves behind when killed (see clean_temp).
TEMP_SUFFIX = ".tmp"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a hidden temporary file in the target folder, then rename it to
    path with the usual permissions (0666 less the umask, not mkstemp's 0600)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=TEMP_SUFFIX)
    os.close(fd)
    try:
        write(Path(tmp))
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def write_text(path: Path, text: str) -> Path:
    """Write text atomically."""
    return atomic_write(path, lambda p: p.write_text(text))


def write_json(path: Path, obj) -> Path:
    """Write JSON atomically with sorted keys, so equal content gives equal bytes."""
    return write_text(path, json.dumps(obj, indent=2, sort_keys=True) + "\n")


def write_csv(path: Path, frame) -> Path:
    """Write a pandas DataFrame as CSV atomically."""
    return atomic_write(path, lambda p: frame.to_csv(p, index=False))


def clean_temp(folder: Path) -> int:
    """Remove the hidden temporary files a killed atomic_write left under a folder."""
    stale = [p for p in Path(folder).rglob(f".*{TEMP_SUFFIX}") if p.is_file()] if Path(folder).is_dir() else []
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


class Busy(RuntimeError):
    """Another process holds a lock; the message names it."""


@contextlib.contextmanager
def exclusive(path: Path, what: str):
    """Hold an exclusive lock on `path` while the block runs; a second holder fails at once
    with one line naming `what` is busy (the lock ends with the process that holds it)."""
    import fcntl

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as err:
            raise Busy(f"{what} is being written by another process (lock {path}); wait for it to finish") from err
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)
