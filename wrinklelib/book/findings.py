"""The results page, generated from a run's tables (CSV) so that a published run's site
says what its own numbers say: the findings in words, our scale against the paper's, the
paper's tables in its layout with ours beside them, every comparison, convergence, and a
download link for every table. No number here is typed by hand."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from .present import (
    budget_check_sentence,
    claims_layout,
    convergence_layout,
    convergence_sentence,
    drift_sentence,
    interval,
    paper_layout,
    scale_table,
    signed,
    table3_layout,
    to_html,
)


def _read(tables: Path, name: str) -> pd.DataFrame | None:
    path = Path(tables) / f"{name}.csv"
    if not path.exists() or not path.read_text().strip():
        return None                    # a table with no rows (e.g. one seed: nothing paired)
    return pd.read_csv(path, dtype={"fraction_pct": str})


def _share(fraction_pct) -> str:
    """'100%', or '5% vs 100%' for a comparison between two shares of the labels."""
    return " vs ".join(f"{part}%" for part in str(fraction_pct).split(" vs "))


def _verdicts(rows: pd.DataFrame) -> str:
    """'supported at 5% and 25%; inconclusive at 100% (could detect 0.018)'."""
    several = rows.comparison.nunique() > 1
    groups: dict[str, list[str]] = {}
    for r in rows.itertuples():
        word = r.verdict.split(" (")[0]
        place = f"{r.comparison.split(' minus ')[-1]} ({_share(r.fraction_pct)})" if several else _share(r.fraction_pct)
        groups.setdefault(word, []).append(place + (f", could detect {r.detectable:.3f}" if word == "inconclusive"
                                                    else ""))
    return "; ".join(f"{word} for {'; '.join(places)}" for word, places in groups.items())


def claim_paragraph(claim: str, rows: pd.DataFrame) -> str:
    """One paragraph per claim: every comparison's effect and interval, the paper's, the verdicts."""
    parts = []
    for comparison, part in rows.groupby("comparison", sort=False):
        effects = ", ".join(
            interval(r.difference, r.t_low, r.t_high, sign=True)
            + ("" if " vs " in str(r.fraction_pct) else f" at {_share(r.fraction_pct)}")
            + (f" (paper {signed(r.paper_effect, 4)})" if np.isfinite(r.paper_effect) else "")
            for r in part.itertuples())
        parts.append(f"{comparison}: {effects}")
    seeds = ", ".join(str(s) for s in sorted(set(rows.seeds)))
    return (f"**{claim}.** " + "; ".join(parts) + f". Paired over {seeds} seeds; verdict: {_verdicts(rows)}.")


def findings_markdown(tables: Path) -> str:
    """The 'Findings' section: one paragraph per claim, then the label-fusion winner and
    whether every cell converged."""
    claims = _read(tables, "claims")
    if claims is None or claims.empty:
        return "No claims table exists for this build (notebook 08 makes it).\n"
    paragraphs = [claim_paragraph(c, rows) for c, rows in claims.groupby("claim", sort=False)]
    t3, against = _read(tables, "table3"), _read(tables, "07_against_vote")
    if t3 is not None and against is not None:
        from ..evaluation.fusion_study import above_truth_sentence, winner_sentence

        runs = _read(tables, "07_runs")
        above = above_truth_sentence(runs) if runs is not None and "precision_truth" in runs else ""
        paragraphs.append(f"**Which target to train on (Table 3).** {winner_sentence(t3, against)}"
                          + (f" {above}" if above else ""))
    conv, drift, longer = _read(tables, "convergence"), _read(tables, "07_drift"), _read(tables, "07_longer_budget")
    if conv is not None:
        moving = drift_sentence(drift, conv) if drift is not None else ""
        tried = budget_check_sentence(longer) if longer is not None and moving else ""
        if tried and t3 is not None:
            from ..evaluation.fusion_study import budget_rank_sentence

            rank = budget_rank_sentence(t3, longer)
            tried += f" {rank}" if rank else ""
        paragraphs.append(f"**Convergence** (the rule of the verdicts page). {convergence_sentence(conv)}"
                          + (f" {moving} The scores of these cells may depend on their budget." if moving else "")
                          + (f" {tried}" if tried else ""))
    return "\n\n".join(paragraphs) + "\n"


def download(name: str) -> str:
    """A MyST download link to a generated table."""
    return f"{{download}}`{name}.csv <_generated/tables/{name}.csv>`"


def dropdown(title: str, body: str) -> str:
    """A collapsed section."""
    return f":::{{dropdown}} {title}\n{body}\n:::\n"


def tables_markdown(tables: Path, generated: Path) -> str:
    """The paper's tables in its layout, Table 3, every comparison and convergence (long
    tables collapsed), each with its CSV."""
    out = []
    t1, t2, t3 = _read(tables, "table1"), _read(tables, "table2"), _read(tables, "table3")
    run = json.loads((Path(generated) / "run.json").read_text()) if (Path(generated) / "run.json").exists() else None
    if t1 is not None:
        out.append("## Table 1: JSI by share of the training labels\n\nMean over seeds of each run's pooled test JSI "
                   "against the voted masks, with its 95% t interval over seeds, beside the paper's value and our "
                   f"value minus the paper's. Download {download('table1')}.\n\n{paper_layout(t1).html}\n\n"
                   "```{figure} _generated/figures/05_jsi_by_fraction.png\n"
                   "JSI against the share of training labels: this run "
                   "(filled, 95% t intervals) and the paper (hollow).\n```\n")
    if run is not None and t1 is not None:
        from types import SimpleNamespace

        budgets = {r.fraction_pct: int(r.updates) for r in t1.itertuples()}
        out.append("## Our scale against the paper's\n\n"
                   + scale_table(SimpleNamespace(**run["settings"]), len(run["test_ids"]), budgets).html + "\n")
    if t2 is not None:
        out.append(f"## Table 2: pretraining strategies\n\nDownload {download('table2')}.\n\n{paper_layout(t2).html}\n")
    if t3 is not None:
        out.append("## Table 3: which training target to make from three annotators\n\nScored against the true "
                   f"wrinkles, which no annotator saw. Download {download('table3')}.\n\n{table3_layout(t3).html}\n\n"
                   "```{figure} _generated/figures/07_targets.png\n"
                   "Test JSI against the truth per training target, with 95% "
                   "t intervals over seeds.\n```\n")
    claims = _read(tables, "claims")
    if claims is not None:
        out.append(f"## Every comparison\n\nDownload {download('claims')}.\n\n"
                   + dropdown("All paired comparisons, Holm-adjusted", claims_layout(claims).html)
                   + "\n```{figure} _generated/figures/08_effects.png\n"
                     "Every effect with its 95% t interval (dots) and the "
                     "paper's (crosses).\n```\n")
    conv = _read(tables, "convergence")
    if conv is not None:
        out.append("## Convergence of every cell\n\n" + dropdown(
            f"{int(conv.converged.astype(bool).sum())} of {len(conv)} cells converged ({download('convergence')})",
            convergence_layout(conv).html))
    runs = [n for n in ("05_runs", "06_runs", "07_runs") if (Path(tables) / f"{n}.csv").exists()]
    if runs:
        out.append("## Every run\n\nOne row per finetuning run (scores, budget, convergence): "
                   + ", ".join(download(n) for n in runs) + ".\n")
    return "\n".join(out)


def run_provenance_markdown(generated: Path) -> str:
    """The run's provenance: its name, settings that differ from the profile, commit,
    machine, packages and the wall time of each notebook."""
    prov_file = Path(generated) / "provenance.json"
    if not prov_file.exists():
        return "No provenance is recorded for this build (`wrinkle run` of all notebooks writes it).\n"
    prov = json.loads(prov_file.read_text())
    facts = [("run", prov["run"]), ("profile", prov["profile"]), ("git commit", prov.get("git_commit")),
             ("executed (UTC)", prov.get("executed_utc")), ("device", prov.get("device")),
             ("notebooks, wall time of the last execution (cached training runs read)",
              f"{prov.get('total_wall_s', float('nan')) / 60:.1f} min")]
    facts += [(k, v) for k, v in prov.get("environment", {}).items() if k not in ("device", "git_commit")]
    body = to_html(pd.DataFrame(facts, columns=["", "value"]))
    times = pd.DataFrame(sorted(prov.get("notebook_wall_s", {}).items()), columns=["notebook", "wall time (s)"])
    settings = pd.DataFrame(sorted(prov["settings"].items()), columns=["setting", "value"])
    settings["value"] = settings.value.map(lambda v: json.dumps(v))
    return (body + "\n\n## Time per notebook\n\n" + to_html(times, numeric=("wall time (s)",))
            + "\n\n## Every setting of the run\n\n" + dropdown("Settings (run.json)", to_html(settings)) + "\n")


def write_results(tables: Path, generated: Path) -> list[Path]:
    """The generated fragments of the results and provenance pages."""
    from ..files import write_text

    return [write_text(Path(generated) / "findings.md", findings_markdown(tables)),
            write_text(Path(generated) / "results_tables.md", tables_markdown(tables, generated)),
            write_text(Path(generated) / "provenance.md", run_provenance_markdown(generated))]

