"""The paper's claims tested on a run: each comparison a paired difference over seeds with
its t interval and paired-t p value, the hierarchical bootstrap beside it, Holm's
adjustment over the whole family, the smallest effect the seeds could have detected, the
paper's own effect, and a verdict."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.settings import METHOD_NAMES
from ..labels.pretext import PRETEXT_TASKS
from ..labels.targets import SINGLE
from .statistics import hierarchical_bootstrap, holm, paired_t, verdict
from .tables import PAPER_TABLE1, PAPER_TABLE2, target_name

CLAIMS = {
    "pretraining": "Texture pretraining raises JSI over no pretraining (Table 1)",
    "few_labels": "It helps most with few labels (Table 1, 5% against 100%)",
    "weak_label": "The texture label itself is worth pretraining on (against the same input from scratch)",
    "pretext": "Texture pretraining beats self-supervised pretext tasks (Table 2)",
    "voting": "Majority voting makes a better target than a single annotator (Table 3, against the truth)",
}


def _pair(results: pd.DataFrame, a: tuple, b: tuple, column: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Per-seed scores of two cells (arm, target, fraction) on the seeds both ran."""
    def cell(arm, target, fraction):
        c = results[(results.arm == arm) & (results.target == target) & (results.fraction == fraction)]
        return c.set_index("seed")

    ca, cb = cell(*a), cell(*b)
    seeds = sorted(set(ca.index) & set(cb.index))
    return ca.loc[seeds, column].to_numpy(float), cb.loc[seeds, column].to_numpy(float), seeds


def compare(results: pd.DataFrame, claim: str, name: str, a: tuple, b: tuple, paper: float,
            column: str = "jsi") -> dict | None:
    """One comparison a - b (paired by seed), or None when the two cells share no seed."""
    x, y, seeds = _pair(results, a, b, column)
    if len(seeds) < 2:
        return None
    counts = "counts" + column[len("jsi"):]
    cells = [results[(results.arm == c[0]) & (results.target == c[1]) & (results.fraction == c[2])]
             .set_index("seed").loc[seeds, counts].tolist() for c in (a, b)]
    _, b_low, b_high = hierarchical_bootstrap(np.array(cells[0], np.int64), np.array(cells[1], np.int64))
    return {"claim": CLAIMS[claim], "comparison": name, "fraction_pct": a[2], "paper_effect": paper,
            **paired_t(x, y), "boot_low": b_low, "boot_high": b_high, "scored_against": column}


def _few_labels(results: pd.DataFrame) -> dict | None:
    """(Ours - None at 5%) - (Ours - None at 100%), paired by seed."""
    d = {}
    for f in ("5", "100"):
        x, y, seeds = _pair(results, ("ours", "vote", f), ("none", "vote", f), "jsi")
        d[f] = pd.Series(x - y, index=seeds)
    both = sorted(set(d["5"].index) & set(d["100"].index))
    if len(both) < 2:
        return None
    paper = (PAPER_TABLE1["ours"]["5"] - PAPER_TABLE1["none"]["5"]) - (PAPER_TABLE1["ours"]["100"] - PAPER_TABLE1["none"]["100"])
    return {"claim": CLAIMS["few_labels"], "comparison": "Gain at 5% minus gain at 100%", "fraction_pct": "5 vs 100",
            "paper_effect": paper, **paired_t(d["5"][both], d["100"][both]), "boot_low": np.nan, "boot_high": np.nan,
            "scored_against": "jsi"}


def comparisons(results: pd.DataFrame, annotators=()) -> list[dict]:
    """Every comparison the run's results allow, in the order of the claims."""
    rows = []
    fractions = list(dict.fromkeys(results.fraction))
    for f in fractions:
        paper = PAPER_TABLE1["ours"].get(f, np.nan) - PAPER_TABLE1["none"].get(f, np.nan)
        rows.append(compare(results, "pretraining", "Ours minus No pretraining", ("ours", "vote", f),
                            ("none", "vote", f), paper))
    rows.append(_few_labels(results))
    for f in fractions:
        rows.append(compare(results, "weak_label", "Ours minus texture input from scratch", ("ours", "vote", f),
                            ("texture_scratch", "vote", f), np.nan))
    for task in PRETEXT_TASKS:
        rows.append(compare(results, "pretext", f"Ours minus {METHOD_NAMES[task]}", ("ours", "vote", "100"),
                            (task, "vote", "100"), PAPER_TABLE2["ours"] - PAPER_TABLE2[task]))
    if "jsi_truth" in results:
        for f in fractions:
            for who in annotators:
                rows.append(compare(results, "voting", f"Vote minus {target_name(SINGLE + who).lower()}",
                                    ("ours", "vote", f), ("ours", SINGLE + who, f), np.nan, "jsi_truth"))
    return [r for r in rows if r is not None]


def claims_table(results: pd.DataFrame, annotators=()) -> pd.DataFrame:
    """claims.csv: every comparison with Holm-adjusted p values over the family and a verdict."""
    t = pd.DataFrame(comparisons(results, annotators))
    if t.empty:
        return t
    t["p_holm"] = holm(t.p.to_numpy())
    t["verdict"] = [verdict(d, p, m) for d, p, m in zip(t.difference, t.p_holm, t.detectable)]
    return t[["claim", "comparison", "fraction_pct", "paper_effect", "difference", "t_low", "t_high", "p", "p_holm",
              "detectable", "seeds", "boot_low", "boot_high", "scored_against", "verdict"]]
