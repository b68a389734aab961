"""The one network factory: every network of the project is built here, from a name and
the arguments a checkpoint records (its `model_args`), each checked with one line naming
what is wrong."""

from __future__ import annotations

from torch import nn

from .confusion import ConfusionUNet
from .unet import UNet

#: Network names and their classes; a checkpoint's model_args name one under "network".
NETWORKS = {"unet": UNet, "confusion_unet": ConfusionUNet}
#: The arguments each network takes (besides "network"), all positive integers.
ARGUMENTS = {"unet": ("in_channels", "out_channels", "width"),
             "confusion_unet": ("in_channels", "out_channels", "width", "annotators")}
#: Bounds that keep a checkpoint from asking for an absurd network.
MAX_CHANNELS, MAX_WIDTH, MAX_ANNOTATORS = 64, 1024, 64


class NetworkError(ValueError):
    """Arguments that describe no network we build; the message names the wrong one."""


def check_args(args, where: str = "model_args") -> dict:
    """Checked network arguments (with "network", "unet" when absent); a NetworkError naming
    the key, what was found and what is accepted."""
    if not isinstance(args, dict):
        raise NetworkError(f"{where}: expected a dict of network arguments, found {type(args).__name__}")
    args = {"network": "unet", **args}
    name = args["network"]
    if name not in NETWORKS:
        raise NetworkError(f"{where}: network {name!r} unknown; expected one of {', '.join(NETWORKS)}")
    expected = ARGUMENTS[name]
    unknown = sorted(set(args) - set(expected) - {"network"})
    if unknown:
        raise NetworkError(f"{where}: unknown argument {unknown[0]!r} for {name}; expected {', '.join(expected)}")
    limits = {"in_channels": MAX_CHANNELS, "out_channels": MAX_CHANNELS, "width": MAX_WIDTH,
              "annotators": MAX_ANNOTATORS}
    for key in expected:
        value = args.get(key)
        if type(value) is not int or not 1 <= value <= limits[key]:
            raise NetworkError(f"{where}: {key}={value!r:.40}; expected an integer from 1 to {limits[key]}")
    return args


def create(network: str = "unet", **args) -> nn.Module:
    """A network by name with checked arguments, e.g. create("unet", in_channels=4,
    out_channels=2, width=8)."""
    args = check_args({"network": network, **args})
    return NETWORKS[args.pop("network")](**args)


def from_args(args, where: str = "model_args") -> nn.Module:
    """The network a checkpoint's model_args describe."""
    args = check_args(args, where)
    return NETWORKS[args.pop("network")](**args)


def parameters(network: str = "unet", **args) -> int:
    """Trainable parameters of a network (for tables, at any width)."""
    return sum(p.numel() for p in create(network, **args).parameters() if p.requires_grad)
