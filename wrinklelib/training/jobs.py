"""Many training runs at once: on a CPU, side by side in worker processes of one thread
each (two runs of one thread do 1.45 times the work of one run of two threads on 2 cores,
and a run's numbers then do not depend on the machine); on GPUs, one after the other.
Finished runs are read from their result.json and never trained again.

A job is anything with `done(run)`, `execute(run)` and `name()`: evaluation wraps these
training jobs with the scoring of their checkpoints."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch

from ..config import run as runs
from ..config.environment import resolve_device
from ..labels.targets import PAPER_TARGET
from ..parallel import imap
from .devices import processes
from .stage import RESULT, finetune_dir, pretrain_dir


@dataclass(frozen=True)
class Job:
    """One training run: a pretraining (task, seed) or a finetuning (arm, fraction, seed,
    target)."""

    stage: str
    task: str = "texture"
    arm: str = "ours"
    fraction: float = 1.0
    seed: int = 0
    target: str = PAPER_TARGET
    updates: int = 0             # 0: the fraction's budget
    validate: str = PAPER_TARGET  # what validation scores against (a target that is one mask per face)

    def folder(self, run: runs.Run):
        if self.stage == "pretrain":
            return pretrain_dir(run, self.task, self.seed)
        return finetune_dir(run, self.arm, self.fraction, self.seed, self.target, self.updates, self.validate)

    def done(self, run: runs.Run) -> bool:
        return (self.folder(run) / RESULT).exists()

    def name(self) -> str:
        if self.stage == "pretrain":
            return f"pretrain {self.task} seed {self.seed}"
        target = "" if self.target == PAPER_TARGET else f" {self.target}"
        budget = f" ({self.updates} updates)" if self.updates else ""
        checked = "" if self.validate == PAPER_TARGET else f", validated on the {self.validate}"
        return f"{self.arm}{target} {self.fraction * 100:g}% seed {self.seed}{budget}{checked}"

    def execute(self, run: runs.Run) -> dict:
        from .finetuning import finetune
        from .pretraining import pretrain

        if self.stage == "pretrain":
            pretrain(run, self.task, self.seed)
            return {"folder": self.folder(run).name}
        return finetune(run, self.arm, self.fraction, self.seed, self.target, self.updates, self.validate)


def _work(task: tuple) -> tuple:
    """A job in a worker process (one thread), from the run's run.json."""
    run_file, job = task
    run = runs.load(run_file)
    torch.set_num_threads(run.settings.threads)
    start = time.perf_counter()
    job.execute(run)
    return job, time.perf_counter() - start


def side_by_side(run: runs.Run, pending: int) -> int:
    """How many runs to train at once: the setting, else one per core on a CPU, one on a GPU."""
    if resolve_device(run.settings.device).type == "cuda" or processes() > 1:
        return 1
    wanted = run.settings.parallel_runs or max(1, (os.cpu_count() or 1) // run.settings.threads)
    return max(1, min(wanted, pending))


def run_jobs(run: runs.Run, jobs: list) -> list[dict]:
    """Every job's result, in order; unfinished jobs run, several at once when the machine
    allows, with a line per finished job."""
    todo = [j for j in dict.fromkeys(jobs) if not j.done(run)]
    workers = side_by_side(run, len(todo))
    t0 = time.perf_counter()

    def report(k: int, job, seconds: float) -> None:
        print(f"[{k}/{len(todo)}] {job.name()}: {seconds:.0f} s ({time.perf_counter() - t0:.0f} s in all)", flush=True)

    if workers <= 1:
        for k, job in enumerate(todo, 1):
            start = time.perf_counter()
            job.execute(run)
            report(k, job, time.perf_counter() - start)
    elif todo:         # checkpoints are atomic: runs stopped by Ctrl-C resume where they stopped
        tasks = [(str(run.folder / runs.RUN_FILE), job) for job in todo]
        for k, (job, seconds) in enumerate(imap(_work, tasks, workers, ordered=False), 1):
            report(k, job, seconds)
    return [j.execute(run) for j in jobs]


def pretrain_all(run: runs.Run, tasks, seeds=None) -> None:
    """Every pretraining run of these tasks (texture, pretext) and seeds (by default the
    run's pretrain_seeds), side by side."""
    seeds = run.settings.pretrain_seeds if seeds is None else seeds
    run_jobs(run, [Job("pretrain", task=t, seed=k) for t in tasks for k in seeds])
