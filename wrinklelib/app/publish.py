"""Published runs: a finished run's executed notebooks, tables, figures and provenance
copied into results/<name>/ (small, committed), packed into one archive for a machine that
sends back only a few files, unpacked again, and restored into the book's inputs so that
the site builds without executing anything.

Nothing here removes more than the one run (or the book's inputs) it replaces, and only
after the replacement is complete and checked: the old folder is renamed aside, the new
one renamed in, and only then is the old one deleted.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
import tarfile
import tempfile
import zlib
from pathlib import Path

import nbformat

from ..book.provenance import PROVENANCE, RUN_RECORD, PublishError, provenance
from ..config import paths
from ..files import atomic_write, write_json, write_text

__all__ = ["PublishError", "provenance", "publish", "restore", "archive", "unpack"]
PARTS = ("notebooks", "tables", "figures")
#: Parts a published run may have: the model it ships (model/wrinkle-unet.pt).
OPTIONAL = ("model",)
#: An archive may hold at most this many members and unpack to at most this many bytes.
MAX_MEMBERS, MAX_BYTES = 5000, 500 * 2 ** 20


#: Names under results/ that are not runs: the file naming the book's run.
RESERVED = ("DEFAULT",)


def check_name(name: str) -> str:
    """A run's folder name: plain, not hidden, not a path, not reserved, no control
    characters."""
    if (not name or name in (".", "..") or "/" in name or "\\" in name or name.startswith(".")
            or any(ord(c) < 32 or ord(c) == 127 for c in name)):
        raise PublishError(f"run name {name!r}: expected a plain folder name such as publish")
    if name in RESERVED:
        raise PublishError(f"run name {name!r}: reserved (results/{name} names the book's run); choose another")
    return name


def no_links(folder: Path) -> None:
    """Refuse a run folder that is, or holds, a link or anything but folders and files."""
    folder = Path(folder)
    if folder.is_symlink() or not folder.is_dir():
        raise PublishError(f"{folder}: not a real folder (a link or a file); a run folder holds files only")
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            path = Path(parent) / name
            if path.is_symlink() or not (path.is_dir() or path.is_file()):
                raise PublishError(f"{path}: a link or special file inside a run; refused")


def _temp_dir(root: Path, name: str) -> Path:
    """A hidden working folder for run `name` beside its destination, named after this
    process; those of killed processes are removed first."""
    from ..files import TEMP_MARK, stale_temps

    for stale in stale_temps(root / name):
        shutil.rmtree(stale, ignore_errors=True)
    return Path(tempfile.mkdtemp(dir=root, prefix=f".{name}{TEMP_MARK}{os.getpid()}-", suffix=".tmp"))


def _umask_modes(folder: Path) -> Path:
    """Folders and files of a published run with the umask's modes (mkdtemp makes 0700)."""
    mask = os.umask(0)
    os.umask(mask)
    for parent, dirs, files in os.walk(folder):
        os.chmod(parent, 0o777 & ~mask)
        for f in files:
            os.chmod(Path(parent) / f, 0o666 & ~mask)
    return folder


def check_published(folder: Path) -> Path:
    """A published run's folder, every part present and readable; else one line naming
    what is missing or broken."""
    folder = Path(folder)
    no_links(folder)
    for part in PARTS:
        if not (folder / part).is_dir():
            raise PublishError(f"{folder}: not a complete published run ({part}/ is missing)")
    for record in (PROVENANCE, RUN_RECORD):
        try:
            value = json.loads((folder / record).read_text())
        except (OSError, ValueError) as err:
            raise PublishError(f"{folder / record}: not a readable record ({err})") from err
        if not isinstance(value, dict) or not {"profile", "settings"} <= set(value):
            raise PublishError(f"{folder / record}: not a run record (no profile and settings)")
    books = sorted((folder / "notebooks").glob("*.ipynb"))
    if not books:
        raise PublishError(f"{folder / 'notebooks'}: no executed notebooks")
    for book in books:
        try:
            nbformat.read(book, as_version=4)
        except Exception as err:  # noqa: BLE001 - any parse failure means a broken notebook
            raise PublishError(f"{book}: not a readable notebook ({type(err).__name__})") from err
    return folder


