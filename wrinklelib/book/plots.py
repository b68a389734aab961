"""Figures of the book, each a function of data, saved as 160 dpi PNGs: a colour-blind-safe
palette (Okabe-Ito), labels readable at page width, colour bars on maps."""

from __future__ import annotations

import functools
from pathlib import Path

import matplotlib
import matplotlib.pyplot as plt
import numpy as np

from .draw import overlay

#: Okabe-Ito, safe for every common colour-vision deficiency.
PALETTE = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000"]
DPI = 160
STYLE = {"font.size": 10, "axes.titlesize": 10, "legend.fontsize": 9, "axes.grid": True, "grid.alpha": 0.3,
         "axes.prop_cycle": matplotlib.cycler(color=PALETTE)}


def styled(figure):
    """Draw a figure function's figure in the book's style (set for that figure only)."""
    @functools.wraps(figure)
    def draw(*args, **kwargs):
        with plt.rc_context(STYLE):
            return figure(*args, **kwargs)
    return draw


def below(ax, ncol: int = 2) -> None:
    """The legend under the axes (inside, it hid points and intervals)."""
    ax.legend(ncol=ncol, loc="upper center", bbox_to_anchor=(0.5, -0.12 - 0.6 / ax.figure.get_figheight()),
              frameon=False)


def below_panels(fig, ax, ncol: int) -> float:
    """One legend for a row of panels, centred under all of them (under the first panel it
    widened the figure and squeezed the panels); returns the share of the height it takes,
    for `save(..., bottom=)`."""
    fig.legend(*ax.get_legend_handles_labels(), ncol=ncol, loc="lower center", frameon=False)
    return 0.55 / fig.get_figheight()


class Shown:
    """A figure as a page shows it: the very file that was saved (a notebook cell ending with
    it displays it, whatever matplotlib's backend does with figures)."""

    def __init__(self, data: bytes, name: str, kind: str = "png"):
        self.data, self.name, self.kind = data, name, kind

    def _repr_png_(self) -> bytes | None:
        return self.data if self.kind == "png" else None

    def _repr_jpeg_(self) -> bytes | None:
        return self.data if self.kind == "jpeg" else None

    def __repr__(self) -> str:
        return f"<figure {self.name}>"


#: JPEG quality of figures made of photographs (faces, masks over them): a tenth of the
#: PNG's size, no visible loss at page width.
JPEG_QUALITY = 88


def save(fig, path: Path | None, photo: bool = False, bottom: float = 0.0) -> Shown:
    """Tight layout (above the `bottom` share of the height, kept for a figure legend), the
    file (written whole or not at all when a path is given: PNG for plots, JPEG beside it for
    figures of photographs), the figure closed; returns what to show."""
    import io

    from ..files import atomic_write

    fig.tight_layout(rect=(0, bottom, 1, 1))
    buffer = io.BytesIO()
    if photo:
        fig.savefig(buffer, format="jpeg", dpi=DPI, pil_kwargs={"quality": JPEG_QUALITY})
    else:
        fig.savefig(buffer, format="png", dpi=DPI)
    plt.close(fig)
    data = buffer.getvalue()
    if path is not None:
        path = Path(path).with_suffix(".jpg" if photo else ".png")
        atomic_write(path, lambda p: p.write_bytes(data))
    return Shown(data, Path(path).stem if path is not None else "figure", "jpeg" if photo else "png")


@styled
def grid(panels: list[list[np.ndarray]], titles: list[str], path: Path | None = None, cmaps=None,
         colorbars: dict | None = None, cell: float = 2.3, row_titles: list[str] | None = None):
    """Rows of images; columns share titles, colour maps and (for maps given in
    `colorbars`, column -> label) colour bars; rows may have titles at their left."""
    rows, cols = len(panels), len(titles)
    fig, axes = plt.subplots(rows, cols, figsize=(cell * cols, cell * rows + 0.3), squeeze=False)
    cmaps = cmaps or {}
    for r, row in enumerate(panels):
        for c, img in enumerate(row):
            ax = axes[r][c]
            im = ax.imshow(img, cmap=None if img.ndim == 3 else cmaps.get(c, "gray"), interpolation="antialiased")
            ax.set_xticks([])
            ax.set_yticks([])
            ax.grid(False)
            if r == 0:
                ax.set_title(titles[c])
            if c == 0 and row_titles:
                ax.set_ylabel(row_titles[r])
            if colorbars and c in colorbars and img.ndim == 2:
                fig.colorbar(im, ax=ax, fraction=0.046, pad=0.02, label=colorbars[c] if r == rows - 1 else None)
    return save(fig, path, photo=True)


