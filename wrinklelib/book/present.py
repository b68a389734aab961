"""Tables as a reader sees them: HTML with readable headers, numbers right-aligned to three
decimals, intervals in one cell that never wraps, the paper's values at full precision
beside ours, and a frame that scrolls sideways on a phone. One function per table."""

from __future__ import annotations

import html as _html
import math
import re
from collections.abc import Callable

import numpy as np
import pandas as pd

from ..config.settings import ARMS, METHOD_NAMES
from ..evaluation.wording import interval, number, signed
from ..labels.targets import PAPER_TARGET, REFERENCE

__all__ = ["interval", "number", "signed"]

CLASS = "wrinkle-table"


_WITH_INTERVAL = re.compile(r"^(\S+) (\[[^\]]+\])$")


def column_format(values: pd.Series) -> Callable[[float], str]:
    """One format for a column of numbers, so that its values line up: whole numbers from
    100 up, one decimal from 10, three significant digits below."""
    numbers = pd.to_numeric(values, errors="coerce").abs()
    top = numbers.max() if numbers.notna().any() else 0
    if top >= 100:
        return lambda v: f"{v:,.0f}"
    if top >= 10:
        return lambda v: f"{v:.1f}"
    return lambda v: f"{v:.3g}"


def plain_number(v: float) -> str:
    """A float outside a column of floats: three significant digits (whole numbers from 1000
    on); more than any statistic of this book supports is noise."""
    return f"{v:.0f}" if abs(v) >= 1000 else f"{v:.3g}"


def cell_text(value, form: Callable[[float], str] | None = None) -> str:
    """A table cell's text: a float in its column's format (`column_format`) or else
    `plain_number`, NaN blank, anything else as it prints."""
    if isinstance(value, (float, np.floating)):
        return "" if math.isnan(value) else (form or plain_number)(float(value))
    return str(value)


def float_formats(frame: pd.DataFrame) -> dict[str, Callable[[float], str]]:
    """`column_format` of each float column of a table."""
    return {c: column_format(frame[c]) for c in frame.columns if pd.api.types.is_float_dtype(frame[c])}


def share_label(fraction_pct) -> str:
    """A share of the labels as a table shows it: "5%", or "5% vs 100%" for a contrast."""
    return f"{fraction_pct}%".replace(" vs ", "% vs ").replace("%%", "%")


def _cell(value, numeric: bool, form: Callable[[float], str] | None = None) -> str:
    """One table cell; a number with its interval ("0.49 [0.47, 0.51]") puts the interval
    on a line of its own, so that tables of intervals fit a page and a phone."""
    text = _html.escape(cell_text(value, form))
    if not numeric:
        return f'<td class="txt">{text}</td>'
    split = _WITH_INTERVAL.match(text)
    if split:
        text = f'{split[1]}<br><span class="ci">{split[2]}</span>'
    return f'<td class="num">{text}</td>'


def to_html(frame: pd.DataFrame, caption: str = "", numeric: tuple[str, ...] = ()) -> str:
    """An HTML table (no pandas border attribute) inside a frame that scrolls sideways;
    `numeric` columns are right-aligned."""
    heads = "".join(f"<th>{_html.escape(str(c))}</th>" for c in frame.columns)
    forms, rows = float_formats(frame), []
    for values in frame.itertuples(index=False):
        cells = "".join(_cell(v, c in numeric, forms.get(c)) for c, v in zip(frame.columns, values))
        rows.append(f"<tr>{cells}</tr>")
    cap = f"<caption>{_html.escape(caption)}</caption>" if caption else ""
    return (f'<div class="table-scroll"><table class="{CLASS}">{cap}<thead><tr>{heads}</tr></thead>'
            f'<tbody>{"".join(rows)}</tbody></table></div>')


class Table:
    """A table for a notebook: shown as HTML, glued as HTML, with a stable plain-text form."""

    def __init__(self, html: str):
        self.html = html

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return "<table>"


def fraction_header(fraction_pct: str, n_train: int) -> str:
    return f"{fraction_pct}% ({n_train})"


def paper_layout(t: pd.DataFrame, caption: str = "") -> Table:
    """Table 1 or 2: one row per share of the labels and method, ours with its 95% t
    interval over seeds beside the paper's value (4 decimals, as it prints them)."""
    shown = pd.DataFrame({
        "labels": [fraction_header(f, n) for f, n in zip(t.fraction_pct, t.n_train)], "Method": t.method,
        "this run [95% CI]": [interval(m, lo, hi) for m, lo, hi in zip(t["mean"], t.t_low, t.t_high)],
        "paper": t.paper.map(lambda v: number(v, 4)), "seeds": t.seeds})
    order = shown.labels.map({h: k for k, h in enumerate(dict.fromkeys(shown.labels))})
    shown = shown.assign(_o=order).sort_values("_o", kind="stable").drop(columns="_o")
    return Table(to_html(shown, caption, ("this run [95% CI]", "paper", "seeds")))


