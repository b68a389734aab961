import pytest

from wrinklelib.data import splits
from wrinklelib.config.settings import resolve_settings


def paper_split(seed=0, test_ids=None):
    p = resolve_settings("paper")
    manual = [f"{i:05d}" for i in range(0, 70000, 70)]            # 1,000 masked ids
    all_ids = [f"{i:05d}" for i in range(70000)]
    return splits.make_split(manual, all_ids, p.n_train, p.n_val, p.n_test, p.n_pretrain,
                             p.fractions, seed, "paper", test_ids)


def test_paper_profile_sizes_and_nesting():
    s = paper_split()
    assert (len(s["train"]), len(s["val"]), len(s["test"]), len(s["pretrain"])) == (400, 50, 50, 25000)
    assert [len(s["fractions"][k]) for k in ("100", "50", "25", "5")] == [400, 200, 100, 20]
    assert splits.check_nested(s)
    assert not any(splits.overlaps(s).values())


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
        splits.make_split(["1", "2"], ["1", "2"], 8, 1, 1, 0, [1.0], 0, "x")
