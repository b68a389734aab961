"""The one lifecycle of a training stage, for pretraining and finetuning alike: its folder
named by a hash of everything its weights depend on (every training value, the input
recipe, the faces it sees, the weights it starts from, and the version of the training
code), a done-marker (result.json) that makes a finished stage free to ask for again, a
launch under torchrun when several devices are visible, and the data-loading workers.

A stage trains and records how training went; it never scores the test faces (that is
evaluation.scoring's, keyed by the checkpoint it reads)."""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Callable

from ..config.environment import resolve_device
from ..config.run import RUN_FILE, Run, data_key, training_ids, validation_ids
from ..config.settings import ARMS, SettingError
from ..data.splits import fraction_key
from ..files import write_json
from ..labels.targets import PAPER_TARGET, mask_names, target
from ..model.recipe import recipe
from .devices import processes, threads
from .loop import TrainConfig, train_config

RESULT = "result.json"
#: The version of the training code. Bump it with any change to what a run learns (data
#: drawn, patches, losses, schedules, networks), so that no run trained by older code is
#: taken for a new one; a stage's folder name carries it through the hash.
TRAINING_VERSION = "native-1"
#: Decoded faces up to this many bytes are cached by the dataset in the training process.
CACHE_BYTES = 4 * 2 ** 30


def faces_hash(ids: list[str]) -> str:
    """Short hash of a list of face ids."""
    return hashlib.sha256(",".join(ids).encode()).hexdigest()[:16]


def stage_hash(run: Run, payload: dict) -> str:
    """Short hash of what a stage depends on, with the data folder, the validation faces and
    the code version, so that stages are reused across runs exactly when their inputs are
    the same (the test faces are not among them: they are evaluation's)."""
    payload = payload | {"root": data_key(run.settings, run.root), "weak_source": run.settings.weak_source,
                         "val_faces": faces_hash(validation_ids(run)), "version": TRAINING_VERSION}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:8]


def pretrain_config(run: Run, seed: int) -> TrainConfig:
    """The TrainConfig of a pretraining run."""
    s = run.settings
    return train_config(s, "regression", s.pretrain_updates, s.pretrain_validations, seed)


def pretrain_recipe(run: Run, task: str) -> dict:
    """The input recipe of a pretraining run (RGB, the run's face size and patch)."""
    s = run.settings
    return recipe(3, s.size, s.patch) | {"target": task, "weak_source": s.weak_source}


def pretrain_dir(run: Run, task: str = "texture", seed: int | None = None) -> Path:
    """Checkpoint folder of one pretraining run of a task (seed: a pretraining seed, by
    default the first), named after what it depends on."""
    s = run.settings
    seed = s.pretrain_seeds[0] if seed is None else seed
    h = stage_hash(run, {"config": pretrain_config(run, seed).key(), "recipe": pretrain_recipe(run, task),
                         "faces": faces_hash(run.split["pretrain"]), "annotators": list(s.annotators)})
    return run.cache / "train" / f"pretrain-{task}-w{s.width}-s{seed}-{h}"


def finetune_config(run: Run, target_name: str, updates: int, seed: int) -> TrainConfig:
    """The TrainConfig of a finetuning run on a target."""
    return train_config(run.settings, target(target_name).loss, updates, run.settings.validations, seed)


def finetune_recipe(run: Run, arm: str) -> dict:
    """The input recipe of an arm (its channels, the run's face size and patch)."""
    s = run.settings
    return recipe(ARMS[arm]["in_channels"], s.size, s.patch)


def init_dir(run: Run, arm: str, seed: int) -> Path | None:
    """The pretraining run an arm's finetuning seed starts from (None: random init)."""
    init = ARMS[arm]["init"]
    return None if init is None else pretrain_dir(run, init, run.settings.pretrain_seed(seed))


def check_validation(run: Run, validate: str) -> None:
    """One line naming a validation reference the run cannot use."""
    try:
        ok = target(validate, run.settings.annotators).is_mask
    except ValueError:
        ok = False
    if not ok:
        raise SettingError(f"validate {validate!r}: expected one of {', '.join(mask_names())} "
                           f"(annotators: {', '.join(run.settings.annotators)})")
    if target(validate).needs_truth and not run.synthetic:
        raise SettingError("validate 'truth': needs the true wrinkles (synthetic data); expected 'vote'")


def finetune_dir(run: Run, arm: str, fraction: float, seed: int, target_name: str = PAPER_TARGET, updates: int = 0,
                 validate: str = PAPER_TARGET) -> Path:
    """Checkpoint folder of one finetuning run (of `updates`, by default its fraction's
    budget, validated against `validate`), named after what it depends on."""
    s = run.settings
    updates = updates or s.updates(fraction)
    init = init_dir(run, arm, seed)
    ids = training_ids(run, fraction, seed)
    h = stage_hash(run, {"config": finetune_config(run, target_name, updates, seed).key(),
                         "recipe": finetune_recipe(run, arm), "arm": arm, "target": target_name,
                         "faces": faces_hash(ids), "init": init.name if init else None, "foreground": s.foreground,
                         "validate": validate, "min_votes": s.min_votes, "annotators": list(s.annotators)})
    tag = "" if target_name == PAPER_TARGET else "-" + target_name.replace(":", "-")
    # The reference changes the validation history (not the weights): its own folder.
    tag += "" if validate == PAPER_TARGET else "-val" + validate.replace(":", "-")
    return run.cache / "train" / "finetune" / f"{arm}{tag}-w{s.width}-{fraction_key(fraction)}pct-s{seed}-{h}"


def loader_workers(run: Run, n_images: int) -> int:
    """Data-loading processes: none when the decoded faces fit in memory (the dataset then
    caches them once, where workers, started anew every epoch, would decode them again each
    epoch) or on a CPU (its cores are busy training); else several, to keep a GPU busy."""
    s = run.settings
    if resolve_device(s.device).type != "cuda" or cached(run, n_images):
        return 0
    return min(8, os.cpu_count() or 1)


def cached(run: Run, n_images: int) -> bool:
    """Whether a training process keeps its decoded faces in memory (they fit)."""
    return n_images * run.settings.size ** 2 * 8 <= CACHE_BYTES


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
        return {}                     # under torchrun, the first process records the result
    write_json(marker, record)
    return record
