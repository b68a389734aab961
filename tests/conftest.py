import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
WRINKLE = str(Path(sys.executable).with_name("wrinkle"))


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
