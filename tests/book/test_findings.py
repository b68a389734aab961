import numpy as np
import pandas as pd

from wrinklelib.book import findings


def _claims(fraction_pct: list, comparison: str, verdict: list) -> pd.DataFrame:
    n = len(fraction_pct)
    return pd.DataFrame({"claim": ["A claim"] * n, "comparison": [comparison] * n, "fraction_pct": fraction_pct,
                         "paper_effect": [0.02] + [np.nan] * (n - 1), "difference": [0.024] * n,
                         "t_low": [0.014] * n, "t_high": [0.034] * n, "detectable": [0.008] * n, "seeds": [10] * n,
                         "verdict": verdict})


def test_claim_paragraph_gives_effect_interval_paper_and_verdicts():
    text = findings.claim_paragraph("A claim", _claims([100, 5], "Ours minus None",
                                                       ["supported", "inconclusive (could detect 0.008)"]))
    assert text.startswith("**A claim.** Ours minus None: +0.024 [+0.014, +0.034] at 100% (paper +0.0200), "
                           "+0.024 [+0.014, +0.034] at 5%.")
    assert "verdict: supported for 100%; inconclusive for 5%, could detect 0.008." in text


def test_a_comparison_between_two_shares_names_both():
    text = findings.claim_paragraph("A claim", _claims(["5 vs 100"], "Gain at 5% minus gain at 100%", ["supported"]))
    assert "Gain at 5% minus gain at 100%: +0.024 [+0.014, +0.034] (paper +0.0200)." in text
    assert "supported for 5% vs 100%." in text and "5 vs 100%" not in text


def test_findings_name_a_cell_that_did_not_converge_and_what_a_longer_budget_did(tmp_path):
    _claims([100], "Ours minus None", ["supported"]).to_csv(tmp_path / "claims.csv", index=False)
    pd.DataFrame({"arm": ["ours", "ours"], "target": ["vote", "intersection"], "fraction_pct": [100, 100],
                  "last_quarter_change": [0.001, -0.011], "threshold": [0.01, 0.01],
                  "converged": [True, False]}).to_csv(tmp_path / "convergence.csv", index=False)
    pd.DataFrame({"arm": ["ours"], "target": ["intersection"], "fraction": [1.0], "seeds": [5],
                  "val_jsi_change": [-0.011], "val_precision_change": [0.002],
                  "val_recall_change": [-0.015]}).to_csv(tmp_path / "07_drift.csv", index=False)
    pd.DataFrame({"arm": ["ours"] * 2, "target": ["intersection"] * 2, "fraction_pct": [100] * 2,
                  "updates": [1200, 2400], "seeds": [5, 5], "validated_against": ["truth"] * 2,
                  "last_quarter_change": [-0.011, -0.015],
                  "threshold": [0.01] * 2, "converged": [False, False],
                  "jsi_truth": [0.097, 0.084]}).to_csv(tmp_path / "07_longer_budget.csv", index=False)
    text = findings.findings_markdown(tmp_path)
    assert "1 of 2 cells converged" in text and "Ours (Intersection) at 100%: JSI -0.011" in text
    assert "2400 updates instead of 1200 did not settle it" in text
