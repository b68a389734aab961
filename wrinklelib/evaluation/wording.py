"""Numbers in words, the same on every page and in every sentence a study writes: a fixed
number of decimals, signs where a difference is meant, an interval in brackets."""

from __future__ import annotations

import numpy as np


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and not np.isfinite(v))


def number(v, digits: int = 3) -> str:
    """A number to `digits` decimals ('' for nan)."""
    return "" if _missing(v) else f"{v:.{digits}f}"


def signed(v, digits: int = 3) -> str:
    """A signed number to `digits` decimals ('' for nan)."""
    return "" if _missing(v) else f"{v:+.{digits}f}"


def interval(mean, low, high, digits: int = 3, sign: bool = False) -> str:
    """'0.453 [0.441, 0.465]': a mean and its interval in one cell."""
    f = signed if sign else number
    if low is None or not np.isfinite(low):
        return f(mean, digits)
    return f"{f(mean, digits)} [{f(low, digits)}, {f(high, digits)}]"
