"""Synthetic faces written in the FFHQ-Wrinkle release's layout, so that the loaders, the
checks and the authors' own scripts read them as they read the release: images, voted
masks, half-size face-parsing labels, weak (texture) masks and an official test list,
plus what only a synthetic world knows (true masks, each annotator's mask, regions)."""

from __future__ import annotations

import os
from pathlib import Path

import cv2
import numpy as np
from tqdm import tqdm

from ...files import show_progress, write_json, write_text
from ...labels.fusion import majority_vote
from ...labels.texture import texture_mask, to_uint8
from ...parallel import imap
from .. import layout
from .face import ANNOTATORS, make_face

#: The first face's id. The release's manual masks have ids from 1000 up, and its
#: `png_parsing.py` skips ids below 1000; synthetic faces are numbered the same way.
FIRST_ID = 1000
#: Every this many faces one goes to the official test list.
TEST_EVERY = 10


def half_labels(parsing: np.ndarray) -> np.ndarray:
    """The label map at half the image's size, as the release stores it (its loaders and
    scripts scale it up by two with nearest neighbour)."""
    return parsing[::2, ::2] if parsing.shape[0] % 2 == 0 and parsing.shape[1] % 2 == 0 else parsing


def write_face(out: Path, index: int, size: int, seed: int, annotators=ANNOTATORS) -> None:
    """Render face `index` and write its files; the regions map last, marking it complete."""
    iid = layout.image_id(FIRST_ID + index)
    if layout.image_path(out, iid).exists() and (out / layout.REGIONS / f"{iid}.png").exists():
        return
    face = make_face(index, size, seed, annotators)
    for name in annotators:
        layout.write_png(out / layout.ANNOTATIONS / name / f"{iid}.png", face.annotations[name] * 255)
    voted = majority_vote([face.annotations[k] for k in annotators], min_votes=2)
    layout.write_png(layout.manual_path(out, iid), voted * 255)
    layout.write_png(out / layout.TRUTH / f"{iid}.png", face.truth * 255)
    labels = half_labels(face.parsing)
    layout.write_npy(layout.parsing_path(out, iid), labels)
    seen = layout.upscale_labels(labels, face.image.shape[:2])
    layout.write_png(layout.weak_path(out, iid), to_uint8(texture_mask(face.image, seen)))
    layout.write_png(layout.image_path(out, iid), face.image)
    layout.write_png(out / layout.REGIONS / f"{iid}.png", face.regions)


def _write(job: tuple) -> None:
    write_face(*job)


def _one_thread() -> None:
    cv2.setNumThreads(1)


def write_synthetic(out: Path, n: int, size: int, seed: int = 0, progress: bool | None = None,
                    workers: int | None = None, annotators=ANNOTATORS) -> Path:
    """Write n synthetic faces in the FFHQ-Wrinkle layout; faces already written are kept.
    Faces are drawn in `workers` processes (default: one per CPU core, at most 16); each
    face has its own generator, so the files do not depend on the number of workers."""
    out = Path(out)
    progress = show_progress() if progress is None else progress
    workers = workers or min(16, os.cpu_count() or 1)
    bar = dict(total=n, desc="synthetic faces", unit="face", disable=not progress, mininterval=2)
    jobs = [(out, i, size, seed, tuple(annotators)) for i in range(n)]
    if workers == 1 or n < 2 * workers:
        for job in tqdm(jobs, **bar):
            write_face(*job)
    else:
        for _ in tqdm(imap(_write, jobs, workers, setup=_one_thread), **bar):
            pass
    test = [f"{layout.image_id(FIRST_ID + i)}.png" for i in range(TEST_EVERY - 1, n, TEST_EVERY)]
    write_text(out / layout.TEST_LIST, "\n".join(test) + ("\n" if test else ""))
    write_json(out / "synthetic.json", {"kind": "synthetic", "n": int(n), "size": int(size), "seed": int(seed),
                                        "annotators": list(annotators), "first_id": FIRST_ID})
    return out