def _aside(dest: Path) -> Path:
    """Where the folder being replaced waits until its successor is in place."""
    return dest.with_name(f".{dest.name}.replaced")


def recover(dest: Path) -> None:
    """Put back a folder that a killed replacement left aside."""
    if not dest.exists() and _aside(dest).exists():
        _aside(dest).rename(dest)


def replace_folder(new: Path, dest: Path) -> Path:
    """Move a complete new folder to dest: the old one is renamed aside first and deleted
    only once the new one is in place (a kill in between loses nothing; `recover` undoes it)."""
    recover(dest)
    aside = _aside(dest)
    shutil.rmtree(aside, ignore_errors=True)
    if dest.exists():
        dest.rename(aside)
    try:
        new.rename(dest)
    except OSError:
        if aside.exists() and not dest.exists():
            aside.rename(dest)
        raise
    shutil.rmtree(aside, ignore_errors=True)
    return dest


def portable(notebook: Path) -> None:
    """Papermill's record of where a notebook was executed, made relative to the repository
    (a published notebook must not name the machine's folders)."""
    nb = nbformat.read(notebook, as_version=4)
    record = nb.metadata.get("papermill", {})
    for key in ("input_path", "output_path"):
        if record.get(key):
            record[key] = paths.relative(Path(record[key]))
    nbformat.write(nb, notebook)


