import json

import nbformat
import pytest

from wrinklelib.app import publish
from wrinklelib.config import paths


@pytest.fixture
def book(tmp_path, monkeypatch):
    """A book's inputs as a finished run leaves them: six executed notebooks of one run,
    run.json, a table and a figure."""
    gen = tmp_path / "gen"
    monkeypatch.setattr(paths, "EXECUTED", tmp_path / "nb")
    monkeypatch.setenv("WRINKLE_GENERATED", str(gen))
    for folder in (tmp_path / "nb", gen / "tables", gen / "figures"):
        folder.mkdir(parents=True, exist_ok=True)
    (gen / "run.json").write_text(json.dumps({"profile": "cpu", "hash": "h1", "settings": {}}))
    (gen / "tables" / "table1.csv").write_text("method,mean\nOurs,0.5\n")
    (gen / "figures" / "f.png").write_bytes(b"png")
    for k in range(1, 7):
        nb = nbformat.v4.new_notebook()
        nb.metadata["wrinkle"] = {"hash": "h1", "wall_s": 10.0 * k, "executed_utc": f"2026-11-25 10:0{k}",
                                  "environment": {"device": "CPU", "git_commit": "abc"}}
        nbformat.write(nb, tmp_path / "nb" / f"0{k}_step.ipynb")
    return tmp_path


def test_publish_then_restore_round_trip(book):
    dest = publish.publish("cpu-test", book / "results")
    prov = json.loads((dest / "provenance.json").read_text())
    assert prov["run"] == "cpu-h1" and prov["device"] == "CPU" and prov["git_commit"] == "abc"
    assert prov["total_wall_s"] == 210.0 and prov["executed_utc"] == "2026-11-25 10:01"
    assert len(list((dest / "notebooks").glob("*.ipynb"))) == 6 and (dest / "tables" / "table1.csv").exists()
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


def test_archive_then_unpack_gives_the_same_folder(book):
    dest = publish.publish("gpu-test", book / "results")
    packed = publish.archive("gpu-test", book / "out" / "gpu-test.tar.gz", book / "results")
    elsewhere = publish.unpack(packed, book / "clone" / "results")
    files = sorted(p.relative_to(dest) for p in dest.rglob("*") if p.is_file())
    assert files == sorted(p.relative_to(elsewhere) for p in elsewhere.rglob("*") if p.is_file())
    assert all((dest / f).read_bytes() == (elsewhere / f).read_bytes() for f in files)
    publish.unpack(packed, book / "clone" / "results")          # again: replaced whole, not merged
    assert len(list((book / "clone" / "results").iterdir())) == 1


def test_unpack_refuses_what_is_not_one_published_run(book, tmp_path):
    import tarfile

    stray = tmp_path / "stray.tar.gz"
    (tmp_path / "a.txt").write_text("x")
    with tarfile.open(stray, "w:gz") as tar:
        tar.add(tmp_path / "a.txt", arcname="a.txt")
    with pytest.raises(publish.PublishError, match="one published run"):
        publish.unpack(stray, tmp_path / "results")
    (tmp_path / "junk.tar.gz").write_bytes(b"not a tar")
    with pytest.raises(publish.PublishError, match="not a readable"):
        publish.unpack(tmp_path / "junk.tar.gz", tmp_path / "results")
    assert not (tmp_path / "results").exists() or not any((tmp_path / "results").iterdir())
