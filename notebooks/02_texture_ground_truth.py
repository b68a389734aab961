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
# # Texture ground truth
#
# The weak label for pretraining (the paper's Figure 1a) is a texture map: the gray image
# divided by its Gaussian blur, so that anything darker than its surroundings, a wrinkle
# among others, stands out,
#
# $$T = 255 - \mathrm{clip}\!\left(\frac{255\, I}{G_\sigma * I + 1}, 0, 255\right),$$
#
# kept continuous and zeroed outside the skin and nose classes of a face-parsing map.
# The kernel is 21x21 with sigma 5 at 1024 px; at other sizes sigma follows the detail
# scale of the data (`wrinklelib.texture.filter_params`).

# %% tags=["parameters"]
profile = "cpu"
overrides = {}

# %%
import skimage.data
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.data import layout, parsing
from wrinklelib.data.sample import load_sample, read_weak
from wrinklelib.evaluation import weak_labels
from wrinklelib.labels import texture

run = notebook.start(profile, overrides)
s, split = run.settings, run.split
ksize, sigma = texture.filter_params(s.size)
print(f"texture filter at {s.size} px: kernel {ksize}x{ksize}, sigma {sigma:.2f}")

# %% [markdown]
# ## Figure 1(a), on a real photograph
#
# scikit-image ships the `astronaut` photograph; with no BiSeNet weights at hand, the face
# is parsed offline from dlib's 68 facial landmarks (the face outline with a forehead
# extended above the brows, hair cut by colour, eyes, brows and lips removed). A machine
# without dlib's landmark model (a GPU machine without network) skips this figure.

# %%
missing = parsing.landmarks_unavailable()
if missing:
    print(f"Figure 1(a) on a photograph not drawn on this machine: {missing}")
else:
    panels, note = plots.photo_panels(skimage.data.astronaut())
    fig = plots.grid([panels], ["face", "texture map (x4)", "face parsing", "texture mask (x4)"],
                     path=paths.figure("02_figure1a_astronaut"), cell=2.8)
    print(note)

# %% [markdown]
# ## Figure 1(a), on the run's faces
#
# With the face-parsing map of the data (exact on synthetic faces), and in the last column
# the true wrinkles where they are known, else the voted mask.

# %%
samples = [load_sample(run.root, i, s.size) for i in split["val"][:s.show_n]]
panels, titles = plots.texture_panels(samples)
fig = plots.grid(panels, titles, path=paths.figure("02_figure1a_run"), cmap="gray")

# %% [markdown]
# ## How good a label is the texture mask?
#
# Where the truth is known, threshold the texture mask and compare it with the true
# wrinkles over the validation and test faces. A low threshold finds most wrinkle pixels
# but marks much of the skin; a high one is cleaner but misses most wrinkles. No
# threshold is a good wrinkle detector, which is why it serves as a weak pretraining
# target and not as a replacement for manual labels.

# %%
study_samples = [load_sample(run.root, i, s.size) for i in split["val"] + split["test"]]
if all(f.truth is not None for f in study_samples):
    study = weak_labels.threshold_study(study_samples, [2, 5, 10, 15, 20, 30, 40, 60])
    print(study.to_string(index=False, float_format="%.3f"))
    best = study.loc[study.jaccard.idxmax()]
    glue("texture_best_jaccard", float(best.jaccard), display=False)
    print(f"best Jaccard {best.jaccard:.3f} at threshold {best.threshold:g}: "
          f"{1 - best.precision:.0%} of the marked pixels are not wrinkles")
else:
    print("No true wrinkle masks in this data folder; the comparison needs synthetic data.")

# %% [markdown]
# ## Our texture masks against the release's
#
# When the data folder is the FFHQ-Wrinkle release, its precomputed weak masks are
# compared with ours (computed from the image and its face-parsing map): the mean absolute
# difference in gray levels, and the Jaccard agreement of their non-zero face regions.
# Either can feed pretraining (`weak_source = "release"` or `"compute"`).

# %%
have = [i for i in split["pretrain"][:50] if layout.weak_path(run.root, i).exists()]
if have:
    cmp = weak_labels.compare_with_release([load_sample(run.root, i, s.size) for i in have],
                                           [read_weak(run.root, i, s.size) for i in have])
    print(cmp[["mean_abs_diff", "face_region_jaccard"]].describe().to_string(float_format="%.3f"))
else:
    print("No precomputed weak masks in this data folder (synthetic data); nothing to compare.")
