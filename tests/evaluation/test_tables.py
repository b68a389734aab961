import numpy as np
import pandas as pd

from wrinklelib.evaluation import convergence, tables


def results(arms=("none", "ours"), seeds=(0, 1), good="ours"):
    """Finetuning results where `good` has a tenth of the others' false positives."""
    rows = []
    rng = np.random.default_rng(0)
    for arm in arms:
        for seed in seeds:
            tp = rng.integers(40, 60, 20)
            fp = (4 if arm == good else 40) + rng.integers(0, 5, 20)
            counts = np.stack([tp, fp, np.full(20, 10)], 1).tolist()
            rows.append({"arm": arm, "fraction": "100", "seed": seed, "n_train": 8, "counts": counts,
                         "best_epoch": 3 + seed, "epochs": 4, "max_epochs": 6,
                         "last_quarter_change": 0.001 + 0.01 * seed})
    return pd.DataFrame(rows)


def test_claims_follow_the_paired_intervals():
    compared = tables.comparisons(results(), [("ours", "none"), ("ours", "texture_scratch")])
    assert list(compared) == [("ours", "none")]              # the arm never run is left out
    claims = tables.claims(compared)
    assert list(claims.index) == ["2. Texture pretraining raises JSI over no pretraining (Table 1)"]
    assert claims.verdict.iloc[0] == "supported"
    worse = tables.claims(tables.comparisons(results(good="none"), [("ours", "none")]))
    assert worse.verdict.iloc[0] == "contradicted"


def test_convergence_rule_and_saved_table_never_mixes_runs(tmp_path):
    conv = convergence.convergence(results(seeds=(0, 1)), "cpu-aaa")
    # seed 0: best epoch 3 of 4; seed 1: best epoch 4 of 4 and a change of 0.011 >= 0.005.
    assert list(conv.converged) == [True, False, True, False]
    path = tmp_path / "convergence.csv"
    convergence.save_convergence(convergence.convergence(results(seeds=(0, 1, 2)), "cpu-old"), path)
    convergence.save_convergence(conv, path)
    saved = pd.read_csv(path)
    assert set(saved.of_run) == {"cpu-aaa"} and len(saved) == 4
    convergence.save_convergence(convergence.convergence(results(arms=("deblur",), seeds=(0,)), "cpu-aaa"), path)
    assert len(pd.read_csv(path)) == 5


def test_convergence_layout_is_readable():
    shown = convergence.convergence_layout(convergence.convergence(results(seeds=(0, 1)), "cpu-aaa"))
    assert list(shown.columns) == ["best epoch", "epochs run (limit)", "validation JSI change, last quarter",
                                   "converged"]
    assert shown.loc["none-100pct-seed1"].tolist() == [4, "4 (6)", "+0.011", "no"]
