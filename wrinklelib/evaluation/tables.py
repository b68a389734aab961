"""Tables 1 and 2 and the comparisons between arms, beside the paper's published values
(kept here as reference values, never as our results)."""

from __future__ import annotations


import numpy as np
import pandas as pd

from ..config.settings import ARMS, METHOD_NAMES, PRETEXT_TASKS
from ..model.unet import UNet, count_parameters
from .statistics import bootstrap, verdict


#: Table 1 of the paper: test JSI by method and training fraction (percent of 400 images).
PAPER_TABLE1 = {
    "none": {"100": 0.4319, "50": 0.4120, "25": 0.3594, "5": 0.2608},
    "ours": {"100": 0.4511, "50": 0.4155, "25": 0.3700, "5": 0.3461},
}
#: Table 2 of the paper: test JSI after finetuning on 100% with each pretraining.
PAPER_TABLE2 = {"reconstruction": 0.4334, "deblur": 0.4393, "denoise": 0.4364,
                "superres": 0.4384, "ours": 0.4511}
#: The paper's value of each arm and fraction (Table 1, and Table 2 at 100%).
PAPER_VALUES = {**PAPER_TABLE1, **{t: {"100": v} for t, v in PAPER_TABLE2.items() if t != "ours"}}

COUNT_COLUMNS = ["counts", "counts_truth"]


def runs_table(results: pd.DataFrame) -> pd.DataFrame:
    """One row per finetuning run, without the per-face counts (for CSV)."""
    return results.drop(columns=COUNT_COLUMNS, errors="ignore")


def summary(results: pd.DataFrame, metric: str = "jsi") -> pd.DataFrame:
    """Mean, standard deviation and number of seeds per arm and fraction."""
    g = results.groupby(["arm", "fraction"], sort=False)[metric]
    return g.agg(mean="mean", std="std", seeds="count").reset_index()


def counts_of(results: pd.DataFrame, arm: str, fraction: str, seeds=None, column: str = "counts") -> np.ndarray:
    """Per-face (tp, fp, fn) of one cell: seeds x faces x 3, seeds in the order given."""
    cell = results[(results.arm == arm) & (results.fraction == fraction)].set_index("seed")
    seeds = sorted(cell.index) if seeds is None else seeds
    return np.array([cell.loc[s, column] for s in seeds], np.int64)


def estimates(results: pd.DataFrame, arms, column: str = "counts") -> pd.DataFrame:
    """Per arm and fraction: mean pooled JSI over seeds with its 95% bootstrap interval
    (seeds and test faces resampled), seeds and training images, beside the paper's value."""
    rows = []
    for arm in arms:
        for fraction in dict.fromkeys(results[results.arm == arm].fraction):
            counts = counts_of(results, arm, fraction, column=column)
            mean, lo, hi = bootstrap(counts)
            cell = results[(results.arm == arm) & (results.fraction == fraction)]
            rows.append({"method": METHOD_NAMES.get(arm, arm), "arm": arm, "fraction_pct": fraction,
                         "n_train": int(cell.n_train.iloc[0]), "paper": PAPER_VALUES.get(arm, {}).get(fraction, np.nan),
                         "mean": mean, "ci_low": lo, "ci_high": hi, "seeds": len(counts)})
    return pd.DataFrame(rows)


def table1(results: pd.DataFrame) -> pd.DataFrame:
    """Table 1, machine-readable: one row per method and fraction, with the interval, the
    paper's value and, on synthetic data, the JSI against the true wrinkles."""
    arms = [a for a in ("none", "ours", "texture_scratch", "rgb_pretrained") if a in set(results.arm)]
    t = estimates(results, arms)
    if "counts_truth" in results and results.counts_truth.notna().all():
        truth = estimates(results, arms, "counts_truth")
        t[["truth_mean", "truth_ci_low", "truth_ci_high"]] = truth[["mean", "ci_low", "ci_high"]].to_numpy()
    return t


def _cell(mean: float, lo: float, hi: float) -> str:
    return f"{mean:.3f} ({lo:.3f} to {hi:.3f})"


def layout(t: pd.DataFrame, params: bool = True) -> pd.DataFrame:
    """A table in the paper's layout: methods as rows, "100% (400)" ... as columns; for each
    method a row with the paper's value and one with ours and its 95% interval."""
    rows = {}
    for method, part in t.groupby("method", sort=False):
        arm = part.arm.iloc[0]
        cols = {f"{r.fraction_pct}% ({r.n_train})": r for r in part.itertuples()}
        extra = {"Params (width 64)": f"{count_parameters(UNet(ARMS[arm]['in_channels'], 2, 64)) / 1e6:.3f}M"} if params else {}
        if part.paper.notna().any():
            rows[(method, "paper")] = {c: "" if np.isnan(r.paper) else f"{r.paper:.3f}" for c, r in cols.items()} | extra
        rows[(method, "this run (95% CI)")] = {c: _cell(r.mean, r.ci_low, r.ci_high) for c, r in cols.items()} | extra
    frame = pd.DataFrame.from_dict(rows, orient="index").fillna("")
    frame.index = pd.MultiIndex.from_tuples(frame.index, names=["Method", ""])
    return frame


