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
# regression learns next to nothing. Optimiser AdamW, linear warm-up and cosine decay; the
# checkpoint with the lowest validation error is kept for notebooks 05 and 06.

# %% tags=["parameters"]
profile = "cpu"
overrides = {}

# %%
import numpy as np
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.model.checkpoints import load_checkpoint
from wrinklelib.model.unet import UNet, count_parameters
from wrinklelib.training import pretraining

run = notebook.start(profile, overrides)
s = run.settings
print(f"U-Net width {s.width}: {count_parameters(UNet(3, 1, s.width)):,} parameters "
      f"(width 64: {count_parameters(UNet(3, 1, 64)):,})")

# %%
# NBVAL_IGNORE_OUTPUT
best = pretraining.pretrain(run, "texture")
ckpt = load_checkpoint(best)
history = ckpt["history"]
print(f"best checkpoint: epoch {ckpt['epoch'] + 1}; mean throughput "
      f"{np.mean([h['images_per_s'] for h in history]):.1f} images/s")

# %% [markdown]
# ## Loss curves

# %%
import pandas as pd

frame = pd.DataFrame(history)
print(frame[["epoch", "step", "train_loss", "val_mse", "val_corr"]].to_string(index=False, float_format="%.2f"))
frame.to_csv(paths.table("04_pretraining_history"), index=False)
glue("pretrain_val_corr", float(frame.val_corr.iloc[-1]), display=False)
glue("texture_target_std", 1 / ckpt["train_config"]["target_scale"], display=False)
print(f"standard deviation of the raw target T/255: {1 / ckpt['train_config']['target_scale']:.4f}")
fig = plots.curves(frame, "epoch", ["train_loss", "val_mse"], path=paths.figure("04_loss"), ylabel="MSE (scaled target)")

# %% [markdown]
# A validation error below 1 beats predicting zero everywhere (the target has unit
# standard deviation); the correlation says how much of the texture pattern the network
# reproduces.
#
# ## Predicted against target texture masks on held-out faces

# %%
panels = pretraining.prediction_panels(run, best, run.split["val"][:s.show_n])
fig = plots.grid(panels, ["face", "target texture mask", "predicted"], path=paths.figure("04_predictions"))
