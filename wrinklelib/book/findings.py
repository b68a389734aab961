"""The pages generated from a run's tables (CSV), so that a published run's site says what
its own numbers say: the landing page's findings, the results page (every claim by family,
the paper's tables with ours beside them, Table 3, convergence), and the provenance page.
Tables are read by their registered names (config.paths.TABLES); a table a page needs and
the run did not write is an error, never a silently missing paragraph. No number here is
typed by hand."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import pandas as pd

from ..config import paths
from ..config.paths import MissingTable, read_table
from ..files import write_text
from .present import (
    budget_check_sentence,
    claims_layout,
    convergence_layout,
    convergence_sentence,
    drift_sentence,
    findings_layout,
    interval,
    paper_layout,
    scale_table,
    share_label,
    table3_layout,
    to_html,
)

PAPER_URL = "https://arxiv.org/abs/2408.09952"
DATA_URL = "https://github.com/labhai/ffhq-wrinkle-dataset"
#: What each family of claims asks.
FAMILY_QUESTIONS = {"Table 1": "What texture pretraining does, and what the paper's comparison conflates",
                    "Table 2": "Texture pretraining against self-supervised pretext tasks",
                    "Table 3": "Which training target to make from three annotators (scored against the truth)"}


def _synthetic(tables: Path) -> bool:
    """Whether the run's tables include Table 3 (synthetic data: per-annotator masks, the truth)."""
    return (Path(tables) / "table3.csv").exists()


def fusion_sentences(tables: Path) -> str:
    """The label-fusion winner, and where a target beat the truth itself."""
    from ..evaluation.fusion_study import above_truth_sentence, winner_sentence

    t3, against, runs = (read_table(n, tables) for n in ("table3", "07_against_vote", "07_runs"))
    above = above_truth_sentence(runs) if "precision_truth" in runs else ""
    return winner_sentence(t3, against) + (f" {above}" if above else "")


def convergence_paragraph(tables: Path) -> str:
    """Whether every cell converged, how the failing ones moved, and what a longer budget said."""
    conv = read_table("convergence", tables)
    drift = read_table("07_drift", tables, optional=True)               # Table 3's: synthetic data only
    longer = read_table("07_longer_budget", tables, optional=True)
    moving = drift_sentence(drift, conv) if drift is not None and len(drift) else ""
    tried = budget_check_sentence(longer) if longer is not None and len(longer) and moving else ""
    if tried and _synthetic(tables):
        from ..evaluation.fusion_study import budget_rank_sentence

        rank = budget_rank_sentence(read_table("table3", tables), longer)
        tried += f" {rank}" if rank else ""
    return (convergence_sentence(conv) + (f" {moving} The scores of these cells may depend on their budget."
                                          if moving else "") + (f" {tried}" if tried else ""))


def budget_paragraph(tables: Path) -> str:
    """How the effects depend on the finetuning budget (the pilot's 05_effect_by_budget), or
    nothing for a run without a pilot."""
    from ..evaluation.budget import effect_budget_sentence

    effects = read_table("05_effect_by_budget", tables, optional=True)
    said = effect_budget_sentence(effects) if effects is not None else ""
    return ("**The budget.** The effects depend on how long each model is finetuned. " + said
            + " The [fraction-finetuning page](notebooks/05_fraction_finetuning.ipynb) shows every budget the pilot "
            "tried and the one each fraction used.\n") if said else ""


def pretraining_sentence(tables: Path, tolerance: float) -> str:
    """Whether pretraining converged by its rule."""
    from ..training.pretraining import convergence_sentence as pretrained

    return pretrained(read_table("04_pretraining", tables), tolerance)


def findings_markdown(tables: Path, generated: Path) -> str:
    """The results page's findings: every claim, family by family, in a table; then Table
    3's winner, convergence and pretraining in words."""
    claims = read_table("claims", tables)
    run = _run(generated)
    out = []
    for family, part in claims.groupby("family", sort=False):
        out.append(f"## {family}: {FAMILY_QUESTIONS.get(family, '')}\n\n{claims_layout(part).html}\n")
    if _synthetic(tables):
        out.append(f"**Which target to train on.** {fusion_sentences(tables)}\n")
    out.append(f"**Convergence** (the rule of the verdicts page). {convergence_paragraph(tables)}\n")
    out.append(budget_paragraph(tables))
    if run is not None:
        out.append(f"**Pretraining.** {pretraining_sentence(tables, run['settings']['pretrain_tolerance'])}\n")
    out.append(earlier_markdown(tables))
    return "\n".join(out)


#: The claims of the run published at 80 px before the native scale (results/retired/).
EARLIER = "publish-80px-claims.csv"


