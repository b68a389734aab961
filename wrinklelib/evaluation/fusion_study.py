"""Which training target made from the annotators serves best (Table 3): each target
against the vote, paired by seed and scored against the truth, and the winner in words."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..labels.targets import PAPER_TARGET, REFERENCE
from .statistics import LEVEL
from .tables import target_name
from .wording import interval, number

#: Columns of the paired comparison (written even when no target has two seeds).
PAIRED_COLUMNS = ["target", "target_name", "fraction_pct", "difference", "t_low", "t_high", "p", "p_holm",
                  "seeds", "detectable"]


def against_vote(results: pd.DataFrame, targets) -> pd.DataFrame:
    """Per target other than the vote and per fraction: the paired difference target - vote
    in JSI against the truth, with its t interval, p value, and the Holm-adjusted p and
    detectable effect of the Table 3 family of claims.csv (the same numbers there and here;
    no row with fewer than two seeds in common)."""
    from .claims import adjust, table3_rows

    family = adjust(table3_rows(results, targets))
    flip = family.claim.str.startswith("Majority voting").to_numpy()      # written there as vote - annotator
    sign = np.where(flip, -1.0, 1.0)
    low, high = family.t_low.to_numpy(float), family.t_high.to_numpy(float)
    paired = pd.DataFrame({"target": family.target, "target_name": [target_name(t) for t in family.target],
                           "fraction_pct": family.fraction_pct, "difference": sign * family.difference.to_numpy(float),
                           "t_low": np.where(flip, -high, low), "t_high": np.where(flip, -low, high),
                           "p": family.p, "p_holm": family.p_holm, "seeds": family.seeds,
                           "detectable": family.detectable})
    return paired.reindex(columns=PAIRED_COLUMNS)


def layout(paired: pd.DataFrame) -> pd.DataFrame:
    """The paired differences for reading."""
    return pd.DataFrame({"Target minus the vote": paired.target_name, "labels": [f"{f}%" for f in paired.fraction_pct],
                         "difference [95% CI]": [interval(d, lo, hi, sign=True) for d, lo, hi in
                                                 zip(paired.difference, paired.t_low, paired.t_high)],
                         "p": paired.p.map(lambda p: f"{p:.3g}"), "Holm p": paired.p_holm.map(lambda p: f"{p:.3g}"),
                         "detectable": paired.detectable.map(number), "seeds": paired.seeds})


def winner_sentence(t3: pd.DataFrame, paired: pd.DataFrame, alpha: float = 1 - LEVEL) -> str:
    """Per fraction, the target (the truth aside) that scored highest against the truth, and
    its difference from the vote."""
    parts = []
    for fraction, part in t3[t3.target != REFERENCE].groupby("fraction_pct", sort=False):
        best = part.loc[part.jsi_truth.idxmax()]
        line = (f"at {fraction}% of the labels, of the targets made from the annotators, "
                f"{_mid_sentence(best.target_name)} scored highest against the truth, "
                f"{interval(best.jsi_truth, best.t_low, best.t_high)}")
        if best.target != PAPER_TARGET and not paired.empty:
            d = paired[(paired.target == best.target) & (paired.fraction_pct.astype(str) == str(fraction))]
            if len(d):
                r = d.iloc[0]
                line += (f", {interval(r.difference, r.t_low, r.t_high, sign=True)} over the vote "
                         f"({'significant' if r.p_holm < alpha else 'not significant'} after Holm's correction "
                         f"within Table 3's family, p = {r.p_holm:.2g})")
        parts.append(line)
    return _sentence_case("; ".join(parts) + ".") if parts else "No target was trained."


def above_truth_sentence(runs: pd.DataFrame) -> str:
    """Per fraction where some target scored above the truth itself (mean JSI against the
    truth over seeds), the best of them and how the two models mark: precision and recall
    against the truth, which show whether the truth-trained model marked less."""
    means = runs.groupby(["fraction", "target"], sort=False)[["jsi_truth", "precision_truth", "recall_truth"]].mean()
    parts, marked_less = [], []
    for fraction in dict.fromkeys(runs.fraction):
        cell = means.loc[fraction]
        if REFERENCE not in cell.index:
            continue
        truth = cell.loc[REFERENCE]
        above = cell[cell.jsi_truth > truth.jsi_truth].drop(index=REFERENCE, errors="ignore")
        if above.empty:
            continue
        best_target = above.jsi_truth.idxmax()
        best = above.loc[best_target]
        others = f" and {len(above) - 1} other target{'s' if len(above) > 2 else ''}" if len(above) > 1 else ""
        marked_less.append(truth.recall_truth < best.recall_truth)
        parts.append(f"at {fraction}% of the labels, {_mid_sentence(target_name(best_target))} ({best.jsi_truth:.3f})"
                     f"{others} scored above the model trained on the truth itself ({truth.jsi_truth:.3f}), "
                     f"which marked {'less' if marked_less[-1] else 'more'}: precision "
                     f"{truth.precision_truth:.2f} and recall {truth.recall_truth:.2f} against the truth, where "
                     f"{best.precision_truth:.2f} and {best.recall_truth:.2f}")
    if not parts:
        return ""
    # The threshold explains the gap only where the truth-trained model is the one that marked less.
    why = (" Every model is scored where its wrinkle probability passes 0.5; a target that marks more moves "
           "that point towards recall, so at one fixed threshold the truth is no upper bound.")
    why = why if all(marked_less) else ""
    return _sentence_case("; ".join(parts)) + "." + why


def _mid_sentence(name: str) -> str:
    """A target's name inside a sentence: 'Union' becomes 'union', 'STAPLE' stays."""
    return name[:1].lower() + name[1:] if name[1:2].islower() else name


