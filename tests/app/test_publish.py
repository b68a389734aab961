import json
import os
import subprocess
import tarfile

import nbformat
import pytest

from wrinklelib.app import publish
from wrinklelib.config import paths

from conftest import WRINKLE

N_NOTEBOOKS = len(list(paths.NOTEBOOKS.glob("[0-9][0-9]_*.py")))


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A book's inputs as a finished run leaves them: the executed notebooks of one run,
    run.json, a table and a figure."""
    gen = tmp_path / "gen"
    monkeypatch.setattr(paths, "EXECUTED", tmp_path / "nb")
    monkeypatch.setenv("WRINKLE_GENERATED", str(gen))
    for folder in (tmp_path / "nb", gen / "tables", gen / "figures"):
        folder.mkdir(parents=True, exist_ok=True)
    (gen / "run.json").write_text(json.dumps({"profile": "cpu", "hash": "h1", "settings": {}}))
    (gen / "tables" / "table1.csv").write_text("method,mean\nOurs,0.5\n")
    (gen / "figures" / "f.png").write_bytes(b"png")
    for k in range(1, N_NOTEBOOKS + 1):
        nb = nbformat.v4.new_notebook()
        nb.metadata["wrinkle"] = {"hash": "h1", "wall_s": 10.0 * k, "executed_utc": f"2026-11-25 10:0{k}",
                                  "environment": {"device": "CPU", "git_commit": "abc"}}
        nbformat.write(nb, tmp_path / "nb" / f"0{k}_step.ipynb")
    return tmp_path


def snapshot(folder):
    return {p.relative_to(folder): p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def test_publish_then_restore_round_trip(book):
    dest = publish.publish("cpu-test", book / "results")
    prov = json.loads((dest / "provenance.json").read_text())
    assert prov["run"] == "cpu-h1" and prov["device"] == "CPU" and prov["git_commit"] == "abc"
    assert prov["executed_utc"] == "2026-11-25 10:01"
    assert len(list((dest / "notebooks").glob("*.ipynb"))) == N_NOTEBOOKS
    (paths.tables() / "table1.csv").unlink()
    publish.restore("cpu-test", book / "results")
    assert (paths.tables() / "table1.csv").read_text().startswith("method")
    assert (paths.generated() / "provenance.json").exists()


def test_notebooks_of_another_run_are_refused(book):
    nb = nbformat.read(book / "nb" / "03_step.ipynb", as_version=4)
    nb.metadata["wrinkle"]["hash"] = "other"
    nbformat.write(nb, book / "nb" / "03_step.ipynb")
    with pytest.raises(publish.PublishError, match="03_step"):
        publish.publish("cpu-test", book / "results")


def test_unknown_published_run_names_the_known_ones(book):
    publish.publish("cpu-test", book / "results")
    with pytest.raises(publish.PublishError, match="known: cpu-test"):
        publish.restore("nope", book / "results")


@pytest.mark.parametrize("broken", ["no_tables", "bad_provenance", "bad_run_json"])
def test_restore_of_a_broken_run_changes_nothing(book, broken):
    dest = publish.publish("cpu-test", book / "results")
    if broken == "no_tables":
        import shutil
        shutil.rmtree(dest / "tables")
    else:
        (dest / ("provenance.json" if broken == "bad_provenance" else "run.json")).write_text("{not json")
    before = snapshot(paths.generated()) | {("nb",) + (k,): v for k, v in snapshot(paths.EXECUTED).items()}
    with pytest.raises(publish.PublishError, match="tables|not a readable record"):
        publish.restore("cpu-test", book / "results")
    after = snapshot(paths.generated()) | {("nb",) + (k,): v for k, v in snapshot(paths.EXECUTED).items()}
    assert after == before


def test_replacing_a_run_keeps_the_old_one_until_the_new_one_is_in(book, monkeypatch):
    dest = publish.publish("cpu-test", book / "results")
    old = snapshot(dest)
    real = os.rename

    def failing(src, dst, *a, **k):          # the new run's move into place fails
        if str(dst) == str(dest) and not str(src).endswith(".replaced"):
            raise OSError("killed here")
        return real(src, dst, *a, **k)

    monkeypatch.setattr(os, "rename", failing)
    monkeypatch.setattr(publish.Path, "rename", lambda self, target: failing(self, target) or publish.Path(target))
    with pytest.raises(OSError):
        publish.publish("cpu-test", book / "results")
    assert snapshot(dest) == old
    monkeypatch.undo()
    dest.rename(publish._aside(dest))         # a process killed between the two renames
    publish.recover(dest)
    assert snapshot(dest) == old


def test_archive_then_unpack_gives_the_same_folder(book):
    dest = publish.publish("gpu-test", book / "results")
    packed = publish.archive("gpu-test", book / "out" / "gpu-test.tar.gz", book / "results")
    elsewhere = publish.unpack(packed, book / "clone" / "results")
    assert snapshot(dest) == snapshot(elsewhere)
    publish.unpack(packed, book / "clone" / "results")          # again: replaced whole, not merged
    assert [p.name for p in (book / "clone" / "results").iterdir()] == ["gpu-test"]


def pack(tmp_path, name, members):
    """An archive with the given (member name, source file or None for a symlink) pairs."""
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as tar:
        for arcname, src in members:
            if src is None:
                info = tarfile.TarInfo(arcname)
                info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
                tar.addfile(info)
            else:
                tar.add(src, arcname=arcname)
    return path


@pytest.mark.parametrize("kind", ["dot", "absolute", "parent", "symlink"])
def test_unpack_of_a_dangerous_archive_loses_nothing(book, kind):
    results = book / "results"
    run = publish.publish("kept", results)
    committed = snapshot(results)
    members = {"dot": [(f"./{p.relative_to(run)}", p) for p in run.rglob("*") if p.is_file()],
               "absolute": [(f"/{p.relative_to(run)}", p) for p in run.rglob("*") if p.is_file()],
               "parent": [("../evil.txt", run / "run.json"), ("x/provenance.json", run / "provenance.json")],
               "symlink": [("x/provenance.json", run / "provenance.json"), ("x/link", None)]}[kind]
    archive = pack(book, f"{kind}.tar.gz", members)
    r = subprocess.run([WRINKLE, "unpack", str(archive)], capture_output=True, text=True,
                       env={**os.environ}, cwd=book)
    with pytest.raises(publish.PublishError):
        publish.unpack(archive, results)
    assert snapshot(results) == committed and not (book / "evil.txt").exists()
    assert r.returncode == 2 and len(r.stderr.strip().splitlines()) == 1 and "Traceback" not in r.stderr
    if kind == "dot":                   # a run's files at the top level: unpacked under the name given
        dest = publish.unpack(archive, results, name="named")
        assert dest == results / "named" and snapshot(dest) == snapshot(run)


def test_unpack_refuses_what_is_not_one_published_run(book, tmp_path):
    (tmp_path / "a.txt").write_text("x")
    stray = pack(tmp_path, "stray.tar.gz", [("a/a.txt", tmp_path / "a.txt")])
    with pytest.raises(publish.PublishError, match="not a complete published run"):
        publish.unpack(stray, tmp_path / "results")
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tar")
    with pytest.raises(publish.PublishError, match="not a readable"):
        publish.unpack(tmp_path / "junk.tar.gz", tmp_path / "results")
    assert not any((tmp_path / "results").iterdir())


def test_unpack_limits_the_members_and_their_size(book, monkeypatch):
    dest = publish.publish("big", book / "results")
    packed = publish.archive("big", book / "big.tar.gz", book / "results")
    monkeypatch.setattr(publish, "MAX_MEMBERS", 3)
    with pytest.raises(publish.PublishError, match="more than 3 files"):
        publish.unpack(packed, book / "other")
    assert dest.exists()


def test_published_notebooks_do_not_name_the_machines_folders(book):
    source = book / "nb" / "01_step.ipynb"
    nb = nbformat.read(source, as_version=4)
    nb.metadata["papermill"] = {"input_path": str(paths.ROOT / "book" / "notebooks" / ".01_step.input.ipynb"),
                                "output_path": None}
    nbformat.write(nb, source)
    dest = publish.publish("cpu-test", book / "results")
    record = nbformat.read(dest / "notebooks" / "01_step.ipynb", as_version=4).metadata["papermill"]
    assert record["input_path"] == "book/notebooks/.01_step.input.ipynb" and record["output_path"] is None
    assert str(paths.ROOT) not in (dest / "notebooks" / "01_step.ipynb").read_text()
