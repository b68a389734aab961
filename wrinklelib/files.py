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
#: What names a temporary file of ours: `.<target name>.wrinkle-<pid>-<random>.tmp`.
TEMP_MARK = ".wrinkle-"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _owner(temp: Path) -> int | None:
    """The process id a temporary file of ours names, or None for any other file."""
    name = temp.name
    if not (name.startswith(".") and name.endswith(TEMP_SUFFIX) and TEMP_MARK in name):
        return None
    try:
        return int(name.rsplit(TEMP_MARK, 1)[1].split("-", 1)[0])
    except ValueError:
        return None


def stale_temps(path: Path) -> list[Path]:
    """Temporary files that a killed write of `path` left beside it (their process is gone)."""
    path = Path(path)
    found = path.parent.glob(f".{path.name}{TEMP_MARK}*{TEMP_SUFFIX}") if path.parent.is_dir() else []
    return [t for t in found if (pid := _owner(t)) is not None and not _alive(pid)]


def atomic_write(path: Path, write: Callable[[Path], None]) -> Path:
    """Call write(tmp) on a hidden temporary file in the target folder, then rename it to
    path with the usual permissions (0666 less the umask, not mkstemp's 0600). Temporary
    files that killed writes of the same path left are removed first."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    for stale in stale_temps(path):
        stale.unlink(missing_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}{TEMP_MARK}{os.getpid()}-", suffix=TEMP_SUFFIX)
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


def clean_temp(folders) -> int:
    """Remove the temporary files of ours (named by TEMP_MARK) whose writing process is gone,
    in these folders only (not below them): never a file of anyone else."""
    stale = []
    for folder in ([folders] if isinstance(folders, (str, Path)) else folders):
        if Path(folder).is_dir():
            stale += [p for p in Path(folder).iterdir() if p.is_file() and (pid := _owner(p)) is not None
                      and not _alive(pid)]
    for p in stale:
        p.unlink(missing_ok=True)
    return len(stale)


def os_error(err: OSError) -> str:
    """An operating-system error in one line: what failed, on which file."""
    import errno

    where = f" ({err.filename})" if getattr(err, "filename", None) else ""
    if err.errno == errno.ENOSPC:
        return f"no space left on the device{where}; free some and run it again (finished work is kept)"
    if err.errno == errno.EROFS:
        return f"read-only file system{where}; choose a folder that can be written"
    if err.errno in (errno.EACCES, errno.EPERM):
        return f"permission denied{where}"
    return f"{err.strerror or type(err).__name__}{where}"


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
