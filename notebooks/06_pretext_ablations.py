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
from myst_nb import glue

from wrinklelib import finetuning, paths, plots, pretraining, runs, tables
from wrinklelib.datasets import DEFAULT_STRENGTH

run = runs.start(profile, overrides)
s = run.settings
print("degradation strengths:", DEFAULT_STRENGTH)

# %%
# NBVAL_IGNORE_OUTPUT
for task in ["texture", *s.pretext_tasks]:
    pretraining.pretrain(run, task)
results = finetuning.run_grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds)
results.to_csv(paths.table("06_runs"), index=False)

# %% [markdown]
# ## Table 2

# %%
t2 = tables.table2(results, "100")
t2.to_csv(paths.table("table2"), index=False)
show = t2[["method", "jsi_ours_mean", "jsi_ours_std", "seeds", "jsi_paper"]]
print(show.to_string(index=False, float_format="%.3f"))
glue("table2", show.round(3).set_index("method"), display=False)

# %% [markdown]
# Beyond the paper: the same comparison with few labels (the profile's other fractions),
# where the paper's effect of pretraining is largest.

# %%
for f in s.ablation_fractions:
    key = f"{f * 100:g}"
    if key != "100":
        low = tables.table2(results, key)
        low.to_csv(paths.table(f"table2_{key}pct"), index=False)
        print(f"finetuned on {key}%:")
        print(low[["method", "jsi_ours_mean", "jsi_ours_std", "seeds"]].to_string(index=False, float_format="%.3f"))

# %% [markdown]
# ## What each pretext task learns
#
# One validation face per task: the degraded input, the target and the pretrained net's
# prediction.

# %%
panels = [pretraining.prediction_panels(run, pretraining.pretrain_dir(run, t) / "best.pt", run.split["val"][:1])[0]
          for t in s.pretext_tasks]
fig = plots.grid(panels, ["input", "target (gray)", "pretrained prediction"], path=paths.figure("06_pretext"))
