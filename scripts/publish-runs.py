"""Train every run a profile's notebooks need, in the order that fills both cores, before
the notebooks execute (they then read the runs from the cache). Stops after the pilot when
the profile's `finetune_updates` are not what the pilot's budget rule gives, and says what
to set; every run is cached, so a second call resumes where the first stopped.

    .venv/bin/python scripts/publish-runs.py publish      # hours: leave it running
    make book PROFILE=publish && make publish PUBLISHED=<name>
"""

import os
import sys
import time


def main(profile: str) -> int:
    """Pretraining, pilot, budgets check, then Tables 1, 2 and 3 and Table 3's longer budgets."""
    os.environ.setdefault("TQDM_DISABLE", "1")
    from wrinklelib.book.provenance import run_seconds
    from wrinklelib.config import run as runs
    from wrinklelib.evaluation import budget, convergence, experiments
    from wrinklelib.training import jobs, pretraining

    start = time.time()
    run = runs.resolve(profile)
    s = run.settings
    frames = []

    def say(what: str) -> None:
        """A phase done, with the compute on record so far against 12 hours of the cores."""
        spent = run_seconds(frames)[1]
        cores = os.cpu_count() or 1
        print(f"[publish-runs] {what} ({time.time() - start:.0f} s); compute so far {spent:,.0f} s of one "
              f"thread = {spent / 3600 / cores:.2f} h of {cores} cores", flush=True)

    jobs.pretrain_all(run, ["texture"])
    frames.append(pretraining.summary(run, "texture")[0])     # the rows 04_pretraining.csv will hold
    say("texture pretraining done")
    frames.append(experiments.pilot(run))
    pilot = budget.pilot_table(frames[-1])
    chosen = budget.choose_budgets(pilot)
    wanted = [chosen[f"{f * 100:g}"] for f in s.fractions]
    say(f"pilot done: the budget rule gives finetune_updates = {wanted}")
    if list(s.finetune_updates) != wanted:
        print(f"[publish-runs] set finetune_updates = {wanted} in [{profile}] of wrinklelib/config/profiles.toml "
              "and run this again", flush=True)
        return 2
    jobs.pretrain_all(run, list(s.pretext_tasks))
    frames += [pretraining.summary(run, t)[0] for t in s.pretext_tasks]
    say("pretext pretraining done")
    frames.append(experiments.grid(run, s.arms, s.fractions, s.seeds))
    say("Table 1 done")
    frames.append(experiments.grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds))
    say("Table 2 done")
    frames.append(experiments.grid(run, ["ours"], s.fusion_fractions, s.fusion_seeds, targets=s.fusion_targets,
                                   validate=experiments.FUSION_VALIDATION))
    say("Table 3 done")
    if s.budget_check:
        frames.append(experiments.failed_cell_runs(run, convergence.convergence(frames[-1], s.convergence_threshold)))
        say("Table 3's longer budgets done")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1] if len(sys.argv) > 1 else "publish"))
