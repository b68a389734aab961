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
# 100, 50, 25 and 5 percent. FFHQ faces are 1024 px and the paper used them unresized.
#
# FFHQ cannot be downloaded where this book is built, so the default data set is a
# synthetic world that *knows* its true wrinkles. Each face is rendered from a height
# field (head, brow ridge, eye sockets, nose, cheekbones, lips, chin, jowls, neck) under a
# key light with ambient light, occlusion and cast shadows, with skin of many tones,
# blotches, freckles, moles and pores; pose, expression, hair, beards, glasses and
# cluttered backgrounds; and a camera that blurs, adds noise and compresses. Wrinkles are
# furrows carved into the relief, more and deeper with age and with the expression that
# folds them; the true mask is each furrow's visible valley. Three simulated annotators,
# each with a skill of their own, trace what they see. Pointing `data_dir` at the
# FFHQ-Wrinkle release runs the same code on real faces.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
import numpy as np
import skimage.data
from IPython.display import display
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.data import realism, splits
from wrinklelib.data.parsing import landmarks_parsing, landmarks_unavailable
from wrinklelib.data.sample import load_sample
from wrinklelib.evaluation import agreement
from wrinklelib.labels.annotators import SKILLS

run = notebook.start(profile, overrides)
s, split = run.settings, run.split

# %% [markdown]
# ## Is the synthetic world as hard as real faces?
#
# Texture pretraining works in the paper because the texture map of a real face is a
# *weak* label: most of its strong responses come from shading (eye sockets, the sides of
# the nose, folds, the hairline), not from wrinkles. Three statistics of a face's texture
# map and spectrum (`wrinklelib.data.realism`, defined once for the book and the tests)
# compare our faces with photographs: the spread of the texture map inside the skin, the
# share of skin where it exceeds 20, and the slope of the power spectrum.

# %%
faces = realism.synthetic_faces(s.realism_faces, s.seed, s.annotators)
photo = skimage.data.astronaut()
photo_parsing = None if landmarks_unavailable() else landmarks_parsing(photo)
world = realism.world_table(faces, photo if photo_parsing is not None else None, photo_parsing)
paths.write_table("01_realism", world)
present.Table(present.to_html(world, numeric=("t_std", "share_t_above_20", "spectrum_slope")))

# %% tags=["remove-cell", "nbval-ignore-output"]
# The glued statistics at full precision come from float32 image filters; the table above
# shows (and nbval compares) them at the precision they support.
means = world.iloc[0]
glue("realism_t_std", float(means.t_std), display=False)
glue("realism_share", float(means.share_t_above_20), display=False)
glue("realism_slope", float(means.spectrum_slope), display=False)
print({k: bool(v) for k, v in realism.within_bands(means).items()})

# %% [markdown]
# Three synthetic faces of different ages, poses and light, their texture maps and true
# wrinkles, and in the last row the photograph (its texture map computed the same way):

# %%
order = np.argsort([f.spec.age for f in faces])
shown = [faces[k] for k in (order[0], order[len(order) // 2], order[-1])]
plots.realism_figure(shown, photo, photo_parsing if photo_parsing is not None else photo[..., 0] * 0,
                     path=paths.figure("01_realism"))

# %% [markdown]
# ## At what size wrinkles can be seen
#
# The study runs at the face size of the profile. Drawn smaller, a wrinkle is thinner than
# a pixel and the face shows shading and noise where the mask has a line: a model can then
# only learn where wrinkles usually are. Synthetic faces drawn at 80 px (the size of an
# earlier published run), at the run's size and at FFHQ's 1024 px: the median width of
# their true wrinkles over every skeleton pixel, and the share of the image they cover.

# %%
widths = realism.scale_table(s.show_n, s.seed, s.annotators, sorted({80, s.size, 1024}))
paths.write_table("01_widths", widths)
present.Table(present.to_html(widths.round(4), numeric=tuple(widths.columns)))

# %% tags=["remove-cell"]
glue("true_width_px", float(widths.set_index("size").median_width_px[s.size]), display=False)
glue("run_size", int(s.size), display=False)

# %% [markdown]
# One face drawn at the run's size and the same face shrunk to 80 px (shown at the same
# scale), with its true wrinkles:

# %%
plots.scale_figure(s.seed, s.annotators, 80, s.size, path=paths.figure("01_scale"))

# %% [markdown]
# ## Sample faces of this run
#
# Each row: the face at the run's size, its true wrinkles, the majority-voted manual mask
# and the face-parsing map.

# %%
samples = [load_sample(run.root, i, s.size) for i in split["train"][:s.show_n]]
plots.grid(plots.sample_panels(samples), ["face", "true wrinkles", "voted mask", "face parsing"],
           path=paths.figure("01_samples"), cmaps={3: "tab20"})

# %% [markdown]
# ## Splits
#
# Finetuning faces are drawn at random from those with manual masks (or, with
# `official_test`, the test part is the release's `test_file_lists.txt`); pretraining faces are
# drawn from the rest, so no face is used by both stages. The split is a saved file; the
# same seed writes the same bytes. Each finetuning seed draws its own labelled faces at
# every fraction (a prefix of the training faces shuffled by the seed), so that seeds
# resample the labels as well as the initialisation; within a seed the 5% set lies within
# the 25% set, which lies within the 50% set. The size of each part and fraction:

# %%
overlap = splits.overlaps(split)
assert not any(overlap.values()) and splits.check_nested(split["train"], s.fractions, s.seeds, s.seed)
paths.write_table("01_sizes", splits.size_table(split, s.fractions))
present.Table(present.to_html(splits.size_table(split, s.fractions), numeric=("images",)))

# %% tags=["remove-cell"]
share = np.mean([load_sample(run.root, i, s.size).mask.mean() for i in split["train"]])
glue("n_train_images", len(split["train"]), display=False)
glue("wrinkle_pixel_share", float(share), display=False)
print(f"wrinkle pixels in the voted training masks: {share:.2%}")

# %% [markdown]
# ## The annotators
#
# Real wrinkle annotators agree poorly. The three simulated ones have these skills (the
# profile's `annotators`):

# %%
for name in s.annotators:
    print(SKILLS[name].summary)

# %% [markdown]
# Their agreement with each other and, where the truth is known, the accuracy of each
# annotator and of the 2-of-3 vote (mean and standard deviation over the test faces):

# %%
annotated = [load_sample(run.root, i, s.size, annotators=True) for i in split["test"]]
study = agreement.dataset_study(annotated, s.min_votes)
if study is not None:
    shown = study[study.measure.isin(["jaccard", "jaccard vs truth", "share of truth kept"])].round(3)
    display(present.Table(present.to_html(shown, numeric=("mean", "std", "images"))))
else:
    print("This data folder has no per-annotator masks (the FFHQ-Wrinkle release ships only voted masks).")

# %% tags=["remove-cell"]
if study is not None:
    glue("pairwise_jaccard", agreement.mean_pairwise_jaccard(study), display=False)
