"""The experiments' runs as the tables read them: each finetuning run trained (training.jobs)
and its last checkpoint scored on the test faces (scoring), side by side in worker
processes; one result row per run, with what training recorded and the test scores."""

from __future__ import annotations

import json
from dataclasses import dataclass

import pandas as pd

from ..config import run as runs
from ..config.settings import ARMS
from ..labels.targets import PAPER_TARGET, REFERENCE, is_mask
from ..training.jobs import Job, pretrain_all, run_jobs
from ..training.stage import RESULT
from .scoring import score_file, test_scores

#: Table 3 is judged against the truth, so its runs are validated against it too: a model
#: trained on a target sparser than the vote keeps drifting from the vote while it fits
#: its own target, and against the vote it would never look converged.
FUSION_VALIDATION = REFERENCE


@dataclass(frozen=True)
class Scored:
    """A finetuning job and the scoring of its last checkpoint on the run's test faces."""

    job: Job

    def done(self, run: runs.Run) -> bool:
        last = self.job.folder(run) / "last.pt"
        return self.job.done(run) and score_file(run, last, run.split["test"]).exists()

    def name(self) -> str:
        return self.job.name()

    def execute(self, run: runs.Run) -> dict:
        record = self.job.execute(run)
        return record | test_scores(run, self.job.folder(run) / "last.pt")


def grid(run: runs.Run, arms, fractions, seeds, targets=(PAPER_TARGET,), budgets=(0,), validate: str = PAPER_TARGET):
    """One result row per arm, target, fraction, seed and budget (0: the fraction's), each
    validated against `validate`, after the pretrainings they start from."""
    s = run.settings
    inits = sorted({ARMS[a]["init"] for a in arms} - {None})
    pretrain_all(run, inits, sorted({s.pretrain_seed(k) for k in seeds}))
    jobs = [Scored(Job("finetune", arm=a, fraction=f, seed=k, target=t, updates=u, validate=validate))
            for a in arms for t in targets for f in fractions for u in budgets for k in seeds]
    return pd.DataFrame(run_jobs(run, jobs))


def pilot(run: runs.Run) -> pd.DataFrame:
    """The pilot's runs (every Table 1 arm, each pilot fraction, budget and seed), trained
    and judged on validation faces only: no test face is scored for choosing a budget."""
    s = run.settings
    inits = sorted({ARMS[a]["init"] for a in s.arms} - {None})
    pretrain_all(run, inits, sorted({s.pretrain_seed(k) for k in s.pilot_seeds}))
    jobs = [Job("finetune", arm=a, fraction=f, seed=k, updates=u) for a in s.arms for f in s.pilot_fractions
            for u in s.pilot_updates for k in s.pilot_seeds]
    return pd.DataFrame(run_jobs(run, jobs))


def all_results(run: runs.Run):
    """Every finetuning run of the run's Tables 1, 2 and 3, one row each (a run in two
    tables once)."""
    s = run.settings
    frames = [grid(run, s.arms, s.fractions, s.seeds),
              grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds)]
    if run.synthetic:
        frames.append(grid(run, ["ours"], s.fusion_fractions, s.fusion_seeds, targets=s.fusion_targets,
                           validate=FUSION_VALIDATION))
    return pd.concat(frames, ignore_index=True).drop_duplicates(["arm", "target", "fraction", "seed"])


def finished(run: runs.Run, jobs: list[Job]) -> pd.DataFrame:
    """The result rows of those jobs already trained and scored (read, never trained)."""
    rows = []
    for j in jobs:
        marker, last = j.folder(run) / RESULT, j.folder(run) / "last.pt"
        if marker.exists() and score_file(run, last, run.split["test"]).exists():
            rows.append(json.loads(marker.read_text()) | test_scores(run, last))
    return pd.DataFrame(rows)


def fusion_histories(run: runs.Run):
    """Validation histories of every Table 3 run (validated against FUSION_VALIDATION)."""
    from ..training.finetuning import histories

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
    s = run.settings
    return [grid(run, [arm], [f], s.fusion_seeds, targets=[target], validate=target)
            for arm, target, f in failed_cells(conv) if is_mask(target) and target != FUSION_VALIDATION]


def failed_cell_runs(run: runs.Run, conv):
    """The runs of longer_budgets and own_target_runs, in one table; None when every cell
    converged."""
    frames = [*longer_budgets(run, conv), *own_target_runs(run, conv)]
    return pd.concat(frames, ignore_index=True) if frames else None


def table1_twins(run: runs.Run):
    """The result rows of Table 1's Ours runs of Table 3's fractions and seeds, where trained:
    the same training as Table 3's vote runs, validated against the vote."""
    s = run.settings
    return finished(run, [Job("finetune", fraction=f, seed=k) for f in s.fusion_fractions for k in s.fusion_seeds])


def predictions(run: runs.Run, ids: list[str], arm: str, fraction: float, seed: int, target: str = PAPER_TARGET,
                validate: str = PAPER_TARGET):
    """Predicted masks (N x H x W, uint8) of one finetuned run on whole faces."""
    from ..training.stage import finetune_dir
    from .scoring import predict_faces

    return predict_faces(run, finetune_dir(run, arm, fraction, seed, target, validate=validate) / "last.pt", ids)
