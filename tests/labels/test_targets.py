"""The one registry of training targets: every entry makes a label of its kind, and names
outside it are refused in one line naming what is accepted."""

import numpy as np
import pytest

from wrinklelib.config.settings import SettingError, resolve_settings
from wrinklelib.labels.targets import (
    PAPER_TARGET,
    REFERENCE,
    SINGLE,
    TARGETS,
    fuse,
    is_known,
    is_mask,
    mask_names,
    target,
)

from conftest import random_masks

SKILLS = ("careful", "misses_faint", "over_marks")


@pytest.fixture
def face():
    masks = random_masks(3, (16, 16), seed=2)
    return dict(zip(SKILLS, masks)), random_masks(1, (16, 16), seed=9)[0]


@pytest.mark.parametrize("name", [*TARGETS, SINGLE + "careful"])
def test_every_target_makes_a_label_of_its_kind(face, name):
    annotations, truth = face
    t = target(name, SKILLS)
    label = fuse(name, annotations, 2, truth) if name in TARGETS else t.make(annotations, 2, truth)
    if t.kind == "hard":
        assert label.shape == (16, 16) and set(np.unique(label)) <= {0, 1} and t.is_mask
    elif t.kind == "soft":
        assert label.dtype == np.float32 and 0 <= label.min() and label.max() <= 1 and not t.is_mask
    else:
        assert label.shape == (3, 16, 16) and not t.is_mask
        drawn = t.draw(label, np.random.default_rng(0))
        assert drawn.shape == ((16, 16) if t.kind == "per_step" else (3, 16, 16))
    assert t.network == ("confusion_unet" if t.kind == "annotators" else "unet")
    assert t.loss == ("confusion" if t.kind == "annotators" else "segmentation")


def test_known_answers_of_the_hard_targets(face):
    annotations, truth = face
    stack = np.stack(list(annotations.values()))
    assert np.array_equal(fuse("union", annotations), stack.max(0))
    assert np.array_equal(fuse("intersection", annotations), stack.min(0))
    assert np.array_equal(fuse(PAPER_TARGET, annotations, 2), (stack.sum(0) >= 2).astype(np.uint8))
    assert np.array_equal(fuse(REFERENCE, annotations, 2, truth), truth)
    with pytest.raises(ValueError, match="true wrinkle"):
        fuse(REFERENCE, annotations)


def test_unknown_names_are_refused_naming_what_is_accepted():
    with pytest.raises(ValueError, match="unknown target 'majority'; expected vote, union"):
        target("majority")
    assert not is_known(SINGLE + "nobody", SKILLS) and is_known(SINGLE + "careful", SKILLS)
    with pytest.raises(SettingError, match="fusion_targets"):
        resolve_settings("cpu", {"fusion_targets": ["vote", "majority"]})
    assert is_mask("staple") and not is_mask("mean") and "truth" in mask_names()
