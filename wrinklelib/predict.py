"""Wrinkle masks for a user's own photos, from our checkpoints or the authors' released ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .checkpoints import load_for_inference
from .inputs import network_input
from .model import UNet

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


@torch.no_grad()
def predict_batch(model: UNet, inputs: list[torch.Tensor], device: torch.device) -> list[np.ndarray]:
    """Argmax masks for inputs of one size, padded to a multiple of 16 for the U-Net."""
    x = torch.stack(inputs).to(device)
    h, w = x.shape[-2:]
    ph, pw = (-h) % 16, (-w) % 16
    x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > 16 else "constant")
    with torch.autocast(device.type, dtype=torch.bfloat16, enabled=device.type == "cuda"):
        out = model(x)
    return [m[:h, :w].astype(np.uint8) for m in out.float().argmax(1).cpu().numpy()]


def list_images(folder: Path) -> list[Path]:
    """Image files under a folder, recursively, sorted."""
    return sorted(p for p in Path(folder).rglob("*") if p.suffix.lower() in IMAGE_SUFFIXES)


def score_checkpoint(path: Path, root: Path, ids: list[str], device: torch.device) -> dict:
    """Test scores of any 2-class checkpoint on faces of a release-layout folder: the
    face-parsing maps and weak masks of the folder are used when present."""
    from . import data
    from .metrics import per_image_counts, summarize
    from .parsing import landmarks_parsing

    model, rec = load_for_inference(path)
    model = model.to(device)
    size = rec["size"]
    counts = []
    for iid in ids:
        s = data.load_sample(root, iid, size)
        if s.mask is None:
            raise data.DataError(f"{data.manual_path(root, iid)}: manual mask missing")
        parsing = s.parsing if s.parsing is not None else landmarks_parsing(s.image)
        texture = data.read_weak(root, iid, size) if data.weak_path(root, iid).exists() else None
        pred = predict_batch(model, [network_input(s.image, parsing, rec, texture)], device)[0]
        counts.append(per_image_counts(pred[None], s.mask[None])[0])
    return {"checkpoint": str(path), "recipe": rec["source"], "images": len(ids), **summarize(np.stack(counts))}


def predict_folder(checkpoint: Path, images: Path, out: Path, device: torch.device,
                   overlays: bool = False) -> dict:
    """Wrinkle masks (0/255 PNG, the photo's size) for every photo under a folder, with the
    texture input and face mask computed on the fly by the offline landmark parser."""
    import sys

    from tqdm import tqdm

    from .data import DataError, read_image, write_png
    from .ioutil import show_progress
    from .parsing import NoFaceFound, landmarks_parsing
    from .plots import overlay

    model, rec = load_for_inference(checkpoint)
    model = model.to(device)
    paths, failed = list_images(images), []
    for path in tqdm(paths, desc="predict", disable=not show_progress()):
        try:
            image = read_image(path)
            try:
                labels = landmarks_parsing(image)
            except NoFaceFound:
                labels = None
                print(f"note: {path}: no face found; texture input not face-masked", file=sys.stderr)
            mask = predict_batch(model, [network_input(image, labels, rec)], device)[0]
        except (DataError, ValueError, torch.OutOfMemoryError) as err:
            failed.append(f"{path}: {err}")
            continue
        write_png(Path(out) / f"{path.stem}.png", mask * 255)
        if overlays:
            write_png(Path(out) / f"{path.stem}_overlay.png", overlay(image, mask))
    return {"images": len(paths), "failed": failed, "recipe": rec["source"]}
