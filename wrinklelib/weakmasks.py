"""Bulk generation of weak (texture) masks for a folder of images, resumable and atomic."""

from __future__ import annotations

import time
from dataclasses import dataclass
from multiprocessing import Pool
from pathlib import Path

import numpy as np
from tqdm import tqdm

from .data import DataError, read_image, read_parsing, write_png
from .ioutil import show_progress
from .parsing import NoFaceFound, parser_for
from .predict import list_images
from .texture import face_mask, texture_mask, texture_map_torch, to_uint8


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


def output_path(out: Path, image: Path) -> Path:
    """FFHQ-Wrinkle weak-mask path for numeric ids (NN000/NNNNN.png), else out/<stem>.png."""
    if image.stem.isdigit():
        return out / f"{int(image.stem) // 1000:02d}000" / f"{int(image.stem):05d}.png"
    return out / f"{image.stem}.png"


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
    paths = list_images(Path(images))
    if not paths:
        raise FileNotFoundError(f"{images}: no images found")
    jobs = [Job(p, output_path(Path(out), p), source, parsing_dir, bisenet, device, ksize, sigma)
            for p in paths if not output_path(Path(out), p).exists()]
    print(f"{len(paths)} images, {len(paths) - len(jobs)} already done, {len(jobs)} to write", flush=True)
    failed, start = [], time.perf_counter()
    workers = 1 if device.startswith("cuda") else workers
    pool = Pool(workers) if workers > 1 else None
    try:
        results = pool.imap(make_one, jobs) if pool else map(make_one, jobs)
        for name, err in tqdm(results, total=len(jobs), desc="texture masks", disable=not show_progress()):
            if err:
                failed.append((name, err))
    finally:
        if pool:
            pool.close()
    rate = len(jobs) / max(time.perf_counter() - start, 1e-9)
    return {"images": len(paths), "written": len(jobs) - len(failed), "failed": failed, "images_per_s": rate}
