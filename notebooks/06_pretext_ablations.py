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
# Placeholder: this step is not implemented yet, and this page shows no results.

# %% tags=["parameters"]
profile = "cpu"

# %%
print(f"profile {profile}: nothing computed yet")
