"""Generated markdown for the book: the performance page's tables, from whichever
benchmark CSVs exist, each naming its device, with readable headers and units."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd

from ..config import paths
from ..files import write_text
from .present import cell_text, float_formats

#: Benchmark CSV stems (before _<device tag>) and the section title of each.
SECTIONS = {
    "bench_train": "Training throughput",
    "bench_texture": "Texture maps per second",
    "bench_predict": "Inference",
    "bench_photo": "Own photos: one large photo through `wrinkle predict`",
    "bench_synth": "Synthetic faces rendered and written per second",
    "bench_parallel": "Training runs side by side against threads in one run",
    "projection_paper": "Projected wall time of the paper profile",
}
#: Column names as a reader sees them.
HEADERS = {
    "size": "image px", "width": "U-Net width", "batch": "batch", "path": "path",
    "images_per_s": "images/s", "tflops": "TFLOP/s", "speedup_vs_naive": "speed-up vs naive",
    "share_of_peak": "share of peak", "peak_tflops": "measured peak (TFLOP/s)", "peak": "peak measured",
    "implementation": "implementation", "maps_per_s": "maps/s", "ratio_vs_opencv": "ratio vs OpenCV",
    "latency_ms": "latency (ms)", "best_batch": "best batch", "notebook": "notebook", "run": "run",
    "wall_s": "wall time (s)", "devices": "devices", "measured_at_px": "measured at px",
    "hours": "hours", "days": "days", "peak_memory_mb": "peak memory (MB)", "photo_px": "photo px",
    "faces": "faces", "seconds_per_face": "s per face", "whole_photo_pixels_vs_crop": "photo px / crop px",
    "faces_per_s": "faces/s", "processes": "processes", "layout": "layout", "ratio_vs_one_run": "ratio vs one run",
}


def markdown_table(frame: pd.DataFrame) -> str:
    """A pipe table with readable headers; each float column in one format (column_format),
    booleans as yes/blank."""
    forms = float_formats(frame)

    def cell(column, v) -> str:
        if isinstance(v, (bool, np.bool_)):
            return "yes" if v else ""
        return cell_text(v, forms.get(column))

    heads = [HEADERS.get(c, c.replace("_", " ")) for c in frame.columns]
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(cell(c, v) for c, v in zip(frame.columns, row)) + " |"
              for row in frame.itertuples(index=False)]
    return "\n".join(lines)


def benchmark_sections(tables: Path) -> list[str]:
    """One markdown section per benchmark CSV present, titled with its device."""
    out = []
    for stem, title in SECTIONS.items():
        for csv in sorted(Path(tables).glob(f"{stem}_*.csv")):
            frame = pd.read_csv(csv)
            device = ", ".join(dict.fromkeys(frame.pop("device"))) if "device" in frame else "unknown device"
            out.append(f"### {title}: {device}\n\n{markdown_table(frame)}\n\n"
                       f"Source: `{csv.relative_to(paths.ROOT) if csv.is_relative_to(paths.ROOT) else csv}`.\n")
    return out


def notebook_times_section(tables: Path) -> str:
    """Wall time of each executed notebook, or a line saying there is none."""
    csv = Path(tables) / "notebook_times.csv"
    if not csv.exists():
        return "No notebook has been executed for this build (`wrinkle run` records their times).\n"
    return markdown_table(pd.read_csv(csv)) + "\n"


def performance_markdown(tables: Path) -> str:
    """The generated part of the performance page."""
    sections = benchmark_sections(tables)
    if not sections:
        sections = ["No benchmark tables exist for this build. Make them with `wrinkle bench train "
                    "--device cpu`, `wrinkle bench texture --device cpu` and `wrinkle bench predict "
                    "--device cpu` (`--device cuda` on a GPU machine), then rebuild.\n"]
    return "## Benchmarks\n\n" + "\n".join(sections) + "\n## Time per notebook\n\n" + notebook_times_section(tables)


def rerun_command(record: dict) -> str:
    """The command that reruns a recorded run: its profile and the settings that differ."""
    from ..config.settings import resolve_settings

    base = resolve_settings(record["profile"]).as_dict()
    diffs = [f'-p "{k}={repr(v).replace(" ", "")}"' for k, v in record["settings"].items()
             if k != "profile" and base.get(k) != v]
    return " ".join(["wrinkle run --profile", record["profile"], *diffs])


def run_banner(generated: Path) -> str:
    """Which run the pages show (profile, hash, device, commit, date, wall time) and the
    command that reruns it; a note when no run is recorded."""
    run_file, prov_file = Path(generated) / "run.json", Path(generated) / "provenance.json"
    if not run_file.exists():
        return "```{note}\nNo run is recorded for this build: `make book` makes one.\n```\n"
    record = json.loads(run_file.read_text())
    prov = json.loads(prov_file.read_text()) if prov_file.exists() else {}
    facts = [f"run `{record['profile']}-{record['hash']}`", f"profile `{record['profile']}`"]
    if prov:
        facts += [f"device {prov['device']}", f"commit `{str(prov['git_commit'])[:12]}`",
                  f"executed {prov['executed_utc']} UTC",
                  f"last execution of the notebooks {prov['total_wall_s'] / 60:.1f} min (training runs found in the "
                  "cache are read, not repeated)"]
    return ("```{note}\nThis page shows " + ", ".join(facts) + ". To rerun it: `" + rerun_command(record)
            + "` (or `make book PROFILE=" + record["profile"] + "` for the profile as it stands), then "
            "`make build`; the first page's *How to rerun* has more.\n```\n")


def write_pages(tables: Path | None = None, out: Path | None = None) -> list[Path]:
    """Write every generated markdown fragment the book includes (by default from and into
    the book's generated folder)."""
    from .findings import write_results

    tables, out = Path(tables or paths.tables()), Path(out or paths.generated())
    return [write_text(out / "performance_tables.md", performance_markdown(tables)),
            write_text(out / "run_banner.md", run_banner(out)), *write_results(tables, out)]
