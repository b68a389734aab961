"""A segmenter that learns each annotator's confusion (Tanno et al. 2019; Zhang et al. 2020):
beside the U-Net's estimate of the true wrinkle probability, one head per annotator
predicts, at every pixel, the 2 x 2 matrix of P(annotator's label | true class). Trained on
every annotator's own mask through their matrix, with a trace penalty that pushes the
matrices away from the identity, so that the U-Net keeps what they agree on and the
matrices take their mistakes; predicting uses the U-Net alone.

The matrices vary over the face but not from pixel to pixel: the heads read the decoder's
features pooled over `POOL` x `POOL` blocks. Matrices free at every pixel could encode
where the wrinkles are themselves and leave the segmenter nothing to learn (the two are
then not identifiable); thin wrinkles cannot be located at the blocks' scale."""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import nn

from .unet import UNet

#: Side of the blocks over which the confusion heads pool the features.
POOL = 8


class ConfusionUNet(nn.Module):
    """A UNet (its keys under `unet.`) with per-annotator pixel-wise confusion heads."""

    def __init__(self, in_channels: int, out_channels: int = 2, width: int = 64, annotators: int = 3):
        super().__init__()
        self.args = {"network": "confusion_unet", "in_channels": in_channels, "out_channels": out_channels,
                     "width": width,
                     "annotators": annotators}
        self.unet = UNet(in_channels, out_channels, width)
        self.confusion = nn.Conv2d(width, annotators * out_channels * out_channels, 1)
        with torch.no_grad():            # start every matrix near the identity
            self.confusion.weight.mul_(0.1)
            eye = torch.eye(out_channels).flatten().repeat(annotators)
            self.confusion.bias.copy_(4.0 * eye - 2.0)

    def forward(self, x):
        """Logits (N x C x H x W); in training mode also the matrices N x R x C x C x H x W,
        rows the true class, columns the annotator's label, rows summing to 1."""
        feats = self.unet.features(x)
        logits = self.unet.outc(feats)
        if not self.training:
            return logits
        n, c = logits.shape[:2]
        pooled = F.avg_pool2d(feats, POOL, ceil_mode=True)
        raw = F.interpolate(self.confusion(pooled), size=logits.shape[2:], mode="nearest")
        cms = raw.view(n, -1, c, c, *logits.shape[2:]).softmax(dim=3)
        return logits, cms


def annotator_probabilities(logits: torch.Tensor, cms: torch.Tensor) -> torch.Tensor:
    """N x R x C x H x W: each annotator's label distribution, the true-class distribution
    carried through their matrix."""
    full = torch.float64 if logits.dtype == torch.float64 else torch.float32
    p = logits.to(full).softmax(1)
    return torch.einsum("nihw,nrijhw->nrjhw", p, cms.to(full))


def mean_confusion(cms: torch.Tensor) -> torch.Tensor:
    """R x C x C: each annotator's matrix averaged over the batch and the pixels."""
    return cms.float().mean(dim=(0, 4, 5))
