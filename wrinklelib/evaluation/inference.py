"""The one inference path: validation during training, test scoring of a checkpoint and
prediction on a user's photos all run their batches through `predict_batch`."""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F
from torch.utils.data import DataLoader

from ..model import precision


@torch.no_grad()
def predict_batch(model: torch.nn.Module, x: torch.Tensor, device: torch.device) -> torch.Tensor:
    """Raw outputs (N x C x H x W, on the CPU, float32 or the model's float64) of a batch
    N x C x H x W in eval mode; sides that are not a multiple of 16 are padded by reflection for the U-Net's four
    halvings and cropped back."""
    model.eval().to(device)
    h, w = x.shape[-2:]
    ph, pw = (-h) % 16, (-w) % 16
    if ph or pw:
        x = F.pad(x, (0, pw, 0, ph), mode="reflect" if min(h, w) > 16 else "constant")
    weights = precision.weights_dtype(model)
    with precision.autocast(device, weights):
        out = model(precision.batch(x, device, weights))
    return (out if out.dtype == torch.float64 else out.float()).cpu()[..., :h, :w]


def predict_dataset(model: torch.nn.Module, dataset, device: torch.device, batch_size: int = 16) -> torch.Tensor:
    """Raw outputs for every item of a dataset of (input, target) pairs, in order."""
    loader = DataLoader(dataset, batch_size=batch_size, shuffle=False)
    return torch.cat([predict_batch(model, x, device) for x, _ in loader])


def predict_masks(model: torch.nn.Module, inputs: list[torch.Tensor], device: torch.device) -> list[np.ndarray]:
    """Argmax masks (uint8, H x W) for network inputs of one size."""
    out = predict_batch(model, torch.stack(inputs), device)
    return [m.astype(np.uint8) for m in out.argmax(1).numpy()]
