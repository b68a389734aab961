"""Run settings: the defaults and profiles of profiles.toml, overridden and validated once.

A bad value is a SettingError whose one-line message names the setting and what it
accepts; nothing downstream re-checks or re-reads settings.
"""

from __future__ import annotations

import tomllib
from dataclasses import asdict, dataclass, fields
from pathlib import Path

PROFILE_FILE = Path(__file__).with_name("profiles.toml")

#: Pretext tasks of Table 2, each a pretraining target besides the texture mask.
PRETEXT_TASKS = ("reconstruction", "deblur", "denoise", "superres")
#: Finetuning arms: input channels, texture input, and which pretraining they start from.
ARMS = {
    "none": dict(in_channels=3, texture_input=False, init=None),
    "ours": dict(in_channels=4, texture_input=True, init="texture"),
    "texture_scratch": dict(in_channels=4, texture_input=True, init=None),
    "rgb_pretrained": dict(in_channels=3, texture_input=False, init="texture"),
    **{t: dict(in_channels=4, texture_input=True, init=t) for t in PRETEXT_TASKS},
}
WEAK_SOURCES = ("compute", "release")
#: Names of the arms as the paper prints them.
METHOD_NAMES = {"none": "No pretraining", "ours": "Ours", "texture_scratch": "Texture input, no pretraining",
                "reconstruction": "Reconstruction", "deblur": "Deblur", "denoise": "Denoise",
                "superres": "Super-Resolution"}


class SettingError(ValueError):
    """A setting, profile or data folder that cannot be used; the message names it."""


@dataclass(frozen=True)
class Settings:
    """Every setting of one run (meanings and defaults in profiles.toml)."""

    profile: str
    seed: int
    data_dir: str
    size: int
    n_pretrain: int
    n_train: int
    n_val: int
    n_test: int
    official_test: bool
    fractions: tuple[float, ...]
    width: int
    batch_size: int
    lr: float
    pretrain_epochs: int
    pretrain_min_steps: int
    finetune_epochs: int
    finetune_min_steps: int
    finetune_patience: int
    seeds: tuple[int, ...]
    arms: tuple[str, ...]
    ablation_seeds: tuple[int, ...]
    pretext_tasks: tuple[str, ...]
    ablation_fractions: tuple[float, ...]
    weak_source: str
    min_votes: int
    show_n: int
    device: str

    def as_dict(self) -> dict:
        """Plain JSON-ready values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}


def _positive(v) -> bool:
    return v > 0


def _fraction(v) -> bool:
    return 0 < v <= 1


def _device(v: str) -> bool:
    return v in ("auto", "cpu", "cuda") or (v.startswith("cuda:") and v[5:].isdigit())


#: Per setting: its type, a check of the value, and the words that say what is accepted.
RULES = {
    "seed": (int, lambda v: v >= 0, "an integer >= 0"),
    "data_dir": (str, lambda v: True, "a folder in the FFHQ-Wrinkle layout, or '' for synthetic data"),
    "size": (int, lambda v: v >= 32 and v % 16 == 0, "a multiple of 16, at least 32 (the U-Net halves it 4 times)"),
    "n_pretrain": (int, _positive, "an integer > 0"),
    "n_train": (int, _positive, "an integer > 0"),
    "n_val": (int, _positive, "an integer > 0"),
    "n_test": (int, _positive, "an integer > 0"),
    "official_test": (bool, lambda v: True, "true or false"),
    "fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "width": (int, lambda v: v >= 2 and v % 2 == 0, "an even integer >= 2"),
    "batch_size": (int, _positive, "an integer > 0"),
    "lr": (float, _positive, "a number > 0"),
    "pretrain_epochs": (int, _positive, "an integer > 0"),
    "pretrain_min_steps": (int, lambda v: v >= 0, "an integer >= 0"),
    "finetune_epochs": (int, _positive, "an integer > 0"),
    "finetune_min_steps": (int, lambda v: v >= 0, "an integer >= 0"),
    "finetune_patience": (int, lambda v: v >= 0, "an integer >= 0 (0: a fixed cosine schedule)"),
    "seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "arms": ([str], lambda v: v in ARMS, f"a non-empty list of arms from {', '.join(ARMS)}"),
    "ablation_seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "pretext_tasks": ([str], lambda v: v in PRETEXT_TASKS, f"a non-empty list from {', '.join(PRETEXT_TASKS)}"),
    "ablation_fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "weak_source": (str, lambda v: v in WEAK_SOURCES, f"one of {', '.join(WEAK_SOURCES)}"),
    "min_votes": (int, _positive, "an integer > 0"),
    "show_n": (int, _positive, "an integer > 0"),
    "device": (str, _device, "auto, cpu, cuda or cuda:N"),
}


def read_profiles(path: Path = PROFILE_FILE) -> dict[str, dict]:
    """The [defaults] table and every profile's differences, as read from the file."""
    with open(path, "rb") as f:
        return tomllib.load(f)


def profile_names() -> list[str]:
    """Names of the profiles (every table but [defaults])."""
    return [k for k in read_profiles() if k != "defaults"]


def _typed(name: str, value, kind):
    """The value converted to the setting's type, or None when it has another type."""
    if kind is float and isinstance(value, (int, float)) and not isinstance(value, bool):
        return float(value)
    if kind in (int, str, bool) and type(value) is kind:
        return value
    if isinstance(kind, list) and isinstance(value, (list, tuple)) and value:
        items = [_typed(name, v, kind[0]) for v in value]
        return None if any(v is None for v in items) else tuple(items)
    return None


def check(name: str, value):
    """One setting's value in its type; a SettingError naming it and what is accepted."""
    if name not in RULES:
        hint = " (choose it with --profile)" if name == "profile" else ""
        raise SettingError(f"unknown setting {name!r}{hint}; known: {', '.join(RULES)}")
    kind, ok, accepted = RULES[name]
    typed = _typed(name, value, kind)
    items = typed if isinstance(typed, tuple) else (typed,)
    if typed is None or not all(ok(v) for v in items):
        raise SettingError(f"setting {name}={value!r}: expected {accepted}")
    return typed


def resolve_settings(profile: str, overrides: dict | None = None) -> Settings:
    """The defaults, then the profile's differences, then the overrides, each value checked."""
    tables = read_profiles()
    if profile == "defaults" or profile not in tables:
        raise SettingError(f"unknown profile {profile!r}; known: {', '.join(profile_names())}")
    values = {**tables["defaults"], **tables[profile], **(overrides or {})}
    missing = [f.name for f in fields(Settings) if f.name != "profile" and f.name not in values]
    if missing:
        raise SettingError(f"{PROFILE_FILE}: [defaults] lacks {', '.join(missing)}")
    checked = {name: check(name, value) for name, value in values.items()}
    if checked["min_votes"] > 3 and not checked["data_dir"]:
        raise SettingError(f"setting min_votes={checked['min_votes']}: the synthetic data has 3 annotators")
    return Settings(profile=profile, **checked)


def settings_from_dict(values: dict) -> Settings:
    """Settings saved by Settings.as_dict, checked again."""
    values = dict(values)
    profile = values.pop("profile")
    return Settings(profile=profile, **{k: check(k, v) for k, v in values.items()})
