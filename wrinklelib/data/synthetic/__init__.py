"""The synthetic world: faces rendered from relief and light, with known true wrinkles,
exact face parsing and three simulated annotators, written in the FFHQ-Wrinkle layout.

Face `index` of data set `seed` is drawn from its own random generator, so any face can be
made alone and is the same everywhere. Geometry scales with the image size; fine detail
(wrinkle width, pores, strands, annotator offsets) scales with `texture.detail_scale(size)`,
the factor that scales the texture filter's sigma, so that their ratio stays that of a
1024 px photograph down to 256 px.
"""

from .face import ANNOTATORS, Face, face_rng, make_face
from .wrinkles import REGIONS
from .write import write_synthetic

__all__ = ["ANNOTATORS", "Face", "REGIONS", "face_rng", "make_face", "write_synthetic"]
