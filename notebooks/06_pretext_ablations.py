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
ablation_seeds = [0]
pretext_tasks = ["reconstruction", "deblur", "denoise", "superres"]
ablation_fractions = [1.0]
device = "auto"

# %%
import numpy as np
from myst_nb import glue

from wrinklelib import experiments, paths, pipeline, plots
from wrinklelib.datasets import DEFAULT_STRENGTH, FaceDataset
from wrinklelib.train import predict, resolve_device

cfg = pipeline.config(profile, seed=seed, data_dir=data_dir, size=size, width=width, batch_size=batch_size,
                      pretrain_epochs=pretrain_epochs, pretrain_min_steps=pretrain_min_steps,
                      finetune_epochs=finetune_epochs, finetune_min_steps=finetune_min_steps, lr=lr,
                      ablation_seeds=ablation_seeds, pretext_tasks=pretext_tasks, ablation_fractions=ablation_fractions,
                      device=device)
root = pipeline.data_root(cfg)
split = pipeline.split(cfg, root)
print("degradation strengths:", DEFAULT_STRENGTH)

# %%
# NBVAL_IGNORE_OUTPUT
for task in ["texture", *cfg.pretext_tasks]:
    experiments.pretrain(cfg, root, split, task)
results = experiments.run_grid(cfg, root, split, [*cfg.pretext_tasks, "ours"], cfg.ablation_fractions, cfg.ablation_seeds)
results.to_csv(paths.table(f"06_runs_{profile}"), index=False)

# %% [markdown]
# ## Table 2

# %%
t2 = experiments.table2(results, "100")
t2.to_csv(paths.table("table2"), index=False)
show = t2[["method", "jsi_ours_mean", "jsi_ours_std", "seeds", "jsi_paper"]]
print(show.to_string(index=False, float_format="%.3f"))
glue("table2", show.round(3).set_index("method"), display=False)

# %% [markdown]
# Beyond the paper: the same comparison with few labels (the profile's other fractions),
# where the paper's effect of pretraining is largest.

# %%
for f in cfg.ablation_fractions:
    key = f"{f * 100:g}"
    if key != "100":
        low = experiments.table2(results, key)
        low.to_csv(paths.table(f"table2_{key}pct"), index=False)
        print(f"finetuned on {key}%:")
        print(low[["method", "jsi_ours_mean", "jsi_ours_std", "seeds"]].to_string(index=False, float_format="%.3f"))

# %% [markdown]
# ## What each pretext task learns
#
# One validation face per task: the degraded input, the target and the pretrained net's
# prediction.

# %%
device = resolve_device(cfg.device)
panels = []
for task in cfg.pretext_tasks:
    ds = FaceDataset(root, split["val"][:1], task, seed=cfg.seed)
    model = experiments.load_model(experiments.pretrain_dir(cfg, split, task) / "best.pt")
    x, y = ds[0]
    pred = predict(model, ds, device)[0, 0].numpy()
    panels.append([((x.permute(1, 2, 0).numpy() + 1) * 127.5).astype(np.uint8), y[0].numpy(), pred])
fig = plots.grid(panels, ["input", "target (gray)", "pretrained prediction"], path=paths.figure("06_pretext"))
