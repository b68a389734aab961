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
# Loss: cross-entropy plus soft Dice of the wrinkle class. An epoch is a pass over the
# training faces, stretched for small fractions to the profile's minimum number of
# updates. Each run stops on a validation plateau: after `finetune_patience` epochs
# without a better validation JSI its learning rate is cut five-fold, after as many more
# it stops (at the latest after `finetune_epochs`). The checkpoint with the best
# validation JSI is scored on the test faces. Several seeds per cell give the spread.

# %% tags=["parameters"]
profile = "cpu"
overrides = {}

# %%
import pandas as pd
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.evaluation import convergence, tables
from wrinklelib.training import finetuning, pretraining

run = notebook.start(profile, overrides)
pd.set_option("display.max_colwidth", None)   # the claims' evidence in full
s, split = run.settings, run.split
print(f"{len(s.arms)} arms x {len(s.fractions)} fractions x {len(s.seeds)} seeds")

# %%
# NBVAL_IGNORE_OUTPUT
# Which run the results page shows (names the device, so not compared by the tests).
glue("run_info", tables.run_info(run), display=False)

# %%
# NBVAL_IGNORE_OUTPUT
pretraining.pretrain(run, "texture")   # reused from notebook 04 when present
results = finetuning.run_grid(run, s.arms, s.fractions, s.seeds)
tables.runs_table(results).to_csv(paths.table("05_runs"), index=False)

# %% [markdown]
# ## Table 1
#
# Mean pooled test JSI over seeds, with a 95% interval from a bootstrap that resamples
# both the seeds and the test faces, beside the paper's values. Columns name the share of
# training faces and, in brackets, how many that is in this run.

# %%
t1 = tables.table1(results)
t1.to_csv(paths.table("table1"), index=False)
glue("table1", tables.layout(t1), display=False)
tables.layout(t1)

# %%
fig = plots.fraction_curve(t1, path=paths.figure("05_jsi_by_fraction"))
if "truth_mean" in t1:
    print(t1[["method", "fraction_pct", "mean", "truth_mean"]].to_string(index=False, float_format="%.3f"))

# %% [markdown]
# The last lines above score the same models against the *true* wrinkles of the synthetic
# faces (`truth_mean`) beside the voted masks they were trained on (`mean`).
#
# ## Paired comparisons and the paper's claims
#
# Each difference pairs runs of the same seed on the same faces; its interval resamples
# seeds and test faces together. A claim is supported when every interval it needs lies
# above zero, contradicted when one lies below, and inconclusive otherwise.

# %%
compared = tables.comparisons(results, [("ours", "none"), ("ours", "texture_scratch")])
for (a, b), p in compared.items():
    glue(f"paired_{a}_{b}", tables.paired_layout(p, a, b), display=False)
claims = tables.claims(compared)
glue("claims_table1", claims, display=False)
claims

# %% [markdown]
# ## Convergence
#
# Every finetuning run: its best validation epoch, the epochs it ran, and how much its
# validation JSI changed over the last quarter of them. A run counts as converged when its
# best epoch came before the last or its last quarter changed the score by less than
# `convergence.CONVERGED_CHANGE` (printed below).

# %%
conv = convergence.convergence(results, run.name)
convergence.save_convergence(conv, paths.table("convergence"))
glue("convergence_05", convergence.convergence_layout(conv), display=False)
print(f"{conv.converged.sum()} of {len(conv)} runs converged (change threshold {convergence.CONVERGED_CHANGE}); "
      f"{(conv.epochs < conv.max_epochs).sum()} stopped on a validation plateau before their epoch limit")

# %% [markdown]
# Every score, pooled over the test pixels and averaged per image, mean over seeds:

# %%
metrics = ["jsi", "jsi_per_image", "dice", "precision", "recall"] + ["jsi_truth"] * ("jsi_truth" in results)
results.groupby(["arm", "fraction"], sort=False)[metrics].mean().round(3)

# %% [markdown]
# ## Figure 3
#
# Test faces, the voted ground truth and the predictions of both paper arms (100% of the
# training faces, first seed).

# %%
shown = [a for a in ("none", "ours") if a in s.arms]
panels = plots.figure3_panels(run, split["test"][:s.show_n], shown, s.fractions[0], s.seeds[0])
fig = plots.grid(panels, ["face", "ground truth"] + [tables.METHOD_NAMES[a] for a in shown],
                 path=paths.figure("05_figure3"))
