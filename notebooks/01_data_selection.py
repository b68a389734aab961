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
# # Data selection
#
# The paper draws 25,000 random FFHQ faces for weakly supervised pretraining and 500 other
# faces, annotated by three people and merged by majority vote, for supervised finetuning,
# split 80/10/10 into training, validation and test. The training part is then cut to
# 100, 50, 25 and 5 percent.
#
# FFHQ cannot be downloaded where this book is built by default, so the default data set
# is synthetic: procedurally drawn faces with *known* true wrinkles (forehead lines, crow's
# feet, nasolabial folds, under-eye and glabella lines, more of them with a per-face age),
# pores and skin texture, cluttered backgrounds, an exact 19-class face-parsing map, and
# three simulated annotators with different error models. Pointing `data_dir` at the
# FFHQ-Wrinkle release runs the same code on real faces.

# %% tags=["parameters"]
profile = "cpu"
seed = 0
data_dir = ""
size = 128
n_pretrain = 400
n_train = 200
n_val = 40
n_test = 100
fractions = [1.0, 0.5, 0.25, 0.05]
official_test = False
show_n = 4

# %%
import numpy as np
from myst_nb import glue

from wrinklelib import paths, pipeline, plots, splits, synth, voting

cfg = pipeline.config(profile, seed=seed, data_dir=data_dir, size=size, n_pretrain=n_pretrain,
                      n_train=n_train, n_val=n_val, n_test=n_test, fractions=fractions,
                      official_test=official_test)
root = pipeline.data_root(cfg)
split = pipeline.split(cfg, root)
print(f"data: {'synthetic' if not data_dir else 'user folder'}, {cfg.size} px, split hash {split['ids_hash']}")

# %% [markdown]
# ## Sample faces
#
# Each row: the face, its true wrinkles (red; synthetic data only), the majority-voted
# manual mask and the face-parsing map.

# %%
samples = [pipeline.load_sample(root, i, annotators=True) for i in split["train"][:show_n]]
panels = [[s.image,
           plots.overlay(s.image, s.truth if s.truth is not None else s.mask * 0),
           plots.overlay(s.image, s.mask, color=(0, 255, 0)),
           s.parsing if s.parsing is not None else s.mask] for s in samples]
fig = plots.grid(panels, ["face", "true wrinkles", "voted mask", "face parsing"],
                 path=paths.figure("01_samples"), cmap="tab20")

# %% [markdown]
# ## Splits
#
# Finetuning faces are drawn at random from those with manual masks (or, with
# `official_test`, the test part is the release's `test_file_lists.txt`); pretraining faces are
# drawn from the rest, so no face is used by both stages (the test faces are never seen
# during pretraining either). The training fractions are nested: the 5% set lies within
# the 25% set, which lies within the 50% set. The split is a saved file; the same seed
# writes the same bytes.

# %%
sizes = splits.size_table(split)
print(sizes.to_string(index=False))
overlap = splits.overlaps(split)
print("shared ids between parts:", overlap)
print("fractions nested:", splits.check_nested(split))
assert not any(overlap.values()) and splits.check_nested(split)
glue("n_train_images", len(split["train"]), display=False)
share = np.mean([pipeline.load_sample(root, i).mask.mean() for i in split["train"]])
print(f"wrinkle pixels in the voted training masks: {share:.2%}")
glue("wrinkle_pixel_share", float(share), display=False)

# %% [markdown]
# ## How hard are the labels?
#
# Real wrinkle annotators agree poorly. The simulated annotators follow these error models:

# %%
for name, model in synth.ANNOTATOR_MODELS.items():
    print(f"{name}: {model['summary']}")

# %% [markdown]
# Agreement between them and, where the truth is known, the accuracy of each annotator
# and of the 2-of-3 vote (mean and standard deviation over the finetuning faces):

# %%
faces = [pipeline.load_sample(root, i, annotators=True) for i in split["train"] + split["val"] + split["test"]]
study = voting.dataset_study(faces)
if study is not None:
    shown = study[study.measure.isin(["jaccard", "jaccard vs truth", "share of truth kept"])]
    print(shown.to_string(index=False, float_format="%.3f"))
    glue("pairwise_jaccard", voting.mean_pairwise_jaccard(study), display=False)
else:
    print("This data folder has no per-annotator masks (the FFHQ-Wrinkle release ships only voted masks).")
