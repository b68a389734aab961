"""Wrinkle masks for a user's own photos, from our checkpoints or the authors' released ones:
every face aligned as FFHQ's, segmented and warped back, with a per-region report."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import cv2
import numpy as np
import pandas as pd
import torch
from tqdm import tqdm

from ..book.draw import overlay
from ..data.align import align, to_crop, to_photo, warp_back
from ..data.layout import write_png
from ..data.parsing import NoFaceFound, all_face_landmarks, landmarks_parsing
from ..evaluation.regions import REGIONS, measure, region_polygons
from ..files import show_progress, write_csv
from ..model.checkpoints import load_for_inference
from ..model.inference import predict_masks
from ..model.recipe import AUTHORS_RECIPE, network_input
from .outputs import OutputError, check_out, check_pixels, list_images, output_paths, prepare

#: The report's columns after image and face.
REPORT_COLUMNS = [f"{r}_{m}" for r in REGIONS for m in ("share", "count", "length_px")]


@dataclass
class Face:
    """One face of a photo: its aligned crop, the crop's matrix, landmarks and parsing in the
    crop, the network's input and its mask."""

    crop: np.ndarray
    matrix: np.ndarray
    pts: np.ndarray
    parsing: np.ndarray
    inputs: torch.Tensor
    mask: np.ndarray


def default_model() -> Path:
    """The model the book's published run ships (results/<DEFAULT>/model/), or one line
    saying how to get one."""
    from ..config import paths

    run = paths.published_run()
    path = paths.shipped_model(run) if run else None
    if path is None or not path.is_file():
        raise OutputError(f"no --checkpoint given and no published model ({path or 'results/DEFAULT is missing'}); "
                          "pass --checkpoint FILE (ours or the authors' stage2_unet.pth)")
    return path


def model_about(run, arm: str, fraction: float, seed: int) -> dict:
    """What a run's shipped model is, recorded in it and said wherever it is used."""
    from ..config.run import training_ids

    s = run.settings
    what = (f"Ours (a U-Net of width {s.width}, RGB and texture input, texture-pretrained) finetuned on "
            f"{len(training_ids(run, fraction, seed))} {'synthetic ' if run.synthetic else ''}faces at {s.size} px "
            f"({s.patch} px patches), seed {seed} of run {run.name}"
            + ("; it has seen no real face" if run.synthetic else ""))
    return {"what": what, "run": run.name, "arm": arm, "fraction": fraction, "seed": seed, "size": s.size}


def marked_sentence(mask: np.ndarray, faces: list) -> str:
    """How much of a photo the model marked, and per face how much of its skin."""
    if not faces:
        return "No face found."
    shares = [float(f.mask[f.parsing > 0].mean()) if (f.parsing > 0).any() else 0.0 for f in faces]
    per_face = ", ".join(f"{v:.1%}" for v in shares)
    return (f"{len(faces)} face(s) found; {mask.mean():.2%} of the photo marked as wrinkle ({per_face} of each "
            "aligned face's skin and features).")


def describe_model(path: Path) -> str:
    """What a checkpoint is, in one line (from what it records)."""
    from ..model.checkpoints import load_checkpoint

    ckpt = load_checkpoint(path)
    about = ckpt.get("about") if isinstance(ckpt, dict) else None
    if not isinstance(about, dict):
        return f"{path}"
    return f"{path} ({about.get('what', '')})"


def read_photo(path: Path) -> np.ndarray:
    """A photo as it is shown (RGB uint8): turned upright by its EXIF orientation, as phones
    store them sideways, before anything else; the mask is then made in that orientation."""
    from PIL import Image, ImageOps

    from ..data.layout import DataError

    try:
        with Image.open(path) as img:
            return np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
    except (OSError, SyntaxError, ValueError) as err:
        raise DataError(f"{path}: cannot be decoded ({err})") from err


def predict_aligned(model: torch.nn.Module, rec: dict, image: np.ndarray,
                    device: torch.device) -> tuple[np.ndarray, list[Face]]:
    """The wrinkle mask of a photo (its size) from every face, each aligned as FFHQ's faces
    at the size the checkpoint was trained at, predicted and warped back."""
    size, mask, faces = rec["size"], np.zeros(image.shape[:2], np.uint8), []
    for pts in all_face_landmarks(image):     # weak detector boxes are already dropped
        crop, matrix = align(image, pts, size)
        crop_pts = to_crop(pts, matrix)
        parsing = landmarks_parsing(crop, pts=crop_pts)
        x = network_input(crop, parsing, rec)
        pred = predict_masks(model, [x], device)[0]
        mask |= warp_back(pred, matrix, image.shape[:2])
        faces.append(Face(crop, matrix, crop_pts, parsing, x, pred))
    return mask, faces


