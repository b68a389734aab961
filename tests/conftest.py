import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
WRINKLE = str(Path(sys.executable).with_name("wrinkle"))


@pytest.fixture(scope="session", autouse=True)
def private_cache(tmp_path_factory):
    """Every test, and every process it starts, writes data and runs into a cache of its own
    session: a test that changes a default (a monkeypatch, a sitecustomize) must never leave
    files in the repository's cache that a later run would take for its own."""
    import os

    old = os.environ.get("WRINKLE_CACHE")
    os.environ["WRINKLE_CACHE"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("WRINKLE_CACHE", None)
    else:
        os.environ["WRINKLE_CACHE"] = old


@pytest.fixture(scope="session")
def synthetic_dir(tmp_path_factory):
    """A small synthetic data set in the FFHQ-Wrinkle layout (12 faces, 64 px)."""
    from wrinklelib.data.synthetic import write_synthetic

    return write_synthetic(tmp_path_factory.mktemp("synth"), 12, 64, seed=3, progress=False)


@pytest.fixture(scope="session")
def astronaut():
    import skimage.data

    return skimage.data.astronaut()


def random_masks(n, shape, seed=0, p=0.3):
    rng = np.random.default_rng(seed)
    return [(rng.random(shape) < p).astype(np.uint8) for _ in range(n)]
