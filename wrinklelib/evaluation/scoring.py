"""`wrinkle score`: any 2-class checkpoint, ours or the authors', scored on the faces of a
release-layout folder with the one inference path and the one metrics core."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch

from ..data.layout import DataError, image_path, manual_path, weak_path
from ..data.parsing import NoFaceFound, landmarks_parsing
from ..data.sample import load_sample, read_weak
from ..model.checkpoints import load_for_inference
from ..model.recipe import network_input
from .inference import predict_masks
from .metrics import image_counts, summarize


def score_checkpoint(path: Path, root: Path, ids: list[str], device: torch.device) -> dict:
    """Test scores of any 2-class checkpoint on faces of a release-layout folder: the
    face-parsing maps and weak masks of the folder are used when present."""
    model, rec = load_for_inference(path)
    model = model.to(device)
    size = rec["size"]
    counts = []
    for iid in ids:
        s = load_sample(root, iid, size)
        if s.mask is None:
            raise DataError(f"{manual_path(root, iid)}: manual mask missing")
        try:
            parsing = s.parsing if s.parsing is not None else landmarks_parsing(s.image)
        except NoFaceFound as err:
            raise DataError(f"{image_path(root, iid)}: no face_parsed_labels file and {err}") from err
        texture = read_weak(root, iid, size) if weak_path(root, iid).exists() else None
        pred = predict_masks(model, [network_input(s.image, parsing, rec, texture)], device)[0]
        counts.append(image_counts(pred[None], s.mask[None])[0])
    return {"checkpoint": str(path), "recipe": rec["source"], "images": len(ids), **summarize(np.stack(counts))}
