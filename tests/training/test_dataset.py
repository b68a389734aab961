"""Training faces: patches placed by one function, the same for every arm and target of a
seed; whole faces for validation; joint flips; a stream that resumes anywhere."""

import numpy as np
import pytest
import torch

from wrinklelib.model.recipe import recipe
from wrinklelib.training.dataset import Faces, Stream, positive_share
from wrinklelib.training.patches import crop, patch_origin, pixel_pool


def test_a_patch_lies_inside_the_image_around_its_centre():
    rng = np.random.default_rng(0)
    face = pixel_pool(np.pad(np.ones((4, 4)), ((30, 30), (10, 50))))        # a 4 x 4 face in a 64 x 64 image
    for _ in range(50):
        y, x = patch_origin((64, 64), 16, face, face[:0], 0.0, rng)
        assert 0 <= y <= 48 and 0 <= x <= 48
        assert y <= 30 + 3 and y + 16 > 30 and x <= 10 + 3 and x + 16 > 10       # the face is in the patch
    assert patch_origin((64, 64), 64, face, face, 1.0, rng) == (0, 0)


def test_the_foreground_share_centres_patches_on_labelled_pixels():
    marked = np.zeros((128, 128), np.uint8)
    marked[100, 20] = 1
    face, mark = pixel_pool(np.ones((128, 128))), pixel_pool(marked)
    rng = np.random.default_rng(1)
    hits = [crop(marked, patch_origin((128, 128), 16, face, mark, 0.5, rng), 16).any() for _ in range(400)]
    assert 0.4 < np.mean(hits) < 0.6                     # half on the mark; uniform ones almost never hit it
    assert crop(np.zeros((3, 10, 10)), (2, 3), 4).shape == (3, 4, 4)
    assert crop(np.zeros((10, 10, 3)), (2, 3), 4, image=True).shape == (4, 4, 3)


@pytest.fixture
def faces(synthetic_dir):
    ids = [f"{1000 + i:05d}" for i in range(6)]
    make = lambda arm_channels, target: Faces(synthetic_dir, ids, target, recipe(arm_channels, 64, 32),  # noqa: E731
                                             augment=True, seed=3)
    return make


def test_every_arm_and_target_of_a_seed_sees_the_same_patches(faces):
    rgb, textured, union = faces(3, "vote"), faces(4, "vote"), faces(4, "union")
    for key in range(8):
        a, b, c = rgb.sample(2, key), textured.sample(2, key), union.sample(2, key)
        assert a[0].shape == (3, 32, 32) and b[0].shape == (4, 32, 32) and a[1].shape == (32, 32)
        assert torch.equal(a[0], b[0][:3]) and torch.equal(a[1], b[1])
        assert torch.equal(b[0], c[0])                  # the same place and flip; only the label differs
    assert faces(3, "vote").sample(2, 5)[0].equal(rgb.sample(2, 5)[0])       # (seed, key) decides, nothing else


def test_flips_move_input_and_label_together(faces):
    ds = faces(4, "vote")
    whole_x, whole_y = ds[1]
    assert whole_x.shape == (4, 64, 64) and whole_y.shape == (64, 64)
    plain = Faces(ds.root, ds.ids, "vote", recipe(4, 64, 64), augment=True, seed=3)      # patch = the whole face
    kinds = set()
    for key in range(12):
        x, y = plain.sample(1, key)
        same = torch.equal(x, whole_x) and torch.equal(y, whole_y)
        mirrored = torch.equal(x, whole_x.flip(-1)) and torch.equal(y, whole_y.flip(-1))
        assert same or mirrored
        kinds.add(same)
    assert kinds == {True, False}                        # both happen


def test_whole_faces_carry_the_targets_label_and_kind(faces):
    soft, per_step = faces(4, "mean"), faces(4, "random_annotator")
    assert soft[0][1].dtype == torch.float32 and per_step.sample(0, 1)[1].dtype == torch.int64
    assert per_step._load(0)["label"].shape == (3, 64, 64)           # all three, one drawn per step
    assert 0 < positive_share(faces(4, "vote")) < 0.2


def test_the_stream_does_not_depend_on_where_a_run_resumed(faces):
    ds = faces(4, "vote")
    whole = Stream(ds, 7, list(range(20)))
    second_half = Stream(ds, 7, list(range(10, 20)))
    for i in range(10):
        assert torch.equal(whole[10 + i][0], second_half[i][0])
