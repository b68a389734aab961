"""Training losses (choices the paper leaves open):

- regression (pretraining): mean squared error between the 1-channel output and the
  target, the target divided by its standard deviation over the training set
  (`target_scale`), because the raw texture map (T/255, std ~0.03) is too small to learn;
- segmentation: cross-entropy plus `dice_weight` x soft Dice of the wrinkle class, on hard
  labels (class indices) or soft ones (the wrinkle probability of each pixel);
- confusion: cross-entropy of each annotator's own mask, predicted through their
  confusion matrices, plus `trace_weight` x the mean trace of the matrices (Zhang et al.
  2020). No Dice term here: on a toy problem with known confusions (tests/model) a Dice
  term pulled the matrices towards the identity.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F

from ..model.confusion import annotator_probabilities

#: Weight of the trace penalty of the confusion model (Zhang et al. 2020 use 0.01 - 0.4); the
#: toy problem of tests/model recovers known confusions with it.
TRACE_WEIGHT = 0.01


def _full(x: torch.Tensor) -> torch.Tensor:
    """Outputs in at least float32 (bf16 autocast outputs are cast up; float64 is kept)."""
    return x if x.dtype == torch.float64 else x.float()


def soft_dice_loss(p: torch.Tensor, t: torch.Tensor) -> torch.Tensor:
    """1 - soft Dice between the wrinkle probabilities p and the target t, pooled."""
    return 1 - (2 * (p * t).sum() + 1) / (p.sum() + t.sum() + 1)


def segmentation_loss(logits: torch.Tensor, y: torch.Tensor, dice_weight: float = 1.0) -> torch.Tensor:
    """Cross-entropy plus soft Dice; y holds class indices (int) or wrinkle probabilities."""
    logits = _full(logits)
    p = logits.softmax(1)[:, 1]
    if y.is_floating_point():
        logp = logits.log_softmax(1)
        ce = -(y * logp[:, 1] + (1 - y) * logp[:, 0]).mean()
    else:
        ce = F.cross_entropy(logits, y)
    return ce + dice_weight * soft_dice_loss(p, y.to(p.dtype))


def confusion_loss(out: tuple[torch.Tensor, torch.Tensor], y: torch.Tensor,
                   trace_weight: float = TRACE_WEIGHT) -> torch.Tensor:
    """The loss of the confusion model on every annotator's mask (y: N x R x H x W)."""
    logits, cms = out
    q = annotator_probabilities(logits, cms).clamp_min(1e-7)
    ce = F.nll_loss(q.log().flatten(0, 1), y.flatten(0, 1))
    trace = _full(cms).diagonal(dim1=2, dim2=3).sum(-1).mean()
    return ce + trace_weight * trace


def loss(task: str, out, y: torch.Tensor, target_scale: float = 1.0, dice_weight: float = 1.0) -> torch.Tensor:
    """The loss of one batch for a task: regression, segmentation or confusion."""
    if task == "regression":
        out = _full(out)
        return F.mse_loss(out, y.to(out.dtype) * target_scale)
    if task == "confusion":
        return confusion_loss(out, y)
    return segmentation_loss(out, y, dice_weight)
