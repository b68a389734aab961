"""Tables 1 and 2 and the comparisons between arms, beside the paper's published values
(kept here as reference values, never as our results)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .model import UNet, count_parameters
from .settings import ARMS, PRETEXT_TASKS


#: Table 1 of the paper: test JSI by method and training fraction (percent of 400 images).
PAPER_TABLE1 = {
    "none": {"100": 0.4319, "50": 0.4120, "25": 0.3594, "5": 0.2608},
    "ours": {"100": 0.4511, "50": 0.4155, "25": 0.3700, "5": 0.3461},
}
#: Parameter counts as printed in Table 1.
PAPER_PARAMS = {"none": "17.263M", "ours": "17.264M"}
#: Table 2 of the paper: test JSI after finetuning on 100% with each pretraining.
PAPER_TABLE2 = {"reconstruction": 0.4334, "deblur": 0.4393, "denoise": 0.4364,
                "superres": 0.4384, "ours": 0.4511}
#: Names as the paper prints them.
METHOD_NAMES = {"none": "No pretraining", "ours": "Ours", "texture_scratch": "Texture input, no pretraining",
                "reconstruction": "Reconstruction", "deblur": "Deblur", "denoise": "Denoise",
                "superres": "Super-Resolution"}


def summary(results: pd.DataFrame, metric: str = "jsi") -> pd.DataFrame:
    """Mean, standard deviation and number of seeds per arm and fraction."""
    g = results.groupby(["arm", "fraction"], sort=False)[metric]
    return g.agg(mean="mean", std="std", seeds="count").reset_index()


def paired(results: pd.DataFrame, a: str, b: str, metric: str = "jsi") -> pd.DataFrame:
    """Per fraction: mean and spread of (a - b) over seeds run with both arms, in words too."""
    wide = results.pivot_table(index=["fraction", "seed"], columns="arm", values=metric)
    diff = (wide[a] - wide[b]).rename("diff").reset_index()
    order = {f: k for k, f in enumerate(dict.fromkeys(results.fraction))}
    diff = diff.sort_values("fraction", key=lambda s: s.map(order), kind="stable")
    out = diff.groupby("fraction", sort=False)["diff"].agg(mean_diff="mean", std_diff="std", seeds="count").reset_index()
    out["verdict"] = [
        "single seed: no spread to compare with" if n < 2 else
        (f"{a} ahead by more than the spread" if m > s else f"{b} ahead by more than the spread" if -m > s
         else "difference smaller than the seed-to-seed spread")
        for m, s, n in zip(out.mean_diff, out.std_diff.fillna(0), out.seeds)]
    return out


def table1(results: pd.DataFrame, width: int) -> pd.DataFrame:
    """Table 1: our JSI (mean, std over seeds) per method and fraction beside the paper's,
    parameter counts from the model at the run's width and at the paper's width 64, and the
    improvement of Ours over No pretraining computed as the paper does (difference x 100)."""
    s = summary(results)
    rows = []
    for arm in [a for a in ("none", "ours", "texture_scratch", "rgb_pretrained") if a in set(s.arm)]:
        spec = ARMS[arm]
        for _, r in s[s.arm == arm].iterrows():
            rows.append({"method": METHOD_NAMES.get(arm, arm), "arm": arm, "fraction_pct": r.fraction,
                         "jsi_ours_mean": r["mean"], "jsi_ours_std": r["std"], "seeds": r.seeds,
                         "jsi_paper": PAPER_TABLE1.get(arm, {}).get(r.fraction, np.nan),
                         "params_run": count_parameters(UNet(spec["in_channels"], 2, width)),
                         "params_width64": count_parameters(UNet(spec["in_channels"], 2, 64))})
    t = pd.DataFrame(rows)
    if {"none", "ours"} <= set(t.arm):
        base = t[t.arm == "none"].set_index("fraction_pct")
        ours = t[t.arm == "ours"].set_index("fraction_pct")
        t["improvement_pts_ours"] = t.fraction_pct.map((ours.jsi_ours_mean - base.jsi_ours_mean) * 100).where(t.arm == "ours")
        t["improvement_pts_paper"] = t.fraction_pct.map((ours.jsi_paper - base.jsi_paper) * 100).where(t.arm == "ours")
    return t


def table2(results: pd.DataFrame, fraction: str = "100") -> pd.DataFrame:
    """Table 2: JSI after each pretraining, finetuned on one fraction, beside the paper's."""
    s = summary(results)
    s = s[s.fraction == fraction]
    order = [a for a in (*PRETEXT_TASKS, "ours") if a in set(s.arm)]
    s = s.set_index("arm").loc[order].reset_index()
    return pd.DataFrame({"method": [METHOD_NAMES[a] for a in s.arm], "arm": s.arm, "fraction_pct": fraction,
                         "jsi_ours_mean": s["mean"], "jsi_ours_std": s["std"], "seeds": s.seeds,
                         "jsi_paper": [PAPER_TABLE2[a] if fraction == "100" else np.nan for a in s.arm]})


def run_info(run) -> pd.DataFrame:
    """One row naming the run a page shows: profile and hash, data, sizes, seeds, device."""
    from .envinfo import device_name

    s = run.settings
    return pd.DataFrame([{"run": f"{s.profile}-{run.hash}", "data": "synthetic faces" if run.synthetic else str(run.root),
                          "image px": s.size, "U-Net width": s.width, "seeds": len(s.seeds),
                          "test faces": len(run.split["test"]), "device": device_name(s.device)}]).set_index("run")
