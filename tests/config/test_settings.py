import pytest

from wrinklelib.config.settings import SettingError, read_profiles, resolve_settings, settings_from_dict


def test_every_profile_resolves_and_lists_only_differences():
    tables = read_profiles()
    assert set(tables) == {"defaults", "smoke", "cpu", "publish", "gpu", "paper"}
    for name in ("smoke", "cpu", "publish", "gpu", "paper"):
        s = resolve_settings(name)
        assert s.profile == name
        assert set(tables[name]) <= set(tables["defaults"])
        assert all(tables[name][k] != tables["defaults"][k] for k in tables[name]), name
    cpu = resolve_settings("cpu").as_dict()
    assert {k: v for k, v in cpu.items() if k != "profile"} == tables["defaults"]


def test_overrides_win_and_are_typed():
    s = resolve_settings("smoke", {"n_test": 5, "seeds": [0, 1], "lr": 1})
    assert (s.n_test, s.seeds, s.lr) == (5, (0, 1), 1.0)
    assert settings_from_dict(s.as_dict()) == s


@pytest.mark.parametrize("key, value", [
    ("size", "abc"), ("size", 100), ("size", 16), ("n_train", -5), ("n_test", 0), ("fractions", [2.0]),
    ("fractions", []), ("arms", ["bogus"]), ("pretext_tasks", ["jigsaw"]), ("device", "tpu"),
    ("weak_source", "web"), ("seeds", [0.5]), ("official_test", 1), ("width", 3), ("lr", 0),
    ("lr", 1e999), ("lr", float("nan")), ("finetune_updates", [10]), ("validations", 6), ("annotators", ["nobody"]),
    ("fusion_targets", ["annotator:nobody"]), ("ablation_fractions", [0.3]), ("precision", "half"),
])
def test_bad_value_names_the_setting(key, value):
    with pytest.raises(SettingError, match=key):
        resolve_settings("smoke", {key: value})


def test_unknown_profile_and_setting():
    with pytest.raises(SettingError, match="known: "):
        resolve_settings("nope")
    with pytest.raises(SettingError, match="--profile"):
        resolve_settings("smoke", {"profile": "gpu"})
    with pytest.raises(SettingError, match="bogus"):
        resolve_settings("smoke", {"bogus": 1})
