"""Where a training process computes: its device, its CPU threads, and its place among the
processes torchrun starts (one per GPU)."""

from __future__ import annotations

import contextlib
import os

import torch
import torch.distributed as dist

from ..config.environment import resolve_device


@contextlib.contextmanager
def threads(n: int):
    """Run the enclosed training with n CPU threads, whatever the machine has: a run's
    numbers then do not depend on the core count."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


def processes() -> int:
    """How many training processes to use: WRINKLE_NPROC, else one per visible GPU."""
    if "WRINKLE_NPROC" in os.environ:
        return int(os.environ["WRINKLE_NPROC"])
    return max(1, torch.cuda.device_count())


def distributed() -> tuple[int, int]:
    """(rank, world size); starts the process group under torchrun."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    if world > 1 and not dist.is_initialized():
        dist.init_process_group("nccl" if torch.cuda.is_available() else "gloo")
    return (dist.get_rank(), world) if world > 1 else (0, 1)


def process_device(device: str, world: int) -> torch.device:
    """This process's device: the setting's, and under torchrun on CUDA its local GPU."""
    dev = resolve_device(device)
    if dev.type == "cuda" and world > 1:
        return torch.device("cuda", int(os.environ.get("LOCAL_RANK", "0")))
    return dev
