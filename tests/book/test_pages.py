import json

import pandas as pd

from wrinklelib.book import pages


def test_performance_page_without_benchmarks_says_how_to_make_them(tmp_path):
    text = pages.performance_markdown(tmp_path)
    assert "No benchmark tables exist" in text and "wrinkle bench train" in text
    assert "No notebook has been executed" in text


def test_each_benchmark_table_names_its_device_and_is_rounded(tmp_path):
    pd.DataFrame([{"device": "NVIDIA H100", "size": 256, "images_per_s": 1234.5678, "share_of_peak": 0.412345}]) \
        .to_csv(tmp_path / "bench_train_gpu.csv", index=False)
    pd.DataFrame([{"device": "CPU (x86_64, 2 threads)", "size": 128, "images_per_s": 59.6123}]) \
        .to_csv(tmp_path / "bench_train_cpu.csv", index=False)
    text = pages.performance_markdown(tmp_path)
    assert "Training throughput: NVIDIA H100" in text and "Training throughput: CPU (x86_64, 2 threads)" in text
    assert "| image px | images/s | share of peak |" in text
    assert "1,235" in text and "0.412" in text and "59.6" in text and "1234.5678" not in text


def test_banner_names_the_run_and_how_to_rerun_it(tmp_path):
    assert "No run is recorded" in pages.run_banner(tmp_path)
    from wrinklelib.config.settings import resolve_settings

    settings = resolve_settings("cpu", {"seeds": [0, 1, 2]}).as_dict()
    (tmp_path / "run.json").write_text(json.dumps({"profile": "cpu", "hash": "abc123", "settings": settings}))
    (tmp_path / "provenance.json").write_text(json.dumps({"device": "CPU", "git_commit": "0123456789abcdef",
                                                          "executed_utc": "2026-11-25 12:00", "total_wall_s": 600}))
    text = pages.run_banner(tmp_path)
    assert "`cpu-abc123`" in text and "commit `0123456789ab`" in text and "2026-11-25 12:00" in text
    assert 'wrinkle run --profile cpu -p "seeds=[0,1,2]"`' in text


