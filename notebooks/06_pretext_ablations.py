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
# tasks. Each uses the same 3->1 U-Net, stopping rule and transfer as texture pretraining;
# only the input and target change. The target is the clean *gray* image (one channel, so
# the pretrained network has exactly the shape of the texture one):
#
# - Reconstruction: the input is the clean image;
# - Deblur: Gaussian blur of the input (sigma `blur_sigma` pixels);
# - Denoise: Gaussian noise added to the input (std `noise_std` of the range);
# - Super-Resolution: the input downscaled by `sr_factor` and scaled back up.
#
# Each task is pretrained with the same seeds as the texture (`pretrain_seeds`) and each
# pretrained net is then finetuned like Ours (RGB plus texture, 4 channels), with the same
# budget, seeds and labelled faces.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
import pandas as pd
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.evaluation import convergence, experiments, tables
from wrinklelib.labels.pretext import strength_sentence
from wrinklelib.training import finetuning, pretraining
from wrinklelib.training.stage import pretrain_dir

run = notebook.start(profile, overrides)
s = run.settings
print(strength_sentence())

# %% tags=["nbval-ignore-output"]
results = experiments.grid(run, [*s.pretext_tasks, "ours"], s.ablation_fractions, s.ablation_seeds)

# %% [markdown]
# ## Table 2
#
# Mean over seeds of the pooled test JSI with its 95% t interval, beside the paper's
# values (which report the 100% column only). The paired differences of Ours and each
# pretext task are on the verdicts page.

# %% tags=["nbval-ignore-output"]
paths.write_table("06_runs", tables.runs_table(results))
t2 = tables.table2(results)
paths.write_table("table2", t2)
present.paper_layout(t2)

# %% tags=["nbval-ignore-output", "remove-cell"]
glue("table2", present.paper_layout(t2), display=False)
pretext_runs = pd.concat([pretraining.summary(run, t)[0].assign(task=t) for t in s.pretext_tasks], ignore_index=True)
paths.write_table("06_pretraining", pretext_runs)
conv = convergence.convergence(results, s.convergence_threshold)
paths.write_table("06_convergence", conv)
print(f"{conv.converged.sum()} of {len(conv)} cells converged")

# %% [markdown]
# ## How the pretrained starts converge
#
# Validation JSI at each validation point (mean over the seeds). A pretext-pretrained net
# can begin *below* a random start and needs updates to recover; every arm gets the same
# budget, so a slow start shows here rather than in a shorter schedule.

# %% tags=["nbval-ignore-output"]
curves = finetuning.histories(run, [(a, s.ablation_fractions[0], "vote") for a in [*s.pretext_tasks, "ours"]],
                              s.ablation_seeds)
plots.validation_curves(curves.assign(arm=curves.arm.map(tables.METHOD_NAMES)),
                        path=paths.figure("06_validation_curves"))

# %% [markdown]
# ## What each pretext task learns
#
# One whole validation face per task (its centre): the degraded input, the target and the
# pretrained net's prediction.

# %% tags=["nbval-ignore-output"]
panels = [pretraining.prediction_panels(run, pretrain_dir(run, t) / "last.pt", run.split["val"][:1])[0]
          for t in s.pretext_tasks]
plots.grid([[plots.zoom(p) for p in row] for row in panels], ["input", "target (gray)", "pretrained prediction"],
           path=paths.figure("06_pretext"), cell=3.0, row_titles=[tables.METHOD_NAMES[t] for t in s.pretext_tasks])
