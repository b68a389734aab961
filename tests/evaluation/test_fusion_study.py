"""Table 3's comparison of training targets against the vote."""

import pandas as pd

from wrinklelib.evaluation import fusion_study


def test_one_seed_per_table3_target_pairs_nothing_and_still_names_the_winner(tmp_path):
    """One seed per target pairs nothing: the paired table keeps its columns (a later reader
    can parse it) and the winner sentence names the best target without a difference."""
    runs = pd.DataFrame({"target": ["vote", "union", "truth"], "fraction": ["100"] * 3, "seed": [0] * 3,
                         "jsi_truth": [0.30, 0.35, 0.50]})
    paired = fusion_study.against_vote(runs, ["vote", "union", "truth"])
    assert paired.empty and list(paired.columns) == fusion_study.PAIRED_COLUMNS
    paired.to_csv(tmp_path / "07_against_vote.csv", index=False)
    t3 = pd.DataFrame({"target": ["vote", "union", "truth"], "target_name": ["Vote", "Union", "Truth"],
                       "fraction_pct": ["100"] * 3, "jsi_truth": [0.30, 0.35, 0.50], "t_low": [float("nan")] * 3,
                       "t_high": [float("nan")] * 3})
    sentence = fusion_study.winner_sentence(t3, pd.read_csv(tmp_path / "07_against_vote.csv"))
    assert "union scored highest" in sentence.lower() and "over the vote" not in sentence
