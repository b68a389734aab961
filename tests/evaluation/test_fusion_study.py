"""Table 3's comparison of training targets against the vote."""

import pandas as pd
import pytest

from wrinklelib.evaluation import fusion_study


def test_one_seed_per_table3_target_pairs_nothing_and_still_names_the_winner(tmp_path):
    """One seed per target pairs nothing: the paired table keeps its columns (a later reader
    can parse it) and the winner sentence names the best target without a difference."""
    runs = pd.DataFrame({"arm": "ours", "target": ["vote", "union", "truth"], "fraction": ["100"] * 3,
                         "seed": [0] * 3, "jsi_truth": [0.30, 0.35, 0.50], "counts_truth": [[[3, 4, 3]]] * 3})
    paired = fusion_study.against_vote(runs, ["vote", "union", "truth"])
    assert paired.empty and list(paired.columns) == fusion_study.PAIRED_COLUMNS
    shown = fusion_study.layout(paired)
    assert shown.empty and "Holm p" in shown.columns
    paired.to_csv(tmp_path / "07_against_vote.csv", index=False)
    t3 = pd.DataFrame({"target": ["vote", "union", "truth"], "target_name": ["Vote", "Union", "Truth"],
                       "fraction_pct": ["100"] * 3, "jsi_truth": [0.30, 0.35, 0.50], "t_low": [float("nan")] * 3,
                       "t_high": [float("nan")] * 3})
    sentence = fusion_study.winner_sentence(t3, pd.read_csv(tmp_path / "07_against_vote.csv"))
    assert "union scored highest" in sentence.lower() and "over the vote" not in sentence


def test_the_winner_carries_its_difference_and_holm_adjusted_p():
    """Three seeds: STAPLE beats the vote by 0.05 on every seed (significant after Holm over
    the two targets of Table 3's family), intersection loses by a noisy margin."""
    seeds = [0, 1, 2]
    vote = [0.30, 0.32, 0.31]
    runs = pd.DataFrame({"arm": "ours", "target": ["vote"] * 3 + ["staple"] * 3 + ["intersection"] * 3,
                         "fraction": [100] * 9, "seed": seeds * 3, "counts_truth": [[[3, 4, 3]]] * 9,
                         "jsi_truth": vote + [v + 0.05 + 0.001 * k for k, v in enumerate(vote)] + [0.29, 0.33, 0.28]})
    paired = fusion_study.against_vote(runs, ["vote", "staple", "intersection"])
    assert len(paired) == 2 and (paired.p_holm >= paired.p).all()
    assert paired.p_holm.iloc[0] == pytest.approx(min(1.0, 2 * paired.p.min()))
    assert paired.difference.iloc[0] == pytest.approx(0.051)               # target minus the vote
    t3 = pd.DataFrame({"target": ["vote", "staple", "intersection"], "target_name": ["Vote", "STAPLE", "Intersection"],
                       "fraction_pct": [100] * 3, "jsi_truth": [0.31, 0.361, 0.30], "t_low": [0.28, 0.33, 0.24],
                       "t_high": [0.34, 0.39, 0.36]})
    sentence = fusion_study.winner_sentence(t3, paired)
    assert sentence.startswith("At 100% of the labels, of the targets made from the annotators, STAPLE scored highest")
    assert "significant after Holm" in sentence and "not significant" not in sentence


def test_same_test_scores_compares_vote_runs_by_fraction_and_seed():
    """Known answer: of two common vote runs one differs; the union run and a run Table 1
    lacks are not compared."""
    def row(target, f, s, c):
        return {"target": target, "fraction": f, "seed": s, "counts": c, "counts_truth": c}
    watched = pd.DataFrame([row("vote", "100", 0, [[1, 2, 3]]), row("vote", "100", 1, [[4, 5, 6]]),
                            row("vote", "5", 0, [[7, 8, 9]]), row("union", "100", 0, [[0, 0, 0]])])
    table1 = pd.DataFrame([row("vote", "100", 0, [[1, 2, 3]]), row("vote", "100", 1, [[4, 5, 7]])])
    assert fusion_study.same_test_scores(watched, table1) == (2, 1)
    assert fusion_study.same_test_scores(watched, pd.DataFrame()) == (0, 0)
    assert "a bug" in fusion_study.same_scores_sentence(2, 1)
    assert fusion_study.same_scores_sentence(2, 2).endswith("in 2 of 2 runs.")


def test_a_target_above_the_truth_is_named_with_how_both_models_mark():
    """At 5% a random annotator beats the truth while the truth-trained model marks less; at
    100% the truth wins and nothing is said of that fraction."""
    runs = pd.DataFrame({"target": ["truth", "random_annotator", "vote"] * 2, "fraction": [5] * 3 + [100] * 3,
                         "seed": [0] * 6, "jsi_truth": [0.18, 0.23, 0.19, 0.32, 0.28, 0.27],
                         "precision_truth": [0.37, 0.31, 0.36, 0.5, 0.4, 0.5],
                         "recall_truth": [0.27, 0.46, 0.30, 0.46, 0.5, 0.4]})
    sentence = fusion_study.above_truth_sentence(runs)
    assert sentence.startswith("At 5% of the labels, one random annotator per step (0.230) and 1 other target scored "
                               "above the model trained on the truth itself (0.180), which marked less: precision 0.37 "
                               "and recall 0.27 against the truth, where 0.31 and 0.46.")
    assert "100%" not in sentence
    assert fusion_study.above_truth_sentence(runs[runs.fraction == 100]) == ""
    assert "no upper bound" in sentence
    marks_more = runs.assign(recall_truth=[0.5, 0.46, 0.30, 0.46, 0.5, 0.4])   # the truth model marked more at 5%
    other = fusion_study.above_truth_sentence(marks_more)
    assert "which marked more" in other and "upper bound" not in other


def test_budget_rank_sentence_says_whether_the_longer_budget_would_move_a_cell_past_another():
    """Known answer: three targets at 100%; the failing union (0.25, second) scores 0.31 with
    the longer budget, passing the vote (0.30); the failing intersection (0.10, last) falls
    to 0.08 and passes nothing."""
    t3 = pd.DataFrame({"target": ["vote", "union", "intersection"], "fraction_pct": [100] * 3,
                       "jsi_truth": [0.30, 0.25, 0.10]})
    check = pd.DataFrame({"target": ["union", "union", "union", "intersection", "intersection"],
                          "fraction_pct": [100] * 5, "updates": [1200, 2400, 1200, 1200, 2400],
                          "validated_against": ["truth", "truth", "union", "truth", "truth"],
                          "jsi_truth": [0.25, 0.31, 0.25, 0.10, 0.08]})
    sentence = fusion_study.budget_rank_sentence(t3, check)
    assert ("Union at 100% ranks 2nd of 3 targets against the truth (0.250); with 2400 updates it scored 0.310, "
            "which passes 1 other target: the ranking rests on its budget") in sentence
    assert ("intersection at 100% ranks 3rd of 3 targets against the truth (0.100); with 2400 updates it scored "
            "0.080, which passes no other target: the ranking does not rest on its budget.") in sentence
    assert fusion_study.budget_rank_sentence(t3, check.iloc[:0]) == ""
