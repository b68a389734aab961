"""Learning-rate schedules as pure functions of the step and the validation history, so
that a resumed run repeats them exactly."""

from __future__ import annotations

import math

#: Factor of the learning-rate cut of the plateau schedule.
PLATEAU_CUT = 0.2


def schedule(step: int, total: int, warmup: float, cosine: bool = True) -> float:
    """Learning-rate factor: linear warm-up, then cosine decay to zero (or constant)."""
    w = max(1, int(total * warmup))
    if step < w:
        return (step + 1) / w
    if not cosine:
        return 1.0
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, total - w))))


def plateau(scores: list[float], patience: int, min_epochs: int = 0) -> tuple[int, bool]:
    """(learning-rate cuts so far, stop?) after these validation scores: `patience` epochs
    without a strictly better score cut the rate once; as many more after the cut stop.
    Neither happens before `min_epochs` epochs, so that a start still predicting nothing
    (validation JSI 0 for the first epochs of a pretext start) is not taken for a plateau."""
    best, stalled, cuts = -math.inf, 0, 0
    for epoch, score in enumerate(scores, 1):
        best, stalled = (score, 0) if score > best else (best, stalled + 1)
        if stalled >= patience and epoch >= min_epochs:
            if cuts:
                return cuts, True
            cuts, stalled = 1, 0
    return cuts, False
