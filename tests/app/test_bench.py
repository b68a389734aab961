import pytest

from wrinklelib.app import bench


@pytest.fixture(scope="module")
def frame():
    """One small training benchmark for every test of its table."""
    return bench.bench_train("cpu", sizes=(32,), width=2, batch=2, steps=1)


def test_train_benchmark_compares_both_paths(frame):
    assert list(frame.path) == ["naive fp32", "optimised"]
    assert (frame.images_per_s > 0).all() and (frame.tflops > 0).all()
    assert frame.speedup_vs_naive.iloc[0] == 1.0


def test_paper_step_flops_scaling():
    # Four times the pixels and twice the width: 16x the FLOPs.
    assert bench.paper_step_flops(1e9, 512, 32) == pytest.approx(16e9)


def test_projection_is_linear_in_devices(frame):
    p = bench.project_paper(frame, gpus=(1, 8))
    assert p.projected_hours.iloc[0] == pytest.approx(8 * p.projected_hours.iloc[1], rel=1e-12)


def test_predict_and_texture_benchmarks():
    pred = bench.bench_predict("cpu", size=64, width=2, batches=(1, 2), reps=1)
    assert pred.best_batch.sum() == 1 and (pred.images_per_s > 0).all()
    tex = bench.bench_texture("cpu", size=64, n=2, batch=2)
    assert tex.ratio_vs_opencv.iloc[0] == 1.0 and len(tex) == 2


def test_train_benchmark_reports_share_of_a_peak_measured_in_the_same_run(frame):
    assert (frame.peak == "fp32 matmul").all() and (frame.peak_tflops > 0).all()
    # unrounded values: the arithmetic holds exactly, however slow a busy machine makes them
    assert (frame.share_of_peak == frame.tflops / frame.peak_tflops).all()
    assert frame.speedup_vs_naive.to_numpy() * frame.images_per_s.iloc[0] == pytest.approx(
        frame.images_per_s.to_numpy(), rel=1e-12)


def test_synth_and_parallel_benchmarks_report_rates_and_ratios():
    synth = bench.bench_synth(sizes=(64,), faces=2, workers=1)
    assert list(synth.columns[:2]) == ["device", "size"] and (synth.faces_per_s > 0).all()
    par = bench.bench_parallel(size=32, batch=2, steps=1)
    assert len(par) == 2 and par.ratio_vs_one_run.iloc[0] == 1.0
    assert par.ratio_vs_one_run.iloc[1] == par.images_per_s.iloc[1] / par.images_per_s.iloc[0]
