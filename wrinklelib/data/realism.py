"""How photograph-like a face is, by three statistics of its texture map and spectrum,
measured the same way on synthetic faces and on real photographs:

1. square crop around the skin and nose classes (side 1.1 x their larger extent, centred on
   their box), resized to 256 px with area interpolation;
2. gray = BT.709 of RGB; T = 255 - clip(255 gray / (G + 1), 0, 255), G a 21x21 Gaussian
   blur of sigma 5 with reflect-101 borders; mask = skin + nose eroded by a 7x7 square;
3. (a) the standard deviation of T in the mask, (b) the share of mask pixels with T > 20,
   (c) the slope of the radially averaged power spectrum of the mean-removed,
   Hann-windowed gray crop, fitted in log-log over radii 4 to 64.

Real frontal portraits in daylight give 14 - 28, 0.07 - 0.21 and -3.5 to -2.8.
"""

from __future__ import annotations

import cv2
import numpy as np
import pandas as pd

from ..labels.texture import BT709, face_mask

CROP = 256
#: The bands measured on real frontal portraits in daylight.
REAL_BANDS = {"t_std": (14.0, 28.0), "share_t_above_20": (0.07, 0.21), "spectrum_slope": (-3.5, -2.8)}


def face_crop(image: np.ndarray, parsing: np.ndarray, side: int = CROP) -> tuple[np.ndarray, np.ndarray]:
    """The square crop (side x side) around the skin and nose classes of an image and of
    its face mask; parts outside the image are filled by reflection."""
    ys, xs = np.nonzero(face_mask(parsing))
    if len(xs) == 0:
        raise ValueError("no skin or nose pixels in the face-parsing map")
    cx, cy = (xs.min() + xs.max() + 1) / 2, (ys.min() + ys.max() + 1) / 2
    half = 1.1 * max(xs.max() - xs.min() + 1, ys.max() - ys.min() + 1) / 2
    x0, y0, x1, y1 = (int(round(v)) for v in (cx - half, cy - half, cx + half, cy + half))
    pad = max(0, -x0, -y0, x1 - image.shape[1], y1 - image.shape[0])
    mask = face_mask(parsing).astype(np.uint8)
    if pad:
        image = cv2.copyMakeBorder(image, pad, pad, pad, pad, cv2.BORDER_REFLECT_101)
        mask = cv2.copyMakeBorder(mask, pad, pad, pad, pad, cv2.BORDER_CONSTANT, value=0)
    crop = image[y0 + pad:y1 + pad, x0 + pad:x1 + pad]
    m = mask[y0 + pad:y1 + pad, x0 + pad:x1 + pad]
    return (cv2.resize(crop, (side, side), interpolation=cv2.INTER_AREA),
            cv2.resize(m, (side, side), interpolation=cv2.INTER_NEAREST))


