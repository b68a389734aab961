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
# # Verdicts
#
# The paper's claims, tested on this run. Each comparison pairs runs of the same seed (the
# same split, the same test faces): its effect is the mean over seeds of the difference in
# pooled test JSI, with a 95% t interval over seeds and a paired t test. A hierarchical
# bootstrap, resampling seeds and then test faces, is a second opinion shown beside it;
# the t interval decides. The p values are adjusted with Holm's method within each family
# of comparisons, one family per question: Table 1 (what texture pretraining does, with
# the two effects the paper's comparison conflates: the texture channel as an input, and
# pretraining on it), Table 2 (pretext tasks) and Table 3 (training targets, scored
# against the truth). A claim is **supported** when its adjusted p value is below 0.05 and
# the effect positive, **contradicted** when it is below 0.05 and the effect negative, and
# otherwise **inconclusive**, with the smallest effect these seeds could have detected at
# 80% power at the level of Holm's first step in its family (0.05 divided by the number of
# comparisons in the family) beside it.

# %% tags=["parameters", "remove-cell"]
profile = "cpu"
overrides = {}

# %% tags=["remove-input"]
from myst_nb import glue

from wrinklelib.book import notebook, plots, present
from wrinklelib.config import paths
from wrinklelib.evaluation import claims, convergence, experiments

run = notebook.start(profile, overrides)
s = run.settings

# %% tags=["nbval-ignore-output"]
results = experiments.all_results(run)

# %% [markdown]
# ## The claims

# %% tags=["nbval-ignore-output"]
table = claims.claims_table(results, s.fusion_targets if run.synthetic else ())
paths.write_table("claims", table)
present.claims_layout(table)

# %% tags=["nbval-ignore-output", "remove-cell"]
glue("claims", present.claims_layout(table), display=False)

# %% [markdown]
# Each effect with its interval (dots) against the paper's (crosses):

# %% tags=["nbval-ignore-output"]
plots.effects_figure(table, path=paths.figure("08_effects"))

# %% [markdown]
# ## Did every cell converge?
#
# One row per cell of Tables 1, 2 and 3: the mean over seeds of the change of validation
# JSI over the last quarter of the updates, against `convergence_threshold`.

# %% tags=["nbval-ignore-output"]
conv = convergence.convergence(results, s.convergence_threshold)
paths.write_table("convergence", conv)
print(present.convergence_sentence(conv))

# %% tags=["nbval-ignore-output", "remove-cell"]
glue("cells_converged", int(conv.converged.sum()), display=False)
glue("cells", len(conv), display=False)
