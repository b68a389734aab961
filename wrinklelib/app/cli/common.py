"""What every command module shares: the one-line error."""

from __future__ import annotations

import sys


def fail(command: str, err: Exception | str, code: int = 2) -> int:
    """Print one line naming what went wrong (no traceback) and return the exit code."""
    print(f"wrinkle {command}: error: {err}", file=sys.stderr)
    return code
