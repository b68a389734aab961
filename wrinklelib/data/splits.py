"""Seeded selection of pretraining and finetuning images, nested fractions, saved split files."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np

from ..files import write_json


def fraction_key(fraction: float) -> str:
    """'100', '50', '25', '5': the percent label of a training fraction."""
    return f"{fraction * 100:g}"


def ids_hash(split: dict) -> str:
    """SHA-256 over every id of every part, so two split files can be compared at a glance."""
    parts = [f"{k}:{','.join(split[k])}" for k in ("pretrain", "train", "val", "test")]
    return hashlib.sha256("|".join(parts).encode()).hexdigest()[:16]


def make_split(manual_ids: list[str], all_ids: list[str], n_train: int, n_val: int, n_test: int,
               n_pretrain: int, seed: int, profile: str, test_ids: list[str] | None = None) -> dict:
    """Select finetuning (train/val/test) and pretraining images as the paper does, seeded.

    Finetuning images are drawn at random from the ids with manual masks, or the test part is
    the official test list when given. Pretraining images are drawn from the remaining
    images, so the two stages never share a face. The labelled faces of each finetuning
    seed and fraction are drawn from the training part by `subset`.
    """
    rng = np.random.default_rng(seed)
    manual = sorted(set(manual_ids))
    if test_ids is not None:
        test = sorted(test_ids)
        missing = sorted(set(test) - set(manual))
        if missing:
            raise ValueError(f"test list ids without manual mask: {', '.join(missing[:10])}")
        pool = [i for i in manual if i not in set(test)]
        need = n_train + n_val
    else:
        pool, test, need = manual, None, n_train + n_val + n_test
    if len(pool) < need:
        raise ValueError(f"need {need} images with manual masks, only {len(pool)} available")
    chosen = [pool[i] for i in rng.permutation(len(pool))[:need]]
    train, val = chosen[:n_train], chosen[n_train:n_train + n_val]
    if test is None:
        test = sorted(chosen[n_train + n_val:])
    finetune = set(train) | set(val) | set(test)
    rest = sorted(set(all_ids) - finetune)
    if len(rest) < n_pretrain:
        raise ValueError(f"need {n_pretrain} pretraining images outside the finetuning set, "
                         f"only {len(rest)} available")
    pretrain = sorted(rest[i] for i in rng.permutation(len(rest))[:n_pretrain])
    split = {"profile": profile, "seed": int(seed), "pretrain": pretrain, "train": train,
             "val": sorted(val), "test": test, "official_test_list": test_ids is not None}
    split["ids_hash"] = ids_hash(split)
    return split


def subset(train: list[str], fraction: float, seed: int, split_seed: int = 0) -> list[str]:
    """The labelled faces of one finetuning seed at one fraction: a prefix of the training
    faces shuffled by (split_seed, seed), so that every seed draws its own faces and within
    a seed the smaller fractions lie inside the larger ones. All faces at 100%."""
    digest = hashlib.sha256(f"subset:{split_seed}:{seed}".encode()).digest()
    order = np.random.default_rng(int.from_bytes(digest[:8], "little")).permutation(len(train))
    return [train[i] for i in sorted(order[:max(1, round(fraction * len(train)))])]


def subset_hash(ids: list[str]) -> str:
    """Short hash of a list of training ids (the `subset` column of the runs table)."""
    return hashlib.sha256(",".join(sorted(ids)).encode()).hexdigest()[:8]


def save_split(path: Path, split: dict) -> Path:
    """Write a split file atomically (sorted keys: the same split gives the same bytes)."""
    return write_json(path, split)


def read_split(path: Path) -> dict:
    """Read a split file and check that its hash matches its ids."""
    split = json.loads(Path(path).read_text())
    if split.get("ids_hash") != ids_hash(split):
        raise ValueError(f"{path}: ids_hash does not match the ids (file edited or corrupt)")
    return split


def overlaps(split: dict) -> dict[str, int]:
    """Number of shared ids between each pair of parts that must be disjoint."""
    parts = ("pretrain", "train", "val", "test")
    return {f"{a}&{b}": len(set(split[a]) & set(split[b]))
            for i, a in enumerate(parts) for b in parts[i + 1:]}


def check_nested(train: list[str], fractions: list[float], seeds: list[int], split_seed: int = 0) -> bool:
    """True when, for every seed, each smaller fraction's faces lie within every larger
    one's and within the training part."""
    for seed in seeds:
        sets = [set(subset(train, f, seed, split_seed)) for f in sorted(fractions)]
        if not all(a <= b for a, b in zip(sets, sets[1:])) or not sets[-1] <= set(train):
            return False
    return True


def size_table(split: dict, fractions: list[float]):
    """Number of images in each part of a split and in each seed's labelled subset."""
    import pandas as pd

    rows = [{"part": p, "images": len(split[p])} for p in ("pretrain", "train", "val", "test")]
    rows += [{"part": f"train {fraction_key(f)}% (each seed its own)", "images": len(subset(split["train"], f, 0))}
             for f in sorted(fractions, reverse=True)]
    return pd.DataFrame(rows)