def publish(name: str, dest_root: Path | None = None) -> Path:
    """Copy the book's current run (executed notebooks, tables, figures, run.json) with its
    provenance into dest_root/name, replacing an earlier publication of that name whole."""
    check_name(name)
    prov = provenance()
    dest_root = Path(dest_root or paths.RESULTS)
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = _temp_dir(dest_root, name)
    try:
        shutil.copytree(paths.EXECUTED, tmp / "notebooks", ignore=shutil.ignore_patterns(".*"))
        for notebook in (tmp / "notebooks").glob("*.ipynb"):
            portable(notebook)
        shutil.copytree(paths.tables(), tmp / "tables")
        shutil.copytree(paths.figures(), tmp / "figures")
        if paths.shipped_model().exists():
            shutil.copytree(paths.shipped_model().parent, tmp / "model")
        shutil.copy(paths.generated() / RUN_RECORD, tmp / RUN_RECORD)
        write_json(tmp / PROVENANCE, prov)
        return replace_folder(_umask_modes(check_published(tmp)), dest_root / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def restore(name: str, src_root: Path | None = None) -> Path:
    """Put a published run where the book reads its inputs (executed notebooks, tables,
    figures, run record and provenance): checked whole first, staged beside the book, and
    swapped in part by part."""
    src_root = Path(src_root or paths.RESULTS)
    src = src_root / check_name(name)
    recover(src)                  # a replacement killed between its two renames is finished here
    if not (src / PROVENANCE).exists():
        known = sorted(p.name for p in src_root.glob("*") if (p / PROVENANCE).exists())
        raise PublishError(f"{src}: not a published run; known: {', '.join(known) or 'none'}")
    check_published(src)
    generated = paths.generated()
    generated.mkdir(parents=True, exist_ok=True)
    stage = Path(tempfile.mkdtemp(dir=generated, prefix=".restore."))
    try:
        for part in PARTS + OPTIONAL:
            if (src / part).is_dir():
                shutil.copytree(src / part, stage / part)
        targets = {"notebooks": paths.EXECUTED, "tables": paths.tables(), "figures": paths.figures(),
                   "model": paths.shipped_model().parent}
        for part, target in targets.items():
            if (stage / part).is_dir():
                target.parent.mkdir(parents=True, exist_ok=True)
                replace_folder(stage / part, target)
        for record in (RUN_RECORD, PROVENANCE):
            shutil.copy(src / record, stage / record)
            os.replace(stage / record, generated / record)
        write_text(generated / paths.RESTORED_MARKER, name + "\n")
    finally:
        shutil.rmtree(stage, ignore_errors=True)
    return src


def archive(name: str, target: Path, src_root: Path | None = None) -> Path:
    """Pack the published run results/name into one .tar.gz, written atomically."""
    src = Path(src_root or paths.RESULTS) / check_name(name)
    recover(src)
    check_published(src)
    if Path(target).is_dir():
        raise PublishError(f"--archive {target}: is a folder; expected a file name such as run.tar.gz")

    def write(tmp: Path) -> None:
        with tarfile.open(tmp, "w:gz") as tar:
            tar.add(src, arcname=name)

    return atomic_write(Path(target), write)


def _run_name(members: list[tarfile.TarInfo], path: Path, name: str | None) -> tuple[str, str]:
    """(the run's name, the archive's folder holding it): the archive's single plain top
    folder, or `name` for an archive of a run's files at its top level (`tar -C RUN .`)."""
    for m in members:
        if m.name.startswith("/") or ".." in Path(m.name).parts:
            raise PublishError(f"{path}: member {m.name!r} points outside the archive; refused")
        if m.issym() or m.islnk():
            raise PublishError(f"{path}: member {m.name!r} is a link; a published run holds files only, refused")
        if not (m.isfile() or m.isdir()):
            raise PublishError(f"{path}: member {m.name!r} is not a file or folder; refused")
    tops = {Path(m.name).parts[0] for m in members if Path(m.name).parts}
    if tops == {"."} or f"./{PROVENANCE}" in {m.name for m in members} or PROVENANCE in {m.name for m in members}:
        if not name:
            raise PublishError(f"{path}: holds a run's files at its top level (made with `tar -C RUN .`); "
                               "give the run a name with --name NAME")
        return check_name(name), "."
    if len(tops) != 1:
        raise PublishError(f"{path}: expected the archive of one published run (NAME/{PROVENANCE} ...)")
    top = tops.pop()
    if top in (".", "..", "") or top.startswith("."):
        raise PublishError(f"{path}: its top folder {top!r} is not a plain run name")
    return check_name(name or top), top


def unpack(path: Path, dest_root: Path | None = None, name: str | None = None) -> Path:
    """Unpack an archive of one published run into results/, replacing an earlier
    publication of that name whole once the new one is extracted and checked."""
    path, dest_root = Path(path), Path(dest_root or paths.RESULTS)
    if not path.is_file():
        raise PublishError(f"{path}: no such archive")
    if path.stat().st_size > MAX_BYTES:
        raise PublishError(f"{path}: larger than {MAX_BYTES // 2 ** 20} MB; a published run is a few MB")
    try:
        with tarfile.open(path, "r:gz") as tar:
            members = tar.getmembers()
            if len(members) > MAX_MEMBERS or sum(m.size for m in members) > MAX_BYTES:
                raise PublishError(f"{path}: more than {MAX_MEMBERS} files or {MAX_BYTES // 2 ** 20} MB "
                                   "unpacked; not a published run")
            run_name, top = _run_name(members, path, name)
            dest_root.mkdir(parents=True, exist_ok=True)
            tmp = _temp_dir(dest_root, run_name)
            try:
                tar.extractall(tmp, filter="data")
                return replace_folder(_umask_modes(check_published(tmp / top)), dest_root / run_name)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except (tarfile.TarError, EOFError, zlib.error) as err:
        raise PublishError(f"{path}: not a readable .tar.gz ({err or type(err).__name__}: truncated or "
                           "corrupt)") from err
    except OSError as err:
        if err.errno == errno.ENOSPC:
            raise PublishError(f"no space left on the device of {dest_root} while unpacking {path}") from err
        raise PublishError(f"{path}: cannot be unpacked into {dest_root} ({err.strerror or err})") from err
