"""Published runs: a finished run's executed notebooks, tables, figures and provenance
copied into results/<name>/ (small, committed), and the book's inputs restored from one
so that the site can be built without executing anything."""

from __future__ import annotations

import json
import shutil
import tarfile
import tempfile
from pathlib import Path

import nbformat

from ..config import paths
from ..config.environment import environment
from ..files import atomic_write, write_json

PROVENANCE = "provenance.json"


class PublishError(ValueError):
    """A run that cannot be published or a published run that cannot be used; names it."""


def provenance(notebooks: Path | None = None, run_file: Path | None = None) -> dict:
    """Where a run came from: the run record, the executing environment (device, versions,
    git commit) and each notebook's wall time, as recorded in the executed notebooks (by
    default the book's)."""
    notebooks = Path(notebooks or paths.EXECUTED)
    run_file = Path(run_file or paths.generated() / "run.json")
    if not run_file.exists():
        raise PublishError(f"{run_file}: no run record; run `wrinkle run` first")
    run = json.loads(run_file.read_text())
    books = sorted(Path(notebooks).glob("[0-9][0-9]_*.ipynb"))
    expected = len(list(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")))
    if len(books) != expected:
        raise PublishError(f"{notebooks}: expected the {expected} executed notebooks, found {len(books)}")
    meta = [nbformat.read(b, as_version=4).metadata.get("wrinkle", {}) for b in books]
    wrong = [b.name for b, m in zip(books, meta) if m.get("hash") != run["hash"]]
    if wrong:
        raise PublishError(f"{', '.join(wrong)}: executed for another run than {run['profile']}-{run['hash']}")
    env = meta[-1].get("environment") or environment()
    return {"run": f"{run['profile']}-{run['hash']}", "profile": run["profile"], "settings": run["settings"],
            "device": env.get("device"), "git_commit": env.get("git_commit"), "environment": env,
            "notebook_wall_s": {b.stem: round(m.get("wall_s", float("nan")), 1) for b, m in zip(books, meta)},
            "total_wall_s": round(sum(m.get("wall_s", 0) for m in meta), 1),
            "executed_utc": min(m.get("executed_utc", "?") for m in meta)}


def publish(name: str, dest_root: Path | None = None) -> Path:
    """Copy the book's current run (executed notebooks, tables, figures, run.json) with its
    provenance into dest_root/name, replacing an earlier publication of that name whole."""
    if not name or "/" in name or name.startswith("."):
        raise PublishError(f"run name {name!r}: expected a plain folder name such as cpu-publish")
    prov = provenance()
    dest_root = Path(dest_root or paths.RESULTS)
    dest = dest_root / name
    dest_root.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=dest_root, prefix=f".{name}."))
    try:
        shutil.copytree(paths.EXECUTED, tmp / "notebooks", ignore=shutil.ignore_patterns(".*"))
        shutil.copytree(paths.tables(), tmp / "tables")
        shutil.copytree(paths.figures(), tmp / "figures")
        shutil.copy(paths.generated() / "run.json", tmp / "run.json")
        write_json(tmp / PROVENANCE, prov)
        if dest.exists():
            shutil.rmtree(dest)
        tmp.rename(dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return dest


def restore(name: str, src_root: Path | None = None) -> Path:
    """Put a published run where the book reads its inputs (executed notebooks, tables,
    figures, run record and provenance), replacing whatever was there."""
    src_root = Path(src_root or paths.RESULTS)
    src = src_root / name
    if not (src / PROVENANCE).exists():
        known = sorted(p.name for p in src_root.glob("*") if (p / PROVENANCE).exists())
        raise PublishError(f"{src}: not a published run; known: {', '.join(known) or 'none'}")
    for folder, target in (("notebooks", paths.EXECUTED), ("tables", paths.tables()), ("figures", paths.figures())):
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(src / folder, target)
    for f in ("run.json", PROVENANCE):
        shutil.copy(src / f, paths.generated() / f)
    return src


def archive(name: str, target: Path, src_root: Path | None = None) -> Path:
    """Pack the published run results/name into one .tar.gz (what a borrowed machine that
    returns only a few files sends back), written atomically."""
    src = Path(src_root or paths.RESULTS) / name
    if not (src / PROVENANCE).exists():
        raise PublishError(f"{src}: not a published run")

    def write(tmp: Path) -> None:
        with tarfile.open(tmp, "w:gz") as tar:
            tar.add(src, arcname=name)

    return atomic_write(Path(target), write)


def unpack(path: Path, dest_root: Path | None = None) -> Path:
    """Unpack an archive of one published run into results/, replacing an earlier
    publication of that name whole; the archive must hold one run folder and nothing else."""
    path, dest_root = Path(path), Path(dest_root or paths.RESULTS)
    try:
        with tarfile.open(path, "r:gz") as tar:
            names = tar.getnames()
            tops = {n.split("/")[0] for n in names}
            if len(tops) != 1 or f"{next(iter(tops))}/{PROVENANCE}" not in names:
                raise PublishError(f"{path}: expected the archive of one published run (NAME/{PROVENANCE} ...)")
            name = tops.pop()
            dest_root.mkdir(parents=True, exist_ok=True)
            tmp = Path(tempfile.mkdtemp(dir=dest_root, prefix=f".{name}."))
            try:
                tar.extractall(tmp, filter="data")
                if (dest_root / name).exists():
                    shutil.rmtree(dest_root / name)
                (tmp / name).rename(dest_root / name)
            finally:
                shutil.rmtree(tmp, ignore_errors=True)
    except (tarfile.TarError, OSError) as err:
        raise PublishError(f"{path}: not a readable .tar.gz ({err})") from err
    return dest_root / name
