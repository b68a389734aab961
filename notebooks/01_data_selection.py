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
overrides = {}

# %%
import numpy as np
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.data import splits, synthetic
from wrinklelib.data.sample import load_sample
from wrinklelib.labels import agreement

run = notebook.start(profile, overrides)
s, split = run.settings, run.split

# %% [markdown]
# ## Sample faces
#
# Each row: the face, its true wrinkles (red; synthetic data only), the majority-voted
# manual mask and the face-parsing map.

# %%
samples = [load_sample(run.root, i, s.size) for i in split["train"][:s.show_n]]
fig = plots.grid(plots.sample_panels(samples), ["face", "true wrinkles", "voted mask", "face parsing"],
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
share = np.mean([load_sample(run.root, i, s.size).mask.mean() for i in split["train"]])
print(f"wrinkle pixels in the voted training masks: {share:.2%}")
glue("wrinkle_pixel_share", float(share), display=False)

# %% [markdown]
# ## How hard are the labels?
#
# Real wrinkle annotators agree poorly. The simulated annotators follow these error models:

# %%
for name, model in synthetic.ANNOTATOR_MODELS.items():
    print(f"{name}: {model['summary']}")

# %% [markdown]
# Agreement between them and, where the truth is known, the accuracy of each annotator
# and of the 2-of-3 vote (mean and standard deviation over the finetuning faces):

# %%
faces = [load_sample(run.root, i, s.size, annotators=True) for i in split["train"] + split["val"] + split["test"]]
study = agreement.dataset_study(faces, s.min_votes)
if study is not None:
    shown = study[study.measure.isin(["jaccard", "jaccard vs truth", "share of truth kept"])]
    print(shown.to_string(index=False, float_format="%.3f"))
    glue("pairwise_jaccard", agreement.mean_pairwise_jaccard(study), display=False)
else:
    print("This data folder has no per-annotator masks (the FFHQ-Wrinkle release ships only voted masks).")
