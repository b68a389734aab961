"""One resolved run: validated settings, data folder, saved split, weak-label source and run
folder, resolved once and recorded in run.json.

Every notebook and every training process of a run resolves the same profile and
overrides (or reads run.json) and so works on the same faces with the same settings; the
run's hash names its folder and is recorded in each executed notebook.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, replace
from pathlib import Path

from ..data import layout
from ..data.splits import ids_hash, make_split, read_split, save_split, subset
from ..files import write_json
from . import paths
from .environment import resolve_device
from .settings import SettingError, Settings, resolve_settings, settings_from_dict

RUN_FILE = "run.json"


@dataclass(frozen=True)
class Run:
    """Everything a notebook or a training process needs to know about its run."""

    settings: Settings
    root: Path                 # the data folder
    split: dict
    weak_dir: Path | None      # where texture masks are read from; None: computed from the images
    folder: Path               # run.json, split.json and the run's results
    hash: str
    notes: tuple[str, ...] = ()

    @property
    def name(self) -> str:
        """The run's name: profile and hash, as its folder is named."""
        return f"{self.settings.profile}-{self.hash}"

    @property
    def cache(self) -> Path:
        """The cache this run's folder lies in (data sets, checkpoints, run records)."""
        return self.folder.parents[1]

    @property
    def synthetic(self) -> bool:
        """True for the generated data set (true wrinkles and per-annotator masks known)."""
        return not self.settings.data_dir

    def record(self) -> dict:
        """The content of run.json."""
        return {"hash": self.hash, "profile": self.settings.profile, "settings": self.settings.as_dict(),
                "data_root": paths.relative(self.root), "synthetic": self.synthetic,
                "weak_source": self.settings.weak_source,
                "weak_dir": paths.relative(self.weak_dir) if self.weak_dir else None,
                "split_ids_hash": self.split["ids_hash"], "test_ids": self.split["test"],
                "run_folder": paths.relative(self.folder), "notes": list(self.notes)}


#: The synthetic world's version, part of its folders' names: a new renderer never reads
#: faces an older one cached (rendered2: true masks as thin as a 1024 px mask shrunk, below
#: 256 px).
WORLD = "rendered2"


def synthetic_root(s: Settings) -> Path:
    """The generated data set of these settings, written on first use. Its folder is named
    after everything that decides its content, so no two runs share a folder by accident."""
    n = s.n_pretrain + s.n_train + s.n_val + s.n_test
    who = hashlib.sha256(",".join(s.annotators).encode()).hexdigest()[:6]
    root = paths.cache() / "data" / f"synthetic-{WORLD}-{s.size}px-n{n}-seed{s.seed}-a{who}"
    marker = root / "synthetic.json"
    if not marker.exists() or json.loads(marker.read_text()).get("n") != n:
        from ..data.synthetic import write_synthetic

        write_synthetic(root, n, s.size, s.seed, annotators=s.annotators)
    return root


def data_root(s: Settings) -> Path:
    """The data folder of a run: the user's release folder, checked, or the synthetic set."""
    if s.data_dir == "REQUIRED":
        raise SettingError(f"profile {s.profile!r} needs real data: pass --data DIR "
                           "(a folder in the FFHQ-Wrinkle layout)")
    if not s.data_dir:
        return synthetic_root(s)
    root = Path(s.data_dir)
    if not root.is_dir():
        raise SettingError(f"setting data_dir={s.data_dir!r}: no such folder")
    if not (root / layout.IMAGES).is_dir():
        raise SettingError(f"setting data_dir={s.data_dir!r}: no {layout.IMAGES}/ folder; "
                           "expected the FFHQ-Wrinkle layout")
    return root


