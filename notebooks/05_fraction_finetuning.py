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
seed = 0
data_dir = ""
size = 128
width = 8
batch_size = 8
pretrain_epochs = 3
pretrain_min_steps = 150
finetune_epochs = 4
finetune_min_steps = 64
lr = 2e-3
seeds = [0, 1]
arms = ["none", "ours", "texture_scratch"]
fractions = [1.0, 0.5, 0.25, 0.05]
device = "auto"
show_n = 4

# %%
import pandas as pd
from myst_nb import glue

from wrinklelib import experiments, paths, pipeline, plots
from wrinklelib.envinfo import device_name

cfg = pipeline.config(profile, seed=seed, data_dir=data_dir, size=size, width=width, batch_size=batch_size,
                      pretrain_epochs=pretrain_epochs, pretrain_min_steps=pretrain_min_steps,
                      finetune_epochs=finetune_epochs, finetune_min_steps=finetune_min_steps, lr=lr,
                      seeds=seeds, arms=arms, fractions=fractions, device=device)
root = pipeline.data_root(cfg)
split = pipeline.split(cfg, root)
print(f"{len(cfg.arms)} arms x {len(cfg.fractions)} fractions x {len(cfg.seeds)} seeds; "
      f"test faces: {len(split['test'])}")

# %%
# NBVAL_IGNORE_OUTPUT
# Which run the results page shows (names the device, so not compared by the tests).
run_info = pd.DataFrame([{"profile": profile, "data": "synthetic faces" if not data_dir else data_dir,
                          "image_px": cfg.size, "unet_width": cfg.width, "seeds": str(cfg.seeds),
                          "test_faces": len(split["test"]), "device": device_name(cfg.device)}])
glue("run_info", run_info.set_index("profile"), display=False)

# %%
# NBVAL_IGNORE_OUTPUT
experiments.pretrain(cfg, root, split, "texture")   # reused from notebook 04 when present
results = experiments.run_grid(cfg, root, split, cfg.arms, cfg.fractions, cfg.seeds)
results.to_csv(paths.table(f"05_runs_{profile}"), index=False)

# %% [markdown]
# ## Table 1

# %%
t1 = experiments.table1(results, cfg.width)
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
if {"none", "ours"} <= set(cfg.arms):
    print(t1[t1.arm == "ours"][["fraction_pct", "improvement_pts_ours", "improvement_pts_paper"]]
          .to_string(index=False, float_format="%.1f"))
    pairs = experiments.paired(results, "ours", "none")
    print(pairs.to_string(index=False, float_format="%.3f"))
    glue("paired_ours_none", pairs.round(3).set_index("fraction"), display=False)
if {"ours", "texture_scratch"} <= set(cfg.arms):
    print(experiments.paired(results, "ours", "texture_scratch").to_string(index=False, float_format="%.3f"))

# %% [markdown]
# All scores, pooled over the test pixels and averaged per image:

# %%
summary = results.groupby(["arm", "fraction"], sort=False)[["jsi", "jsi_per_image", "dice", "precision", "recall"]].mean()
print(summary.to_string(float_format="%.3f"))
fig = plots.bars(experiments.summary(results), "fraction", "mean", "std", "arm",
                 path=paths.figure("05_jsi_by_fraction"), ylabel="test JSI")

# %% [markdown]
# ## Figure 3
#
# Test faces, the voted ground truth and the predictions of both paper arms (100% of the
# training faces, first seed).

# %%
import numpy as np

ids = split["test"][:show_n]
faces = [pipeline.load_sample(root, i) for i in ids]
shown = [a for a in ("none", "ours") if a in cfg.arms]
preds = {a: experiments.predictions(cfg, root, split, ids, a, 1.0, cfg.seeds[0]) for a in shown}
panels = [[f.image, plots.overlay(f.image, f.mask, (0, 255, 0))] + [plots.overlay(f.image, preds[a][k]) for a in shown]
          for k, f in enumerate(faces)]
fig = plots.grid(panels, ["face", "ground truth"] + [experiments.METHOD_NAMES[a] for a in shown],
                 path=paths.figure("05_figure3"))
