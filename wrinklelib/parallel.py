"""Work spread over processes, once for the whole project: a spawned pool (the caller may
hold torch's or OpenCV's thread pools, which fork would copy), workers that leave Ctrl-C
to their parent, and a pool that is stopped at once when the parent is interrupted."""

from __future__ import annotations

import multiprocessing
import signal
from typing import Callable, Iterable, Iterator


def _worker(setup: Callable | None) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    if setup is not None:
        setup()


def imap(func: Callable, items: Iterable, workers: int, setup: Callable | None = None,
         ordered: bool = True) -> Iterator:
    """func over items in `workers` processes (in order, or as they finish); a worker runs
    `setup` first. On any error or Ctrl-C in the caller, the workers are stopped."""
    pool = multiprocessing.get_context("spawn").Pool(workers, initializer=_worker, initargs=(setup,))
    try:
        yield from (pool.imap if ordered else pool.imap_unordered)(func, items)
        pool.close()
    except BaseException:
        pool.terminate()
        raise
    finally:
        pool.join()