def table3_layout(t3: pd.DataFrame, caption: str = "") -> Table:
    """Table 3: per training target and fraction, JSI against the truth with its interval,
    JSI against the vote, clDice and skeleton precision and recall against the truth."""
    shown = pd.DataFrame({
        "Training target": t3.target_name,
        "labels": [fraction_header(f, n) for f, n in zip(t3.fraction_pct, t3.n_train)],
        "JSI vs truth [95% CI]": [interval(m, lo, hi) for m, lo, hi in zip(t3.jsi_truth, t3.t_low, t3.t_high)],
        "JSI vs vote": t3.jsi_vote.map(number), "clDice vs truth": t3.cldice.map(number),
        "skeleton precision": t3.skeleton_precision.map(number), "skeleton recall": t3.skeleton_recall.map(number),
        "seeds": t3.seeds})
    return Table(to_html(shown, caption, tuple(shown.columns[2:])))


def claims_layout(claims: pd.DataFrame, caption: str = "") -> Table:
    """claims.csv for reading: each comparison, the paper's effect, ours with its interval,
    the Holm-adjusted p value within its family, and the verdict (with the effect the seeds
    could have detected when inconclusive)."""
    shown = pd.DataFrame({
        "Family": claims.get("family", pd.Series("", index=claims.index)), "Comparison": claims.comparison,
        "labels": [share_label(f) for f in claims.fraction_pct],
        "paper": claims.paper_effect.map(signed),
        "this run [95% CI]": [interval(d, lo, hi, sign=True) for d, lo, hi in zip(claims.difference, claims.t_low,
                                                                                  claims.t_high)],
        "Holm p": claims.p_holm.map(lambda p: f"{p:.2g}"), "verdict": claims.verdict})
    return Table(to_html(shown, caption, ("paper", "this run [95% CI]", "Holm p")))


def findings_layout(claims: pd.DataFrame) -> Table:
    """The landing page's findings: every comparison of Tables 1 and 2, its effect in this
    run with its interval, the paper's, and the verdict."""
    main = claims[claims.get("family", pd.Series("", index=claims.index)).isin(["Table 1", "Table 2"])]
    return claims_layout(main if len(main) else claims)


def cell_name(arm: str, target: str = PAPER_TARGET) -> str:
    """A cell of Tables 1 to 3 as a reader names it: the arm, and the target when not the vote."""
    from ..evaluation.tables import target_name

    return f"{METHOD_NAMES.get(arm, arm)}{'' if target == PAPER_TARGET else ' (' + target_name(target) + ')'}"


def convergence_sentence(conv: pd.DataFrame) -> str:
    """How many cells converged, under which threshold, and which did not."""
    ok = conv.converged.astype(bool)
    changes, low, high = change_cells(conv), _bound(conv, "change_t_low"), _bound(conv, "change_t_high")
    bad = ", ".join(f"{cell_name(r.arm, r.target)} at {r.fraction_pct}% "
                    f"(change {changes[i]}{_covers_zero(low[i], high[i])})" for i, r in conv[~ok].iterrows())
    thresholds = ", ".join(f"{v:g}" for v in dict.fromkeys(conv.threshold))
    return (f"{int(ok.sum())} of {len(conv)} cells converged (threshold {thresholds})"
            + (f"; not converged: {bad}." if bad else "."))


def _bound(conv: pd.DataFrame, column: str) -> pd.Series:
    """A bound of the change's t interval (nan where a table from an older run lacks it)."""
    return conv[column] if column in conv else pd.Series(np.nan, index=conv.index)


def _covers_zero(low: float, high: float) -> str:
    """Words for a failing cell whose interval of the change also holds no change at all."""
    return "; its seeds cannot tell that from no change" if np.isfinite(low) and low <= 0 <= high else ""


def change_cells(conv: pd.DataFrame) -> pd.Series:
    """Each cell's mean last-quarter change with its t interval over seeds, for reading."""
    return pd.Series([interval(c, lo, hi, sign=True) for c, lo, hi in
                      zip(conv.last_quarter_change, _bound(conv, "change_t_low"), _bound(conv, "change_t_high"))],
                     index=conv.index)


def drift_sentence(drift: pd.DataFrame, conv: pd.DataFrame, reference: str = REFERENCE) -> str:
    """How each cell that failed the convergence rule was still moving over the last quarter
    of its updates: its validation JSI, precision and recall changes (drift from
    convergence.last_quarter_changes); empty when no cell of `drift` failed."""
    from ..data.splits import fraction_key

    failed = {(a, t, str(f)) for a, t, f in conv.loc[~conv.converged.astype(bool), ["arm", "target", "fraction_pct"]]
              .itertuples(index=False)}
    moving = [r for r in drift.itertuples() if (r.arm, r.target, fraction_key(float(r.fraction))) in failed]
    if not moving:
        return ""
    parts = [f"{cell_name(r.arm, r.target)} at {fraction_key(float(r.fraction))}%: JSI {signed(r.val_jsi_change)}, "
             f"precision {signed(r.val_precision_change)}, recall {signed(r.val_recall_change)}" for r in moving]
    return (f"Over the last quarter of their updates, mean over seeds, against the {reference}: "
            + "; ".join(parts) + ".")


