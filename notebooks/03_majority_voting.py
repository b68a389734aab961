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
# # Majority voting
#
# Three annotators mark wrinkles on every finetuning face; the paper keeps a pixel when at
# least two of them marked it (Figure 1b). This page shows the vote on one face, measures
# how much the annotators agree, and, on synthetic data where the true wrinkles are known,
# whether the vote is closer to the truth than any single annotator. Training on other
# targets made from the same annotators is the subject of the label-fusion page.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
from IPython.display import display
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.book.draw import overlay
from wrinklelib.config import paths
from wrinklelib.data.sample import load_sample
from wrinklelib.data.synthetic import REGIONS
from wrinklelib.evaluation import agreement
from wrinklelib.labels import fusion

run = notebook.start(profile, overrides)
s, split, min_votes = run.settings, run.split, run.settings.min_votes
faces = [load_sample(run.root, i, s.size, annotators=True) for i in split["test"]]
faces = [f for f in faces if f.annotations]
print(f"{len(faces)} test faces with per-annotator masks")

# %% [markdown]
# ## Figure 1(b)

# %%
if faces:
    face = max(faces, key=lambda f: int(f.truth.sum()) if f.truth is not None else 0)
    names = list(face.annotations)
    masks = list(face.annotations.values())
    panels = [[overlay(face.image, face.annotations[n], (0, 114, 178)) for n in names]
              + [fusion.vote_count(masks), overlay(face.image, fusion.majority_vote(masks, min_votes), (213, 94, 0))]]
    titles = names + ["votes per pixel", f"final mask (>= {min_votes} votes)"]
    display(plots.grid([[plots.zoom(p) for p in panels[0]]], titles,
                       path=paths.figure("03_figure1b"), cmaps={len(names): "viridis"}, colorbars={len(names): "votes"},
                       cell=3.0))

# %% [markdown]
# ## Agreement and accuracy
#
# Jaccard index between annotators, of each annotator against the vote, Fleiss' kappa over
# the face's pixels, agreement per wrinkle area, and (synthetic data) the Jaccard index of
# each annotator and of each way of combining them against the true wrinkles.

# %%
study = agreement.dataset_study(faces, min_votes, REGIONS)
if study is not None:
    paths.write_table("03_agreement", study)
    display(present.Table(present.to_html(study.round(3), numeric=("mean", "std", "images"))))
else:
    print("This data folder has no per-annotator masks (the FFHQ-Wrinkle release ships only voted masks).")

# %% tags=["remove-cell"]
if study is not None:
    vs_truth = study[study.measure == "jaccard vs truth"].set_index("who")["mean"]
    if len(vs_truth):
        glue("vote_vs_truth", float(vs_truth.filter(like="vote").iloc[0]), display=False)
        glue("best_annotator_vs_truth", float(vs_truth[list(s.annotators)].max()), display=False)
