"""The one lifecycle of a training stage, for pretraining and finetuning alike: its folder
named by a hash of what it depends on, a done-marker (result.json) that makes a finished
stage free to ask for again, a launch under torchrun when several devices are visible,
the device of each process, and the data-loading workers."""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

import torch
import torch.distributed as dist

from ..config.environment import resolve_device
from ..config.run import RUN_FILE, Run, data_key
from ..config.settings import MASKS, SINGLE
from ..data.splits import fraction_key
from ..files import write_json

RESULT = "result.json"
#: The settings a pretraining stage depends on (with the data, split and weak source).
PRETRAIN_KEYS = ("size", "width", "batch_size", "lr", "pretrain_updates", "seed", "device", "precision", "threads",
                 "annotators")
#: The settings a finetuning run depends on, besides its fraction's budget.
FINETUNE_KEYS = PRETRAIN_KEYS + ("validations", "min_votes")
#: Decoded faces up to this many bytes are cached by the dataset in the training process.
CACHE_BYTES = 4 * 2 ** 30


def stage_hash(run: Run, keys: tuple[str, ...], extra: dict | None = None) -> str:
    """Short hash of the settings one training stage depends on, the data and the split, so
    that stages are reused across runs exactly when their inputs are the same."""
    values = run.settings.as_dict()
    payload = {k: values[k] for k in keys} | {"split": run.split["ids_hash"], "root": data_key(run.settings, run.root),
                                             "weak_source": run.settings.weak_source} | (extra or {})
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:8]


def pretrain_dir(run: Run, task: str = "texture") -> Path:
    """Checkpoint folder of one pretraining stage, named after what it depends on."""
    s = run.settings
    return run.cache / "train" / f"pretrain-{task}-w{s.width}-s{s.seed}-{stage_hash(run, PRETRAIN_KEYS)}"


#: What validation can score a finetuning run against, as named to a user: the voted masks,
#: (synthetic data) the true wrinkles, or any other target that is one hard mask per face
#: (labels.targets.is_mask decides).
VALIDATION_REFERENCES = (*MASKS, SINGLE + "<skill>")


def check_validation(run: Run, validate: str) -> None:
    """One line naming a validation reference the run cannot use."""
    from ..config.settings import SettingError
    from ..labels.targets import is_mask

    if not is_mask(validate):
        raise SettingError(f"validate {validate!r}: expected one of {', '.join(VALIDATION_REFERENCES)}")
    if validate == "truth" and not run.synthetic:
        raise SettingError("validate 'truth': needs the true wrinkles (synthetic data); expected 'vote'")
    skill = validate[len(SINGLE):] if validate.startswith(SINGLE) else None
    if skill is not None and skill not in run.settings.annotators:
        raise SettingError(f"validate {validate!r}: expected one of the run's annotators "
                           f"{', '.join(SINGLE + a for a in run.settings.annotators)}")


def finetune_dir(run: Run, arm: str, fraction: float, seed: int, target: str = "vote", updates: int = 0,
                 validate: str = "vote") -> Path:
    """Checkpoint folder of one finetuning run (of `updates`, by default its fraction's
    budget, validated against `validate`), named after what it depends on."""
    h = stage_hash(run, FINETUNE_KEYS, {"updates": updates or run.settings.updates(fraction)})
    tag = "" if target == "vote" else "-" + target.replace(":", "-")
    # The reference changes the validation history (not the weights): its own folder.
    tag += "" if validate == "vote" else "-val" + validate.replace(":", "-")
    return run.cache / "train" / "finetune" / f"{arm}{tag}-w{run.settings.width}-{fraction_key(fraction)}pct-s{seed}-{h}"


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


def loader_workers(run: Run, n_images: int) -> int:
    """Data-loading processes: none when the decoded faces fit in memory (the dataset then
    caches them once, where workers, started anew every epoch, would decode them again each
    epoch) or on a CPU (its cores are busy training); else several, to keep a GPU busy."""
    s = run.settings
    if resolve_device(s.device).type != "cuda" or n_images * s.size ** 2 * 4 <= CACHE_BYTES:
        return 0
    return min(8, os.cpu_count() or 1)


def launch_distributed(run: Run, stage_args: list[str]) -> None:
    """Run one training stage under torchrun, one process per device, and wait for it. The
    processes read the run's run.json, so they train with exactly this run's settings."""
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes()}",
           "-m", "wrinklelib.app.cli", "train", "--run-file", str(run.folder / RUN_FILE), *stage_args]
    subprocess.run(cmd, check=True)


def run_stage(run: Run, folder: Path, stage_args: list[str], train: Callable[[], dict | None]) -> dict:
    """A stage's result: read from its done-marker when finished; else trained here (under
    torchrun when several devices are visible), the first process writing the marker."""
    marker = folder / RESULT
    if marker.exists():
        return json.loads(marker.read_text())
    if processes() > 1 and "WORLD_SIZE" not in os.environ:
        launch_distributed(run, stage_args)
        return json.loads(marker.read_text())
    with threads(run.settings.threads):
        record = train()
    if record is None:
        return {}                     # under torchrun, the first process scores and saves
    write_json(marker, record)
    return record