def earlier_markdown(tables: Path) -> str:
    """Each comparison of this run beside the same comparison in the earlier 80 px run
    (its effect, interval and verdict), where both made it."""
    earlier_file = paths.RESULTS / "retired" / EARLIER
    if not earlier_file.exists():
        return ""
    now, before = read_table("claims", tables), pd.read_csv(earlier_file, dtype={"fraction_pct": str})
    key = ["comparison", "fraction_pct"]
    both = now.merge(before, on=key, suffixes=("", "_80px"))
    if both.empty:
        return ""
    shown = pd.DataFrame({
        "Comparison": both.comparison, "labels": [share_label(f) for f in both.fraction_pct],
        "80 px run [95% CI]": [interval(d, lo, hi, sign=True) for d, lo, hi in
                               zip(both.difference_80px, both.t_low_80px, both.t_high_80px)],
        "verdict at 80 px": both.verdict_80px,
        "this run [95% CI]": [interval(d, lo, hi, sign=True) for d, lo, hi in zip(both.difference, both.t_low,
                                                                                  both.t_high)],
        "verdict now": both.verdict})
    return ("## Against the earlier run at 80 px\n\nThe run published before the study moved to faces where "
            "wrinkles are visible trained on 80 px frames, with one set of labelled faces and one pretraining run for "
            "every seed, and adjusted its p values over all three tables at once. Each comparison both runs made:\n\n"
            + to_html(shown, "", ("80 px run [95% CI]", "this run [95% CI]")) + "\n")


def download(name: str) -> str:
    """A MyST download link to a generated table."""
    return f"{{download}}`{name}.csv <_generated/tables/{name}.csv>`"


def dropdown(title: str, body: str) -> str:
    """A collapsed section."""
    return f":::{{dropdown}} {title}\n{body}\n:::\n"


def _run(generated: Path) -> dict | None:
    path = Path(generated) / "run.json"
    return json.loads(path.read_text()) if path.exists() else None


def scale_markdown(tables: Path, generated: Path) -> str:
    """Our scale beside the paper's (empty without a run record)."""
    run = _run(generated)
    if run is None:
        return ""
    t1 = read_table("table1", tables)
    budgets = {r.fraction_pct: int(r.updates) for r in t1.itertuples()}
    return scale_table(SimpleNamespace(**run["settings"]), len(run["test_ids"]), budgets).html + "\n"


def tables_markdown(tables: Path, generated: Path) -> str:
    """The paper's tables with ours beside them, our scale, Table 3, every comparison and
    convergence (long tables collapsed), each with its CSV."""
    t1, t2 = read_table("table1", tables), read_table("table2", tables)
    out = ["## Table 1: JSI by share of the training labels\n\nMean over seeds of each run's pooled test JSI "
           "against the voted masks, with its 95% t interval over seeds, beside the paper's value. "
           f"Download {download('table1')}.\n\n{paper_layout(t1).html}\n\n"
           "```{figure} _generated/figures/05_jsi_by_fraction.png\n"
           "JSI against the share of training labels: this run (filled, 95% t intervals) and the paper "
           "(hollow).\n```\n",
           "## Our scale against the paper's\n\n" + scale_markdown(tables, generated),
           f"## Table 2: pretraining strategies\n\nDownload {download('table2')}.\n\n{paper_layout(t2).html}\n"]
    if _synthetic(tables):
        t3 = read_table("table3", tables)
        out.append("## Table 3: which training target to make from three annotators\n\nScored against the true "
                   f"wrinkles, which no annotator saw. Download {download('table3')}.\n\n{table3_layout(t3).html}\n\n"
                   "```{figure} _generated/figures/07_targets.png\n"
                   "Test JSI against the truth per training target, with 95% t intervals over seeds.\n```\n")
    out.append("## Every effect\n\n```{figure} _generated/figures/08_effects.png\n"
               f"Every effect with its 95% t interval (dots) and the paper's (crosses). Download {download('claims')}."
               "\n```\n")
    conv = read_table("convergence", tables)
    out.append("## Convergence of every cell\n\n" + dropdown(
        f"{int(conv.converged.astype(bool).sum())} of {len(conv)} cells converged ({download('convergence')})",
        convergence_layout(conv).html))
    runs = [n for n in ("05_runs", "06_runs", "07_runs") if (Path(tables) / f"{n}.csv").exists()]
    out.append("## Every run\n\nOne row per finetuning run (scores, budget, labelled faces, pretraining run, "
               "convergence): " + ", ".join(download(n) for n in runs) + ".\n")
    return "\n".join(out)


def citation() -> dict:
    """CITATION.cff, read."""
    import yaml

    return yaml.safe_load((paths.ROOT / "CITATION.cff").read_text())


