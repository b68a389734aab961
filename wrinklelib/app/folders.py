"""The commands over whole folders: weak (texture) masks for a folder of images, resumable
and atomic (`wrinkle texture`), and one combined mask from one folder per annotator
(`wrinkle vote`)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from ..data.layout import DataError, read_image, read_mask, read_parsing, write_png
from ..data.parsing import NoFaceFound, parser_for
from ..files import show_progress
from ..labels.fusion import combine
from ..labels.texture import face_mask, texture_map_torch, texture_mask, to_uint8
from ..parallel import imap
from .outputs import check_out, list_images, output_paths, prepare


@dataclass(frozen=True)
class Job:
    """One image to turn into a weak mask, and how."""

    image: Path
    out: Path
    source: str                  # "parsing", "landmarks", "bisenet" or "none"
    parsing_dir: str | None
    bisenet: str | None
    device: str
    ksize: int
    sigma: float


def output_path(out: Path, image: Path, root: Path) -> Path:
    """FFHQ-Wrinkle weak-mask path for numeric ids (NN000/NNNNN.png), else the image's
    path relative to root, as PNG."""
    if image.stem.isdigit():
        return out / f"{int(image.stem) // 1000:02d}000" / f"{int(image.stem):05d}.png"
    return out / image.relative_to(root).with_suffix(".png")


def face_labels(job: Job, image: np.ndarray) -> np.ndarray | None:
    """The face-parsing map of one image from the job's source (None: no face mask)."""
    if job.source == "parsing":
        return read_parsing(Path(job.parsing_dir) / f"{job.image.stem}.npy", image.shape[:2])
    if job.source in ("landmarks", "bisenet"):
        return parser_for(job.source, job.bisenet, job.device)(image)
    return None


def make_one(job: Job) -> tuple[str, str | None]:
    """Write the weak mask of one image; returns (image, error message or None)."""
    try:
        image = read_image(job.image)
        labels = face_labels(job, image)
        if job.device.startswith("cuda"):
            import torch

            x = torch.from_numpy(image).permute(2, 0, 1)[None].float().to(job.device)
            t = texture_map_torch(x, job.ksize, job.sigma)[0, 0].cpu().numpy()
            t = t if labels is None else np.where(face_mask(labels), t, 0)
        else:
            t = texture_mask(image, labels, ksize=job.ksize, sigma=job.sigma)
        write_png(job.out, to_uint8(t))
        return str(job.image), None
    except (DataError, NoFaceFound, ValueError) as err:
        return str(job.image), str(err)


def make_all(images: Path, out: Path, source: str, parsing_dir: str | None = None, bisenet: str | None = None,
             device: str = "cpu", workers: int = 1, ksize: int = 21, sigma: float = 5.0) -> dict:
    """Weak masks for every image under a folder; masks already written are skipped, so a
    killed run resumes. Returns counts, the failures by file, and images per second."""
    if ksize < 1 or ksize % 2 == 0:
        raise ValueError(f"--ksize {ksize}: expected an odd number of pixels >= 1 (OpenCV's Gaussian)")
    if sigma <= 0:
        raise ValueError(f"--sigma {sigma}: expected a number > 0")
    paths = list_images(Path(images))
    check_out(out, {"--images": images} | ({"--parsing": parsing_dir} if parsing_dir else {}))
    targets = output_paths(paths, Path(images), Path(out), lambda p: output_path(Path(out), p, Path(images)))
    # Masks made with other settings are made again; a killed run's temporary files go.
    reuse = prepare(out, {"source": source, "ksize": ksize, "sigma": sigma, "parsing": parsing_dir,
                          "bisenet": bisenet}, list(targets.values()))
    jobs = [Job(p, targets[p], source, parsing_dir, bisenet, device, ksize, sigma)
            for p in paths if not (reuse and targets[p].exists())]
    print(f"{len(paths)} images, {len(paths) - len(jobs)} already done, {len(jobs)} to write", flush=True)
    failed, start = [], time.perf_counter()
    workers = 1 if device.startswith("cuda") else workers
    results = imap(make_one, jobs, workers) if workers > 1 else map(make_one, jobs)
    for name, err in tqdm(results, total=len(jobs), desc="texture masks", disable=not show_progress()):
        if err:
            failed.append((name, err))
    rate = len(jobs) / max(time.perf_counter() - start, 1e-9)
    return {"images": len(paths), "written": len(jobs) - len(failed), "failed": failed, "images_per_s": rate}


def vote_folders(folders, out, method: str = "majority", min_votes: int = 2) -> int:
    """Combine same-named PNG masks from one folder per annotator into `out` (never one of
    them); every file must exist in every folder, checked before anything is written.
    Returns the number of masks written."""
    folders = [Path(d) for d in folders]
    for d in folders:
        if not d.is_dir():
            raise DataError(f"--annotations {d}: no such folder")
    check_out(out, {f"--annotations {d}": d for d in folders})
    names = {d: {p.name for p in d.glob("*.png") if not p.name.startswith(".")} for d in folders}
    every = sorted(set().union(*names.values()))
    if not every:
        raise DataError(f"--annotations: no PNG masks in {', '.join(map(str, folders))}")
    missing = [str(d / n) for d in folders for n in every if n not in names[d]]
    if missing:
        raise DataError(f"missing annotation files: {', '.join(missing[:10])}"
                        + (f" and {len(missing) - 10} more" if len(missing) > 10 else ""))
    prepare(out, {"method": method, "min_votes": min_votes, "folders": [str(d.resolve()) for d in folders]},
            [Path(out) / n for n in every])
    for n in every:
        masks = [read_mask(d / n) for d in folders]
        if len({m.shape for m in masks}) > 1:
            raise DataError(f"{n}: annotation sizes differ across folders: {sorted({m.shape for m in masks})}")
        write_png(Path(out) / n, combine(masks, method, min_votes).astype(np.uint8))
    return len(every)
