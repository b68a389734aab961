"""The steps the notebooks share: configuration, data preparation and splits.

Every step is idempotent: it reuses what an earlier run with the same settings wrote,
so any notebook can run alone and a killed run resumes where it stopped.
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field, fields, replace
from pathlib import Path

import numpy as np

from . import data, paths
from .profiles import load_profile
from .splits import make_split, read_split, save_split


@dataclass(frozen=True)
class Config:
    """One run's settings: a profile's values with a notebook's parameters on top."""

    profile: str = "cpu"
    seed: int = 0
    data_dir: str = ""
    size: int = 128
    n_pretrain: int = 480
    n_train: int = 200
    n_val: int = 40
    n_test: int = 120
    fractions: list = field(default_factory=lambda: [1.0, 0.5, 0.25, 0.05])
    show_n: int = 4
    width: int = 8
    batch_size: int = 8
    pretrain_epochs: int = 3
    pretrain_min_steps: int = 0
    finetune_epochs: int = 2
    finetune_min_steps: int = 0
    lr: float = 2e-3
    seeds: list = field(default_factory=lambda: [0])
    ablation_seeds: list = field(default_factory=lambda: [0])
    arms: list = field(default_factory=lambda: ["none", "ours"])
    pretext_tasks: list = field(default_factory=list)
    ablation_fractions: list = field(default_factory=lambda: [1.0])
    official_test: bool = False
    weak_source: str = "compute"      # texture masks: "compute" them, or read the "release"'s
    device: str = "auto"


def config(profile: str, **params) -> Config:
    """The Config of a profile, with the given parameters replacing the profile's values."""
    values = load_profile(profile)
    values.update(params)
    values["profile"] = profile
    names = {f.name for f in fields(Config)}
    unknown = sorted(set(values) - names)
    if unknown:
        raise KeyError(f"unknown setting(s) {', '.join(unknown)}")
    return Config(**values)


def data_root(cfg: Config) -> Path:
    """The data folder of a run: the user's release folder, or the synthetic set (generated
    on first use)."""
    if cfg.data_dir == "REQUIRED":
        raise ValueError(f"profile {cfg.profile!r} needs real data: pass --data DIR "
                         "(a folder in the FFHQ-Wrinkle layout)")
    if cfg.data_dir:
        root = Path(cfg.data_dir)
        if not (root / data.IMAGES).is_dir():
            raise FileNotFoundError(f"{root}: no {data.IMAGES}/ folder; not an FFHQ-Wrinkle layout")
        return root
    root = paths.synthetic_data_dir(cfg.profile, cfg.size, cfg.seed)
    n = cfg.n_pretrain + cfg.n_train + cfg.n_val + cfg.n_test
    marker = root / "synthetic.json"
    if not marker.exists() or json.loads(marker.read_text()).get("n") != n:
        data.write_synthetic(root, n, cfg.size, cfg.seed)
    return root


def split_path(cfg: Config) -> Path:
    return paths.run_dir(cfg.profile) / f"split-seed{cfg.seed}.json"