def spectrum_slope(gray: np.ndarray, r_min: int = 4, r_max: int = 64) -> float:
    """Slope of the radially averaged power spectrum of a mean-removed, Hann-windowed square
    image, fitted in log-log over radii r_min to r_max (in frequency bins)."""
    n = gray.shape[0]
    window = np.outer(np.hanning(n), np.hanning(n))
    g = (gray - gray.mean()) * window
    power = np.abs(np.fft.fftshift(np.fft.fft2(g))) ** 2
    yy, xx = np.indices(power.shape)
    r = np.rint(np.hypot(yy - n // 2, xx - n // 2)).astype(int)
    sums, counts = np.bincount(r.ravel(), power.ravel()), np.bincount(r.ravel())
    radii = np.arange(r_min, r_max + 1)
    radial = sums[radii] / counts[radii]
    if (radial <= 0).any():
        return float("nan")          # a flat image has no spectrum to fit
    return float(np.polyfit(np.log(radii), np.log(radial), 1)[0])


def texture_statistics(image: np.ndarray, parsing: np.ndarray) -> dict[str, float]:
    """The three statistics of one RGB face with its face-parsing map (classes as BiSeNet's)."""
    crop, mask = face_crop(image, parsing)
    gray = crop.astype(np.float64) @ np.asarray(BT709)
    blur = cv2.GaussianBlur(gray, (21, 21), 5.0, borderType=cv2.BORDER_REFLECT_101)
    t = 255.0 - np.clip(255.0 * gray / (blur + 1.0), 0.0, 255.0)
    inside = cv2.erode(mask, np.ones((7, 7), np.uint8)) > 0
    return {"t_std": float(t[inside].std()), "share_t_above_20": float((t[inside] > 20).mean()),
            "spectrum_slope": spectrum_slope(gray)}


def within_bands(stats: dict[str, float]) -> dict[str, bool]:
    """For each statistic, whether it lies in the band of real portraits."""
    return {k: lo <= stats[k] <= hi for k, (lo, hi) in REAL_BANDS.items()}


def synthetic_faces(n: int, seed: int, annotators, size: int = 1024) -> list:
    """n synthetic faces rendered at `size` (the statistics are defined on 1024 px faces),
    from the same generator as the run's data set."""
    from .synthetic import make_face

    return [make_face(i, size, seed, annotators) for i in range(n)]


def folder_statistics(root, n: int) -> pd.DataFrame:
    """The three statistics of the first n faces of a folder in the FFHQ-Wrinkle layout that
    have face-parsing labels, one row per face (empty when none has)."""
    from . import layout
    from .sample import load_sample

    ids = [i for i in layout.list_ids(root) if layout.parsing_path(root, i).exists()][:n]
    rows = []
    for iid in ids:
        face = load_sample(root, iid)
        rows.append({"id": iid, **texture_statistics(face.image, face.parsing)})
    return pd.DataFrame(rows)


def world_table(faces: list, photo: np.ndarray | None = None, photo_parsing: np.ndarray | None = None) -> pd.DataFrame:
    """The three statistics: the mean over the synthetic faces (and their spread), the photo's
    (scikit-image's astronaut, parsed offline) and the band of real portraits."""
    rows = pd.DataFrame([texture_statistics(f.image, f.parsing) for f in faces])
    table = [{"faces": f"synthetic, mean of {len(faces)} at 1024 px", **rows.mean().to_dict()},
             {"faces": "synthetic, standard deviation", **rows.std(ddof=1).to_dict()}]
    if photo is not None:
        table.append({"faces": "scikit-image astronaut", **texture_statistics(photo, photo_parsing)})
    out = pd.DataFrame(table)
    bands = {k: f"{lo:g} to {hi:g}" for k, (lo, hi) in REAL_BANDS.items()}
    return pd.concat([out, pd.DataFrame([{"faces": "real frontal portraits (band)", **bands}])], ignore_index=True)


def wrinkle_widths(truth: np.ndarray) -> np.ndarray:
    """The width (px) of a wrinkle mask at each pixel of its skeleton: twice the distance
    from the skeleton to the mask's edge, less one (a line one pixel wide is 1)."""
    from scipy.ndimage import distance_transform_edt
    from skimage.morphology import skeletonize

    mask = np.asarray(truth) != 0
    if not mask.any():
        return np.zeros(0)
    return 2 * distance_transform_edt(mask)[skeletonize(mask)] - 1


def scale_table(n: int, seed: int, annotators, sizes=(80, 512, 1024)) -> pd.DataFrame:
    """The same synthetic faces drawn at each size: the median width of their true wrinkles
    (over every skeleton pixel of the n faces) and the share of the image they cover."""
    from .synthetic.face import make_face

    rows = []
    for size in sizes:
        faces = [make_face(i, size, seed, annotators) for i in range(n)]
        widths = np.concatenate([wrinkle_widths(f.truth) for f in faces])
        cover = [float((f.truth != 0).mean()) for f in faces]
        rows.append({"size": size, "faces": n, "median_width_px": float(np.median(widths)),
                     "coverage_min": min(cover), "coverage_max": max(cover)})
    return pd.DataFrame(rows)
