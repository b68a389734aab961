"""The one inference path: validation during training, test scoring of a checkpoint and
prediction on a user's photos all run whole faces through `predict_batch`, a fully
convolutional forward pass (the U-Net takes any side that is a multiple of 16; others are
padded by reflection and cropped back).

No sliding windows: the U-Net's bilinear upsampling with align_corners=True (milesial's,
the authors') is not shift-invariant, so windows never reproduce the whole-face output;
a whole 1024 px face fits in a GPU's memory and a 512 px face in a CPU's."""

from __future__ import annotations

import copy
from typing import Iterable, Iterator

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn
from torch.nn.utils.fusion import fuse_conv_bn_eval

from . import precision
from .unet import MULTIPLE


def for_inference(model: nn.Module, device: torch.device) -> nn.Module:
    """An eval-mode copy of a network on its device, channels_last, every BatchNorm folded
    into the convolution before it (the same function up to float rounding, 1.25 times
    faster for the width-8 U-Net on a CPU core)."""
    fused = copy.deepcopy(model).eval()
    for block in fused.modules():
        if isinstance(block, nn.Sequential):
            for i in range(len(block) - 1):
                if isinstance(block[i], nn.Conv2d) and isinstance(block[i + 1], nn.BatchNorm2d):
                    block[i], block[i + 1] = fuse_conv_bn_eval(block[i], block[i + 1]), nn.Identity()
    return precision.channels_last(fused.to(device))


@torch.no_grad()
def predict_batch(model: torch.nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Raw outputs (N x C x H x W, on the CPU, float32 or the model's float64) of a batch
    N x C x H x W in eval mode."""
    model.eval().to(device)
    h, w = x.shape[-2:]
    ph, pw = (-h) % MULTIPLE, (-w) % MULTIPLE
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > MULTIPLE else "constant")
    weights = precision.weights_dtype(model)
    with precision.autocast(device, weights):
        out = model(precision.batch(x, device, weights))
    return (out if out.dtype == torch.float64 else out.float()).cpu()[..., :h, :w]


def batches(inputs: Iterable[torch.Tensor], batch_size: int) -> Iterator[torch.Tensor]:
    """Inputs (C x H x W, one size) stacked into batches of at most batch_size."""
    chunk = []
    for x in inputs:
        chunk.append(x)
        if len(chunk) == batch_size:
            yield torch.stack(chunk)
            chunk = []
    if chunk:
        yield torch.stack(chunk)


def predict(model: torch.nn.Module, inputs: Iterable[torch.Tensor], device: torch.device,
            batch_size: int = 4) -> torch.Tensor:
    """Raw outputs N x C x H x W of whole inputs of one size, in order."""
    model = for_inference(model, device)
    return torch.cat([predict_batch(model, x, device) for x in batches(inputs, batch_size)])


def segment(model: torch.nn.Module, inputs: Iterable[torch.Tensor], device: torch.device,
            batch_size: int = 4) -> np.ndarray:
    """Argmax masks N x H x W (uint8) of whole inputs of one size; only the masks are kept,
    so that hundreds of whole faces fit in memory."""
    model = for_inference(model, device)
    masks = [predict_batch(model, x, device).argmax(1).numpy().astype(np.uint8) for x in batches(inputs, batch_size)]
    return np.concatenate(masks)


def predict_masks(model: torch.nn.Module, inputs: list[torch.Tensor], device: torch.device) -> list[np.ndarray]:
    """Argmax masks (uint8, H x W) for network inputs of one size."""
    return list(segment(model, inputs, device, batch_size=max(1, len(inputs))))
