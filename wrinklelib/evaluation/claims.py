"""The paper's claims tested on a run. Each comparison is a paired difference over seeds (the
same labelled faces, initialisation and pretraining run on both sides) with its t interval
and paired-t p value, the hierarchical bootstrap beside it, Holm's adjustment within its
family (one family per question: Table 1, Table 2, Table 3), the smallest effect the seeds
could have detected at the level of Holm's first step in that family, the paper's own
effect, and a verdict. Every page reads its p values from here (claims.csv)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..config.settings import METHOD_NAMES
from ..labels.pretext import PRETEXT_TASKS
from ..labels.targets import PAPER_TARGET, SINGLE
from .statistics import LEVEL, detectable_effect, first_step_level, hierarchical_bootstrap, holm, paired_t, verdict
from .tables import PAPER_TABLE1, PAPER_TABLE2, target_name

CLAIMS = {
    "pretraining": "Texture pretraining raises JSI over no pretraining (the paper's Table 1 comparison)",
    "channel": "The texture channel helps (texture input from scratch against RGB only)",
    "pretraining_itself": "Pretraining on the texture helps (Ours against the same input from scratch)",
    "few_labels": "Pretraining helps most with few labels (gain at 5% against gain at 100%)",
    "pretext": "Texture pretraining beats self-supervised pretext tasks (Table 2)",
    "voting": "Majority voting makes a better target than a single annotator (Table 3, against the truth)",
    "fusion": "Another way of combining the annotators beats the majority vote (Table 3, against the truth)",
}
#: The family of each claim: Holm's adjustment and the detectable effect are computed within it.
FAMILIES = {"pretraining": "Table 1", "channel": "Table 1", "pretraining_itself": "Table 1", "few_labels": "Table 1",
            "pretext": "Table 2", "voting": "Table 3", "fusion": "Table 3"}
COLUMNS = ["family", "claim", "comparison", "target", "fraction_pct", "paper_effect", "difference", "t_low", "t_high",
           "p",
           "p_holm", "family_size", "sd", "detectable", "seeds", "boot_low", "boot_high", "scored_against", "verdict"]


def _cell(results: pd.DataFrame, arm: str, target: str, fraction: str) -> pd.DataFrame:
    c = results[(results.arm == arm) & (results.target == target) & (results.fraction.astype(str) == str(fraction))]
    return c.set_index("seed")


def _pair(results: pd.DataFrame, a: tuple, b: tuple, column: str) -> tuple[np.ndarray, np.ndarray, list]:
    """Per-seed scores of two cells (arm, target, fraction) on the seeds both ran."""
    ca, cb = _cell(results, *a), _cell(results, *b)
    seeds = sorted(set(ca.index) & set(cb.index))
    return ca.loc[seeds, column].to_numpy(float), cb.loc[seeds, column].to_numpy(float), seeds


def compare(results: pd.DataFrame, claim: str, name: str, a: tuple, b: tuple, paper: float,
            column: str = "jsi") -> dict | None:
    """One comparison a - b (paired by seed), or None when the two cells share fewer than
    two seeds."""
    x, y, seeds = _pair(results, a, b, column)
    if len(seeds) < 2:
        return None
    counts = "counts" + column[len("jsi"):]
    cells = [_cell(results, *c).loc[seeds, counts].tolist() for c in (a, b)]
    _, b_low, b_high = hierarchical_bootstrap(np.array(cells[0], np.int64), np.array(cells[1], np.int64))
    return {"claim": claim, "comparison": name, "fraction_pct": str(a[2]), "paper_effect": paper,
            **paired_t(x, y), "sd": float(np.std(x - y, ddof=1)), "boot_low": b_low, "boot_high": b_high,
            "scored_against": column}


def _few_labels(results: pd.DataFrame) -> dict | None:
    """(Ours - None at 5%) - (Ours - None at 100%), paired by seed."""
    d = {}
    for f in ("5", "100"):
        x, y, seeds = _pair(results, ("ours", PAPER_TARGET, f), ("none", PAPER_TARGET, f), "jsi")
        d[f] = pd.Series(x - y, index=seeds)
    both = sorted(set(d["5"].index) & set(d["100"].index))
    if len(both) < 2:
        return None
    paper = (PAPER_TABLE1["ours"]["5"] - PAPER_TABLE1["none"]["5"]) - (PAPER_TABLE1["ours"]["100"]
                                                                      - PAPER_TABLE1["none"]["100"])
    diff = d["5"][both] - d["100"][both]
    return {"claim": "few_labels", "comparison": "Gain at 5% minus gain at 100%", "fraction_pct": "5 vs 100",
            "paper_effect": paper, **paired_t(d["5"][both], d["100"][both]), "sd": float(diff.std(ddof=1)),
            "boot_low": np.nan, "boot_high": np.nan, "scored_against": "jsi"}


def table1_rows(results: pd.DataFrame) -> list[dict]:
    """The Table 1 family: the paper's Ours - None, and the two effects it conflates (the
    texture channel, pretraining on it) at every fraction; the gain at 5% against 100%."""
    rows = []
    for f in dict.fromkeys(results[results.target == PAPER_TARGET].fraction.astype(str)):
        paper = PAPER_TABLE1["ours"].get(f, np.nan) - PAPER_TABLE1["none"].get(f, np.nan)
        rows.append(compare(results, "pretraining", "Ours minus No pretraining", ("ours", PAPER_TARGET, f),
                            ("none", PAPER_TARGET, f), paper))
        rows.append(compare(results, "channel", "Texture input from scratch minus No pretraining",
                            ("texture_scratch", PAPER_TARGET, f), ("none", PAPER_TARGET, f), np.nan))
        rows.append(compare(results, "pretraining_itself", "Ours minus texture input from scratch",
                            ("ours", PAPER_TARGET, f), ("texture_scratch", PAPER_TARGET, f), np.nan))
    rows.append(_few_labels(results))
    return rows


def table2_rows(results: pd.DataFrame) -> list[dict]:
    """The Table 2 family: Ours against each pretext task at 100%."""
    return [compare(results, "pretext", f"Ours minus {METHOD_NAMES[task]}", ("ours", PAPER_TARGET, "100"),
                    (task, PAPER_TARGET, "100"), PAPER_TABLE2["ours"] - PAPER_TABLE2[task]) for task in PRETEXT_TASKS]


def table3_rows(results: pd.DataFrame, targets) -> list[dict]:
    """The Table 3 family, against the truth: every target against the vote at every
    fraction, written as the vote minus a single annotator (the paper's reason to vote) or
    as a target minus the vote."""
    rows = []
    for f in dict.fromkeys(results.fraction.astype(str)):
        for t in targets:
            if t == PAPER_TARGET:
                continue
            if t.startswith(SINGLE):
                row = compare(results, "voting", f"Vote minus {target_name(t)[0].lower()}{target_name(t)[1:]}",
                              ("ours", PAPER_TARGET, f), ("ours", t, f), np.nan, "jsi_truth")
            else:
                row = compare(results, "fusion", f"{target_name(t)} minus the vote", ("ours", t, f),
                              ("ours", PAPER_TARGET, f), np.nan, "jsi_truth")
            rows.append(None if row is None else row | {"target": t})
    return rows


def adjust(rows: list[dict]) -> pd.DataFrame:
    """Claims rows with their family, Holm's adjustment within it, the detectable effect at
    Holm's first step in it, and a verdict."""
    t = pd.DataFrame([r for r in rows if r is not None])
    if t.empty:
        return pd.DataFrame(columns=COLUMNS)
    t["target"] = t.get("target", pd.Series(np.nan, index=t.index))
    t["family"] = t.claim.map(FAMILIES)
    t["p_holm"], t["family_size"] = np.nan, 0
    for family, part in t.groupby("family", sort=False):
        t.loc[part.index, "p_holm"] = holm(part.p.to_numpy())
        t.loc[part.index, "family_size"] = len(part)
    t["detectable"] = [detectable_effect(sd, n, first_step_level(m, 1 - LEVEL))
                       for sd, n, m in zip(t.sd, t.seeds, t.family_size)]
    t["verdict"] = [verdict(d, p, m) for d, p, m in zip(t.difference, t.p_holm, t.detectable)]
    t["claim"] = t.claim.map(CLAIMS)
    return t[COLUMNS]


def claims_table(results: pd.DataFrame, targets=()) -> pd.DataFrame:
    """claims.csv: every comparison the run's results allow, family by family."""
    rows = table1_rows(results) + table2_rows(results)
    if "jsi_truth" in results and targets:
        rows += table3_rows(results[results.arm == "ours"], targets)
    return adjust(rows)