def fit_to_data(s: Settings, n_manual: int, n_images: int,
                n_test_list: int | None = None) -> tuple[Settings, list[str]]:
    """Shrink the requested image counts to what a data folder holds, keeping the
    train/val/test proportions (an official test list keeps its size); returns the
    adjusted settings and a note per change."""
    notes = []
    if n_test_list is not None:
        s = replace(s, n_test=n_test_list)
    need = s.n_train + s.n_val + s.n_test
    # When images are short, finetuning takes at most half of them, so pretraining has some.
    available = n_manual if n_images >= need + s.n_pretrain else min(n_manual, n_images // 2)
    if available < need:
        f = available / need
        n_val = max(1, int(s.n_val * f))
        n_test = s.n_test if n_test_list is not None else max(1, int(s.n_test * f))
        n_train = available - n_val - n_test
        if n_train < 1:
            raise SettingError(f"setting data_dir={s.data_dir!r}: only {available} images with manual "
                               f"masks usable, too few for train/val/test")
        notes.append(f"only {available} images with manual masks usable (asked for {need}): "
                     f"train/val/test {n_train}/{n_val}/{n_test}")
        s = replace(s, n_train=n_train, n_val=n_val, n_test=n_test)
    rest = n_images - (s.n_train + s.n_val + s.n_test)
    if rest < s.n_pretrain:
        if rest < 1:
            raise SettingError(f"setting data_dir={s.data_dir!r}: no images left for pretraining")
        notes.append(f"only {rest} images outside the finetuning set (asked for {s.n_pretrain} "
                     "pretraining images): using all of them")
        s = replace(s, n_pretrain=rest)
    return s, notes


def plan_split(s: Settings, root: Path) -> tuple[Settings, dict, list[str]]:
    """The split a run uses on this folder, not saved: the settings with their counts shrunk
    to what the folder holds, the split, and a note per change."""
    manual, images = layout.list_ids(root, layout.MANUAL), layout.list_ids(root)
    test_ids = layout.read_test_list(root) if s.official_test else None
    if s.official_test and test_ids is None:
        raise SettingError(f"setting official_test=True: {root / layout.TEST_LIST} is missing")
    s, notes = fit_to_data(s, len(manual), len(images), len(test_ids) if test_ids else None)
    try:
        split = make_split(manual, images, s.n_train, s.n_val, s.n_test, s.n_pretrain, s.seed, s.profile, test_ids)
    except ValueError as err:
        raise SettingError(f"setting data_dir={s.data_dir!r}: {err}") from err
    return s, split, notes


def data_key(s: Settings, root: Path) -> str:
    """What identifies the data in hashes: the user's folder, or the synthetic set's name
    (not its path, so that a run's hash is the same in every clone)."""
    return str(root) if s.data_dir else f"synthetic/{root.name}"


def run_hash(s: Settings, root: Path, split: dict) -> str:
    """Short hash of every setting, the data and the split's ids."""
    payload = {"settings": s.as_dict(), "root": data_key(s, root), "split": split["ids_hash"]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:12]


def resolve(profile: str, overrides: dict | None = None) -> Run:
    """Validate a profile and overrides, find the data, make (once) and save the split, and
    record the run in its folder's run.json. Any problem is a one-line SettingError."""
    asked = resolve_settings(profile, overrides)
    try:
        resolve_device(asked.device)
    except ValueError as err:
        raise SettingError(f"setting {err}") from err
    root = data_root(asked)
    settings, split, notes = plan_split(asked, root)
    h = run_hash(settings, root, split)
    folder = paths.cache() / "runs" / f"{settings.profile}-{h}"
    split_file = folder / "split.json"
    if split_file.exists():
        split = read_split(split_file)     # written once; the plan above is deterministic
    else:
        save_split(split_file, split)
    run = Run(settings, root, split, root if settings.weak_source == "release" else None, folder, h, tuple(notes))
    if run.weak_dir is not None and not (root / layout.WEAK).is_dir():
        raise SettingError(f"setting weak_source='release': {root / layout.WEAK} is missing")
    record = run.record()
    target = folder / RUN_FILE
    if not target.exists() or json.loads(target.read_text()) != record:
        write_json(target, record)
    return run


def load(path: Path) -> Run:
    """The run recorded in a run.json (as written by resolve), for training processes."""
    path = Path(path)
    try:
        record = json.loads(path.read_text())
        settings = settings_from_dict(record["settings"])
    except (OSError, ValueError, KeyError) as err:
        raise SettingError(f"{path}: not a readable run.json ({err})") from err
    folder = path.parent
    split = read_split(folder / "split.json")
    weak = paths.absolute(record["weak_dir"]) if record["weak_dir"] else None
    return Run(settings, paths.absolute(record["data_root"]), split, weak, folder, record["hash"],
               tuple(record["notes"]))


def copy_to_book(run: Run) -> Path:
    """Copy the run's run.json beside the book's generated tables: the book now shows a run
    executed here, no longer a restored one."""
    (paths.generated() / paths.RESTORED_MARKER).unlink(missing_ok=True)
    return write_json(paths.generated() / RUN_FILE, run.record())


def training_ids(run: Run, fraction: float, seed: int) -> list[str]:
    """The labelled faces a finetuning seed trains on at one fraction (its own draw from the
    training faces; nested across fractions within the seed)."""
    return subset(run.split["train"], fraction, seed, run.settings.seed)


def validation_ids(run: Run) -> list[str]:
    """The validation faces scored at each validation point (the first `val_faces`)."""
    return run.split["val"][:run.settings.val_faces]


def test_ids_hash(ids: list[str]) -> str:
    """Short hash of a list of test ids, recorded with every score."""
    return ids_hash({"pretrain": [], "train": [], "val": [], "test": list(ids)})


def describe(run: Run) -> str:
    """One line naming the run: profile, hash, data and split."""
    s = run.settings
    data_name = "synthetic faces" if run.synthetic else str(run.root)
    parts = ", ".join(f"{p} {len(run.split[p])}" for p in ("pretrain", "train", "val", "test"))
    return f"run {run.name}: {data_name} at {s.size} px; {parts}; split {run.split['ids_hash']}"
