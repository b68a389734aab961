"""The machine: versions, device and git commit (what a result needs to be traced back
to), and which torch device a setting means here."""

from __future__ import annotations

import os
import platform
import subprocess
from importlib import metadata

from . import paths

PACKAGES = ("torch", "torchvision", "numpy", "opencv-python-headless", "pandas", "papermill")


def git_commit() -> str:
    """The checked-out commit, with '-dirty' when tracked files changed. Outside git (a copy
    of the tree on another machine) the commit given in WRINKLE_GIT_COMMIT, else 'unknown'."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=paths.ROOT, capture_output=True,
                             text=True, check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               cwd=paths.ROOT, capture_output=True, text=True).stdout.strip()
        return sha + ("-dirty" if dirty else "")
    except (OSError, subprocess.CalledProcessError):
        return os.environ.get("WRINKLE_GIT_COMMIT", "unknown")


def package_version(name: str) -> str:
    """Installed version of a distribution, or 'not installed'."""
    try:
        return metadata.version(name)
    except metadata.PackageNotFoundError:
        return "not installed"


def resolve_device(device: str):
    """The torch device a setting names; 'auto' is CUDA when available, else the CPU."""
    import torch

    if device == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if device.startswith("cuda") and not torch.cuda.is_available():
        raise ValueError(f"device {device!r}: CUDA is not available on this machine; use auto or cpu")
    return torch.device(device)


def device_name(device: str = "auto") -> str:
    """Human-readable name of the compute device that 'auto' or a given device resolves to."""
    import torch

    if device in ("auto", "cuda") and torch.cuda.is_available():
        return torch.cuda.get_device_name(0)
    return f"CPU ({platform.processor() or platform.machine()}, {torch.get_num_threads()} threads)"


def environment() -> dict[str, str]:
    """Python, package versions, CUDA, device and git commit as a flat dict."""
    import torch

    info = {"python": platform.python_version()}
    info.update({name: package_version(name) for name in PACKAGES})
    usable = torch.cuda.is_available()
    info["cuda"] = (f"usable ({torch.cuda.device_count()} device(s), CUDA {torch.version.cuda})" if usable else
                    f"not usable here (torch built for CUDA {torch.version.cuda or 'none'}; no GPU visible)")
    info["device"] = device_name()
    info["git_commit"] = git_commit()
    return info
