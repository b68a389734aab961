"""One synthetic face, rendered from its relief and light: the photograph, its true wrinkle
mask (the visible valleys of the furrows, derived from the geometry), the face-parsing map,
the wrinkle regions and the masks of three simulated annotators."""

from __future__ import annotations

from dataclasses import dataclass, field

import cv2
import numpy as np

from ...labels.annotators import SKILLS, annotate, visibility
from ...labels.faceclasses import BACKGROUND, CLOTH, FACE_SKIN, NECK, NOSE, SKIN
from ...labels.texture import detail_scale, texture_map
from .paint import paint
from .relief import MACRO, face_oval, furrow_field, grid, macro_relief, skin_relief
from .render import camera, cast_shadow, pose_maps, project, rotation, shade, to_srgb, warp
from .scene import layout_labels
from .spec import Spec, draw_spec
from .wrinkles import REGIONS, UNLABELLED_REGIONS, Furrow, draw_furrows

#: The three annotators of the synthetic world unless a profile names others.
ANNOTATORS = ("careful", "misses_faint", "over_marks")
#: A valley is part of the true mask where it is at least half its deepest (within 1.18
#: widths of its centre line) and deep enough for its width to be seen at all.
TRUE_HALF_WIDTH, MIN_RATIO = 1.18, 0.12


def label_scale(size: int) -> float:
    """How much narrower than its rendered valley a furrow's true mask is: 1 from 256 px up.
    Below, the valley is rendered at a quarter of its 1024 px width (detail_scale keeps it
    wide enough for the texture filter to see), but the mask keeps the width a 1024 px mask
    has when shrunk to the image, its centre line at least: as thin as the release's masks
    (a wrinkle a pixel wide would otherwise cover an eighth of an 80 px face)."""
    return size / 1024 / detail_scale(size)


@dataclass
class Face:
    """A synthetic face and everything known about it."""

    image: np.ndarray          # H x W x 3 uint8 RGB
    truth: np.ndarray          # H x W uint8 {0,1} true wrinkle pixels
    parsing: np.ndarray        # H x W uint8 BiSeNet classes
    regions: np.ndarray        # H x W uint8 furrow regions (wrinkles.REGIONS), 0 elsewhere
    annotations: dict[str, np.ndarray] = field(default_factory=dict)
    spec: Spec | None = None
    furrows: list[Furrow] = field(default_factory=list)

    @property
    def age(self) -> float:
        return self.spec.age


def face_rng(index: int, seed: int, stream: int = 0) -> np.random.Generator:
    """The random generator of one face (and of each of its annotators), independent of
    every other face."""
    return np.random.default_rng([int(seed), int(index), 0x5EED, int(stream)])


def _relief(rng, spec: Spec, s: int, d: float, furrows: list[Furrow], labels: np.ndarray):
    """(height in pixels, macro height for shadows, furrow fields) of one face."""
    n = min(s, MACRO)
    zm, _ = macro_relief(spec, n)
    z = cv2.resize(zm, (s, s), interpolation=cv2.INTER_CUBIC) * s
    depth, which, r, ratio = furrow_field(furrows, s, d)
    skin = np.isin(labels, (SKIN, NOSE, NECK))
    z -= depth * skin
    z += skin_relief(rng, s, d, 0.25) * skin
    z *= ~np.isin(labels, (BACKGROUND, CLOTH))      # the background is a flat backdrop
    return z, zm * n, (which, r, ratio)


def _truth_ids(furrows: list[Furrow], fields, labels: np.ndarray) -> np.ndarray:
    """Index + 1 of the furrow whose visible valley each pixel lies in, on facial skin."""
    which, r, ratio = fields
    labelled = np.array([0] + [f.region not in UNLABELLED_REGIONS for f in furrows], bool)[which]
    near = r < TRUE_HALF_WIDTH * label_scale(labels.shape[0])
    inside = (which > 0) & near & (ratio >= MIN_RATIO) & labelled & np.isin(labels, FACE_SKIN)
    return np.where(inside, which, 0).astype(np.int16)


def make_face(index: int, size: int = 256, seed: int = 0, annotators=ANNOTATORS) -> Face:
    """Render synthetic face `index` of data set `seed` at size x size pixels."""
    if size < 32:
        raise ValueError(f"size must be at least 32 pixels, got {size}")
    rng = face_rng(index, seed)
    spec = draw_spec(rng)
    s, d = size, detail_scale(size)
    X, Y = grid(s)
    furrows = draw_furrows(rng, spec)
    labels, masks = layout_labels(rng, spec, s, face_oval(spec, X, Y), X, Y)
    z, z_macro, fields = _relief(rng, spec, s, d, furrows, labels)
    albedo, shine, hair_relief = paint(rng, spec, labels, masks, s, d, X, Y)
    z += hair_relief
    light = rotation(spec).T @ np.asarray(spec.light.direction)
    if "glasses" in masks:       # frames stand off the face and cast their own shadow
        z_macro = z_macro + cv2.resize(masks["glasses"].astype(np.float32), z_macro.shape) * 0.06 * s
    shadow = cv2.resize(cast_shadow(z_macro, light), (s, s), interpolation=cv2.INTER_LINEAR)
    radiance = shade(z, albedo, shine, shadow, spec.light, light, np.isin(labels, (BACKGROUND, CLOTH)), d)
    image = to_srgb(radiance, spec.camera.contrast)
    centre = (spec.layout.cx * s, spec.layout.cy * s)
    maps = pose_maps(z, spec, centre)
    parsing = warp(labels, maps, labels=True)
    truth_ids = warp(_truth_ids(furrows, fields, labels), maps, labels=True)
    region_of = np.array([0] + [f.region if f.region in REGIONS else 0 for f in furrows], np.uint8)
    regions = warp(np.where(fields[1] < 3, region_of[fields[0]], 0).astype(np.uint8), maps, labels=True)
    image = camera(rng, warp(image.astype(np.float32), maps), spec.camera, d)
    allowed = np.isin(parsing, FACE_SKIN)
    truth_ids = np.where(allowed, truth_ids, 0)
    marks = _annotations(index, seed, annotators, furrows, z, spec, centre, image, truth_ids, allowed, d)
    return Face(image, (truth_ids > 0).astype(np.uint8), parsing, regions * allowed, marks, spec, furrows)


def _annotations(index, seed, names, furrows, z, spec, centre, image, truth_ids, allowed, d) -> dict:
    """Each annotator's mask, from a random stream of its own, so that changing one skill
    leaves the face and the other annotators alone."""
    s = image.shape[0]
    texture = texture_map(image)
    seen = visibility(texture, truth_ids, len(furrows))
    keep = [k for k, f in enumerate(furrows) if f.region not in UNLABELLED_REGIONS]
    lines = [project(furrows[k].points * s, z, spec, centre) for k in keep]
    widths = np.array([2 * TRUE_HALF_WIDTH * furrows[k].sigma * d * label_scale(s) for k in keep])
    return {name: annotate(face_rng(index, seed, 1 + i), SKILLS[name], lines, widths, seen[keep], texture,
                           allowed, d)
            for i, name in enumerate(names)}
