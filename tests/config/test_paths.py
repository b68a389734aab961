"""Recorded paths never name the machine: inside the cache (wherever it lies) they are
relative to the cache, elsewhere inside the repository relative to the repository."""

from pathlib import Path

from wrinklelib.config import paths


def test_a_path_in_the_repository_is_recorded_relative_to_it():
    recorded = paths.relative(paths.ROOT / "results" / "x")
    assert recorded == "results/x"
    assert paths.absolute(recorded) == paths.ROOT / "results" / "x"


def test_a_path_in_a_moved_cache_is_recorded_relative_to_the_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "elsewhere"))
    recorded = paths.relative(tmp_path / "elsewhere" / "data" / "faces")
    assert recorded == "$WRINKLE_CACHE/data/faces" and str(tmp_path) not in recorded
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "moved"))      # another machine's cache
    assert paths.absolute(recorded) == tmp_path / "moved" / "data" / "faces"


def test_a_path_in_the_default_cache_reads_the_same_from_another_checkout_sharing_it(tmp_path, monkeypatch):
    monkeypatch.delenv("WRINKLE_CACHE", raising=False)
    recorded = paths.relative(paths.ROOT / ".cache" / "data" / "faces")
    assert recorded == "$WRINKLE_CACHE/data/faces"
    monkeypatch.setenv("WRINKLE_CACHE", str(paths.ROOT / ".cache"))   # a second checkout pointed at this cache
    assert paths.absolute(recorded) == paths.ROOT / ".cache" / "data" / "faces"


def test_a_path_outside_both_is_kept(tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    outside = Path("/data/ffhq-wrinkle")
    assert paths.relative(outside) == str(outside) and paths.absolute(str(outside)) == outside
