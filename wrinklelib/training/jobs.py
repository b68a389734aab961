"""Many training runs at once: on a CPU, side by side in worker processes of one thread
each (two runs of one thread do 1.45 times the work of one run of two threads on 2 cores,
and a run's numbers then do not depend on the machine); on GPUs, one after the other.
Finished runs are read from their result.json and never trained again."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass

import torch

from ..config import run as runs
from ..config.environment import resolve_device
from ..parallel import imap
from .stage import RESULT, finetune_dir, pretrain_dir, processes


@dataclass(frozen=True)
class Job:
    """One training run: a pretraining (task) or a finetuning (arm, fraction, seed, target)."""

    stage: str
    task: str = "texture"
    arm: str = "ours"
    fraction: float = 1.0
    seed: int = 0
    target: str = "vote"
    updates: int = 0             # 0: the fraction's budget
    validate: str = "vote"       # what validation scores against: stage.VALIDATION_REFERENCES

    def folder(self, run: runs.Run):
        if self.stage == "pretrain":
            return pretrain_dir(run, self.task)
        return finetune_dir(run, self.arm, self.fraction, self.seed, self.target, self.updates, self.validate)

    def name(self) -> str:
        if self.stage == "pretrain":
            return f"pretrain {self.task}"
        target = "" if self.target == "vote" else f" {self.target}"
        budget = f" ({self.updates} updates)" if self.updates else ""
        checked = "" if self.validate == "vote" else f", validated on the {self.validate}"
        return f"{self.arm}{target} {self.fraction * 100:g}% seed {self.seed}{budget}{checked}"

    def execute(self, run: runs.Run) -> dict:
        from .finetuning import finetune
        from .pretraining import pretrain

        if self.stage == "pretrain":
            pretrain(run, self.task)
            return {}
        return finetune(run, self.arm, self.fraction, self.seed, self.target, self.updates, self.validate)


def _work(task: tuple[str, Job]) -> tuple[Job, float]:
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


def run_jobs(run: runs.Run, jobs: list[Job]) -> list[dict]:
    """Every job's result, in order; unfinished jobs are trained, several at once when the
    machine allows, with a line per finished job."""
    todo = [j for j in dict.fromkeys(jobs) if not (j.folder(run) / RESULT).exists()]
    workers = side_by_side(run, len(todo))
    t0 = time.perf_counter()

    def report(k: int, job: Job, seconds: float) -> None:
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


#: Table 3 is judged against the truth, so its runs are validated against it too: a model
#: trained on a target sparser than the vote keeps drifting from the vote while it fits
#: its own target, and against the vote it would never look converged.
FUSION_VALIDATION = "truth"


def finished(run: runs.Run, jobs: list[Job]):
    """The result rows of those jobs already trained (read, never trained)."""
    import json

    import pandas as pd

    return pd.DataFrame([json.loads((j.folder(run) / RESULT).read_text()) for j in jobs
                         if (j.folder(run) / RESULT).exists()])


def pretrain_all(run: runs.Run, tasks) -> None:
    """Every pretraining of these tasks (texture, pretext), side by side."""
    run_jobs(run, [Job("pretrain", task=t) for t in tasks])


def grid(run: runs.Run, arms, fractions, seeds, targets=("vote",), budgets=(0,), validate: str = "vote"):
    """One result row per arm, target, fraction, seed and budget (0: the fraction's), each
    validated against `validate`, after the pretrainings they start from."""
    import pandas as pd

    from ..config.settings import ARMS

    pretrain_all(run, sorted({ARMS[a]["init"] for a in arms} - {None}))
    jobs = [Job("finetune", arm=a, fraction=f, seed=s, target=t, updates=u, validate=validate) for a in arms
            for t in targets for f in fractions for u in budgets for s in seeds]
    return pd.DataFrame(run_jobs(run, jobs))


def all_results(run: runs.Run):
    """Every finetuning run of the run's Tables 1, 2 and 3, one row each (a run in two
    tables once)."""
    import pandas as pd

    s = run.settings
    frames = [grid(run, s.arms, s.fractions, s.seeds),
              grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds)]
    if run.synthetic:
        frames.append(grid(run, ["ours"], s.fusion_fractions, s.fusion_seeds, targets=s.fusion_targets,
                           validate=FUSION_VALIDATION))
    return pd.concat(frames, ignore_index=True).drop_duplicates(["arm", "target", "fraction", "seed"])


def fusion_histories(run: runs.Run):
    """Validation histories of every Table 3 run (validated against FUSION_VALIDATION)."""
    from .finetuning import histories

    s = run.settings
    cells = [("ours", f, t) for t in s.fusion_targets for f in s.fusion_fractions]
    return histories(run, cells, s.fusion_seeds, FUSION_VALIDATION)


def failed_cells(conv) -> list[tuple[str, str, float]]:
    """(arm, target, fraction) of each cell that did not converge (rows of
    convergence.convergence)."""
    return [(c.arm, c.target, float(c.fraction_pct) / 100) for c in conv[~conv.converged.astype(bool)].itertuples()]


def longer_budgets(run: runs.Run, conv, factor: int = 2) -> list:
    """Each Table 3 cell that did not converge, trained again with `factor` times its budget
    and the same seeds, beside its own runs: would a longer budget have settled it? One
    result table per cell."""
    s = run.settings
    return [grid(run, [arm], [f], s.fusion_seeds, targets=[target], budgets=(0, factor * s.updates(f)),
                 validate=FUSION_VALIDATION) for arm, target, f in failed_cells(conv)]


def own_target_runs(run: runs.Run, conv) -> list:
    """Each Table 3 cell that did not converge and trains on one hard mask per face, its runs
    watched against that target instead of the truth: the same weights and test scores, a
    different validation curve. Does the model settle on what it is fitted to? One result
    table per cell."""
    from ..labels.targets import is_mask

    s = run.settings
    return [grid(run, [arm], [f], s.fusion_seeds, targets=[target], validate=target)
            for arm, target, f in failed_cells(conv) if is_mask(target) and target != FUSION_VALIDATION]


def failed_cell_runs(run: runs.Run, conv):
    """The runs of longer_budgets and own_target_runs, in one table; None when every cell
    converged."""
    import pandas as pd

    frames = [*longer_budgets(run, conv), *own_target_runs(run, conv)]
    return pd.concat(frames, ignore_index=True) if frames else None


def table1_twins(run: runs.Run):
    """The result rows of Table 1's Ours runs of Table 3's fractions and seeds, where trained:
    the same training as Table 3's vote runs, validated against the vote."""
    s = run.settings
    return finished(run, [Job("finetune", fraction=f, seed=k) for f in s.fusion_fractions for k in s.fusion_seeds])
