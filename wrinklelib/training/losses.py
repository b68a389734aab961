"""Training losses (choices the paper leaves open):

- regression stages: mean squared error between the 1-channel output and the target,
  the target divided by its standard deviation over the training set (`target_scale`),
  because the raw texture map (T/255, std ~0.03) is too small to learn from;
- segmentation: cross-entropy plus `dice_weight` x soft Dice of the wrinkle class.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F


def soft_dice_loss(logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice of the wrinkle class, pooled over the batch."""
    p = logits.float().softmax(1)[:, 1]
    t = target.float()
    return 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)


def loss(task: str, out: torch.Tensor, y: torch.Tensor, target_scale: float = 1.0,
         dice_weight: float = 1.0) -> torch.Tensor:
    """The loss of one batch: scaled MSE for regression, cross-entropy plus soft Dice for
    segmentation."""
    if task == "regression":
        return F.mse_loss(out.float(), y * target_scale)
    return F.cross_entropy(out.float(), y) + dice_weight * soft_dice_loss(out, y)
