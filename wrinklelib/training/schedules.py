"""Learning-rate schedules and stopping rules as pure functions of the update and the
validation history, so that a resumed run repeats them exactly."""

from __future__ import annotations

import math


def schedule(step: int, total: int, warmup: float, cosine: bool = True) -> float:
    """Learning-rate factor: linear warm-up over `warmup` of `total`, then cosine decay to
    zero at `total` (or constant)."""
    w = max(1, int(total * warmup))
    if step < w:
        return (step + 1) / w
    if not cosine:
        return 1.0
    return 0.5 * (1 + math.cos(math.pi * min(1.0, (step - w) / max(1, total - w))))


def last_quarter(points: list[tuple[int, float]]) -> tuple[float, float]:
    """(value at the last point, value at the last point no later than three quarters of
    its update) of a curve given as (update, value) points."""
    last_step, last = points[-1]
    earlier = [v for step, v in points if step <= 0.75 * last_step]
    return last, (earlier[-1] if earlier else points[0][1])


def flat_over_last_quarter(points: list[tuple[int, float]], tolerance: float) -> bool:
    """True when a validation loss curve changed by less than `tolerance` (relative to its
    value three quarters of the way) over the last quarter of its updates."""
    if len(points) < 2:
        return False
    last, before = last_quarter(points)
    return abs(last - before) <= tolerance * abs(before)
