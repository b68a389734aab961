"""The pages generated from a run's tables: findings by family in tables, convergence in
words, the landing page's findings with the project's links and a BibTeX entry; a table a
page needs and the run lacks is named, never silently dropped."""

import json

import numpy as np
import pandas as pd
import pytest

from wrinklelib.book import findings
from wrinklelib.config.paths import MissingTable, read_table


def claims(tmp_path):
    rows = [{"family": "Table 1", "claim": "A claim", "comparison": "Ours minus No pretraining", "target": np.nan,
             "fraction_pct": f, "paper_effect": paper, "difference": 0.024, "t_low": 0.014, "t_high": 0.034,
             "p": 0.001, "p_holm": 0.004, "family_size": 2, "sd": 0.01, "detectable": 0.008, "seeds": 10,
             "verdict": verdict} for f, paper, verdict in (("100", 0.0192, "supported"),
                                                          ("5 vs 100", np.nan, "inconclusive (could detect 0.008)"))]
    pd.DataFrame(rows).to_csv(tmp_path / "claims.csv", index=False)


def convergence(tmp_path):
    pd.DataFrame({"arm": ["ours", "ours"], "target": ["vote", "intersection"], "fraction_pct": [100, 100],
                  "last_quarter_change": [0.001, -0.011], "threshold": [0.01, 0.01],
                  "converged": [True, False]}).to_csv(tmp_path / "convergence.csv", index=False)


def test_findings_are_tables_by_family_with_the_papers_effect_and_the_verdict(tmp_path):
    claims(tmp_path)
    convergence(tmp_path)
    text = findings.findings_markdown(tmp_path, tmp_path)
    assert "## Table 1:" in text and "+0.024<br><span class=\"ci\">[+0.014, +0.034]</span>" in text
    assert "+0.019" in text and "inconclusive (could detect 0.008)" in text and "5% vs 100%" in text


def test_findings_name_a_cell_that_did_not_converge_and_what_a_longer_budget_did(tmp_path):
    claims(tmp_path)
    convergence(tmp_path)
    pd.DataFrame({"arm": ["ours"], "target": ["intersection"], "fraction": [1.0], "seeds": [5],
                  "val_jsi_change": [-0.011], "val_precision_change": [0.002],
                  "val_recall_change": [-0.015]}).to_csv(tmp_path / "07_drift.csv", index=False)
    pd.DataFrame({"arm": ["ours"] * 2, "target": ["intersection"] * 2, "fraction_pct": [100] * 2,
                  "updates": [1200, 2400], "seeds": [5, 5], "validated_against": ["truth"] * 2,
                  "last_quarter_change": [-0.011, -0.015], "threshold": [0.01] * 2, "converged": [False, False],
                  "jsi_truth": [0.097, 0.084]}).to_csv(tmp_path / "07_longer_budget.csv", index=False)
    text = findings.convergence_paragraph(tmp_path)
    assert "1 of 2 cells converged" in text and "Ours (Intersection) at 100%: JSI -0.011" in text
    assert "2400 updates instead of 1200 did not settle it" in text


def test_a_table_the_page_needs_is_named_when_missing(tmp_path):
    with pytest.raises(MissingTable, match="claims.csv: table 'claims' was not written"):
        findings.findings_markdown(tmp_path, tmp_path)
    with pytest.raises(MissingTable, match="not a table of the book"):
        read_table("renamed_claims", tmp_path)
    written = findings.write_results(tmp_path, tmp_path)
    assert "holds no complete run (" in (tmp_path / "landing.md").read_text() and len(written) == 4


def test_the_bibtex_entry_is_made_from_the_citation_file():
    entry = findings.bibtex(findings.citation())
    cff = findings.citation()
    assert entry.startswith("@software{") and cff["title"] in entry and str(cff["version"]) in entry
    assert str(cff["date-released"])[:4] in entry


def test_the_provenance_page_states_the_compute(tmp_path):
    (tmp_path / "provenance.json").write_text(json.dumps({
        "run": "publish-x", "profile": "publish", "settings": {"size": 512}, "device": "CPU", "git_commit": "abc",
        "executed_utc": "2026-12-06 10:00", "total_wall_s": 600.0, "notebook_wall_s": {"01": 12.3},
        "compute": {"runs": 10, "run_wall_s": 7200.0, "cores": 2}, "environment": {}}))
    text = findings.run_provenance_markdown(tmp_path)
    assert "7,200 s = 2.0 h" in text and "about 1.0 h of wall time" in text and ">12<" in text


def test_findings_say_how_the_effects_depend_on_the_budget_when_the_run_has_a_pilot(tmp_path):
    claims(tmp_path)
    convergence(tmp_path)
    assert "**The budget.**" not in findings.findings_markdown(tmp_path, tmp_path)
    pd.DataFrame({"comparison": "Ours minus No pretraining", "fraction": ["100", "100"], "updates": [100, 400],
                  "difference": [0.05, 0.01], "t_low": 0.0, "t_high": 0.1, "seeds": 2}).to_csv(
        tmp_path / "05_effect_by_budget.csv", index=False)
    text = findings.findings_markdown(tmp_path, tmp_path)
    assert "**The budget.**" in text and "100% +0.050 to +0.010 (smaller at 1 of 1 fractions)" in text
