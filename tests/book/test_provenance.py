import pandas as pd
import pytest

from wrinklelib.book.provenance import compute, run_seconds


def test_a_run_in_two_tables_is_counted_once_and_tables_without_runs_are_skipped():
    a = pd.DataFrame({"folder": ["x", "y"], "train_s": [1.0, 2.0], "score_s": [0.5, None]})
    b = pd.DataFrame({"folder": ["y", "z"], "train_s": [2.0, 4.0], "validation_s": [1.0, 1.0]})
    assert run_seconds([a, b, None, pd.DataFrame(), pd.DataFrame({"jsi": [0.4]})]) == (3, pytest.approx(8.5))
    assert run_seconds([]) == (0, 0.0)


def test_compute_sums_the_run_tables_of_a_folder(tmp_path):
    pd.DataFrame({"folder": ["p0"], "train_s": [100.0], "validation_s": [10.0]}).to_csv(
        tmp_path / "04_pretraining.csv", index=False)
    pd.DataFrame({"folder": ["f0", "f1"], "train_s": [50.0, 60.0], "score_s": [5.0, 5.0]}).to_csv(
        tmp_path / "05_runs.csv", index=False)
    pd.DataFrame({"folder": ["f1"], "train_s": [60.0], "score_s": [5.0]}).to_csv(tmp_path / "07_runs.csv", index=False)
    (tmp_path / "06_runs.csv").write_text("")
    got = compute(tmp_path)
    assert (got["runs"], got["run_wall_s"]) == (3, 230.0) and got["cores"] >= 1
