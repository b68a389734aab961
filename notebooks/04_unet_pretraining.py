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
# # U-Net pretraining
#
# Weakly supervised pretraining (the paper's Figure 2a): a U-Net receives the RGB face and
# learns to output its texture mask, with no manual label involved. The network is the
# U-Net of milesial/Pytorch-UNet with bilinear upsampling; at the paper's width 64 it has
# 17,262,977 parameters for 3 inputs and 1 output, a count the tests assert. Smaller
# widths serve the cpu and smoke profiles.
#
# The loss is the mean squared error against the texture mask divided by its standard
# deviation over the training faces: the raw map (T/255) is so small that an unscaled
# regression learns next to nothing. Optimiser AdamW, `pretrain_updates` updates on a
# linear warm-up and a cosine decay to zero. Pretraining has converged when its validation
# loss changed by less than `pretrain_tolerance` (relative) over the last quarter of its
# updates, a rule that fails for a curve still falling. Its last weights start notebooks
# 05, 06 and 07.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
import json

import pandas as pd
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.model.unet import UNet, count_parameters
from wrinklelib.training import jobs, pretraining
from wrinklelib.training.stage import pretrain_dir

run = notebook.start(profile, overrides)
s = run.settings
print(f"U-Net width {s.width}: {count_parameters(UNet(3, 1, s.width)):,} parameters "
      f"(width 64: {count_parameters(UNet(3, 1, 64)):,})")

# %% tags=["nbval-ignore-output"]
# Trained here (or read from the cache); the progress lines carry timings.
jobs.pretrain_all(run, ["texture"])

# %%
folder = pretrain_dir(run, "texture")
result = json.loads((folder / "result.json").read_text())
history = pd.read_csv(folder / "history.csv")
history.to_csv(paths.table("04_pretraining_history"), index=False)
print(f"{result['updates']} updates: validation loss {result['val_mse']:.3f}, changed by "
      f"{result['last_quarter_change']:+.2%} over the last quarter: "
      f"{'converged' if result['converged'] else 'NOT converged'} (tolerance {s.pretrain_tolerance:.0%})")
fig = plots.pretraining_curve(history, path=paths.figure("04_loss"))

# %% tags=["remove-cell"]
glue("pretrain_val_corr", float(history.val_corr.iloc[-1]), display=False)
glue("pretrain_updates", int(result["updates"]), display=False)
glue("pretrain_change", float(result["last_quarter_change"]), display=False)
glue("pretrain_converged", "converged" if result["converged"] else "had not converged", display=False)
glue("texture_target_std", 1 / pretraining.target_scale_of(folder / "last.pt"), display=False)

# %% [markdown]
# A validation error below 1 beats predicting zero everywhere (the target has unit
# standard deviation); the correlation says how much of the texture pattern the network
# reproduces:

# %%
present.Table(present.to_html(history[["step", "train_loss", "val_mse", "val_corr"]].round(3),
                              numeric=("step", "train_loss", "val_mse", "val_corr")))

# %% [markdown]
# ## Predicted against target texture masks on held-out faces

# %%
panels = pretraining.prediction_panels(run, folder / "last.pt", run.split["val"][:s.show_n])
fig = plots.grid(panels, ["face", "target texture mask", "predicted"], path=paths.figure("04_predictions"),
                 cmaps={1: "magma", 2: "magma"})
