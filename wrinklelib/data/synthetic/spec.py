"""Everything that makes one synthetic face what it is, drawn from the face's own random
generator: identity (age, weight, proportions, skin), expression, pose, light, camera and
the distractors around the face. Geometry is in fractions of the image side, in the
frontal frame of the face; the renderer turns it into pixels at any size."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

#: sRGB skin tones from light to dark, interpolated at random.
SKIN_TONES = np.array([[244, 206, 180], [232, 186, 152], [214, 160, 124], [186, 130, 96],
                       [150, 98, 70], [112, 72, 52], [82, 54, 40]], np.float32) / 255
HAIR_COLOURS = np.array([[28, 22, 20], [60, 40, 28], [105, 70, 42], [170, 130, 80], [205, 175, 120],
                         [120, 50, 30], [18, 18, 20]], np.float32) / 255
HAIR_STYLES = ("short", "long", "bangs", "receding", "bald")


@dataclass(frozen=True)
class Layout:
    """Where the parts of the face lie (fractions of the image side, frontal frame)."""

    cx: float
    cy: float
    a: float            # half-width of the face oval
    b: float            # half-height of the face oval
    jaw_taper: float    # how much the oval narrows towards the chin
    eye_y: float
    eye_dx: float
    eye_w: float
    eye_h: float
    brow_y: float
    nose_top: float
    nose_tip: float
    nose_w: float
    mouth_y: float
    mouth_w: float
    hairline: float


@dataclass(frozen=True)
class Light:
    """A key light (unit direction towards it, camera frame: x right, y down, z to the
    camera), its strength and colour, the ambient share and the skin's specular term."""

    direction: tuple[float, float, float]
    strength: float
    ambient: float
    colour: tuple[float, float, float]
    specular: float
    shininess: float


@dataclass(frozen=True)
class Camera:
    """What the camera does to the picture."""

    blur: float          # Gaussian sigma in pixels at 1024 px
    noise: float         # sensor noise, gray levels
    downscale: float     # >1: captured smaller and scaled up
    jpeg: int            # JPEG quality, 0 for none
    contrast: float      # slope of the tone curve at mid-gray


@dataclass(frozen=True)
class Spec:
    """One synthetic face."""

    age: float                     # 0 (young) .. 1 (old)
    weight: float                  # -1 (thin) .. 1 (heavy)
    male: bool
    skin: tuple[float, float, float]
    layout: Layout
    smile: float
    frown: float
    raise_brows: float
    eyes_closed: bool
    yaw: float                     # radians
    pitch: float
    roll: float
    light: Light
    camera: Camera
    hair_style: str
    hair_colour: tuple[float, float, float]
    beard: str                     # "none", "stubble" or "full"
    glasses: bool
    earrings: bool
    freckles: float                # share of the cheeks dotted, 0 for none
    moles: int
    extras: dict = field(default_factory=dict)


def _layout(rng: np.random.Generator, weight: float, smile: float, raise_brows: float, frown: float) -> Layout:
    """Proportions of the face, in the position FFHQ's alignment puts faces."""
    a = rng.uniform(0.23, 0.27) * (1 + 0.05 * weight)
    b = a * rng.uniform(1.28, 1.42)
    cx, cy = 0.5 + rng.normal(0, 0.01), 0.53 + rng.normal(0, 0.012)
    eye_y = cy - rng.uniform(0.1, 0.16) * b
    brow_y = eye_y - rng.uniform(0.15, 0.19) * b - 0.05 * b * raise_brows + 0.03 * b * frown
    nose_tip = cy + rng.uniform(0.24, 0.32) * b
    mouth_y = cy + rng.uniform(0.5, 0.58) * b
    return Layout(cx=cx, cy=cy, a=a, b=b, jaw_taper=rng.uniform(0.15, 0.35) * (1 - 0.35 * weight),
                  eye_y=eye_y, eye_dx=rng.uniform(0.37, 0.43) * a, eye_w=rng.uniform(0.15, 0.19) * a,
                  eye_h=rng.uniform(0.055, 0.08) * a * (1 - 0.35 * smile), brow_y=brow_y,
                  nose_top=eye_y + 0.04 * b, nose_tip=nose_tip, nose_w=rng.uniform(0.13, 0.19) * a,
                  mouth_y=mouth_y, mouth_w=rng.uniform(0.27, 0.34) * a * (1 + 0.2 * smile),
                  hairline=cy - rng.uniform(0.62, 0.8) * b)


