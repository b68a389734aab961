"""Checkpoint files: atomic saving, safe loading (weights_only), and rebuilding a network
with its input recipe from ours or from the authors' released format."""

from __future__ import annotations

from pathlib import Path

import torch

from ..files import atomic_write
from .recipe import AUTHORS_RECIPE
from .confusion import ConfusionUNet
from .unet import UNet


def save_checkpoint(path: Path, **state) -> Path:
    """torch.save to a temporary file, then rename: a killed run never leaves half a file."""
    return atomic_write(path, lambda p: torch.save(state, p))


def load_checkpoint(path: Path) -> dict:
    """Load a checkpoint safely (weights_only); errors name the file."""
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"{path}: checkpoint not found")
    try:
        return torch.load(path, map_location="cpu", weights_only=True)
    except Exception as err:  # noqa: BLE001 - any unpickling failure means a bad file
        why = (str(err).splitlines() or [""])[0] or type(err).__name__
        raise ValueError(f"{path}: not a readable checkpoint ({why})") from err


def _load_state(model: torch.nn.Module, state: dict, path: Path) -> torch.nn.Module:
    """Load weights, turning a key or shape mismatch into one line naming the file."""
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise ValueError(f"{path}: key mismatch; missing {missing[:4]}, unexpected {unexpected[:4]}")
    wrong = [k for k in expected if tuple(expected[k].shape) != tuple(state[k].shape)]
    if wrong:
        k = wrong[0]
        raise ValueError(f"{path}: tensor {k} has shape {tuple(state[k].shape)}, the network expects "
                         f"{tuple(expected[k].shape)} ({len(wrong)} mismatched)")
    model.load_state_dict(state)
    return model


def build(args, path: Path | str = "checkpoint") -> torch.nn.Module:
    """The network a checkpoint's model_args describe: a UNet, or one with confusion heads."""
    keys = {"in_channels", "out_channels", "width"}
    if not isinstance(args, dict) or not keys <= set(args) or not all(type(args[k]) is int and args[k] > 0 for k in keys):
        raise ValueError(f"{path}: model_args must give in_channels, out_channels and width as positive integers, "
                         f"found {args!r:.120}")
    return ConfusionUNet(**args) if "annotators" in args else UNet(**{k: args[k] for k in keys})


def model_from_checkpoint(path: Path) -> tuple[torch.nn.Module, dict]:
    """Rebuild the network from the arguments one of our checkpoints carries, with its weights."""
    ckpt = load_checkpoint(path)
    if not isinstance(ckpt, dict) or "model_args" not in ckpt or "model" not in ckpt:
        raise ValueError(f"{path}: not a wrinklelib checkpoint (no model_args)")
    return _load_state(build(ckpt["model_args"], path), ckpt["model"], path), ckpt


def load_for_inference(path: Path) -> tuple[torch.nn.Module, dict]:
    """A 2-class UNet in eval mode and its input recipe, from our checkpoint (which carries
    both) or from the authors' format (state dict under 'model', optional 'module.'
    prefix, their recipe)."""
    ckpt = load_checkpoint(path)
    state = ckpt.get("model") if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        keys = sorted(ckpt)[:6] if isinstance(ckpt, dict) else type(ckpt).__name__
        raise ValueError(f"{path}: no state dict under key 'model' (found {keys})")
    if "model_args" in ckpt:
        args, rec = ckpt["model_args"], ckpt.get("input_recipe")
        if rec is None:
            raise ValueError(f"{path}: checkpoint carries no input_recipe (written by an older version)")
        build(args, path)
        check_recipe(rec, path)
    else:
        state = {k.removeprefix("module."): v for k, v in state.items()}
        if "inc.double_conv.0.weight" not in state or "outc.conv.weight" not in state:
            raise ValueError(f"{path}: not a U-Net checkpoint (no inc.double_conv.0.weight / outc.conv.weight)")
        width, cin = state["inc.double_conv.0.weight"].shape[:2]
        args, rec = dict(in_channels=int(cin), out_channels=int(state["outc.conv.weight"].shape[0]),
                         width=int(width)), AUTHORS_RECIPE
    if args["out_channels"] != 2:
        raise ValueError(f"{path}: a {args['in_channels']}->{args['out_channels']} network; wrinkle "
                         "prediction needs a 2-class finetuned checkpoint, not a pretrained one")
    if len(rec["channels"]) != args["in_channels"]:
        raise ValueError(f"{path}: recipe has {len(rec['channels'])} channels, network takes {args['in_channels']}")
    return _load_state(build(args, path), state, path).eval(), rec


def check_recipe(rec, path: Path) -> dict:
    """An input recipe as inference needs it, else one line naming the file."""
    ok = isinstance(rec, dict) and isinstance(rec.get("channels"), list) and isinstance(rec.get("size"), int) \
        and isinstance(rec.get("texture"), dict) and "rgb_face_masked" in rec
    if not ok:
        raise ValueError(f"{path}: input_recipe must be a dict with channels, size, texture and rgb_face_masked, "
                         f"found {rec!r:.120}")
    return rec
