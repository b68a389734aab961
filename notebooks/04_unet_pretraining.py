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
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.model.networks import parameters
from wrinklelib.training import jobs, pretraining
from wrinklelib.training.stage import pretrain_dir

run = notebook.start(profile, overrides)
s = run.settings
print(f"U-Net width {s.width}: {parameters('unet', in_channels=3, out_channels=1, width=s.width):,} parameters "
      f"(width 64: {parameters('unet', in_channels=3, out_channels=1, width=64):,}); trained on {s.patch} px "
      f"patches of {s.size} px faces, validated on {min(s.val_faces, len(run.split['val']))} whole faces; "
      f"{len(s.pretrain_seeds)} pretraining run(s) (seeds {', '.join(map(str, s.pretrain_seeds))})")

# %% [markdown]
# Each finetuning seed starts from one of these pretraining runs: finetuning seed *k* from
# pretraining seed `pretrain_seeds[k mod n]`, so that the seeds of every table also resample
# the pretraining.

# %% tags=["nbval-ignore-output"]
# Trained here (or read from the cache); the progress lines carry timings.
jobs.pretrain_all(run, ["texture"])

# %% tags=["nbval-ignore-output"]
runs_table, history = pretraining.summary(run, "texture")
paths.write_table("04_pretraining", runs_table)
paths.write_table("04_pretraining_history", history)
print(pretraining.convergence_sentence(runs_table, s.pretrain_tolerance))
plots.pretraining_curve(history, path=paths.figure("04_loss"))

# %% tags=["nbval-ignore-output", "remove-cell"]
glue("pretrain_val_corr", float(history.groupby("seed").val_corr.last().mean()), display=False)
glue("pretrain_updates", int(runs_table.updates.iloc[0]), display=False)
glue("pretrain_change", float(runs_table.last_quarter_change.mean()), display=False)
glue("pretrain_converged", pretraining.convergence_sentence(runs_table, s.pretrain_tolerance), display=False)
glue("texture_target_std", 1 / pretraining.target_scale_of(pretrain_dir(run, "texture") / "last.pt"), display=False)

# %% [markdown]
# How each pretraining run ended. A validation error below 1 beats predicting zero
# everywhere (the target has unit standard deviation); the correlation says how much of
# the texture pattern the network reproduces:

# %% tags=["nbval-ignore-output"]
shown = runs_table[["seed", "updates", "val_mse", "val_corr", "last_quarter_change", "converged"]]
present.Table(present.to_html(shown.round(4), numeric=tuple(shown.columns[:-1])))

# %% [markdown]
# ## Predicted against target texture masks on held-out faces
#
# Whole validation faces, the first pretraining run; the centre of each face, where the
# skin is.

# %% tags=["nbval-ignore-output"]
panels = pretraining.prediction_panels(run, pretrain_dir(run, "texture") / "last.pt", run.split["val"][:s.show_n])
plots.grid([[plots.zoom(p) for p in row] for row in panels], ["face", "target texture mask", "predicted"],
           path=paths.figure("04_predictions"), cmaps={1: "magma", 2: "magma"}, cell=3.0)
