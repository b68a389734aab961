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
