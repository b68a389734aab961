"""Wrinkle masks for a user's own photos, from our checkpoints or the authors' released ones."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import torch
import torch.nn.functional as F

from .model import UNet
from .texture import face_mask, texture_mask
from .train import load_checkpoint

IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".bmp", ".webp")


def load_any_checkpoint(path: Path) -> tuple[UNet, str]:
    """A 2-class UNet from our checkpoint or from the authors' format (state dict under
    'model', optional 'module.' prefix); returns the model and its input recipe."""
    ckpt = load_checkpoint(path)
    state = ckpt.get("model") if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        raise ValueError(f"{path}: no state dict under key 'model' (keys: {sorted(ckpt)[:6] if isinstance(ckpt, dict) else type(ckpt)})")
    state = {k.removeprefix("module."): v for k, v in state.items()}
    if "inc.double_conv.0.weight" not in state or "outc.conv.weight" not in state:
        raise ValueError(f"{path}: not a U-Net checkpoint (no inc.double_conv.0.weight / outc.conv.weight)")
    width, cin = state["inc.double_conv.0.weight"].shape[:2]
    cout = state["outc.conv.weight"].shape[0]
    if cout != 2:
        raise ValueError(f"{path}: a {cin}->{cout} network; wrinkle prediction needs a 2-class "
                         "finetuned checkpoint, not a pretrained one")
    model = UNet(cin, cout, width)
    expected = set(model.state_dict())
    missing, unexpected = sorted(expected - set(state)), sorted(set(state) - expected)
    if missing or unexpected:
        raise ValueError(f"{path}: key mismatch; missing {missing[:6]}, unexpected {unexpected[:6]}")
    model.load_state_dict(state)
    recipe = "ours" if "model_args" in ckpt else "authors"
    return model.eval(), recipe


def model_input(image: np.ndarray, parsing: np.ndarray | None, in_channels: int, recipe: str,
                texture: np.ndarray | None = None) -> torch.Tensor:
    """The network input for one RGB photo. Authors' recipe: face-masked RGB and the texture
    mask, each x/255*2-1. Ours: RGB (and the texture mask when the net takes 4 channels).
    `texture` replaces the computed texture mask (for example the release's weak mask)."""
    rgb = image.astype(np.float32)
    if recipe == "authors" and parsing is not None:
        rgb = rgb * face_mask(parsing)[..., None]
    chans = [torch.from_numpy(rgb).permute(2, 0, 1)]
    if in_channels == 4:
        t = texture_mask(image, parsing) if texture is None else texture.astype(np.float32)
        chans.append(torch.from_numpy(t)[None])
    return torch.cat(chans) / 255.0 * 2 - 1


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
    from .pipeline import load_sample

    model, recipe = load_any_checkpoint(path)
    model = model.to(device)
    counts = []
    for iid in ids:
        s = load_sample(root, iid)
        if s.mask is None:
            raise data.DataError(f"{data.manual_path(root, iid)}: manual mask missing")
        parsing = s.parsing if s.parsing is not None else landmarks_parsing(s.image)
        weak = data.weak_path(root, iid)
        texture = data.read_gray(weak) if weak.exists() else None
        pred = predict_batch(model, [model_input(s.image, parsing, model.args["in_channels"], recipe, texture)], device)[0]
        counts.append(per_image_counts(pred[None], s.mask[None])[0])
    return {"checkpoint": str(path), "recipe": recipe, "images": len(ids), **summarize(np.stack(counts))}


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

    model, recipe = load_any_checkpoint(checkpoint)
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
            mask = predict_batch(model, [model_input(image, labels, model.args["in_channels"], recipe)], device)[0]
        except (DataError, ValueError, torch.OutOfMemoryError) as err:
            failed.append(f"{path}: {err}")
            continue
        write_png(Path(out) / f"{path.stem}.png", mask * 255)
        if overlays:
            write_png(Path(out) / f"{path.stem}_overlay.png", overlay(image, mask))
    return {"images": len(paths), "failed": failed, "recipe": recipe}
