"""The run the book shows (results/DEFAULT), read as a reader would: what its tables claim
must follow from its own per-run rows and from its profile."""

import json

import nbformat
import numpy as np
import pandas as pd
import pytest
from scipy import stats

from wrinklelib.book.execute import glued
from wrinklelib.config import paths
from wrinklelib.labels.targets import is_mask

DEFAULT = (paths.ROOT / "results" / "DEFAULT").read_text().strip()
FOLDER = paths.ROOT / "results" / DEFAULT


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(FOLDER / "tables" / f"{name}.csv")


@pytest.fixture(scope="module")
def settings() -> dict:
    return json.loads((FOLDER / "run.json").read_text())["settings"]


def test_every_table1_cell_has_the_profiles_seeds_and_one_budget(settings):
    runs = _table("05_runs")
    cells = runs.groupby(["arm", "fraction"])
    assert len(cells) == len(settings["arms"]) * len(settings["fractions"])
    assert (cells.seed.nunique() == len(settings["seeds"])).all()
    assert (cells.updates.nunique() == 1).all()


def test_table1_intervals_recompute_from_the_runs():
    runs, table = _table("05_runs"), _table("table1")
    for row in table.itertuples():
        jsi = runs[(runs.arm == row.arm) & (runs.fraction == row.fraction_pct)].jsi.to_numpy()
        half = stats.t.ppf(0.975, len(jsi) - 1) * jsi.std(ddof=1) / np.sqrt(len(jsi))
        assert (row.t_low, row.t_high) == pytest.approx((jsi.mean() - half, jsi.mean() + half), abs=0.0015)


def test_claims_carry_a_verdict_and_inconclusive_ones_their_detectable_effect():
    claims = _table("claims")
    assert set(claims.verdict.str.split().str[0]) <= {"supported", "contradicted", "inconclusive"}
    open_ = claims[claims.verdict.str.startswith("inconclusive")]
    assert (open_.detectable > 0).all()
    assert all(f"could detect {d:.3f}" in v for d, v in zip(open_.detectable, open_.verdict))


def test_convergence_has_one_row_per_cell_and_its_rule():
    conv = _table("convergence")
    assert {"arm", "fraction_pct", "seeds", "updates", "last_quarter_change", "threshold", "converged"} <= set(conv)
    assert (conv.converged == (conv.last_quarter_change.abs() <= conv.threshold)).all()


def test_table1_convergence_and_its_intervals_recompute_from_the_runs(settings):
    runs, conv = _table("05_runs"), _table("convergence")
    for row in conv[(conv.target == "vote") & conv.arm.isin(settings["arms"])].itertuples():
        change = runs[(runs.arm == row.arm) & (runs.fraction == row.fraction_pct)].last_quarter_change.to_numpy()
        half = stats.t.ppf(0.975, len(change) - 1) * change.std(ddof=1) / np.sqrt(len(change))
        assert (row.last_quarter_change, row.change_t_low, row.change_t_high) == pytest.approx(
            (change.mean(), change.mean() - half, change.mean() + half), abs=1e-6)


def test_each_cell_that_did_not_converge_was_tried_longer_and_against_its_own_mask():
    """Every failing Table 3 cell has a longer-budget row; one trained on a single mask per
    face also a row watched against that mask, with the very test JSI of its own runs
    (validation only watches)."""
    conv = _table("convergence")
    failed = conv[~conv.converged & (conv.validated_against == "truth")]
    if failed.empty:
        return
    check = _table("07_longer_budget")
    for cell in failed.itertuples():
        rows = check[(check.arm == cell.arm) & (check.target == cell.target)
                     & (check.fraction_pct == cell.fraction_pct)]
        assert rows[rows.validated_against == "truth"].updates.max() == 2 * cell.updates
        if is_mask(cell.target) and cell.target != "truth":      # the truth is what it was watched against
            own = rows[(rows.validated_against == cell.target) & (rows.updates == cell.updates)]
            same = rows[(rows.validated_against == "truth") & (rows.updates == cell.updates)]
            assert len(own) == 1 and own.jsi_truth.iloc[0] == pytest.approx(same.jsi_truth.iloc[0], abs=1e-12)


def test_the_texture_mask_is_a_weak_label_and_the_task_stays_learnable():
    nb = nbformat.read(FOLDER / "notebooks" / "02_texture_ground_truth.ipynb", as_version=4)
    best = _table("02_thresholds").jaccard.max()
    assert glued(nb, "texture_best_jaccard") == pytest.approx(best)
    assert best <= 0.12 and glued(nb, "model_vs_texture") >= 2