def paired(results: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """Per fraction: the mean paired difference a - b in JSI over the seeds run with both,
    its 95% bootstrap interval (seeds and test faces) and the verdict it gives."""
    rows = []
    for fraction in dict.fromkeys(results[results.arm == a].fraction):
        seeds = sorted(set(results[(results.arm == a) & (results.fraction == fraction)].seed)
                       & set(results[(results.arm == b) & (results.fraction == fraction)].seed))
        if not seeds:
            continue
        mean, lo, hi = bootstrap(counts_of(results, a, fraction, seeds), counts_of(results, b, fraction, seeds))
        rows.append({"fraction_pct": fraction, "difference": mean, "ci_low": lo, "ci_high": hi,
                     "seeds": len(seeds), "verdict": verdict(lo, hi)})
    return pd.DataFrame(rows)


def paired_layout(p: pd.DataFrame, a: str, b: str) -> pd.DataFrame:
    """A paired comparison for reading: one row per fraction, the difference with its interval."""
    return pd.DataFrame({"training fraction": [f"{f}%" for f in p.fraction_pct],
                         f"{METHOD_NAMES[a]} minus {METHOD_NAMES[b]} (JSI, 95% CI)":
                             [_cell(*r) for r in p[["difference", "ci_low", "ci_high"]].to_numpy()],
                         "seeds": p.seeds, "verdict": p.verdict}).set_index("training fraction")


def _claim(text: str, found: list[tuple[str, pd.DataFrame]], rule: str) -> dict:
    """One claim's verdict from paired comparisons: supported when every interval lies above
    zero, contradicted when any lies below, else inconclusive; with the evidence in words."""
    rows = [(name, r) for name, p in found for r in p.itertuples()]
    verdicts = [r.verdict for _, r in rows]
    v = "contradicted" if "contradicted" in verdicts else "supported" if set(verdicts) == {"supported"} else "inconclusive"
    evidence = "; ".join(f"{name} at {r.fraction_pct}%: {r.difference:+.3f} ({r.ci_low:+.3f} to {r.ci_high:+.3f})"
                         for name, r in rows)
    return {"claim": text, "verdict": v, "evidence": f"{rule} {evidence}"}


def comparisons(results: pd.DataFrame, pairs: list[tuple[str, str]]) -> dict[tuple[str, str], pd.DataFrame]:
    """The paired comparison (see paired) of each pair of arms that both ran."""
    ran = set(results.arm)
    return {(a, b): paired(results, a, b) for a, b in pairs if {a, b} <= ran}


#: The paper's claims (the intro page's three), each with the paired comparisons it needs
#: as (arm, other arm) and the rule in words.
CLAIMS = {
    "1. The free texture label is worth pretraining on":
        ([("ours", "texture_scratch")], "Pretraining on it must beat the same 4-channel net from random weights."),
    "2. Texture pretraining raises JSI over no pretraining (Table 1)":
        ([("ours", "none")], "Ours must beat No pretraining at every fraction."),
    "3. Texture pretraining beats the pretext tasks (Table 2)":
        ([("ours", t) for t in PRETEXT_TASKS], "Ours must beat every pretext pretraining."),
}


def claims(compared: dict[tuple[str, str], pd.DataFrame]) -> pd.DataFrame:
    """A verdict per claim of the paper that these comparisons bear on."""
    out = []
    for text, (pairs, rule) in CLAIMS.items():
        found = [(f"{METHOD_NAMES[a]} minus {METHOD_NAMES[b]}", compared[(a, b)]) for a, b in pairs
                 if (a, b) in compared]
        if found:
            out.append(_claim(text, found, rule))
    return pd.DataFrame(out).set_index("claim")


def table2(results: pd.DataFrame) -> pd.DataFrame:
    """Table 2, machine-readable: JSI after each pretraining, one row per pretraining and
    finetuning fraction (the paper reports 100% only)."""
    return estimates(results, [a for a in (*PRETEXT_TASKS, "ours") if a in set(results.arm)])


def run_info(run) -> pd.DataFrame:
    """One row naming the run a page shows: profile and hash, data, sizes, seeds, device."""
    from ..config.environment import device_name

    s = run.settings
    return pd.DataFrame([{"run": run.name, "data": "synthetic faces" if run.synthetic else str(run.root),
                          "image px": s.size, "U-Net width": s.width, "seeds": len(s.seeds),
                          "test faces": len(run.split["test"]), "device": device_name(s.device)}]).set_index("run")
