"""The one registry of training targets (Table 3): each target's name, how a reader names
it, how it is made from one face's annotator masks, and what kind of label it is. Settings
check names here, the datasets make labels here, training picks its loss and network head
from the kind, evaluation validates against the targets that are one mask per face.

- vote: pixels at least `min_votes` annotators marked (the paper: 2 of 3);
- union / intersection: marked by any / by all;
- mean: the share of annotators marking each pixel (a soft target);
- staple: SimpleITK's STAPLE estimate (Warfield et al. 2004) at probability 0.5;
- smoothed: the vote with uniform label smoothing (`SMOOTHING` of the mass spread evenly);
- svls: the vote with spatially varying label smoothing (Islam and Glocker 2021): each
  pixel's one-hot label averaged with its neighbours' by a 3x3 Gaussian whose centre weighs
  as much as all neighbours together;
- annotator:<skill>: that annotator alone;
- random_annotator: one annotator's mask, drawn anew at every step;
- confusion: all three masks, for the learned confusion model;
- truth: the true wrinkles (synthetic data only), the reference every model is scored against.

Adding a target is one entry of TARGETS (and its test in tests/labels).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import cv2
import numpy as np

from .fusion import majority_vote, stack_masks, staple

#: The share of the label mass spread evenly over both classes by uniform smoothing.
SMOOTHING = 0.1
#: A target naming one annotator alone: this prefix and the annotator's skill.
SINGLE = "annotator:"
#: The paper's target (the default everywhere), and the reference synthetic data know.
PAPER_TARGET = "vote"
REFERENCE = "truth"
#: What a target's label is, per face:
#: "hard" one {0,1} mask; "soft" a wrinkle probability per pixel; "per_step" several masks,
#: one drawn at each step; "annotators" every annotator's own mask (the confusion model).
KINDS = ("hard", "soft", "per_step", "annotators")


def svls_kernel(sigma: float = 1.0) -> np.ndarray:
    """The 3x3 SVLS kernel: a Gaussian whose centre weighs as much as its neighbours."""
    x = np.arange(-1, 2, dtype=np.float64)
    k = np.exp(-(x[:, None] ** 2 + x[None, :] ** 2) / (2 * sigma ** 2))
    k[1, 1] = k.sum() - k[1, 1]
    return (k / k.sum()).astype(np.float32)


def svls(mask: np.ndarray) -> np.ndarray:
    """Spatially varying label smoothing of a binary mask: the wrinkle probability."""
    return cv2.filter2D(mask.astype(np.float32), -1, svls_kernel(), borderType=cv2.BORDER_REFLECT_101)


Maker = Callable[[dict, int, "np.ndarray | None"], np.ndarray]


@dataclass(frozen=True)
class Target:
    """One training target."""

    name: str
    title: str
    kind: str
    make: Maker            # (annotator masks by skill, min_votes, truth or None) -> label

    @property
    def is_mask(self) -> bool:
        """One hard mask per face: what validation can score a run against."""
        return self.kind == "hard"

    @property
    def network(self) -> str:
        """The network a run on this target trains (model.networks)."""
        return "confusion_unet" if self.kind == "annotators" else "unet"

    @property
    def loss(self) -> str:
        """The loss of a run on this target (training.losses)."""
        return "confusion" if self.kind == "annotators" else "segmentation"

    def draw(self, label: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        """The label of one step: a per-step target draws one of its masks."""
        return label[rng.integers(len(label))] if self.kind == "per_step" else label

    @property
    def needs_truth(self) -> bool:
        """Made from the true wrinkles: synthetic data only."""
        return self.name == REFERENCE

    def dtype(self):
        """The label's dtype as the loss takes it: probabilities or class indices."""
        return np.float32 if self.kind == "soft" else np.int64


def _stack(annotations: dict) -> np.ndarray:
    return stack_masks([annotations[k] for k in annotations])


def _truth(annotations: dict, min_votes: int, truth) -> np.ndarray:
    if truth is None:
        raise ValueError("target 'truth' needs the true wrinkle masks (synthetic data)")
    return truth.astype(np.uint8)


def _vote(a: dict, v: int) -> np.ndarray:
    return majority_vote(list(a.values()), v)


TARGETS: dict[str, Target] = {t.name: t for t in (
    Target(PAPER_TARGET, "Majority vote (2 of 3)", "hard", lambda a, v, t: _vote(a, v)),
    Target("union", "Union", "hard", lambda a, v, t: _stack(a).max(0)),
    Target("intersection", "Intersection", "hard", lambda a, v, t: _stack(a).min(0)),
    Target("mean", "Mean of the annotators (soft)", "soft", lambda a, v, t: _stack(a).mean(0).astype(np.float32)),
    Target("staple", "STAPLE", "hard", lambda a, v, t: (staple(list(a.values())) >= 0.5).astype(np.uint8)),
    Target("smoothed", "Vote, label smoothing", "soft",
           lambda a, v, t: (_vote(a, v) * (1 - SMOOTHING) + SMOOTHING / 2).astype(np.float32)),
    Target("svls", "Vote, spatially varying smoothing", "soft", lambda a, v, t: svls(_vote(a, v))),
    Target("random_annotator", "One random annotator per step", "per_step", lambda a, v, t: _stack(a)),
    Target("confusion", "Learned annotator confusion", "annotators", lambda a, v, t: _stack(a)),
    Target(REFERENCE, "The truth itself", "hard", _truth),
)}


def single(skill: str) -> Target:
    """The target of one annotator alone."""
    return Target(SINGLE + skill, f"One annotator alone: {skill.replace('_', ' ')}", "hard",
                  lambda a, v, t: stack_masks([a[skill]])[0])


def accepted(skills) -> str:
    """The target names a user may give, in words."""
    return f"{', '.join(TARGETS)} or {SINGLE}<annotator> with an annotator from {', '.join(skills)}"


def target(name: str, skills=None) -> Target:
    """The target of a name; a ValueError naming what is accepted (annotator:<skill> is
    checked against `skills` when given)."""
    if name in TARGETS:
        return TARGETS[name]
    if isinstance(name, str) and name.startswith(SINGLE) and (skills is None or name[len(SINGLE):] in skills):
        return single(name[len(SINGLE):])
    raise ValueError(f"unknown target {name!r}; expected {accepted(skills or ['<skill>'])}")


def is_known(name: str, skills) -> bool:
    """Whether `name` names a target, its annotator among `skills`."""
    try:
        target(name, skills)
    except ValueError:
        return False
    return True


def is_mask(name: str) -> bool:
    """Whether the target `name` is one hard mask per face (not soft, not several masks)."""
    return target(name).is_mask


def mask_names() -> tuple[str, ...]:
    """The registered targets that are one hard mask per face, and annotator:<skill>."""
    return (*(n for n, t in TARGETS.items() if t.is_mask), SINGLE + "<skill>")


def fuse(name: str, annotations: dict[str, np.ndarray], min_votes: int = 2,
         truth: np.ndarray | None = None) -> np.ndarray:
    """The label of target `name` for one face: uint8 {0,1} for hard targets, float32 in
    [0, 1] for soft ones, R x H x W uint8 for per-step and annotator targets."""
    return target(name).make(annotations, min_votes, truth)
