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
# Loss: cross-entropy plus soft Dice of the wrinkle class. Each run trains for the
# profile's epochs, and at least its minimum number of steps, so that small fractions
# are not stopped after a handful of updates; the checkpoint with the best validation JSI
# is scored on the test faces. Several seeds per cell give the spread.

# %% tags=["parameters"]
profile = "cpu"
overrides = {}

# %%
from myst_nb import glue

from wrinklelib import finetuning, paths, plots, pretraining, runs, tables

run = runs.start(profile, overrides)
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
results.to_csv(paths.table("05_runs"), index=False)

# %% [markdown]
# ## Table 1

# %%
t1 = tables.table1(results, s.width)
t1.to_csv(paths.table("table1"), index=False)
show = t1[["method", "fraction_pct", "jsi_ours_mean", "jsi_ours_std", "seeds", "jsi_paper", "params_run", "params_width64"]]
print(show.to_string(index=False, float_format="%.3f"))
glue("table1", show.round(3).set_index(["method", "fraction_pct"]), display=False)
for _, r in t1.iterrows():
    glue(f"t1_{r.arm}_{r.fraction_pct}", float(r.jsi_ours_mean), display=False)

# %% [markdown]
# Improvement of Ours over No pretraining, computed as the paper does (difference in JSI
# times 100), and the paired comparison over seeds (same seed, same data, both arms):

# %%
if {"none", "ours"} <= set(s.arms):
    print(t1[t1.arm == "ours"][["fraction_pct", "improvement_pts_ours", "improvement_pts_paper"]]
          .to_string(index=False, float_format="%.1f"))
    pairs = tables.paired(results, "ours", "none")
    print(pairs.to_string(index=False, float_format="%.3f"))
    glue("paired_ours_none", pairs.round(3).set_index("fraction"), display=False)
if {"ours", "texture_scratch"} <= set(s.arms):
    print(tables.paired(results, "ours", "texture_scratch").to_string(index=False, float_format="%.3f"))

# %% [markdown]
# All scores, pooled over the test pixels and averaged per image:

# %%
summary = results.groupby(["arm", "fraction"], sort=False)[["jsi", "jsi_per_image", "dice", "precision", "recall"]].mean()
print(summary.to_string(float_format="%.3f"))
fig = plots.bars(tables.summary(results), "fraction", "mean", "std", "arm",
                 path=paths.figure("05_jsi_by_fraction"), ylabel="test JSI")

# %% [markdown]
# ## Figure 3
#
# Test faces, the voted ground truth and the predictions of both paper arms (100% of the
# training faces, first seed).

# %%
shown = [a for a in ("none", "ours") if a in s.arms]
panels = finetuning.figure3_panels(run, split["test"][:s.show_n], shown, s.fractions[0], s.seeds[0])
fig = plots.grid(panels, ["face", "ground truth"] + [tables.METHOD_NAMES[a] for a in shown],
                 path=paths.figure("05_figure3"))
