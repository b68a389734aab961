import pytest

from wrinklelib.config.settings import resolve_settings
from wrinklelib.data import splits


def paper_split(seed=0, test_ids=None):
    p = resolve_settings("paper")
    manual = [f"{i:05d}" for i in range(0, 70000, 70)]            # 1,000 masked ids
    all_ids = [f"{i:05d}" for i in range(70000)]
    return splits.make_split(manual, all_ids, p.n_train, p.n_val, p.n_test, p.n_pretrain, seed, "paper", test_ids)


def test_paper_profile_sizes_and_nesting():
    s = paper_split()
    assert (len(s["train"]), len(s["val"]), len(s["test"]), len(s["pretrain"])) == (400, 50, 50, 25000)
    assert [len(splits.subset(s["train"], f, 0)) for f in (1.0, 0.5, 0.25, 0.05)] == [400, 200, 100, 20]
    assert splits.check_nested(s["train"], [1.0, 0.5, 0.25, 0.05], seeds=range(10))
    assert not any(splits.overlaps(s).values())


def test_each_seed_draws_its_own_labelled_faces():
    """Seeds resample the labelled faces: at 5% ten seeds give ten different sets of 20,
    each within the training part; at 100% every seed trains on all faces."""
    train = paper_split()["train"]
    small = [splits.subset(train, 0.05, k) for k in range(10)]
    assert len({splits.subset_hash(ids) for ids in small}) == 10
    assert all(set(ids) <= set(train) and len(ids) == 20 for ids in small)
    assert {splits.subset_hash(splits.subset(train, 1.0, k)) for k in range(3)} == {splits.subset_hash(train)}
    assert splits.subset(train, 0.05, 3) == splits.subset(train, 0.05, 3)      # the same seed, the same faces


def test_same_seed_same_bytes(tmp_path):
    a = splits.save_split(tmp_path / "a.json", paper_split(1))
    b = splits.save_split(tmp_path / "b.json", paper_split(1))
    assert a.read_bytes() == b.read_bytes()
    assert paper_split(2)["ids_hash"] != paper_split(1)["ids_hash"]
    assert splits.read_split(a)["ids_hash"] == paper_split(1)["ids_hash"]


def test_official_test_list():
    test = [f"{i:05d}" for i in range(0, 7000, 70)]                  # 100 ids
    s = paper_split(0, test)
    assert s["test"] == sorted(test) and len(s["train"]) == 400
    assert not any(splits.overlaps(s).values())
    with pytest.raises(ValueError, match="without manual mask"):
        paper_split(0, ["00001"])


def test_edited_split_is_rejected(tmp_path):
    path = splits.save_split(tmp_path / "s.json", paper_split())
    path.write_text(path.read_text().replace('"00000"', '"00001"', 1))
    with pytest.raises(ValueError, match="ids_hash"):
        splits.read_split(path)


def test_too_few_images():
    with pytest.raises(ValueError, match="need 10"):
        splits.make_split(["1", "2"], ["1", "2"], 8, 1, 1, 0, 0, "x")
