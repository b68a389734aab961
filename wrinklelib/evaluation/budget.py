"""Choosing each fraction's finetuning budget once, from a pilot: No pretraining and Ours
finetuned with several budgets (each a full warm-up and cosine schedule), one seed that no
table uses, judged on validation faces only."""

from __future__ import annotations

import pandas as pd

from ..config.settings import METHOD_NAMES

#: A budget is enough when its validation JSI is within this of the pilot's best.
ENOUGH = 0.01


def pilot_table(results: pd.DataFrame) -> pd.DataFrame:
    """The pilot's validation JSI per arm, fraction and budget."""
    t = results[["arm", "fraction", "updates", "val_jsi"]].copy()
    t.insert(0, "method", [METHOD_NAMES.get(a, a) for a in t.arm])
    return t.sort_values(["fraction", "arm", "updates"], key=lambda c: c.astype(float) if c.name == "fraction" else c)


def choose_budgets(pilot: pd.DataFrame, enough: float = ENOUGH) -> dict[str, int]:
    """Per fraction, the smallest budget at which *every* arm comes within `enough` of its
    own best validation JSI over the pilot's budgets: no arm is compared undertrained (a
    budget that suits the faster arm alone would overstate its gain)."""
    chosen = {}
    for fraction, part in pilot.groupby("fraction", sort=False):
        table = part.pivot_table(index="updates", columns="arm", values="val_jsi")
        good = (table >= table.max() - enough).all(axis=1)
        chosen[fraction] = int(good[good].index.min() if good.any() else table.index.max())  # else: the most
    return chosen


def budgets_sentence(rule: dict[str, int], profile: dict[str, int]) -> str:
    """The pilot's budgets beside the profile's, in words."""
    def words(b: dict[str, int]) -> str:
        return ", ".join(f"{f}%: {u} updates" for f, u in sorted(b.items(), key=lambda kv: -float(kv[0])))
    same = "the same" if rule == {f: profile[f] for f in rule} else "they differ"
    return f"The pilot's rule gives {words(rule)}; the profile has {words(profile)} ({same})."