def bibtex(cff: dict) -> str:
    """A BibTeX entry for this reproduction, made from CITATION.cff."""
    authors = " and ".join("{" + a["name"] + "}" if a.get("name") else f"{a.get('family-names', '')}, "
                           f"{a.get('given-names', '')}" for a in cff["authors"])
    year = str(cff.get("date-released", ""))[:4]
    fields = {"title": cff["title"], "author": authors, "year": year, "version": cff.get("version", ""),
              "url": cff.get("repository-code") or cff.get("url", ""), "note": cff.get("message", "")}
    body = ",\n".join(f"  {k} = {{{v}}}" for k, v in fields.items() if v)
    return "@software{wrinkle_reproduction_" + year + ",\n" + body + "\n}"


def landing_markdown(tables: Path, generated: Path) -> str:
    """The landing page's first section: what the run found (every comparison of Tables 1
    and 2 with the paper's effect, ours with its interval and the verdict), Table 3's
    winner, the study's scale beside the paper's, the links, and how to cite."""
    cff = citation()
    links = (f"The paper: [Moon, Moon and Jang, arXiv 2408.09952]({PAPER_URL}). The real data: "
             f"[the FFHQ-Wrinkle release]({DATA_URL}). This project: [its code and how to cite it](source.md)"
             + (f", [{cff['repository-code']}]({cff['repository-code']})" if cff.get("repository-code") else "")
             + ".")
    claims = read_table("claims", tables)
    out = ["## Findings\n",
           "Each comparison of the paper tested on this run: the difference in test JSI between two arms, paired by "
           "seed, with its 95% t interval over seeds, the paper's effect where it reports one, and the verdict after "
           "Holm's adjustment within its family (the [results page](results.md) has every comparison and the "
           f"[verdicts page](notebooks/08_verdicts.ipynb) the statistics).\n\n{findings_layout(claims).html}\n"]
    if _synthetic(tables):
        out.append(f"**Which target to train on (Table 3).** {fusion_sentences(tables)}\n")
    out.append(budget_paragraph(tables))
    out.append("**The scale of this study beside the paper's.**\n\n" + scale_markdown(tables, generated))
    out.append(f"{links}\n")
    out.append("**Cite this reproduction** (from `CITATION.cff`, which also cites the paper):\n\n```bibtex\n"
               + bibtex(cff) + "\n```\n")
    return "\n".join(out)


def run_provenance_markdown(generated: Path) -> str:
    """The run's provenance: its name, commit, machine, packages, its compute and the wall
    time of each notebook, and every setting."""
    prov_file = Path(generated) / "provenance.json"
    if not prov_file.exists():
        return "No provenance is recorded for this build (`wrinkle run` of all notebooks writes it).\n"
    prov = json.loads(prov_file.read_text())
    compute = prov.get("compute") or {}
    facts = [("run", prov["run"]), ("profile", prov["profile"]), ("git commit", prov.get("git_commit")),
             ("executed (UTC)", prov.get("executed_utc")), ("device", prov.get("device")),
             ("notebooks, wall time of the last execution (cached training runs read)",
              f"{prov.get('total_wall_s', float('nan')) / 60:.1f} min")]
    if compute:
        facts += [("training and scoring runs", f"{compute['runs']}"),
                  ("their training, validation and scoring seconds, summed (one thread each; "
                   "reading faces and building each network not counted)", f"{compute['run_wall_s']:,.0f} s = "
                   f"{compute['run_wall_s'] / 3600:.1f} h"),
                  ("cores they were spread over", f"{compute['cores']} (so about "
                   f"{compute['run_wall_s'] / 3600 / max(1, compute['cores']):.1f} h of wall time)")]
    facts += [(k, v) for k, v in prov.get("environment", {}).items() if k not in ("device", "git_commit")]
    body = to_html(pd.DataFrame(facts, columns=["", "value"]))
    times = pd.DataFrame(sorted(prov.get("notebook_wall_s", {}).items()), columns=["notebook", "wall time (s)"])
    times["wall time (s)"] = times["wall time (s)"].map(lambda v: f"{v:.0f}")
    settings = pd.DataFrame(sorted(prov["settings"].items()), columns=["setting", "value"])
    settings["value"] = settings.value.map(lambda v: json.dumps(v))
    return (body + "\n\n## Time per notebook\n\n" + to_html(times, numeric=("wall time (s)",))
            + "\n\n## Every setting of the run\n\n" + dropdown("Settings (run.json)", to_html(settings)) + "\n")


def write_results(tables: Path, generated: Path) -> list[Path]:
    """The generated fragments of the landing, results and provenance pages."""
    written = [write_text(Path(generated) / "provenance.md", run_provenance_markdown(generated))]
    try:
        fragments = {"landing.md": landing_markdown(tables, generated),
                     "findings.md": findings_markdown(tables, generated),
                     "results_tables.md": tables_markdown(tables, generated)}
    except MissingTable as err:
        note = f"```{{note}}\nThis build holds no complete run ({err}); `make book` makes one.\n```\n"
        fragments = {k: note for k in ("landing.md", "findings.md", "results_tables.md")}
    return written + [write_text(Path(generated) / name, text) for name, text in fragments.items()]