def zoom(image: np.ndarray, keep: float = 0.6) -> np.ndarray:
    """The centre of an image (`keep` of each side), where a synthetic or FFHQ-aligned face
    lies: thin wrinkles stay visible at page width."""
    h, w = image.shape[:2]
    dy, dx = round(h * (1 - keep) / 2), round(w * (1 - keep) / 2)
    return image[dy:h - dy, dx:w - dx]


def scale_figure(seed: int, annotators, small: int, large: int, path: Path | None = None, index: int = 0):
    """One synthetic face drawn at `large` px and the same face shrunk to `small` px (area
    averaging; its true wrinkles kept wherever any of their pixels fell), both shown at the
    same scale with their true wrinkles and a zoom on the brow and the eyes."""
    import cv2

    from ..data.synthetic.face import make_face

    f = make_face(index, large, seed, annotators)
    shrunk = cv2.resize(f.image, (small, small), interpolation=cv2.INTER_AREA)
    truth = (cv2.resize(f.truth.astype(np.float32), (small, small), interpolation=cv2.INTER_AREA) > 0).astype(np.uint8)
    rows = []
    for image, mask in ((shrunk, truth), (f.image, f.truth)):
        big = [cv2.resize(a, (large, large), interpolation=cv2.INTER_NEAREST)
               for a in (image, overlay(image, mask, (213, 94, 0)))]
        rows.append([big[0], big[1], big[1][large // 4:large // 2, large // 4:3 * large // 4]])
    return grid(rows, ["face", "true wrinkles", "zoom"], path, cell=3.2,
                row_titles=[f"shrunk to {small} px", f"{large} px"])


def sample_panels(samples) -> list[list[np.ndarray]]:
    """Per face: the image, its true wrinkles (blank without truth), the voted mask and the
    face-parsing map."""
    return [[s.image, overlay(s.image, s.truth if s.truth is not None else s.mask * 0, (213, 94, 0)),
             overlay(s.image, s.mask, (0, 114, 178)), s.parsing if s.parsing is not None else s.mask]
            for s in samples]


def texture_panels(samples) -> tuple[list[list[np.ndarray]], list[str]]:
    """Figure 1(a) per face: image, texture map, face parsing, texture mask, and the true
    wrinkles (or, without truth, the voted mask); with the column titles."""
    from ..labels.texture import texture_map, texture_mask

    truth = all(s.truth is not None for s in samples)
    panels = [[s.image, texture_map(s.image), s.parsing, texture_mask(s.image, s.parsing),
               overlay(s.image, s.truth if truth else s.mask, (213, 94, 0))] for s in samples]
    return panels, ["face", "texture map T", "face parsing", "texture mask", "true wrinkles" if truth else "voted mask"]


def photo_panels(photo: np.ndarray, parsing: np.ndarray) -> list[np.ndarray]:
    """Figure 1(a) on a photograph at the paper's filter (21x21, sigma 5)."""
    from ..labels.texture import texture_map, texture_mask

    return [photo, texture_map(photo, 21, 5.0), parsing, texture_mask(photo, parsing, ksize=21, sigma=5.0)]


@styled
def realism_figure(faces, photo: np.ndarray, parsing: np.ndarray, path: Path | None = None):
    """Synthetic faces of different ages, poses and light (face, texture map, true mask)
    beside the photograph and its texture map, all at the same size."""
    import cv2

    from ..labels.texture import texture_map

    side = photo.shape[0]
    panels = []
    for f in faces:
        img = cv2.resize(f.image, (side, side), interpolation=cv2.INTER_AREA)
        truth = cv2.resize(f.truth, (side, side), interpolation=cv2.INTER_NEAREST)
        panels.append([img, np.clip(texture_map(img, 21, 5.0), 0, 60), overlay(img, truth, (213, 94, 0))])
    panels.append([photo, np.clip(texture_map(photo, 21, 5.0), 0, 60), overlay(photo, parsing * 0, (0, 0, 0))])
    titles = ["face (last row: a photograph)", "texture map T (0 to 60)", "true wrinkles (none known for the photo)"]
    return grid(panels, titles, path, cmaps={1: "magma"}, colorbars={1: "T"})


def curve(ax, x, y, label: str, low=None, high=None, **kw):
    """One line with an optional shaded band."""
    line = ax.plot(x, y, marker="o", ms=4, label=label, **kw)[0]
    if low is not None:
        ax.fill_between(x, low, high, color=line.get_color(), alpha=0.2, lw=0)
    return line


@styled
def pretraining_curve(history, path: Path | None = None):
    """Validation loss of each pretraining run against updates (and its training loss)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for k, (seed, h) in enumerate(history.groupby("seed") if "seed" in history else [(0, history)]):
        line = curve(ax, h.step, h.val_mse, f"validation, seed {seed}")
        ax.plot(h.step, h.train_loss, ls="--", color=line.get_color(), label=f"training, seed {seed}" if k == 0
                else None, alpha=0.7)
    ax.set_xlabel("update")
    ax.set_ylabel("MSE (target scaled to unit SD)")
    below(ax)
    return save(fig, path)


def budget_axis(ax, budgets: list[int], chosen: int, fraction) -> None:
    """A pilot panel's x axis: the budgets on a log scale, the one chosen dotted."""
    ax.axvline(chosen, color="0.3", ls=":", label="budget")
    ax.set_xscale("log")
    ax.set_xticks(budgets, [str(b) for b in budgets])
    ax.minorticks_off()
    ax.set_title(f"{fraction}% of the labels")
    ax.set_xlabel("updates (cosine to zero)")


@styled
def pilot_curve(means, chosen: dict, path: Path | None = None):
    """Mean validation JSI over the pilot's seeds at the end of each pilot budget (95% t
    interval shaded), per fraction and arm, and the budget each fraction was given."""
    fractions = list(dict.fromkeys(means.fraction))
    fig, axes = plt.subplots(1, len(fractions), figsize=(3.1 * len(fractions), 3.6), squeeze=False, sharey=True)
    for ax, f in zip(axes[0], fractions):
        for arm, part in means[means.fraction == f].groupby("method", sort=False):
            part = part.sort_values("updates")
            curve(ax, part.updates, part.val_jsi, arm, part.t_low, part.t_high)
        budget_axis(ax, sorted(set(means.updates)), chosen[f], f)
    axes[0][0].set_ylim(0, 1)                      # a JSI's range: wider intervals (few seeds) end at the frame
    axes[0][0].set_ylabel("validation JSI at the end")
    return save(fig, path, bottom=below_panels(fig, axes[0][0], ncol=4))


@styled
def effect_budget_figure(effects, chosen: dict, path: Path | None = None):
    """Each effect of the pilot against the budget, per fraction, with its 95% t interval
    over the pilot's seeds (clipped by the frame where wider); the budget each fraction was
    given dotted."""
    fractions = list(dict.fromkeys(effects.fraction))
    fig, axes = plt.subplots(1, len(fractions), figsize=(3.1 * len(fractions), 3.6), squeeze=False, sharey=True)
    for ax, f in zip(axes[0], fractions):
        for name, part in effects[effects.fraction == f].groupby("comparison", sort=False):
            part = part.sort_values("updates")
            curve(ax, part.updates, part.difference, name, part.t_low, part.t_high)
        ax.axhline(0, color="0.5", lw=0.8)
        budget_axis(ax, sorted(set(effects.updates)), chosen[f], f)
    # The frame fits the effects, not intervals that few seeds make wider than a JSI's range.
    axes[0][0].set_ylim(min(0.0, effects.difference.min()) - 0.1, max(0.0, effects.difference.max()) + 0.1)
    axes[0][0].set_ylabel("difference in validation JSI")
    return save(fig, path, bottom=below_panels(fig, axes[0][0], ncol=3))


@styled
def fraction_curve(t, path: Path | None = None):
    """JSI against the share of training labels: ours per method with its 95% interval, and
    the paper's points (hollow markers) where it reports them."""
    fig, ax = plt.subplots(figsize=(6.5, 3.6))
    for k, (method, part) in enumerate(t.groupby("method", sort=False)):
        x = part.fraction_pct.astype(float).to_numpy()
        color = PALETTE[k % len(PALETTE)]
        ax.errorbar(x, part["mean"], yerr=[part["mean"] - part.t_low, part.t_high - part["mean"]], marker="o",
                    capsize=3, color=color, label=f"{method} (this run)")
        if part.paper.notna().any():
            ax.plot(x, part.paper, marker="s", mfc="none", ls=":", color=color, label=f"{method} (paper)")
    ax.set_xscale("log")
    ax.set_xticks([5, 25, 50, 100], ["5%", "25%", "50%", "100%"])
    ax.set_xlabel("share of the training labels")
    ax.set_ylabel("test JSI (vs the vote)")
    below(ax)
    return save(fig, path)


@styled
def effects_figure(claims, path: Path | None = None):
    """Every comparison's effect with its 95% t interval (dots) beside the paper's (crosses)."""
    labels = [f"{c} ({f}%)" for c, f in zip(claims.comparison, claims.fraction_pct)]
    y = np.arange(len(claims))[::-1]
    fig, ax = plt.subplots(figsize=(7.2, 0.36 * len(claims) + 1.2))
    ax.errorbar(claims.difference, y, xerr=[claims.difference - claims.t_low, claims.t_high - claims.difference],
                fmt="o", color=PALETTE[0], capsize=3, label="this run, 95% t interval")
    ax.plot(claims.paper_effect, y, "x", color=PALETTE[5], ms=8, label="paper")
    ax.axvline(0, color="0.4", lw=1)
    ax.set_yticks(y, labels)
    ax.set_xlabel("difference in JSI")
    below(ax)
    return save(fig, path)


@styled
def validation_curves(frame, path: Path | None = None, label: str = "arm"):
    """Validation JSI against updates, one line per cell (mean over seeds)."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    for name, part in frame.groupby(label, sort=False):
        mean = part.groupby("step").val_jsi.mean()
        curve(ax, mean.index, mean.to_numpy(), str(name))
    ax.set_xlabel("update")
    ax.set_ylabel("validation JSI")
    ax.legend(ncol=2)
    return save(fig, path)


@styled
def threshold_figure(study, model_jsi: float | None, path: Path | None = None, baseline: float | None = None):
    """Jaccard of the thresholded texture mask against the truth, per threshold, with a
    finetuned model's JSI against the same truth and the Jaccard of marking the whole face."""
    fig, ax = plt.subplots(figsize=(6.5, 3.4))
    curve(ax, study.threshold, study.jaccard, "thresholded texture mask")
    curve(ax, study.threshold, study.precision, "its precision", ls="--")
    if model_jsi is not None:
        ax.axhline(model_jsi, color=PALETTE[2], label="finetuned model (Ours, 100%)")
    if baseline is not None:
        ax.axhline(baseline, color="0.4", ls=":", label="every face pixel marked")
    ax.set_xlabel("threshold on T")
    ax.set_ylabel("against the true wrinkles")
    below(ax)
    return save(fig, path)


@styled
def targets_figure(t3, path: Path | None = None):
    """Table 3 as a figure: JSI against the truth per training target, with intervals."""
    fractions = list(dict.fromkeys(t3.fraction_pct))
    names = list(dict.fromkeys(t3.target_name))
    y = np.arange(len(names))[::-1]
    fig, ax = plt.subplots(figsize=(7.2, 0.34 * len(names) + 1.3))
    for k, f in enumerate(fractions):
        part = t3[t3.fraction_pct == f].set_index("target_name").reindex(names)
        ax.errorbar(part.jsi_truth, y + 0.15 * (k - 0.5), fmt="o", capsize=3, color=PALETTE[k],
                    xerr=[part.jsi_truth - part.t_low, part.t_high - part.jsi_truth], label=f"{f}% of the labels")
    ax.set_yticks(y, names)
    ax.set_xlabel("test JSI against the true wrinkles")
    below(ax)
    return save(fig, path)


def figure3_panels(run, ids: list[str], arms: list[str], fraction: float, seed: int) -> list[list[np.ndarray]]:
    """Figure 3: per test face (its centre) the image, the truth (orange) and the vote
    (blue) over it, and each arm's prediction (orange) over the face."""
    from ..data.sample import load_sample
    from ..evaluation.experiments import predictions

    faces = [load_sample(run.root, i, run.settings.size) for i in ids]
    preds = {a: predictions(run, ids, a, fraction, seed) for a in arms}
    rows = []
    for k, f in enumerate(faces):
        labels = overlay(f.image, f.mask, (0, 114, 178))
        if f.truth is not None:
            labels = overlay(labels, f.truth, (213, 94, 0))
        rows.append([zoom(x) for x in [f.image, labels] + [overlay(f.image, preds[a][k], (213, 94, 0)) for a in arms]])
    return rows