def predict_whole(model: torch.nn.Module, rec: dict, image: np.ndarray, device: torch.device) -> np.ndarray:
    """The wrinkle mask of a whole photo, run at most at the checkpoint's size (long side)
    so that memory stays bounded, and scaled back to the photo's size."""
    h, w = image.shape[:2]
    scale = min(1.0, rec["size"] / max(h, w))
    small = image if scale == 1.0 else cv2.resize(image, (max(16, round(w * scale)), max(16, round(h * scale))),
                                                  interpolation=cv2.INTER_AREA)
    try:
        parsing = landmarks_parsing(small)
    except NoFaceFound:
        parsing = None
    pred = predict_masks(model, [network_input(small, parsing, rec)], device)[0]
    return cv2.resize(pred, (w, h), interpolation=cv2.INTER_NEAREST)


def predict_folder(checkpoint: Path, images: Path, out: Path, device: torch.device, overlays: bool = False,
                   report: bool = False, aligned: bool = True, recipe: str = "auto") -> dict:
    """Wrinkle masks (0/255 PNG, the photo's size, the photo's relative path under out) for
    every photo under a folder; with `report`, out/report.csv with one row per face. A photo
    without a face gets no mask; a failing photo is reported and the rest go on."""
    files = list_images(images)
    check_out(out, {"--images": images})
    targets = output_paths(files, Path(images), Path(out))
    model, rec = load_for_inference(checkpoint)
    if recipe == "authors":
        rec = AUTHORS_RECIPE
    model = model.to(device)
    written = [t for m in targets.values() for t in (m, overlay_path(m))] + [Path(out) / "report.csv"]
    prepare(out, {"checkpoint": str(Path(checkpoint).resolve()), "recipe": rec, "aligned": aligned}, written)
    rows, failed, no_face, written, n_faces = [], [], [], 0, 0
    for path in tqdm(files, desc="predict", disable=not show_progress()):
        try:
            check_pixels(path)
            image = read_photo(path)
            if aligned:
                mask, faces = predict_aligned(model, rec, image, device)
                if not faces:
                    no_face.append(str(path))
                    continue
            else:
                mask, faces = predict_whole(model, rec, image, device), []
            target = targets[path]
            if overlays:       # the overlay first: a photo's mask exists only once all its outputs do
                try:
                    write_png(overlay_path(target), face_overlay(image, mask, faces))
                    write_png(target, mask * 255)
                except BaseException:
                    overlay_path(target).unlink(missing_ok=True)
                    raise
            else:
                write_png(target, mask * 255)
            written += 1
            n_faces += len(faces)
            if report:
                rel = str(path.relative_to(images))
                rows += face_report(faces, rel).to_dict("records")
        except Exception as err:  # noqa: BLE001 - one failing photo must not stop the folder
            failed.append(f"{path}: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}")
    if report:
        write_csv(Path(out) / "report.csv", pd.DataFrame(rows, columns=["image", "face", *REPORT_COLUMNS]))
    return {"images": len(files), "written": written, "faces": n_faces if aligned else None,
            "no_face": no_face, "failed": failed, "recipe": rec["source"]}


def overlay_path(mask: Path) -> Path:
    """Where a mask's overlay goes: <name>_overlay.png beside it."""
    return mask.with_name(mask.stem + "_overlay.png")


def face_overlay(image: np.ndarray, mask: np.ndarray, faces: list[Face]) -> np.ndarray:
    """The photo with the wrinkle mask in red and each face's region outlines."""
    out = overlay(image, mask)
    for f in faces:
        polys = [to_photo(q, f.matrix) for qs in region_polygons(f.pts).values() for q in qs]
        cv2.polylines(out, [np.round(q).astype(np.int32) for q in polys], True, (255, 255, 0),
                      max(1, round(max(image.shape[:2]) / 700)))
    return out


def face_panels(faces: list[Face]) -> list[list[np.ndarray]]:
    """Per face: the aligned crop, the texture channel the network saw, the wrinkles overlaid."""
    return [[f.crop, ((f.inputs[-1].numpy() + 1) * 127.5).astype(np.float32), overlay(f.crop, f.mask, (213, 94, 0))]
            for f in faces]


def face_report(faces: list[Face], image_name: str = "photo") -> pd.DataFrame:
    """The region report of a photo's faces, one row per face (as report.csv writes it)."""
    rows = [{"image": image_name, "face": k} | measure(f.mask, f.parsing, f.pts) for k, f in enumerate(faces)]
    return pd.DataFrame(rows,
                        columns=["image", "face", *REPORT_COLUMNS])


def region_table(report: pd.DataFrame, face: int = 0) -> pd.DataFrame:
    """One face of a region report for reading: a row per region with its share of skin
    marked as wrinkle, its number of wrinkles and their length."""
    row = report[report.face == face].iloc[0]
    return pd.DataFrame([{"region": r.replace("_", " "), "share of skin": round(float(row[f"{r}_share"]), 4),
                          "wrinkles": int(row[f"{r}_count"]), "length (px)": int(row[f"{r}_length_px"])}
                         for r in REGIONS])
