"""Execute the Jupytext notebooks with papermill under a named profile."""

from __future__ import annotations

import ast
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from . import paths
from .envinfo import environment
from .ioutil import atomic_write
from .profiles import load_profile


class ParameterError(ValueError):
    """A parameter name that no selected notebook declares."""


def notebook_sources(only: list[str] | None = None) -> list[Path]:
    """The notebooks in order, optionally only those whose names start with the given prefixes."""
    sources = sorted(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py"))
    if not only:
        return sources
    chosen = [p for p in sources if any(p.name.startswith(o) for o in only)]
    missing = [o for o in only if not any(p.name.startswith(o) for p in sources)]
    if missing:
        raise ParameterError(f"no notebook matches {', '.join(missing)}; "
                             f"known: {', '.join(p.stem for p in sources)}")
    return chosen


def read_notebook(source: Path):
    """Read a Jupytext percent-format notebook into an nbformat object."""
    import jupytext

    return jupytext.read(source)


def parameters_cell(nb) -> int:
    """Index of the one cell tagged 'parameters'; an error unless there is exactly one."""
    found = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    if len(found) != 1:
        raise ValueError(f"expected exactly one cell tagged 'parameters', found {len(found)}")
    return found[0]


def declared_parameters(nb) -> dict:
    """Names and default values assigned in the notebook's parameters cell."""
    tree = ast.parse(nb.cells[parameters_cell(nb)].source)
    declared = {}
    for node in tree.body:
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            for target in targets:
                if isinstance(target, ast.Name):
                    declared[target.id] = ast.literal_eval(node.value)
    return declared


def parse_override(text: str) -> tuple[str, object]:
    """Parse 'key=value'; the value is read as a Python literal when it is one, else a string."""
    if "=" not in text:
        raise ParameterError(f"override {text!r} is not of the form key=value")
    key, value = text.split("=", 1)
    try:
        return key.strip(), ast.literal_eval(value)
    except (ValueError, SyntaxError):
        return key.strip(), value


def resolve_parameters(profile: str, sources: list[Path], overrides: dict) -> dict[Path, dict]:
    """Parameters for each notebook: the profile's values it declares, then the overrides."""
    values = load_profile(profile)
    declared = {src: declared_parameters(read_notebook(src)) for src in sources}
    known = set().union(*declared.values()) if declared else set()
    unknown = sorted(set(overrides) - known)
    if unknown:
        raise ParameterError(f"unknown parameter(s) {', '.join(unknown)}: not declared by any of "
                             f"{', '.join(s.stem for s in sources)}")
    merged = {**values, **overrides, "profile": profile}
    return {src: {k: v for k, v in merged.items() if k in names} for src, names in declared.items()}


def provenance_markdown(profile: str, params: dict, env: dict, wall_s: float) -> str:
    """A markdown table recording how this notebook was executed."""
    rows = [("profile", profile), ("parameters", json.dumps(params, sort_keys=True)),
            ("executed (UTC)", datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")),
            ("wall time", f"{wall_s:.1f} s")] + list(env.items())
    body = "\n".join(f"| {k} | `{v}` |" for k, v in rows)
    return "## Provenance of this page\n\n| what | value |\n|---|---|\n" + body + "\n"


def execute(source: Path, params: dict, out_dir: Path) -> tuple[Path, float, dict]:
    """Execute one notebook with papermill and write it, with its provenance, into out_dir."""
    import nbformat
    import papermill

    nb = read_notebook(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.ipynb"
    tmp_in = out_dir / f".{source.stem}.input.ipynb"
    nbformat.write(nb, tmp_in)
    start = time.perf_counter()
    try:
        executed = papermill.execute_notebook(str(tmp_in), None, parameters=params,
                                              kernel_name="python3", progress_bar=False,
                                              cwd=str(paths.ROOT), log_output=False)
    finally:
        tmp_in.unlink(missing_ok=True)
    wall = time.perf_counter() - start
    env = environment()
    executed.cells.append(nbformat.v4.new_markdown_cell(
        provenance_markdown(params.get("profile", "?"), params, env, wall)))
    executed.metadata["wrinkle"] = {"parameters": params, "environment": env, "wall_s": wall}
    atomic_write(target, lambda p: nbformat.write(executed, p))
    return target, wall, env


def run(profile: str, only: list[str] | None = None, overrides: dict | None = None,
        out_dir: Path | None = None) -> list[dict]:
    """Execute the selected notebooks in order; return one record per notebook."""
    import pandas as pd

    from .ioutil import write_csv

    sources = notebook_sources(only)
    plan = resolve_parameters(profile, sources, overrides or {})
    # Progress bars would make executed notebooks differ run to run; the book shows none.
    os.environ["TQDM_DISABLE"] = "1"
    out_dir = Path(out_dir) if out_dir else paths.EXECUTED
    records = []
    for source, params in plan.items():
        print(f"[wrinkle run] {source.stem} (profile {profile}) ...", flush=True)
        target, wall, env = execute(source, params, out_dir)
        print(f"[wrinkle run] {source.stem} done in {wall:.1f} s -> {target}", flush=True)
        records.append({"notebook": source.stem, "profile": profile, "wall_s": round(wall, 1),
                        "device": env["device"]})
    if out_dir == paths.EXECUTED:
        times = paths.table(f"notebook_times_{profile}")
        old = pd.read_csv(times) if times.exists() else pd.DataFrame(columns=list(records[0]))
        new = pd.concat([old[~old.notebook.isin([r["notebook"] for r in records])],
                         pd.DataFrame(records)]).sort_values("notebook")
        write_csv(times, new)
    return records
