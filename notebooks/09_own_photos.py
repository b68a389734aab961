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
# # Your own photos
#
# `wrinkle predict` runs a finetuned checkpoint on your photos. Every face in a photo is
# found with dlib's 68 landmarks, aligned as the FFHQ faces were (an eyes-level square from
# the eye and mouth landmarks), parsed from the same landmarks, segmented at the size the
# checkpoint was trained at, and its mask warped back onto the photo. With `--report`, a
# CSV gives per face and region (forehead, glabella, crow's feet, under-eye, nasolabial,
# cheeks) the share of skin marked as wrinkle, the number of wrinkles and their length.
#
# On your own photos, with the model this run ships (Ours, all training labels, first
# seed; a published run keeps it in `results/<run>/model/`, and `wrinkle predict` uses the
# book's published run's model when no `--checkpoint` is given):
#
# ```bash
# wrinkle predict --images photos/ --out masks/ --report --overlay
# wrinkle predict --checkpoint stage2_unet.pth --images photos/ --out masks/   # the authors' model
# ```
#
# Here the same path runs on scikit-image's `astronaut` photograph. The model is small
# and was trained on synthetic faces only: what it marks on a real photograph shows the
# path working and what the synthetic world taught it, not a validated wrinkle
# measurement.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
import skimage.data
from IPython.display import display

from wrinklelib.app import photos
from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.config.environment import resolve_device
from wrinklelib.data.parsing import landmarks_unavailable
from wrinklelib.evaluation import experiments
from wrinklelib.model.checkpoints import export, load_for_inference
from wrinklelib.training.stage import finetune_dir

run = notebook.start(profile, overrides)
s = run.settings

# %% tags=["nbval-ignore-output"]
trained = experiments.grid(run, ["ours"], [s.fractions[0]], [s.seeds[0]])   # from the cache when 05 trained it

# %% tags=["nbval-ignore-output"]
about = photos.model_about(run, "ours", s.fractions[0], s.seeds[0])
checkpoint = export(finetune_dir(run, "ours", s.fractions[0], s.seeds[0]) / "last.pt", paths.shipped_model(), about)
print(f"The model: {about['what']}.")
missing = landmarks_unavailable()
if missing:
    print(f"Faces cannot be found on this machine: {missing}")
else:
    model, recipe = load_for_inference(checkpoint)
    mask, faces = photos.predict_aligned(model, recipe, skimage.data.astronaut(), resolve_device(s.device))
    print(photos.marked_sentence(mask, faces))

# %% [markdown]
# The aligned face, the texture channel the network saw, and the wrinkles it marked:

# %% tags=["nbval-ignore-output"]
if not missing:
    display(plots.grid(photos.face_panels(faces), ["aligned face", "texture channel", "predicted wrinkles"],
                       path=paths.figure("09_own_photo"), cmaps={1: "magma"}, colorbars={1: "T"}, cell=3.4))

# %% [markdown]
# The region report (`report.csv` has one row per face and a column per region and
# measure), for the first face:

# %% tags=["nbval-ignore-output"]
if not missing:
    report = photos.face_report(faces, "astronaut.png")
    paths.write_table("09_region_report", report)
    shown = photos.region_table(report)
    display(present.Table(present.to_html(shown, numeric=("share of skin", "wrinkles", "length (px)"))))
