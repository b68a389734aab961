"""Figures of the book, each a function of data; saved as PNG under the generated folder."""

from __future__ import annotations

from pathlib import Path

import matplotlib.pyplot as plt
import numpy as np

from ..config.settings import METHOD_NAMES
from .draw import overlay



def finish(fig, ax, path: Path | None = None, ncol: int = 1):
    """Legend, tight layout, and the PNG saved when a path is given."""
    ax.legend(fontsize=7, ncol=ncol)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig

def grid(panels: list[list[np.ndarray]], titles: list[str], path: Path | None = None,
         cmap: str = "gray", cell: float = 2.2):
    """A figure of image rows; columns share the given titles. Saved to path when given."""
    rows, cols = len(panels), len(titles)
    fig, axes = plt.subplots(rows, cols, figsize=(cell * cols, cell * rows), squeeze=False)
    for r, row in enumerate(panels):
        for c, img in enumerate(row):
            ax = axes[r][c]
            ax.imshow(img, cmap=None if img.ndim == 3 else cmap, interpolation="nearest")
            ax.set_xticks([])
            ax.set_yticks([])
            if r == 0:
                ax.set_title(titles[c], fontsize=9)
    fig.tight_layout()
    if path is not None:
        fig.savefig(path, dpi=110)
    return fig


def curves(frame, x: str, ys: list[str], by: str | None = None, path: Path | None = None,
           ylabel: str = "", logy: bool = False):
    """Line plot of columns ys against x, one line per group of `by`."""
    fig, ax = plt.subplots(figsize=(6, 3.2))
    groups = frame.groupby(by) if by else [("", frame)]
    for name, part in groups:
        for y in ys:
            ax.plot(part[x], part[y], marker=".", label=f"{name} {y}".strip())
    ax.set_xlabel(x)
    ax.set_ylabel(ylabel)
    if logy:
        ax.set_yscale("log")
    return finish(fig, ax, path)


def texture_panels(samples) -> tuple[list[list[np.ndarray]], list[str]]:
    """Figure 1(a) per face: image, texture map and mask (x4 for contrast), face parsing,
    and the true wrinkles (or, without truth, the voted mask); with the column titles."""
    from ..labels.texture import texture_map, texture_mask

    truth = all(s.truth is not None for s in samples)
    panels = [[s.image, np.clip(texture_map(s.image) * 4, 0, 255), s.parsing,
               np.clip(texture_mask(s.image, s.parsing) * 4, 0, 255),
               overlay(s.image, s.truth if truth else s.mask)] for s in samples]
    return panels, ["face", "texture map (x4)", "face parsing", "texture mask (x4)",
                    "true wrinkles" if truth else "voted mask"]


def photo_panels(photo: np.ndarray) -> tuple[list[np.ndarray], str]:
    """Figure 1(a) on a real photograph at the paper's filter (21x21, sigma 5): photo,
    texture map, landmark face parsing and texture mask; and a line on the skin found."""
    from ..data.parsing import landmarks_parsing
    from ..labels.texture import face_mask, filter_params, texture_map, texture_mask

    labels = landmarks_parsing(photo)
    tmask = texture_mask(photo, labels, ksize=21, sigma=5.0)
    skin = face_mask(labels)
    note = f"face-skin pixels: {skin.mean():.3f} of the photo; texture inside the face: mean {tmask[skin].mean():.2f}"
    return [photo, np.clip(texture_map(photo, *filter_params(1024)) * 4, 0, 255), labels,
            np.clip(tmask * 4, 0, 255)], note


def sample_panels(samples) -> list[list[np.ndarray]]:
    """Per face: the image, its true wrinkles (red; blank without truth), the voted mask
    (green) and the face-parsing map (the mask when there is none)."""
    return [[s.image, overlay(s.image, s.truth if s.truth is not None else s.mask * 0),
             overlay(s.image, s.mask, color=(0, 255, 0)), s.parsing if s.parsing is not None else s.mask]
            for s in samples]


def fraction_curve(t, path: Path | None = None):
    """JSI against the share of training labels: ours per method with its 95% interval, and
    the paper's points (hollow markers) where it reports them."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for k, (method, part) in enumerate(t.groupby("method", sort=False)):
        x = part.fraction_pct.astype(float).to_numpy()
        color = f"C{k}"
        ax.errorbar(x, part["mean"], yerr=[part["mean"] - part.ci_low, part.ci_high - part["mean"]],
                    marker="o", capsize=3, color=color, label=f"{method} (this run)")
        if part.paper.notna().any():
            ax.plot(x, part.paper, marker="s", mfc="none", ls=":", color=color, label=f"{method} (paper)")
    ax.set_xscale("log")
    ax.set_xticks([5, 25, 50, 100], ["5%", "25%", "50%", "100%"])
    ax.set_xlabel("share of the training labels")
    ax.set_ylabel("test JSI")
    return finish(fig, ax, path, ncol=2)


def validation_curves(frame, path: Path | None = None):
    """Validation JSI against epoch, one line per arm (mean over seeds)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.2))
    for arm, part in frame.groupby("arm", sort=False):
        mean = part.groupby("epoch").val_jsi.mean()
        ax.plot(mean.index, mean.to_numpy(), marker=".", label=METHOD_NAMES.get(arm, arm))
    ax.set_xlabel("finetuning epoch")
    ax.set_ylabel("validation JSI")
    return finish(fig, ax, path)


def figure3_panels(run, ids: list[str], arms: list[str], fraction: float, seed: int) -> list[list[np.ndarray]]:
    """Figure 3: per test face the image, the voted mask (green) and each arm's prediction (red)."""
    from ..data.sample import load_sample
    from ..training.finetuning import predictions

    faces = [load_sample(run.root, i, run.settings.size) for i in ids]
    preds = {a: predictions(run, ids, a, fraction, seed) for a in arms}
    return [[f.image, overlay(f.image, f.mask, (0, 255, 0))] + [overlay(f.image, preds[a][k]) for a in arms]
            for k, f in enumerate(faces)]
