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
from .outputs import check_out, list_images, output_paths, prepare
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
                          "bisenet": bisenet})
    jobs = [Job(p, targets[p], source, parsing_dir, bisenet, device, ksize, sigma)
            for p in paths if not (reuse and targets[p].exists())]
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
