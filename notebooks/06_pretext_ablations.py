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
# # Pretext ablations
#
# Table 2 of the paper compares texture pretraining with four self-supervised pretext
# tasks. Each uses the same 3->1 U-Net, budget and transfer as texture pretraining; only
# the input and target change. The target is the clean *gray* image (one channel, so the
# pretrained network has exactly the shape of the texture one):
#
# - Reconstruction: the input is the clean image;
# - Deblur: Gaussian blur of the input (sigma `blur_sigma` pixels);
# - Denoise: Gaussian noise added to the input (std `noise_std` of the range);
# - Super-Resolution: the input downscaled by `sr_factor` and scaled back up.
#
# Each pretrained net is then finetuned like Ours (RGB plus texture, 4 channels).

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
from wrinklelib.training.dataset import DEFAULT_STRENGTH
from wrinklelib.training.stage import pretrain_dir

run = notebook.start(profile, overrides)
pd.set_option("display.max_colwidth", None)   # the claims' evidence in full
s = run.settings
print("degradation strengths:", DEFAULT_STRENGTH)

# %%
# NBVAL_IGNORE_OUTPUT
for task in ["texture", *s.pretext_tasks]:
    pretraining.pretrain(run, task)
results = finetuning.run_grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds)
tables.runs_table(results).to_csv(paths.table("06_runs"), index=False)

# %% [markdown]
# ## Table 2
#
# Mean pooled test JSI over seeds with a 95% interval (seeds and test faces resampled);
# the paper reports the 100% column only. Further columns finetune on fewer labels, where
# the paper's effect of pretraining is largest.

# %%
t2 = tables.table2(results)
t2.to_csv(paths.table("table2"), index=False)
glue("table2", tables.layout(t2, params=False), display=False)
tables.layout(t2, params=False)

# %% [markdown]
# The verdict on the paper's third claim, from paired differences of Ours and each pretext
# pretraining (same seeds, same faces):

# %%
claims = tables.claims(tables.comparisons(results, [("ours", t) for t in s.pretext_tasks]))
glue("claims_table2", claims, display=False)
conv = convergence.convergence(results, run.name)
convergence.save_convergence(conv, paths.table("convergence"))
glue("convergence_06", convergence.convergence_layout(conv), display=False)
claims

# %% [markdown]
# ## How the pretrained starts converge
#
# Validation JSI after each finetuning epoch (100% of the training faces, mean over the
# seeds still training; runs stop on their own plateau).
# A start that ends below another is only meaningful if both have stopped improving; a
# pretext-pretrained net can begin *below* a random start and needs epochs to recover,
# so a schedule that stops early makes it look worse than it is.

# %%
curves = finetuning.histories(run, [*s.pretext_tasks, "ours"], 1.0, s.ablation_seeds)
fig = plots.validation_curves(curves, path=paths.figure("06_validation_curves"))
print(curves.pivot_table(index="arm", columns="epoch", values="val_jsi").round(3).to_string(na_rep=""))

# %% [markdown]
# ## What each pretext task learns
#
# One validation face per task: the degraded input, the target and the pretrained net's
# prediction.

# %%
panels = [pretraining.prediction_panels(run, pretrain_dir(run, t) / "best.pt", run.split["val"][:1])[0]
          for t in s.pretext_tasks]
fig = plots.grid(panels, ["input", "target (gray)", "pretrained prediction"], path=paths.figure("06_pretext"))
