# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Fraction finetuning
#
# The paper's main experiment (Figure 2b, Table 1): finetune a 2-class U-Net on 100, 50,
# 25 and 5 percent of the training faces and score it on the test faces with the Jaccard
# similarity index (JSI).
#
# - **No pretraining**: RGB input (3 channels), random initialisation.
# - **Ours**: RGB plus the face-masked texture map (4 channels), started from the
#   pretrained net of notebook 04. Every tensor whose shape matches is copied; the first
#   convolution is widened to 4 input channels, the new channel's kernels being the mean
#   of the RGB kernels; the 2-class head starts fresh, its bias at the class prior.
# - **Texture input, no pretraining** (not in the paper): 4 channels from random
#   initialisation. It separates the effect of pretraining from the effect of the extra
#   input channel, which the paper's two arms confound.
#
# Loss: cross-entropy plus soft Dice of the wrinkle class. Runs train on square patches of
# the faces (placed uniformly over the face, flipped at random) and are validated and
# tested on whole faces. Every run of a cell gets the same number of updates (its
# fraction's budget), on a linear warm-up and a cosine decay to zero; its last weights are
# scored. A seed sets the initialisation, the order of the patches, the labelled faces the
# run sees at its fraction, and the pretraining run Ours starts from. Runs use one CPU
# thread each and train side by side, so a run's numbers do not depend on the machine's
# core count.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.evaluation import budget, convergence, experiments, tables
from wrinklelib.training import finetuning

run = notebook.start(profile, overrides)
s, split = run.settings, run.split
print(f"{len(s.arms)} arms x {len(s.fractions)} fractions x {len(s.seeds)} seeds; budgets "
      + ", ".join(f"{f * 100:g}%: {s.updates(f)} updates" for f in s.fractions))

# %% [markdown]
# ## The pilot: how many updates each fraction gets
#
# Before the table, every arm is finetuned with each budget of `pilot_updates` (each a full
# warm-up and cosine schedule) and seeds `pilot_seeds` that no table uses, and judged on
# the validation faces only. The rule, whole:

# %%
print(budget.rule())

# %% tags=["nbval-ignore-output"]
pilot_runs = experiments.pilot(run)

# %% tags=["nbval-ignore-output"]
pilot = budget.pilot_table(pilot_runs)
paths.write_table("05_pilot", pilot)
chosen = {f: s.updates(float(f) / 100) for f in dict.fromkeys(pilot.fraction)}
print(budget.budgets_sentence(budget.choose_budgets(pilot), chosen, largest=max(s.pilot_updates)))
plots.pilot_curve(budget.pilot_means(pilot), chosen, path=paths.figure("05_pilot"))

# %% [markdown]
# How much of each effect the budget sets: the paired difference in validation JSI over
# the pilot's seeds at each budget, with its 95% t interval. The profile's budget of each
# fraction is dotted.

# %% tags=["nbval-ignore-output"]
effects = budget.effect_by_budget(pilot)
paths.write_table("05_effect_by_budget", effects)
plots.effect_budget_figure(effects, chosen, path=paths.figure("05_effect_by_budget"))

# %% tags=["nbval-ignore-output"]
results = experiments.grid(run, s.arms, s.fractions, s.seeds)

# %% [markdown]
# ## Table 1
#
# Mean over seeds of each run's pooled test JSI on whole faces (against the voted masks),
# with its 95% t interval over seeds, beside the paper's value. The labels column names
# the share of training faces and, in brackets, how many that is (each seed draws its own).

# %% tags=["nbval-ignore-output"]
paths.write_table("05_runs", tables.runs_table(results))
t1 = tables.table1(results)
paths.write_table("table1", t1)
present.paper_layout(t1)

# %% tags=["nbval-ignore-output", "remove-cell"]
glue("table1", present.paper_layout(t1), display=False)

# %% tags=["nbval-ignore-output"]
plots.fraction_curve(t1, path=paths.figure("05_jsi_by_fraction"))

# %% [markdown]
# Every score, pooled over the test pixels and averaged per image, against the vote and
# against the true wrinkles (suffix "truth"), mean over seeds; clDice and skeleton
# precision and recall measure thin lines:

# %% tags=["nbval-ignore-output"]
present.Table(present.to_html(tables.scores_layout(t1), numeric=tuple(tables.SCORE_HEADERS.values())))

# %% [markdown]
# ## Convergence
#
# For each cell, the mean over its seeds of the change of validation JSI over the last
# quarter of its updates; a cell converged when that change is within the profile's
# `convergence_threshold`. Validation curves of the 100% cells:

# %% tags=["nbval-ignore-output"]
conv = convergence.convergence(results, s.convergence_threshold)
paths.write_table("05_convergence", conv)
print(f"{conv.converged.sum()} of {len(conv)} cells converged (threshold {s.convergence_threshold:g})")
curves = finetuning.histories(run, [(a, s.fractions[0], "vote") for a in s.arms], s.seeds)
plots.validation_curves(curves.assign(arm=curves.arm.map(tables.METHOD_NAMES)),
                        path=paths.figure("05_validation_curves"))

# %% [markdown]
# ## Figure 3
#
# Whole test faces (their centre, where the wrinkles are), the true wrinkles (orange) and
# the voted ground truth (blue), and the predictions of both paper arms (all training
# faces, first seed).

# %% tags=["nbval-ignore-output"]
shown = [a for a in ("none", "ours") if a in s.arms]
panels = plots.figure3_panels(run, split["test"][:s.show_n], shown, s.fractions[0], s.seeds[0])
plots.grid(panels, ["face", "truth and vote"] + [tables.METHOD_NAMES[a] for a in shown],
           path=paths.figure("05_figure3"), cell=3.4)
