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
# scale of the data (`wrinklelib.labels.texture.filter_params`).

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
import skimage.data
from IPython.display import display
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.data import layout
from wrinklelib.data.parsing import landmarks_parsing, landmarks_unavailable
from wrinklelib.data.sample import load_sample, read_weak
from wrinklelib.evaluation import experiments, weak_labels
from wrinklelib.labels import texture

run = notebook.start(profile, overrides)
s, split = run.settings, run.split
ksize, sigma = texture.filter_params(s.size)
print(f"texture filter at {s.size} px: kernel {ksize}x{ksize}, sigma {sigma:.2f}")

# %% [markdown]
# ## Figure 1(a), on a photograph
#
# scikit-image ships the `astronaut` photograph; with no BiSeNet weights at hand, the face
# is parsed offline from dlib's 68 facial landmarks (the face outline with a forehead
# extended above the brows, hair cut by colour, eyes, brows and lips removed). A machine
# without dlib's landmark model skips this figure.

# %%
missing = landmarks_unavailable()
if missing:
    print(f"Figure 1(a) on a photograph not drawn on this machine: {missing}")
else:
    photo = skimage.data.astronaut()
    display(plots.grid([plots.photo_panels(photo, landmarks_parsing(photo))],
                       ["face", "texture map T", "face parsing", "texture mask"],
                       path=paths.figure("02_figure1a_photo"),
                       cmaps={1: "magma", 2: "tab20", 3: "magma"}, colorbars={1: "T", 3: "T"}, cell=2.6))

# %% [markdown]
# ## Figure 1(a), on the run's faces
#
# With the face-parsing map of the data, and in the last column the true wrinkles.

# %%
samples = [load_sample(run.root, i, s.size) for i in split["val"][:s.show_n]]
panels, titles = plots.texture_panels(samples)
plots.grid(panels, titles, path=paths.figure("02_figure1a_run"), cmaps={1: "magma", 2: "tab20", 3: "magma"},
           colorbars={1: "T", 3: "T"}, cell=3.0)

# %% [markdown]
# ## How weak a label is the texture mask?
#
# Threshold the texture mask and compare it with the true wrinkles over the validation and
# test faces. A low threshold finds many wrinkle pixels but marks much of the skin; a high
# one marks little and misses most wrinkles. On real faces classical line filters reach
# an IoU of 0.08 to 0.10 against the FFHQ-Wrinkle masks. Two lines give the scale: marking
# every face pixel, the chance level (it equals the wrinkles' share of the face, which
# grows as the image shrinks, because a line keeps at least a pixel's width), and the
# model this book finetunes (Ours, all training labels, the first seed), scored on the
# whole test faces against the same truth: the weak label is weak, the task stays
# learnable.

# %% tags=["nbval-ignore-output"]
# The model (trained here, or read from the cache; the progress lines carry timings).
model_runs = experiments.grid(run, ["ours"], [s.fractions[0]], [s.seeds[0]])

# %%
study_samples = [load_sample(run.root, i, s.size) for i in split["val"] + split["test"]]
truth_known = all(f.truth is not None for f in study_samples)
if truth_known:
    study = weak_labels.threshold_study(study_samples, [2, 5, 10, 15, 20, 30, 40, 60])
    paths.write_table("02_thresholds", study)
    best, chance = study.jaccard.max(), weak_labels.whole_face_baseline(study_samples)
    print(f"best Jaccard of a thresholded texture mask: {best:.3f} (threshold "
          f"{study.threshold[study.jaccard.idxmax()]:g}); marking every face pixel: {chance:.3f}")
else:
    print("No true wrinkle masks in this data folder; the comparison needs synthetic data.")

# %% tags=["nbval-ignore-output"]
if truth_known:
    model = model_runs.jsi_truth.iloc[0]
    print(weak_labels.weak_versus_model(study, model, chance))
    display(plots.threshold_figure(study, model, path=paths.figure("02_thresholds"), baseline=chance))

# %% tags=["nbval-ignore-output", "remove-cell"]
if truth_known:
    glue("texture_best_jaccard", float(best), display=False)
    glue("model_vs_texture", float(model / best), display=False)
    glue("texture_chance_jaccard", float(chance), display=False)

# %% [markdown]
# ## Our texture masks against the release's
#
# When the data folder is the FFHQ-Wrinkle release, its precomputed weak masks are
# compared with ours (computed from the image and its face-parsing map): the mean absolute
# difference in gray levels, and the Jaccard agreement of their non-zero face regions.
# Either can feed pretraining (`weak_source = "release"` or `"compute"`). The synthetic
# world writes its weak masks with our recipe, so they agree by construction there.

# %%
have = [i for i in split["pretrain"][:50] if layout.weak_path(run.root, i).exists()]
if have and not run.synthetic:
    cmp = weak_labels.compare_with_release([load_sample(run.root, i, s.size) for i in have],
                                           [read_weak(run.root, i, s.size) for i in have])
    print(cmp[["mean_abs_diff", "face_region_jaccard"]].describe().round(3).to_string())
else:
    print("No precomputed weak masks of the release in this data folder; nothing to compare.")
