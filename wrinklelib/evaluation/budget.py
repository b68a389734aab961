"""Choosing each fraction's finetuning budget once, from a pilot: every Table 1 arm finetuned
with several budgets (each a full warm-up and cosine schedule), with seeds that no table
uses, judged on validation faces only; and the effect against the budget, so that a reader
sees how much of it the budget sets."""

from __future__ import annotations

import pandas as pd

from ..config.settings import METHOD_NAMES
from .statistics import paired_t, t_interval

#: A budget is enough for an arm when its mean validation JSI over the pilot's seeds is
#: within this of the arm's best mean over the pilot's budgets.
ENOUGH = 0.01
#: The comparisons whose effect the pilot traces against the budget: (name as claims.csv
#: names it, arm, minus arm).
EFFECTS = (("Ours minus No pretraining", "ours", "none"), ("Ours minus texture input from scratch", "ours",
                                                           "texture_scratch"))


def rule(enough: float = ENOUGH) -> str:
    """The budget rule, whole, in words."""
    return (f"A fraction's budget is the smallest pilot budget at which every arm's mean validation JSI over the "
            f"pilot's seeds lies within {enough:g} of that arm's best mean over the pilot's budgets, so that no arm "
            "is compared undertrained; where no pilot budget brings every arm that close (the arms peak at "
            "different budgets), the largest pilot budget. The same rule for every fraction.")


def pilot_table(results: pd.DataFrame) -> pd.DataFrame:
    """The pilot's runs: validation JSI per arm, fraction, budget and seed."""
    t = results[["arm", "fraction", "updates", "seed", "val_jsi", "last_quarter_change", "folder", "train_s",
                 "validation_s"]].copy()
    t.insert(0, "method", [METHOD_NAMES.get(a, a) for a in t.arm])
    return t.sort_values(["fraction", "arm", "updates", "seed"],
                         key=lambda c: c.astype(float) if c.name == "fraction" else c).reset_index(drop=True)


def pilot_means(pilot: pd.DataFrame) -> pd.DataFrame:
    """Per arm, fraction and budget: the mean validation JSI over the pilot's seeds and its
    t interval."""
    rows = []
    for (method, arm, fraction, updates), part in pilot.groupby(["method", "arm", "fraction", "updates"], sort=False):
        mean, low, high = t_interval(part.val_jsi)
        rows.append({"method": method, "arm": arm, "fraction": fraction, "updates": int(updates), "val_jsi": mean,
                     "t_low": low, "t_high": high, "seeds": len(part)})
    return pd.DataFrame(rows)


def choose_budgets(pilot: pd.DataFrame, enough: float = ENOUGH) -> dict[str, int]:
    """Per fraction, the budget the rule gives (see `rule`)."""
    chosen = {}
    for fraction, part in pilot_means(pilot).groupby("fraction", sort=False):
        table = part.pivot_table(index="updates", columns="arm", values="val_jsi")
        good = (table >= table.max() - enough).all(axis=1)
        chosen[fraction] = int(good[good].index.min() if good.any() else table.index.max())
    return chosen


def effect_by_budget(pilot: pd.DataFrame) -> pd.DataFrame:
    """05_effect_by_budget: per fraction, budget and comparison of EFFECTS, the paired
    difference in validation JSI over the pilot's seeds with its t interval."""
    rows = []
    for (fraction, updates), part in pilot.groupby(["fraction", "updates"], sort=False):
        by_arm = {arm: p.set_index("seed").val_jsi for arm, p in part.groupby("arm")}
        for name, a, b in EFFECTS:
            if a in by_arm and b in by_arm:
                seeds = sorted(set(by_arm[a].index) & set(by_arm[b].index))
                d = paired_t(by_arm[a][seeds], by_arm[b][seeds])
                rows.append({"comparison": name, "fraction": fraction, "updates": int(updates),
                             "difference": d["difference"], "t_low": d["t_low"], "t_high": d["t_high"],
                             "seeds": d["seeds"]})
    return pd.DataFrame(rows, columns=["comparison", "fraction", "updates", "difference", "t_low", "t_high", "seeds"])


def effect_budget_sentence(effects: pd.DataFrame) -> str:
    """Per comparison of 05_effect_by_budget, its effect at the pilot's smallest and largest
    budget at each fraction, and at how many fractions it shrank, in words."""
    if effects.empty:
        return ""
    parts = []
    for name, part in effects.groupby("comparison", sort=False):
        ends = [(fraction, cell.sort_values("updates").difference.to_numpy())
                for fraction, cell in part.groupby("fraction", sort=False)]
        ends.sort(key=lambda fe: -float(fe[0]))
        shrank = sum(d[-1] < d[0] for _, d in ends)
        steps = ", ".join(f"{f}% {d[0]:+.3f} to {d[-1]:+.3f}" for f, d in ends)
        parts.append(f"{name} {steps} (smaller at {shrank} of {len(ends)} fractions)")
    low, high, seeds = int(effects.updates.min()), int(effects.updates.max()), int(effects.seeds.min())
    return (f"In the pilot (validation faces, {seeds} seeds), from {low} to {high} updates: " + "; ".join(parts)
            + ".")


def budgets_sentence(chosen: dict[str, int], profile: dict[str, int], largest: int | None = None) -> str:
    """The pilot's budgets beside the profile's, in words; with `largest` (the pilot's largest
    budget), which fractions it could not show to be trained enough."""
    def largest_first(b: dict[str, int]) -> list[tuple[str, int]]:
        return sorted(b.items(), key=lambda kv: -float(kv[0]))

    def words(b: dict[str, int]) -> str:
        return ", ".join(f"{f}%: {u} updates" for f, u in largest_first(b))
    same = "the same" if chosen == {f: profile[f] for f in chosen} else "they differ"
    out = f"The pilot's rule gives {words(chosen)}; the profile has {words(profile)} ({same})."
    edge = [f"{f}%" for f, u in largest_first(chosen) if u == largest]
    if edge:
        out += (f" At {', '.join(edge)} that is the largest budget the pilot tried, so the pilot cannot show it is "
                "enough: the arms may still be improving there, and the effects below are at that budget.")
    return out
