import numpy as np
import pandas as pd
import pytest

from wrinklelib.evaluation import claims, convergence, tables


def results(arms=("none", "ours"), seeds=(0, 1, 2), good="ours", fractions=("100", "5"), target="vote"):
    """Finetuning results where `good` has a tenth of the others' false positives."""
    rows = []
    rng = np.random.default_rng(0)
    for arm in arms:
        for f in fractions:
            for seed in seeds:
                tp = rng.integers(40, 60, 20)
                fp = (4 if arm == good else 40) + rng.integers(0, 5, 20)
                counts = np.stack([tp, fp, np.full(20, 10)], 1)
                jsi = counts[:, 0].sum() / counts.sum()
                rows.append({"arm": arm, "target": target, "fraction": f, "seed": seed, "n_train": 8, "updates": 40,
                             "jsi": jsi, "counts": counts.tolist(), "last_quarter_change": 0.002 * seed,
                             **{k: 0.5 for k in ("jsi_per_image", "dice", "dice_per_image", "cldice",
                                                 "cldice_per_image", "skeleton_precision", "skeleton_recall")}})
    return pd.DataFrame(rows)


def test_table1_has_seed_level_t_intervals_that_recompute_from_the_runs():
    r = results()
    t = tables.table1(r)
    row = t[(t.arm == "ours") & (t.fraction_pct == "100")].iloc[0]
    jsi = r[(r.arm == "ours") & (r.fraction == "100")].jsi
    from scipy import stats
    half = stats.t.ppf(0.975, 2) * jsi.std(ddof=1) / np.sqrt(3)
    assert (row["mean"], row.t_low, row.t_high) == pytest.approx((jsi.mean(), jsi.mean() - half, jsi.mean() + half))
    assert row.seeds == 3 and row.paper == 0.4511


def test_claims_follow_holm_adjusted_paired_tests():
    t = claims.claims_table(results())
    pre = t[t.comparison == "Ours minus No pretraining"]
    assert set(pre.verdict) == {"supported"} and (pre.p_holm >= pre.p).all()
    worse = claims.claims_table(results(good="none"))
    assert set(worse[worse.comparison == "Ours minus No pretraining"].verdict) == {"contradicted"}
    assert {"claim", "paper_effect", "difference", "t_low", "t_high", "p", "p_holm", "detectable", "verdict"} <= set(t)


def test_convergence_fails_for_a_curve_still_rising():
    assert convergence.cell_converged(0.004, 0.01)
    assert not convergence.cell_converged(0.03, 0.01)       # still rising over its last quarter
    assert not convergence.cell_converged(-0.03, 0.01)      # or falling
    conv = convergence.convergence(results(seeds=(0, 1, 2)), 0.01)
    assert list(conv.columns[:3]) == ["arm", "target", "fraction_pct"]
    assert conv.converged.all() and set(conv.seeds) == {3}
    rising = results(seeds=(10, 11))
    assert not convergence.convergence(rising, 0.01).converged.any()


def test_convergence_gives_the_t_interval_of_the_change_over_seeds():
    conv = convergence.convergence(results(seeds=(0, 1, 2)), 0.01).iloc[0]       # changes 0, 0.002, 0.004
    # mean 0.002, sd 0.002, t(0.975, 2 df) = 4.3027: half width 4.3027 * 0.002 / sqrt(3) = 0.004968
    assert (conv.last_quarter_change, conv.change_t_low, conv.change_t_high) == pytest.approx(
        (0.002, -0.002968, 0.006968), abs=1e-6)
    one = convergence.convergence(results(seeds=(0,)), 0.01).iloc[0]
    assert np.isnan(one.change_t_low) and np.isnan(one.change_t_high)


def test_convergence_says_what_each_cell_was_validated_against():
    r = results(seeds=(0, 1, 2))
    assert set(convergence.convergence(r, 0.01).validated_against) == {"vote"}       # rows of older runs
    r["validated_against"] = "truth"
    assert set(convergence.convergence(r, 0.01).validated_against) == {"truth"}


def test_budget_check_judges_each_budget_of_a_cell_by_the_rule():
    rows = [{"arm": "ours", "target": "intersection", "fraction": 100, "updates": u, "seed": k,
             "last_quarter_change": c, "jsi_truth": j}
            for u, changes, j in ((1200, (-0.02, -0.004), 0.10), (2400, (-0.006, 0.002), 0.08))
            for k, c in enumerate(changes)]
    check = convergence.budget_check(pd.DataFrame(rows), 0.01)
    assert list(check.updates) == [1200, 2400] and list(check.seeds) == [2, 2]
    assert list(check.converged) == [False, True]
    assert check.last_quarter_change.tolist() == pytest.approx([-0.012, -0.002])
    assert check.jsi_truth.tolist() == pytest.approx([0.10, 0.08])


def test_last_quarter_changes_of_a_cell_are_means_over_its_seeds():
    """Known answer: 8 validation points of 100 updates; the last quarter runs from update
    600 to 800. Seed 0 loses 0.04 of recall there, seed 1 0.02; precision rises 0.01 in both."""
    rows = []
    for seed, drop in ((0, 0.04), (1, 0.02)):
        for k, step in enumerate(range(100, 900, 100)):
            late = step > 600
            rows.append({"arm": "ours", "target": "intersection", "fraction": 1.0, "seed": seed, "step": step,
                         "val_jsi": 0.3 - (drop / 2 if late else 0), "val_precision": 0.6 + (0.01 if late else 0),
                         "val_recall": 0.4 - (drop if late else 0)})
    drift = convergence.last_quarter_changes(pd.DataFrame(rows)).iloc[0]
    assert drift.seeds == 2
    assert drift.val_recall_change == pytest.approx(-0.03) and drift.val_jsi_change == pytest.approx(-0.015)
    assert drift.val_precision_change == pytest.approx(0.01)


