"""The evaluation stage: a checkpoint's test scores, computed on whole faces through the one
inference path and the one metrics core, and cached under a key made of the checkpoint's
content, the faces and references it is scored on, the precision, and the version of this
code. Training never scores the test faces; a new metric or a change in how faces are
scored (bump EVALUATION_VERSION) recomputes the scores without retraining.

`wrinkle score` scores any 2-class checkpoint, ours or the authors', the same way."""

from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path
from typing import Iterator

import numpy as np
import torch

from ..config.environment import resolve_device
from ..config.run import Run, data_key, test_ids_hash
from ..data.layout import DataError, image_path, manual_path, weak_path
from ..data.parsing import NoFaceFound, landmarks_parsing
from ..data.sample import load_sample, read_weak
from ..files import write_json
from ..labels.targets import PAPER_TARGET, REFERENCE, fuse
from ..metrics import image_counts, skeleton_counts, summarize, summarize_thin
from ..model import precision
from ..model.checkpoints import load_for_inference
from ..model.inference import segment
from ..model.recipe import network_input

#: The version of the scoring code: bump it with any change to how test faces are scored.
EVALUATION_VERSION = "whole-faces-1"
#: Whole faces per forward pass (memory only: eval-mode outputs do not depend on it).
EVAL_BATCH = 4


def file_hash(path: Path) -> str:
    """SHA-256 of a file's bytes (16 hex digits)."""
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()[:16]


def face_inputs(samples, rec: dict, weak_dir: Path | None = None, parse_missing: bool = False,
                root: Path | None = None) -> Iterator[torch.Tensor]:
    """The network input of each whole face (a loaded Sample at the recipe's size) under a
    recipe: its face parsing (found from landmarks where the folder has none and
    `parse_missing`) and its texture channel (the weak mask of `weak_dir` when given, else
    computed)."""
    for s in samples:
        parsing = s.parsing
        if parsing is None and parse_missing:
            try:
                parsing = landmarks_parsing(s.image)
            except NoFaceFound as err:
                raise DataError(f"{image_path(root, s.iid)}: no face_parsed_labels file and {err}") from err
        weak = weak_dir is not None and weak_path(weak_dir, s.iid).exists()
        yield network_input(s.image, parsing, rec, read_weak(weak_dir, s.iid, rec["size"]) if weak else None)


def references(run: Run, samples) -> dict[str, np.ndarray]:
    """The masks test faces are scored against, N x H x W: the vote (the folder's voted
    masks, or the annotators' at the run's min_votes) and, on synthetic data, the truth."""
    for s in samples:
        if s.mask is None and not s.annotations:
            raise DataError(f"{manual_path(run.root, s.iid)}: manual mask missing")
    refs = {PAPER_TARGET: np.stack([fuse(PAPER_TARGET, s.annotations, run.settings.min_votes) if s.annotations
                                    else s.mask for s in samples])}
    if run.synthetic:
        refs[REFERENCE] = np.stack([s.truth for s in samples])
    return refs


def scores_against(pred: np.ndarray, reference: np.ndarray, suffix: str = "") -> dict:
    """Every score of predicted masks against one reference, and the per-face counts
    (tp, fp, fn and skeleton counts) that intervals resample."""
    counts, thin = image_counts(pred, reference), skeleton_counts(pred, reference)
    return {f"{k}{suffix}": v for k, v in (summarize(counts) | summarize_thin(thin)).items()} | \
        {f"counts{suffix}": counts[:, :3].tolist(), f"skeleton_counts{suffix}": thin.tolist()}


def predict_faces(run: Run, checkpoint: Path, ids: list[str], samples=None) -> np.ndarray:
    """Argmax masks (N x H x W, uint8) of a checkpoint on whole faces of the run, its input
    built from the recipe the checkpoint records."""
    model, rec = load_for_inference(checkpoint)
    samples = samples or (load_sample(run.root, i, rec["size"]) for i in ids)
    device = resolve_device(run.settings.device)
    model = precision.prepare(model, device, run.settings.precision)
    return segment(model, face_inputs(samples, rec, run.weak_dir), device, EVAL_BATCH)


def score_key(run: Run, checkpoint: Path, ids: list[str]) -> str:
    """The cache key of a checkpoint's scores on these faces."""
    payload = {"checkpoint": file_hash(checkpoint), "faces": test_ids_hash(ids),
               "root": data_key(run.settings, run.root),
               "weak_source": run.settings.weak_source, "min_votes": run.settings.min_votes,
               "references": [PAPER_TARGET, REFERENCE] if run.synthetic else [PAPER_TARGET],
               "precision": run.settings.precision,
               "device": resolve_device(run.settings.device).type, "version": EVALUATION_VERSION}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


def score_file(run: Run, checkpoint: Path, ids: list[str]) -> Path:
    """Where a checkpoint's scores on these faces are cached."""
    return run.cache / "scores" / f"{score_key(run, checkpoint, ids)}.json"


def test_scores(run: Run, checkpoint: Path, ids: list[str] | None = None) -> dict:
    """A checkpoint's scores on the test faces (by default the run's) against the vote and,
    on synthetic data, the truth (suffix _truth); computed once, then read."""
    ids = run.split["test"] if ids is None else ids
    cached = score_file(run, checkpoint, ids)
    if cached.exists():
        return json.loads(cached.read_text())
    start = time.perf_counter()
    size = load_for_inference(checkpoint)[1]["size"]
    samples = [load_sample(run.root, i, size, annotators=True) for i in ids]
    pred = predict_faces(run, checkpoint, ids, samples)
    refs = references(run, samples)
    scores = {"test_ids_hash": test_ids_hash(ids), "evaluation_version": EVALUATION_VERSION}
    for name, ref in refs.items():
        scores |= scores_against(pred, ref, "" if name == PAPER_TARGET else f"_{name}")
    scores["score_s"] = time.perf_counter() - start
    write_json(cached, scores)
    return scores


def score_checkpoint(path: Path, root: Path, ids: list[str], device: torch.device) -> dict:
    """Test scores of any 2-class checkpoint on faces of a release-layout folder: the
    face-parsing maps and weak masks of the folder are used when present."""
    model, rec = load_for_inference(path)
    samples = [load_sample(root, i, rec["size"]) for i in ids]
    for s in samples:
        if s.mask is None:
            raise DataError(f"{manual_path(root, s.iid)}: manual mask missing")
    masks = segment(model, face_inputs(samples, rec, root, parse_missing=True, root=root), device, EVAL_BATCH)
    return {"checkpoint": str(path), "recipe": rec["source"], "images": len(ids),
            **summarize(image_counts(masks, np.stack([s.mask for s in samples])))}
