"""Run settings: the defaults and profiles of profiles.toml, overridden and validated once.

A bad value is a SettingError whose one-line message names the setting and what it
accepts; nothing downstream re-checks or re-reads settings.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import tomllib

from ..labels.annotators import SKILLS
from ..labels.pretext import PRETEXT_TASKS
from ..labels.targets import accepted, is_known
from ..model.unet import MULTIPLE

PROFILE_FILE = Path(__file__).with_name("profiles.toml")

#: Finetuning arms: input channels, texture input, and which pretraining they start from.
ARMS = {
    "none": dict(in_channels=3, texture_input=False, init=None),
    "ours": dict(in_channels=4, texture_input=True, init="texture"),
    "texture_scratch": dict(in_channels=4, texture_input=True, init=None),
    "rgb_pretrained": dict(in_channels=3, texture_input=False, init="texture"),
    **{t: dict(in_channels=4, texture_input=True, init=t) for t in PRETEXT_TASKS},
}
WEAK_SOURCES = ("compute", "release")
PRECISIONS = ("auto", "float64")
#: Names of the arms as the paper prints them.
METHOD_NAMES = {"none": "No pretraining", "ours": "Ours", "texture_scratch": "Texture input, no pretraining",
                "rgb_pretrained": "RGB input, texture pretraining",
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
    patch: int
    foreground: float
    n_pretrain: int
    n_train: int
    n_val: int
    n_test: int
    official_test: bool
    fractions: tuple[float, ...]
    width: int
    batch_size: int
    lr: float
    weight_decay: float
    warmup: float
    dice_weight: float
    pretrain_updates: int
    pretrain_validations: int
    pretrain_tolerance: float
    pretrain_seeds: tuple[int, ...]
    finetune_updates: tuple[int, ...]
    validations: int
    val_faces: int
    convergence_threshold: float
    budget_check: bool
    pilot_updates: tuple[int, ...]
    pilot_fractions: tuple[float, ...]
    pilot_seeds: tuple[int, ...]
    seeds: tuple[int, ...]
    arms: tuple[str, ...]
    ablation_seeds: tuple[int, ...]
    pretext_tasks: tuple[str, ...]
    ablation_fractions: tuple[float, ...]
    fusion_targets: tuple[str, ...]
    fusion_fractions: tuple[float, ...]
    fusion_seeds: tuple[int, ...]
    annotators: tuple[str, ...]
    realism_faces: int
    weak_source: str
    min_votes: int
    show_n: int
    device: str
    precision: str
    threads: int
    parallel_runs: int

    def as_dict(self) -> dict:
        """Plain JSON-ready values (tuples as lists)."""
        return {k: list(v) if isinstance(v, tuple) else v for k, v in asdict(self).items()}

    def updates(self, fraction: float) -> int:
        """The finetuning budget (updates) of every run at this fraction of the labels."""
        return self.finetune_updates[self.fractions.index(fraction)]

    def pretrain_seed(self, seed: int) -> int:
        """The pretraining run a finetuning seed starts from: finetuning seed k takes
        pretraining seed pretrain_seeds[k mod len(pretrain_seeds)], so that seeds spread
        evenly over the pretraining runs."""
        return self.pretrain_seeds[seed % len(self.pretrain_seeds)]


def _positive(v) -> bool:
    return v > 0


def _fraction(v) -> bool:
    return 0 < v <= 1


def _device(v: str) -> bool:
    return v in ("auto", "cpu", "cuda") or (v.startswith("cuda:") and v[5:].isdigit())


def _skill(v: str) -> bool:
    return v in SKILLS


def _target(v: str) -> bool:
    return is_known(v, SKILLS)


def _skills() -> str:
    return ", ".join(SKILLS)


#: Per setting: its type, a check of the value, and the words that say what is accepted.
RULES = {
    "seed": (int, lambda v: v >= 0, "an integer >= 0"),
    "data_dir": (str, lambda v: True, "a folder in the FFHQ-Wrinkle layout, or '' for synthetic data"),
    "size": (int, lambda v: 32 <= v <= 4096 and v % MULTIPLE == 0,
             f"a multiple of {MULTIPLE} from 32 to 4096 (the U-Net halves it 4 times)"),
    "patch": (int, lambda v: v >= 32 and v % MULTIPLE == 0,
              f"a multiple of {MULTIPLE}, at least 32 and at most size (the side of a training patch)"),
    "foreground": (float, lambda v: 0 <= v <= 1, "a share between 0 and 1 (patches centred on a labelled pixel)"),
    "n_pretrain": (int, _positive, "an integer > 0"),
    "n_train": (int, _positive, "an integer > 0"),
    "n_val": (int, _positive, "an integer > 0"),
    "n_test": (int, _positive, "an integer > 0"),
    "official_test": (bool, lambda v: True, "true or false"),
    "fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "width": (int, lambda v: v >= 2 and v % 2 == 0, "an even integer >= 2"),
    "batch_size": (int, _positive, "an integer > 0"),
    "lr": (float, lambda v: 0 < v < 10, "a finite number > 0 (and < 10)"),
    "weight_decay": (float, lambda v: 0 <= v < 1, "a number >= 0 and < 1 (AdamW's decoupled weight decay)"),
    "warmup": (float, lambda v: 0 <= v < 1, "a share of the budget >= 0 and < 1"),
    "dice_weight": (float, lambda v: 0 <= v <= 100, "a number from 0 to 100"),
    "pretrain_updates": (int, _positive, "an integer > 0"),
    "pretrain_validations": (int, lambda v: v >= 4 and v % 4 == 0, "a multiple of 4, at least 4"),
    "pretrain_tolerance": (float, lambda v: 0 < v < 1, "a number between 0 and 1"),
    "pretrain_seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "finetune_updates": ([int], _positive, "a list of integers > 0, one per fraction of `fractions`"),
    "validations": (int, lambda v: v >= 4 and v % 4 == 0, "a multiple of 4, at least 4"),
    "val_faces": (int, _positive, "an integer > 0 (validation faces scored at each validation point)"),
    "convergence_threshold": (float, lambda v: 0 < v < 1, "a number between 0 and 1"),
    "budget_check": (bool, lambda v: True, "true or false (retrain Table 3's failing cells longer)"),
    "pilot_updates": ([int], _positive, "a list of budgets (updates) > 0"),
    "pilot_fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "pilot_seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "arms": ([str], lambda v: v in ARMS, f"a non-empty list of arms from {', '.join(ARMS)}"),
    "ablation_seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "pretext_tasks": ([str], lambda v: v in PRETEXT_TASKS, f"a non-empty list from {', '.join(PRETEXT_TASKS)}"),
    "ablation_fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "fusion_targets": ([str], _target, f"a non-empty list of targets: {accepted(SKILLS)}"),
    "fusion_fractions": ([float], _fraction, "a non-empty list of fractions, each 0 < f <= 1"),
    "fusion_seeds": ([int], lambda v: v >= 0, "a non-empty list of integers >= 0"),
    "annotators": ([str], _skill, "three annotator skills (see wrinklelib.labels.annotators.SKILLS)"),
    "realism_faces": (int, _positive, "an integer > 0"),
    "weak_source": (str, lambda v: v in WEAK_SOURCES, f"one of {', '.join(WEAK_SOURCES)}"),
    "min_votes": (int, _positive, "an integer > 0"),
    "show_n": (int, _positive, "an integer > 0"),
    "device": (str, _device, "auto, cpu, cuda or cuda:N"),
    "precision": (str, lambda v: v in PRECISIONS, f"one of {', '.join(PRECISIONS)}"),
    "threads": (int, _positive, "an integer > 0 (threads of each training run)"),
    "parallel_runs": (int, lambda v: v >= 0, "an integer >= 0 (0: as many runs side by side as cores allow)"),
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
        return float(value) if math.isfinite(value) else None
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
        if name == "annotators":
            accepted = f"annotator skills from {_skills()}"
        raise SettingError(f"setting {name}={value!r}: expected {accepted}")
    return typed


def _check_together(c: dict) -> None:
    """Rules that tie several settings together."""
    if c["patch"] > c["size"]:
        raise SettingError(f"setting patch={c['patch']}: expected at most size={c['size']}")
    if len(c["finetune_updates"]) != len(c["fractions"]):
        raise SettingError(f"setting finetune_updates={list(c['finetune_updates'])}: expected one budget per "
                           f"fraction of fractions={list(c['fractions'])}")
    for key in ("ablation_fractions", "fusion_fractions", "pilot_fractions"):
        if not set(c[key]) <= set(c["fractions"]):
            raise SettingError(f"setting {key}={list(c[key])}: expected fractions from "
                               f"fractions={list(c['fractions'])} (their budgets are set there)")
    if len(c["annotators"]) != 3 and not c["data_dir"]:
        raise SettingError(f"setting annotators={list(c['annotators'])}: the synthetic world has three annotators")
    if c["min_votes"] > len(c["annotators"]) and not c["data_dir"]:
        raise SettingError(f"setting min_votes={c['min_votes']}: the synthetic data has "
                           f"{len(c['annotators'])} annotators")
    for name in c["fusion_targets"]:
        if not is_known(name, c["annotators"]):
            raise SettingError(f"setting fusion_targets: {name!r} must name one of "
                               f"annotators={list(c['annotators'])}")


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
    _check_together(checked)
    return Settings(profile=profile, **checked)


def settings_from_dict(values: dict) -> Settings:
    """Settings saved by Settings.as_dict, checked again."""
    values = dict(values)
    profile = values.pop("profile")
    checked = {k: check(k, v) for k, v in values.items()}
    _check_together(checked)
    return Settings(profile=profile, **checked)