def fit_to_data(cfg: Config, n_manual: int, n_images: int, n_test_list: int | None = None) -> tuple[Config, list[str]]:
    """Shrink the requested image counts to what a data folder holds, keeping the
    train/val/test proportions (an official test list keeps its size); returns the
    adjusted Config and a note per change."""
    notes = []
    if n_test_list is not None:
        cfg = replace(cfg, n_test=n_test_list)
    need = cfg.n_train + cfg.n_val + cfg.n_test
    # When images are short, finetuning takes at most half of them, so pretraining has some.
    available = n_manual if n_images >= need + cfg.n_pretrain else min(n_manual, n_images // 2)
    if available < need:
        f = available / need
        n_val = max(1, int(cfg.n_val * f))
        n_test = cfg.n_test if n_test_list is not None else max(1, int(cfg.n_test * f))
        new = dict(n_train=available - n_val - n_test, n_val=n_val, n_test=n_test)
        notes.append(f"only {available} images with manual masks usable (asked for {need}): "
                     f"train/val/test {new['n_train']}/{n_val}/{n_test}")
        cfg = replace(cfg, **new)
    rest = n_images - (cfg.n_train + cfg.n_val + cfg.n_test)
    if rest < cfg.n_pretrain:
        notes.append(f"only {rest} images outside the finetuning set (asked for {cfg.n_pretrain} "
                     "pretraining images): using all of them")
        cfg = replace(cfg, n_pretrain=max(rest, 0))
    return cfg, notes


def _matches(split: dict, cfg: Config) -> bool:
    """True when a saved split was made with this config's sizes and test-list choice."""
    from .splits import fraction_key

    return (len(split["train"]), len(split["val"]), len(split["pretrain"])) == (cfg.n_train, cfg.n_val, cfg.n_pretrain) \
        and (cfg.official_test or len(split["test"]) == cfg.n_test) \
        and split.get("official_test_list", False) == cfg.official_test \
        and set(split["fractions"]) == {fraction_key(f) for f in cfg.fractions}


def plan_split(cfg: Config, root: Path) -> tuple[Config, dict, list[str]]:
    """The split a run would use on this folder, without saving it: the Config with its
    counts shrunk to what the folder holds, the split, and a note per change."""
    manual, images = data.list_ids(root, data.MANUAL), data.list_ids(root)
    test_ids = data.read_test_list(root) if cfg.official_test else None
    if cfg.official_test and test_ids is None:
        raise FileNotFoundError(f"{root / data.TEST_LIST}: official test list requested but missing")
    cfg, notes = fit_to_data(cfg, len(manual), len(images), len(test_ids) if test_ids else None)
    s = make_split(manual, images, cfg.n_train, cfg.n_val, cfg.n_test, cfg.n_pretrain, cfg.fractions,
                   cfg.seed, cfg.profile, test_ids)
    return cfg, s, notes


def split(cfg: Config, root: Path | None = None) -> dict:
    """The saved split of a run, made (seeded) and saved the first time, and made anew when
    the sizes asked for changed. Counts larger than the data folder holds are shrunk, with
    a warning (see fit_to_data)."""
    root = root or data_root(cfg)
    shrunk, fresh, notes = plan_split(cfg, root)
    for note in notes:
        warnings.warn(f"{root}: {note}", stacklevel=2)
    path = split_path(cfg)
    if path.exists():
        saved = read_split(path)
        if _matches(saved, shrunk):
            return saved
    save_split(path, fresh)
    return fresh


def settings_hash(cfg: Config, split: dict, keys: tuple[str, ...]) -> str:
    """Short hash of the settings a run depends on and of its split, naming its folder so
    that a run with other settings never reuses a stale result."""
    payload = {k: getattr(cfg, k) for k in keys} | {"split": split["ids_hash"], "data_dir": cfg.data_dir}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:8]


@dataclass
class Sample:
    """One face as the experiments use it; fields absent from the data are None."""

    iid: str
    image: np.ndarray
    parsing: np.ndarray | None = None
    mask: np.ndarray | None = None
    truth: np.ndarray | None = None
    regions: np.ndarray | None = None
    annotations: dict | None = None


def load_sample(root: Path, iid: str, annotators: bool = False) -> Sample:
    """Read one face and whatever labels the folder holds for it."""
    root = Path(root)
    image = data.read_image(data.image_path(root, iid))
    shape = image.shape[:2]
    ppath = data.parsing_path(root, iid)
    s = Sample(iid, image, parsing=data.read_parsing(ppath, shape) if ppath.exists() else None)
    if data.manual_path(root, iid).exists():
        s.mask = data.read_mask(data.manual_path(root, iid))
    if (root / data.TRUTH / f"{iid}.png").exists():
        s.truth = data.read_mask(root / data.TRUTH / f"{iid}.png")
    if (root / data.REGIONS / f"{iid}.png").exists():
        s.regions = data.read_raw(root / data.REGIONS / f"{iid}.png")
    if annotators and (root / data.ANNOTATIONS).is_dir():
        s.annotations = {d.name: data.read_mask(d / f"{iid}.png")
                         for d in sorted((root / data.ANNOTATIONS).iterdir()) if (d / f"{iid}.png").exists()}
    return s