#: The header of the convergence tables' change column.
CHANGE = "change over the last quarter [95% CI]"


def convergence_layout(conv: pd.DataFrame) -> Table:
    """convergence.csv for reading, one row per cell."""
    shown = pd.DataFrame({
        "Cell": [cell_name(a, t) for a, t in zip(conv.arm, conv.target)],
        "labels": [f"{f}%" for f in conv.fraction_pct], "seeds": conv.seeds, "updates": conv.updates,
        "watched against": conv.validated_against.map(lambda v: " / ".join(f"the {r}" for r in v.split("/"))),
        CHANGE: change_cells(conv),
        "converged": [("yes" if ok else "NO") + f" (threshold {t:g})"
                      for ok, t in zip(conv.converged, conv.threshold)]})
    return Table(to_html(shown, "", ("seeds", "updates", CHANGE)))


def budget_check_layout(check: pd.DataFrame) -> Table:
    """convergence.budget_check for reading: each cell that failed the rule at its own budget,
    at a longer one, and watched against its own target, same seeds."""
    shown = pd.DataFrame({
        "Cell": [cell_name(a, t) for a, t in zip(check.arm, check.target)],
        "labels": [f"{f}%" for f in check.fraction_pct], "updates": check.updates, "seeds": check.seeds,
        "watched against": [reference_name(r, t) for r, t in zip(check.validated_against, check.target)],
        CHANGE: change_cells(check),
        "converged": check.converged.map({True: "yes", False: "NO"}),
        "test JSI vs truth": check.jsi_truth.map(lambda v: f"{v:.3f}")})
    return Table(to_html(shown, "", ("updates", "seeds", CHANGE, "test JSI vs truth")))


def reference_name(reference: str, target: str) -> str:
    """A validation reference as a reader names it: the truth, or the cell's own target."""
    from ..evaluation.tables import target_name

    if reference == REFERENCE:
        return "the truth"
    return f"its own target ({target_name(reference)})" if reference == target else target_name(reference)


def budget_check_sentence(check: pd.DataFrame) -> str:
    """What a longer budget, and watching against the cell's own target, said of each cell
    that failed the rule, in words."""
    parts = []
    for (arm, target, fraction), cell in check.groupby(["arm", "target", "fraction_pct"], sort=False):
        own = cell.iloc[0]               # the cell as the table judged it: its budget, its reference
        said = []
        for r in cell.iloc[1:].itertuples():
            moved = f"last-quarter change {signed(r.last_quarter_change)} against {signed(own.last_quarter_change)}"
            if r.validated_against == own.validated_against:
                verdict = "settled it" if r.converged else "did not settle it"
                said.append(f"{r.updates} updates instead of {own.updates} {verdict} ({moved}; test JSI against "
                            f"the truth {r.jsi_truth:.3f} against {own.jsi_truth:.3f}, {r.seeds} seeds)")
            else:
                verdict = "converged" if r.converged else "did not converge either"
                same = r.updates == own.updates and abs(r.jsi_truth - own.jsi_truth) < 1e-9
                scored = ("the same test JSI against the truth: validation only watches" if same
                          else f"test JSI against the truth {r.jsi_truth:.3f} against {own.jsi_truth:.3f}")
                said.append(f"watched against {reference_name(r.validated_against, target)} instead of "
                            f"{reference_name(own.validated_against, target)}, the same runs {verdict} ({moved}; "
                            f"{scored})")
        if said:
            parts.append(f"{cell_name(arm, target)} at {fraction}%: " + "; ".join(said))
    return "Same seeds: " + "; ".join(parts) + "." if parts else ""


def scale_table(settings, n_test: int, updates_per_run: dict) -> Table:
    """Our scale against the paper's: faces, resolution, width, parameters, updates, seeds."""
    from ..model.networks import parameters

    s = settings
    ours_params = parameters("unet", in_channels=ARMS["ours"]["in_channels"], out_channels=2, width=s.width)
    patch = getattr(s, "patch", s.size)
    rows = [("pretraining faces", "25,000", f"{s.n_pretrain:,}"),
            ("finetuning faces (train / validation / test)", "400 / 50 / 50", f"{s.n_train} / {s.n_val} / {n_test}"),
            ("face size", "1024 px", f"{s.size} px"),
            ("trained on", "whole faces", "whole faces" if patch >= s.size else f"{patch} px patches, scored whole"),
            ("U-Net width", "64", str(s.width)),
            ("parameters (Ours)", "17,263,618", f"{ours_params:,}"),
            ("finetuning updates at 100% / 5%", "15,000 / 750 (150 epochs, batch 4 assumed)",
             f"{updates_per_run.get('100', '')} / {updates_per_run.get('5', '')}"),
            ("seeds per Table 1 cell", "1 (not stated)", str(len(s.seeds))),
            ("data", "FFHQ photographs", "synthetic faces rendered from relief and light")]
    frame = pd.DataFrame(rows, columns=["", "paper", "this run"])
    return Table(to_html(frame, "", ()))