def _light(rng: np.random.Generator) -> Light:
    """A key light mostly from above and in front, at a random side."""
    azimuth = -np.pi / 2 + rng.normal(0, 0.9)           # image y points down: -pi/2 is above
    elevation = rng.uniform(np.radians(30), np.radians(72))
    d = (np.cos(elevation) * np.cos(azimuth), np.cos(elevation) * np.sin(azimuth), np.sin(elevation))
    warm = rng.uniform(-0.08, 0.08)
    return Light(direction=tuple(float(v) for v in d), strength=rng.uniform(0.75, 1.15),
                 ambient=rng.uniform(0.12, 0.32), colour=(1 + warm, 1.0, 1 - warm),
                 specular=rng.uniform(0.04, 0.2), shininess=rng.uniform(12, 40))


def _camera(rng: np.random.Generator) -> Camera:
    return Camera(blur=rng.uniform(0.3, 1.6), noise=rng.uniform(1.0, 4.0),
                  downscale=1.0 if rng.random() < 0.6 else rng.uniform(1.2, 2.2),
                  jpeg=0 if rng.random() < 0.3 else int(rng.integers(60, 96)), contrast=rng.uniform(0.8, 1.4))


def draw_spec(rng: np.random.Generator) -> Spec:
    """Draw every property of one face from its generator."""
    age = float(rng.beta(1.6, 1.8))
    weight = float(np.clip(rng.normal(0.1 * age, 0.45), -1, 1))
    male = bool(rng.random() < 0.5)
    tone = rng.uniform(0, len(SKIN_TONES) - 1)
    k = int(tone)
    skin = SKIN_TONES[k] + (SKIN_TONES[min(k + 1, len(SKIN_TONES) - 1)] - SKIN_TONES[k]) * (tone - k)
    skin = np.clip(skin * rng.uniform(0.95, 1.05, 3), 0, 1)
    expression = rng.choice(["neutral", "smile", "frown", "raise"], p=[0.45, 0.3, 0.12, 0.13])
    smile = float(rng.uniform(0.4, 1.0)) if expression == "smile" else 0.0
    frown = float(rng.uniform(0.4, 1.0)) if expression == "frown" else 0.0
    raise_brows = float(rng.uniform(0.4, 1.0)) if expression == "raise" else 0.0
    grey = float(np.clip((age - 0.45) * 1.6, 0, 1) * rng.random())
    hair = HAIR_COLOURS[rng.integers(len(HAIR_COLOURS))] * (1 - grey) + grey * np.array([0.75, 0.74, 0.72])
    styles = HAIR_STYLES if male and age > 0.45 else HAIR_STYLES[:3]
    style = str(rng.choice(styles))
    beard = "none"
    if male:
        beard = str(rng.choice(["none", "stubble", "full"], p=[0.45, 0.4, 0.15]))
    yaw, pitch, roll = (float(np.radians(np.clip(rng.normal(0, s), -25, 25))) for s in (11, 7, 6))
    return Spec(age=age, weight=weight, male=male, skin=tuple(float(v) for v in skin),
                layout=_layout(rng, weight, smile, raise_brows, frown), smile=smile, frown=frown,
                raise_brows=raise_brows, eyes_closed=bool(rng.random() < 0.07), yaw=yaw, pitch=pitch, roll=roll,
                light=_light(rng), camera=_camera(rng), hair_style=style,
                hair_colour=tuple(float(v) for v in hair), beard=beard, glasses=bool(rng.random() < 0.2),
                earrings=bool(not male and rng.random() < 0.35),
                freckles=float(rng.uniform(0.2, 1.0)) if rng.random() < 0.25 else 0.0,
                moles=int(rng.poisson(1.2)))
