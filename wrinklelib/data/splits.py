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
               n_pretrain: int, fractions: list[float], seed: int, profile: str,
               test_ids: list[str] | None = None) -> dict:
    """Select finetuning (train/val/test) and pretraining images as the paper does, seeded.

    Finetuning images are drawn at random from the ids with manual masks, or the test part is
    the official test list when given. Pretraining images are drawn from the remaining
    images, so the two stages never share a face. Fractions are nested prefixes of one
    shuffled training list: the 5% set lies within the 25% set, which lies within 50%.
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
             "val": sorted(val), "test": test,
             "fractions": {fraction_key(f): train[:max(1, round(f * n_train))] for f in fractions},
             "official_test_list": test_ids is not None}
    split["ids_hash"] = ids_hash(split)
    return split


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


def check_nested(split: dict) -> bool:
    """True when each smaller training fraction lies within every larger one and in train."""
    sets = sorted((set(v) for v in split["fractions"].values()), key=len)
    return all(a <= b for a, b in zip(sets, sets[1:])) and sets[-1] <= set(split["train"])


def size_table(split: dict):
    """Number of images in each part and training fraction of a split."""
    import pandas as pd

    rows = [{"part": p, "images": len(split[p])} for p in ("pretrain", "train", "val", "test")]
    rows += [{"part": f"train {k}%", "images": len(v)}
             for k, v in sorted(split["fractions"].items(), key=lambda kv: -float(kv[0]))]
    return pd.DataFrame(rows)