def _sentence_case(text: str) -> str:
    """The first letter upper case, the rest as written."""
    return text[:1].upper() + text[1:]


def same_test_scores(watched: pd.DataFrame, reference: pd.DataFrame) -> tuple[int, int]:
    """Of the vote runs of `watched` that `reference` also holds (same fraction and seed): how
    many there are, and how many have exactly the same test counts (against the vote and
    the truth). Equal counts mean the validation reference changed nothing but the watching."""
    if reference.empty:
        return 0, 0
    key = ["fraction", "seed"]
    ours = watched[watched.target == PAPER_TARGET].set_index(key)
    other = reference.set_index(key)
    common = ours.index.intersection(other.index)
    same = sum(ours.loc[k, "counts"] == other.loc[k, "counts"]
               and ours.loc[k].get("counts_truth") == other.loc[k].get("counts_truth") for k in common)
    return len(common), int(same)


def same_scores_sentence(compared: int, same: int) -> str:
    """The check of same_test_scores in words."""
    if not compared:
        return "No run of Table 1 with these fractions and seeds has been trained, so nothing was compared."
    return (f"The vote runs validated against the truth have the same test counts as Table 1's runs of the same "
            f"fraction and seed, validated against the vote, in {same} of {compared} runs"
            + ("." if same == compared else ": validation changed more than the watching, a bug."))


def budget_rank_sentence(t3: pd.DataFrame, check: pd.DataFrame) -> str:
    """Per Table 3 cell of `check` (convergence.budget_check of the cells that failed the
    rule): its rank among the targets at its fraction (mean JSI against the truth), and
    whether its score with the longer budget would pass any other target, up or down, i.e.
    whether Table 3's ranking rests on its budget."""
    parts = []
    watched = check[check.validated_against == REFERENCE]
    for (target, fraction), cell in watched.groupby(["target", "fraction_pct"], sort=False):
        part = t3[t3.fraction_pct.astype(str) == str(fraction)].sort_values("jsi_truth", ascending=False)
        if target not in set(part.target) or len(cell) < 2:
            continue
        order = list(part.target)
        rank = order.index(target)
        own, longer = cell.sort_values("updates").iloc[[0, -1]].itertuples()
        others = part[part.target != target].jsi_truth
        crossed = int(((others < own.jsi_truth) != (others < longer.jsi_truth)).sum())
        line = (f"{_mid_sentence(target_name(target))} at {fraction}% ranks {_ordinal(rank + 1)} of {len(order)} "
                f"targets against the truth ({own.jsi_truth:.3f}); with {longer.updates} updates it scored "
                f"{longer.jsi_truth:.3f}")
        line += (", which passes no other target: the ranking does not rest on its budget" if not crossed else
                 f", which passes {crossed} other target{'s' if crossed > 1 else ''}: the ranking rests on its budget")
        parts.append(line)
    return _sentence_case("; ".join(parts) + ".") if parts else ""


def _ordinal(n: int) -> str:
    """1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st."""
    suffix = "th" if n % 100 in (11, 12, 13) else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"
