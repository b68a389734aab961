"""From a pretrained network to a finetuned one: the weight transfer from the 3->1
pretrained U-Net to the 4->2 finetuned one, and the head's start at the class prior."""

from __future__ import annotations

import torch

from .unet import UNet

FIRST_CONV = "inc.double_conv.0.weight"
HEAD = ("outc.conv.weight", "outc.conv.bias")


def set_head_prior(model: UNet, positive_share: float) -> None:
    """Start the 2-class head at the class prior: logit(wrinkle) - logit(background) = log odds."""
    p = min(max(positive_share, 1e-4), 0.5)
    with torch.no_grad():
        model.outc.conv.bias.zero_()
        model.outc.conv.bias[-1] = float(torch.log(torch.tensor(p / (1 - p))))


def transfer_weights(source: dict, model: UNet) -> dict[str, list[str]]:
    """Copy a pretrained state dict into `model`.

    Every tensor whose name and shape match is copied. The first convolution, when the
    source has fewer input channels, keeps the source kernels for those channels and fills
    each new channel with the mean of the source kernels (the public precedent). The head
    keeps its fresh initialisation when its shape differs. Returns what was done to which key.
    """
    source = {k.removeprefix("module."): v for k, v in source.items()}
    target = model.state_dict()
    report = {"copied": [], "widened": [], "fresh": []}
    for key, value in target.items():
        src = source.get(key)
        if src is not None and src.shape == value.shape:
            target[key] = src.clone()
            report["copied"].append(key)
        elif key == FIRST_CONV and src is not None and src.shape[1] < value.shape[1] \
                and src.shape[0] == value.shape[0] and src.shape[2:] == value.shape[2:]:
            extra = src.mean(dim=1, keepdim=True).expand(-1, value.shape[1] - src.shape[1], -1, -1)
            target[key] = torch.cat([src, extra], dim=1).clone()
            report["widened"].append(key)
        else:
            report["fresh"].append(key)
    model.load_state_dict(target)
    return report
