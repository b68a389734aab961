"""`wrinkle run`: execute the Jupytext notebooks with papermill under one resolved run, each
recording its provenance."""

from __future__ import annotations

import ast
import json
import os
import time
from datetime import datetime, timezone
from pathlib import Path

from ..config import paths
from ..config import run as runs
from ..config.environment import environment
from ..config.settings import SettingError, resolve_settings
from ..files import atomic_write, exclusive, write_csv, write_json

#: What every notebook's parameters cell declares: the profile and a dict of overrides.
PARAMETERS = {"profile": "cpu", "overrides": {}}


class ParameterError(SettingError):
    """A notebook selection or override that cannot be used."""


class NotebookError(RuntimeError):
    """A notebook that failed while executing; the message names it, its cell and the error."""


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


def check_parameters_cell(source: Path) -> None:
    """Every notebook takes exactly the profile and the overrides, nothing else."""
    declared = declared_parameters(read_notebook(source))
    if declared != PARAMETERS:
        raise ParameterError(f"{source}: its parameters cell must hold exactly {PARAMETERS}, found {declared}")


def glued(nb, name: str):
    """The value a notebook glued under `name` (myst_nb's glue), or None."""
    for cell in nb.cells:
        for out in cell.get("outputs", []):
            if out.get("metadata", {}).get("scrapbook", {}).get("name") == name:
                text = next(v for k, v in out["data"].items() if k.endswith("text/plain"))
                return ast.literal_eval(text)
    return None


def provenance_markdown(record: dict) -> str:
    """A markdown table recording how this notebook was executed (its metadata record)."""
    params = record["parameters"]
    rows = [("run", f"{params['profile']}-{record['hash']}"),
            ("overrides", json.dumps(params["overrides"], sort_keys=True)),
            ("executed (UTC)", record["executed_utc"]), ("wall time", f"{record['wall_s']:.1f} s"),
            *record["environment"].items()]
    body = "\n".join(f"| {k} | `{v}` |" for k, v in rows)
    return "## Provenance of this page\n\n| what | value |\n|---|---|\n" + body + "\n"


def kernel_manager(env: dict):
    """A kernel manager class whose kernels see these environment variables besides the
    caller's (this process's own environment is left alone)."""
    from jupyter_client.manager import AsyncKernelManager

    class WithEnv(AsyncKernelManager):
        async def _async_pre_start_kernel(self, **kw):
            kw["env"] = {**kw.get("env", os.environ), **env}
            return await super()._async_pre_start_kernel(**kw)

    return WithEnv


def execute(source: Path, params: dict, out_dir: Path, run_hash: str) -> tuple[Path, float, dict]:
    """Execute one notebook with papermill and write it, with its provenance, into out_dir;
    an error unless the notebook resolved the run `run_hash`. Outside the book, the
    notebook's tables and figures go to out_dir/_generated, never into the book's."""
    import nbformat
    import papermill

    nb = read_notebook(source)
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"{source.stem}.ipynb"
    tmp_in = out_dir / f".{source.stem}.input.ipynb"
    nbformat.write(nb, tmp_in)
    start = time.perf_counter()
    try:
        env = {} if out_dir == paths.EXECUTED else {"WRINKLE_GENERATED": str(out_dir / "_generated")}
        executed = papermill.execute_notebook(str(tmp_in), None, parameters=params, kernel_name="python3",
                                              progress_bar=False, cwd=str(paths.ROOT), log_output=False,
                                              kernel_manager_class=kernel_manager(env))
    except papermill.PapermillExecutionError as err:
        raise NotebookError(f"{source.name}, cell {err.exec_count}: {err.ename}: {err.evalue}") from err
    finally:
        tmp_in.unlink(missing_ok=True)
    wall = time.perf_counter() - start
    used = glued(executed, "run_hash")
    if used != run_hash:
        raise ParameterError(f"{source}: the notebook resolved run {used!r}, not {run_hash!r}")
    env = environment()
    record = {"parameters": params, "hash": run_hash, "environment": env, "wall_s": wall,
              "executed_utc": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M")}
    for cell in executed.cells:      # papermill's copy of the parameters is plumbing, not content
        if "injected-parameters" in cell.metadata.get("tags", []):
            cell.metadata["tags"] = [*cell.metadata["tags"], "remove-cell"]
    executed.cells.append(nbformat.v4.new_markdown_cell(provenance_markdown(record)))
    executed.metadata["wrinkle"] = record
    atomic_write(target, lambda p: nbformat.write(executed, p))
    return target, wall, env


def run(profile: str, only: list[str] | None = None, overrides: dict | None = None,
        out_dir: Path | None = None) -> list[dict]:
    """Resolve the run once (every setting checked before any notebook starts), then execute
    the selected notebooks in order with the same profile and overrides; one record each."""
    sources = notebook_sources(only)
    for source in sources:
        check_parameters_cell(source)
    params = {"profile": profile, "overrides": dict(overrides or {})}
    resolve_settings(profile, params["overrides"])          # every setting checked before anything is drawn
    out_dir = Path(out_dir) if out_dir else paths.EXECUTED
    if out_dir != paths.EXECUTED:
        return execute_all(sources, params, out_dir, runs.resolve(profile, params["overrides"]))
    # One lock for the book's executed notebooks, wherever the generated tables go, and one
    # for the generated folder: two runs never write either at once.
    with exclusive(paths.BOOK / ".wrinkle-notebooks.lock", f"the book's notebooks ({paths.EXECUTED})"), \
            exclusive(paths.generated() / ".wrinkle-run.lock", f"the book ({paths.generated()})"):
        resolved = runs.resolve(profile, params["overrides"])
        runs.copy_to_book(resolved)
        records = execute_all(sources, params, out_dir, resolved)
        record_book_run(records)
    return records


def execute_all(sources: list[Path], params: dict, out_dir: Path, resolved) -> list[dict]:
    """Execute the notebooks in order, one record each."""
    print(f"[wrinkle run] {runs.describe(resolved)}", flush=True)
    records = []
    for source in sources:
        print(f"[wrinkle run] {source.stem} ...", flush=True)
        target, wall, env = execute(source, params, out_dir, resolved.hash)
        print(f"[wrinkle run] {source.stem} done in {wall:.1f} s -> {target}", flush=True)
        records.append({"notebook": source.stem, "run": resolved.name, "wall_s": round(wall, 1),
                        "device": env["device"]})
    return records


def record_book_run(records: list[dict]) -> None:
    """After notebooks ran for the book: their wall times, the run's provenance (when all
    notebooks belong to it) and the generated pages."""
    import pandas as pd

    from .pages import write_pages
    from .provenance import PublishError, provenance

    times = paths.table("notebook_times")
    old = pd.read_csv(times) if times.exists() else pd.DataFrame(columns=list(records[0]))
    new = pd.concat([old[~old.notebook.isin([r["notebook"] for r in records])],
                     pd.DataFrame(records)]).sort_values("notebook")
    write_csv(times, new)
    try:
        write_json(paths.generated() / "provenance.json", provenance())
    except PublishError:       # only some notebooks rerun: the pages name the run only
        (paths.generated() / "provenance.json").unlink(missing_ok=True)
    write_pages()              # the performance tables that exist, and the run banner
