"""The one precision policy of training and inference: bf16 autocast and channels_last on
CUDA; fp32 with channels_last on a CPU (channels_last pays on both: 1.18x for the width-8
U-Net on 2 CPU cores, more on CUDA); float64 everywhere when a profile asks for it (the
smoke profile, whose outputs must then be the same on any CPU and thread count)."""

from __future__ import annotations

import contextlib

import torch


def dtype(precision: str) -> torch.dtype:
    """The dtype of weights and inputs: float64 when asked for, else float32."""
    return torch.float64 if precision == "float64" else torch.float32


def autocast(device: torch.device, weights: torch.dtype = torch.float32):
    """The autocast context of a forward pass: bf16 on CUDA for float32 weights, else none."""
    if device.type == "cuda" and weights == torch.float32:
        return torch.autocast("cuda", dtype=torch.bfloat16)
    return contextlib.nullcontext()


def channels_last(x):
    """A batch (or a model) in the channels_last memory layout."""
    if isinstance(x, torch.nn.Module):
        return x.to(memory_format=torch.channels_last)
    return x.contiguous(memory_format=torch.channels_last)


def prepare(model: torch.nn.Module, device: torch.device, precision: str = "auto") -> torch.nn.Module:
    """A model on its device, in its precision's dtype and channels_last."""
    return channels_last(model.to(device=device, dtype=dtype(precision)))


def batch(x: torch.Tensor, device: torch.device, weights: torch.dtype) -> torch.Tensor:
    """An input batch on the device, in the weights' dtype and channels_last."""
    return channels_last(x.to(device=device, dtype=weights, non_blocking=True))


def weights_dtype(model: torch.nn.Module) -> torch.dtype:
    """The dtype a model computes in (that of its first floating-point parameter)."""
    return next((p.dtype for p in model.parameters() if p.is_floating_point()), torch.float32)
