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
# whether the vote is closer to the truth than any single annotator. It also tries the two
# alternatives the paper names as future work: a soft label (the fraction of votes) and
# STAPLE, which estimates each annotator's sensitivity and specificity.

# %% tags=["parameters"]
profile = "cpu"
overrides = {}

# %%
from myst_nb import glue

from wrinklelib.book import notebook, plots
from wrinklelib.config import paths
from wrinklelib.data import synthetic
from wrinklelib.data.sample import load_sample
from wrinklelib.labels import agreement, fusion

run = notebook.start(profile, overrides)
s, split, min_votes = run.settings, run.split, run.settings.min_votes
faces = [load_sample(run.root, i, s.size, annotators=True) for i in split["train"] + split["val"] + split["test"]]
faces = [f for f in faces if f.annotations]
print(f"{len(faces)} faces with per-annotator masks")

# %% [markdown]
# ## Figure 1(b)

# %%
if faces:
    face = max(faces, key=lambda f: int(f.truth.sum()) if f.truth is not None else 0)
    names = list(face.annotations)
    count = fusion.vote_count(list(face.annotations.values()))
    final = fusion.majority_vote(list(face.annotations.values()), min_votes)
    panels = [[plots.overlay(face.image, face.annotations[n], (0, 255, 0)) for n in names]
              + [count, plots.overlay(face.image, final)]]
    fig = plots.grid(panels, names + ["vote count", f"final mask (>= {min_votes} votes)"],
                     path=paths.figure("03_figure1b"), cmap="magma")

# %% [markdown]
# ## Agreement and accuracy
#
# Jaccard index between annotators, of each annotator against the vote, Fleiss' kappa over
# the face's pixels, agreement per wrinkle area, and (synthetic data) the Jaccard index of
# each annotator and of each way of combining them against the true wrinkles.

# %%
study = agreement.dataset_study(faces, min_votes, {k: v for k, v in synthetic.REGIONS.items() if k < 4})
if study is not None:
    print(study.to_string(index=False, float_format="%.3f"))
    study.to_csv(paths.table("03_agreement"), index=False)
    vs_truth = study[study.measure == "jaccard vs truth"].set_index("who")["mean"]
    if len(vs_truth):
        glue("vote_vs_truth", float(vs_truth.filter(like="vote").iloc[0]), display=False)
        glue("best_annotator_vs_truth", float(vs_truth[names].max()), display=False)
else:
    print("This data folder has no per-annotator masks (the FFHQ-Wrinkle release ships only voted masks).")
