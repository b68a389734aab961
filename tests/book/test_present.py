import pandas as pd

from wrinklelib.book import present


def test_convergence_sentence_names_the_cells_that_did_not_converge_as_a_reader_would():
    conv = pd.DataFrame({"arm": ["ours", "ours", "none"], "target": ["vote", "intersection", "vote"],
                         "fraction_pct": [100, 100, 5], "last_quarter_change": [0.001, -0.013, 0.02],
                         "threshold": [0.01] * 3, "converged": [True, False, False]})
    sentence = present.convergence_sentence(conv)
    assert sentence.startswith("1 of 3 cells converged (threshold 0.01); not converged: ")
    assert "Ours (Intersection) at 100%" in sentence and "at 5%" in sentence and "ours/" not in sentence
    assert present.convergence_sentence(conv[conv.converged]) == "1 of 1 cells converged (threshold 0.01)."


def test_a_failing_cell_whose_seeds_cannot_tell_its_change_from_none_is_said_to_be_so():
    conv = pd.DataFrame({"arm": ["ours", "none"], "target": ["intersection", "vote"], "fraction_pct": [100, 5],
                         "last_quarter_change": [-0.0113, 0.02], "change_t_low": [-0.0371, 0.012],
                         "change_t_high": [0.0145, 0.028], "threshold": [0.01] * 2, "converged": [False, False]})
    sentence = present.convergence_sentence(conv)
    assert ("Ours (Intersection) at 100% (change -0.011 [-0.037, +0.015]; its seeds cannot tell that from no "
            "change)") in sentence
    assert "No pretraining at 5% (change +0.020 [+0.012, +0.028])" in sentence
    html = present.convergence_layout(conv.assign(seeds=5, updates=1200, validated_against="truth")).html
    assert '<span class="ci">[-0.037, +0.015]</span>' in html and "last quarter [95% CI]" in html


def test_drift_sentence_names_only_the_cells_that_failed_the_rule():
    conv = pd.DataFrame({"arm": ["ours", "ours"], "target": ["intersection", "union"], "fraction_pct": ["100", "100"],
                         "converged": [False, True]})
    drift = pd.DataFrame({"arm": ["ours", "ours"], "target": ["intersection", "union"], "fraction": [1.0, 1.0],
                          "seeds": [5, 5], "val_jsi_change": [-0.011, 0.0], "val_precision_change": [0.002, 0.0],
                          "val_recall_change": [-0.015, 0.0]})
    sentence = present.drift_sentence(drift, conv)
    assert "Ours (Intersection) at 100%: JSI -0.011, precision +0.002, recall -0.015" in sentence
    assert "Union" not in sentence
    assert present.drift_sentence(drift, conv.assign(converged=True)) == ""


def test_budget_check_sentence_says_whether_the_longer_budget_settled_each_cell():
    check = pd.DataFrame({"arm": ["ours"] * 4, "target": ["intersection"] * 2 + ["union"] * 2,
                          "fraction_pct": [100] * 4, "updates": [1200, 2400] * 2, "seeds": [5] * 4,
                          "validated_against": ["truth"] * 4,
                          "last_quarter_change": [-0.011, -0.015, 0.02, 0.004], "threshold": [0.01] * 4,
                          "converged": [False, False, False, True], "jsi_truth": [0.097, 0.084, 0.2, 0.21]})
    sentence = present.budget_check_sentence(check)
    assert "Ours (Intersection) at 100%: 2400 updates instead of 1200 did not settle it" in sentence
    assert "-0.015 against -0.011" in sentence and "0.084 against 0.097" in sentence
    assert "Ours (Union) at 100%: 2400 updates instead of 1200 settled it" in sentence
    assert present.budget_check_sentence(check.iloc[:0]) == ""
    assert "Intersection" in present.budget_check_layout(check).html


def test_budget_check_sentence_says_what_watching_against_the_own_target_showed():
    """A third row: the same runs (same budget, same test JSI) watched against the cell's own
    target; a fourth of another cell whose test JSI differs is not called the same."""
    check = pd.DataFrame({"arm": ["ours"] * 5, "target": ["intersection"] * 3 + ["union"] * 2,
                          "fraction_pct": [100] * 5, "updates": [1200, 2400, 1200, 1200, 1200], "seeds": [5] * 5,
                          "validated_against": ["truth", "truth", "intersection", "truth", "union"],
                          "last_quarter_change": [-0.011, -0.015, -0.017, 0.02, 0.001], "threshold": [0.01] * 5,
                          "converged": [False, False, False, False, True],
                          "jsi_truth": [0.097, 0.084, 0.097, 0.2, 0.19]})
    sentence = present.budget_check_sentence(check)
    assert ("watched against its own target (Intersection) instead of the truth, the same runs did not converge "
            "either (last-quarter change -0.017 against -0.011; the same test JSI against the truth") in sentence
    assert "the same runs converged (last-quarter change +0.001 against +0.020; test JSI against the truth " \
           "0.190 against 0.200)" in sentence
    layout = present.budget_check_layout(check).html
    assert "its own target (Intersection)" in layout and "the truth" in layout


def test_html_and_markdown_tables_format_floats_alike():
    """A float column lines up in one format; a float in a mixed column gets three
    significant digits; NaN is blank: the same in HTML and in pipe tables."""
    from wrinklelib.book.pages import markdown_table

    frame = pd.DataFrame({"seconds": [1523.4, 12.5], "share": [0.0012345, float("nan")],
                          "mixed": [17.919221280458014, "10 to 30"]})
    html = present.to_html(frame, numeric=("seconds", "share", "mixed"))
    assert ">1,523<" in html and ">12<" in html and ">0.00123<" in html and ">17.9<" in html
    assert "17.919" not in html and "nan" not in html
    assert markdown_table(frame).splitlines()[2:] == ["| 1,523 | 0.00123 | 17.9 |", "| 12 |  | 10 to 30 |"]
    assert present.share_label("5 vs 100") == "5% vs 100%" and present.share_label(5) == "5%"