def test_table3_scores_against_the_truth_and_the_vote():
    r = pd.concat([results(arms=("ours",), target=t) for t in ("vote", "union")], ignore_index=True)
    for suffix in ("_truth",):
        r[f"jsi{suffix}"] = r.jsi - 0.1
        r[f"counts{suffix}"] = r.counts
        for k in ("jsi_per_image", "dice", "dice_per_image", "cldice", "cldice_per_image", "skeleton_precision",
                  "skeleton_recall"):
            r[f"{k}{suffix}"] = 0.4
    t3 = tables.table3(r, ["vote", "union"])
    assert {"jsi_truth", "jsi_vote", "cldice", "skeleton_precision", "skeleton_recall", "seeds", "t_low",
            "t_high"} <= set(t3.columns)
    assert (t3.jsi_truth < t3.jsi_vote).all() and len(t3) == 4


def test_the_pilot_gives_each_fraction_a_budget_that_trains_every_arm():
    from wrinklelib.evaluation.budget import choose_budgets

    pilot = pd.DataFrame({"method": ["No pretraining"] * 3 + ["Ours"] * 3, "arm": ["none"] * 3 + ["ours"] * 3,
                          "fraction": ["100"] * 6, "seed": [0] * 6,
                          "updates": [150, 300, 600] * 2, "val_jsi": [0.40, 0.44, 0.45, 0.47, 0.475, 0.47]})
    assert choose_budgets(pilot) == {"100": 300}         # Ours peaks at 150 already; None needs 300
    slow = pilot.assign(val_jsi=[0.30, 0.38, 0.45, 0.47, 0.475, 0.47])
    assert choose_budgets(slow) == {"100": 600}
    # Two seeds: the rule reads their means (one seed's wobble does not decide).
    two = pd.concat([pilot, pilot.assign(seed=1, val_jsi=[0.42, 0.42, 0.45, 0.47, 0.475, 0.47])])
    assert choose_budgets(two) == {"100": 600}


def test_the_effect_against_the_budget_pairs_the_pilots_seeds():
    from wrinklelib.evaluation.budget import effect_by_budget

    rows = [{"arm": a, "fraction": "5", "updates": u, "seed": k, "val_jsi": base + gain * (a == "ours") + 0.01 * k}
            for a in ("none", "ours", "texture_scratch") for u, gain in ((100, 0.05), (400, 0.01))
            for k, base in ((0, 0.2), (1, 0.3))]
    effects = effect_by_budget(pd.DataFrame(rows))
    ours_none = effects[effects.comparison == "Ours minus No pretraining"].set_index("updates").difference
    assert ours_none.to_dict() == pytest.approx({100: 0.05, 400: 0.01})
    assert set(effects.seeds) == {2}


def test_the_budget_sentence_reads_each_effect_from_the_smallest_to_the_largest_budget():
    from wrinklelib.evaluation.budget import effect_budget_sentence

    effects = pd.DataFrame({"comparison": ["Ours minus No pretraining"] * 4, "fraction": ["100", "100", "5", "5"],
                            "updates": [400, 100, 100, 400], "difference": [0.01, 0.05, 0.02, 0.03],
                            "t_low": 0.0, "t_high": 0.1, "seeds": 2})
    said = effect_budget_sentence(effects)
    assert said.startswith("In the pilot (validation faces, 2 seeds), from 100 to 400 updates: Ours minus No")
    assert "100% +0.050 to +0.010, 5% +0.020 to +0.030 (smaller at 1 of 2 fractions)" in said
    assert effect_budget_sentence(effects.iloc[:0]) == ""


def test_budget_check_keeps_runs_watched_against_different_masks_apart():
    """The same runs watched against the truth and against their own target are two rows,
    never one mean of both curves."""
    rows = [{"arm": "ours", "target": "intersection", "fraction": 100, "updates": 1200, "seed": k,
             "validated_against": ref, "last_quarter_change": c, "jsi_truth": 0.1}
            for ref, changes in (("truth", (-0.02, -0.004)), ("intersection", (0.001, 0.003)))
            for k, c in enumerate(changes)]
    check = convergence.budget_check(pd.DataFrame(rows), 0.01)
    assert list(check.validated_against) == ["truth", "intersection"] and list(check.seeds) == [2, 2]
    assert list(check.converged) == [False, True]
    assert check.last_quarter_change.tolist() == pytest.approx([-0.012, 0.002])


def test_a_budget_at_the_edge_of_the_pilot_is_called_unproven():
    from wrinklelib.evaluation.budget import budgets_sentence

    inside = budgets_sentence({"100": 400, "5": 200}, {"100": 400, "5": 200}, largest=800)
    assert "(the same)" in inside and "cannot show" not in inside
    edge = budgets_sentence({"100": 800, "5": 200}, {"100": 800, "5": 400}, largest=800)
    assert "(they differ)" in edge and "At 100% that is the largest budget the pilot tried" in edge
