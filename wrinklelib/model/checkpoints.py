"""Checkpoint files: atomic saving, safe loading (weights_only), and rebuilding a network
with its input recipe from ours or from the authors' released format. Every problem is a
CheckpointError naming the file and the field."""

from __future__ import annotations

from pathlib import Path

import torch

from ..files import atomic_write
from .networks import NetworkError, from_args
from .recipe import AUTHORS_RECIPE, RecipeError, check_recipe


class CheckpointError(ValueError):
    """A checkpoint that cannot be used; the message names the file and what is wrong."""


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
        raise CheckpointError(f"{path}: not a readable checkpoint ({why})") from err


def check_finite(state: dict, path: Path) -> None:
    """Every floating-point tensor finite; else one line naming the first bad tensor."""
    for key, value in state.items():
        if isinstance(value, torch.Tensor) and value.is_floating_point() and not torch.isfinite(value).all():
            raise CheckpointError(f"{path}: tensor {key} holds NaN or infinite values; the checkpoint is broken "
                                  "(a diverged run): retrain it or use another")


def _load_state(model: torch.nn.Module, state: dict, path: Path) -> torch.nn.Module:
    """Load weights, turning a key or shape mismatch or a non-finite value into one line
    naming the file."""
    expected = model.state_dict()
    missing, unexpected = sorted(set(expected) - set(state)), sorted(set(state) - set(expected))
    if missing or unexpected:
        raise CheckpointError(f"{path}: key mismatch; missing {missing[:4]}, unexpected {unexpected[:4]}")
    wrong = [k for k in expected if not isinstance(state[k], torch.Tensor)
             or tuple(expected[k].shape) != tuple(state[k].shape)]
    if wrong:
        k = wrong[0]
        found = tuple(state[k].shape) if isinstance(state[k], torch.Tensor) else type(state[k]).__name__
        raise CheckpointError(f"{path}: tensor {k} has shape {found}, the network expects "
                              f"{tuple(expected[k].shape)} ({len(wrong)} mismatched)")
    check_finite(state, path)
    model.load_state_dict(state)
    return model


def _ours(ckpt, path: Path) -> bool:
    return isinstance(ckpt, dict) and "model_args" in ckpt


def model_from_checkpoint(path: Path) -> tuple[torch.nn.Module, dict]:
    """Rebuild the network from the arguments one of our checkpoints carries, with its weights."""
    ckpt = load_checkpoint(path)
    if not _ours(ckpt, path) or not isinstance(ckpt.get("model"), dict):
        raise CheckpointError(f"{path}: not a wrinklelib checkpoint (no model_args)")
    try:
        model = from_args(ckpt["model_args"], f"{path}: model_args")
    except NetworkError as err:
        raise CheckpointError(str(err)) from err
    return _load_state(model, ckpt["model"], path), ckpt


def _authors(state: dict, path: Path) -> tuple[dict, dict, dict]:
    """(model_args, recipe, state) of the authors' released format."""
    state = {k.removeprefix("module."): v for k, v in state.items()}
    first, head = state.get("inc.double_conv.0.weight"), state.get("outc.conv.weight")
    if not isinstance(first, torch.Tensor) or not isinstance(head, torch.Tensor) or first.ndim != 4 or head.ndim < 1:
        raise CheckpointError(f"{path}: not a U-Net checkpoint (no inc.double_conv.0.weight / outc.conv.weight)")
    width, cin = first.shape[:2]
    args = dict(network="unet", in_channels=int(cin), out_channels=int(head.shape[0]), width=int(width))
    return args, AUTHORS_RECIPE, state


def load_for_inference(path: Path) -> tuple[torch.nn.Module, dict]:
    """A 2-class network in eval mode and its input recipe, from our checkpoint (which carries
    both) or from the authors' format (state dict under 'model', optional 'module.'
    prefix, their recipe)."""
    ckpt = load_checkpoint(path)
    state = ckpt.get("model") if isinstance(ckpt, dict) else None
    if not isinstance(state, dict):
        keys = sorted(ckpt)[:6] if isinstance(ckpt, dict) else type(ckpt).__name__
        raise CheckpointError(f"{path}: no state dict under key 'model' (found {keys})")
    if _ours(ckpt, path):
        args, rec = ckpt["model_args"], ckpt.get("input_recipe")
        if rec is None:
            raise CheckpointError(f"{path}: checkpoint carries no input_recipe (written by an older version)")
    else:
        args, rec, state = _authors(state, path)
    try:
        model = from_args(args, f"{path}: model_args")
        rec = check_recipe(rec, str(path))
    except (NetworkError, RecipeError) as err:
        raise CheckpointError(str(err)) from err
    if model.args["out_channels"] != 2:
        raise CheckpointError(f"{path}: a {model.args['in_channels']}->{model.args['out_channels']} network; wrinkle "
                              "prediction needs a 2-class finetuned checkpoint, not a pretrained one")
    if len(rec["channels"]) != model.args["in_channels"]:
        raise CheckpointError(f"{path}: recipe has {len(rec['channels'])} channels, network takes "
                              f"{model.args['in_channels']}")
    return _load_state(model, state, path).eval(), rec


def export(src: Path, dest: Path, about: dict) -> Path:
    """A finetuned checkpoint stripped to what inference needs (weights, network arguments,
    input recipe, training values) and `about` (what it is), written atomically: the model
    a published run ships."""
    ckpt = load_checkpoint(src)
    check_finite(ckpt["model"], Path(src))
    state = {"model": ckpt["model"], "model_args": ckpt["model_args"], "input_recipe": ckpt["input_recipe"],
             "train_config": ckpt.get("train_config", {}), "about": about}
    return save_checkpoint(dest, **state)
