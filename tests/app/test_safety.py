"""Nothing lost, nothing escaping: archives with links, reserved run names, output folders
that hold a user's files, broken checkpoints, sideways photos, files that are not images,
interrupted replacements, the book's lock and stale temporary files. Each test checks that
nothing outside the command's own target changed, and that user errors end in one line."""

import errno
import json
import os
import subprocess
import tarfile

import numpy as np
import pytest
import torch
from PIL import Image

from wrinklelib import files
from wrinklelib.app import publish
from wrinklelib.config import paths
from wrinklelib.model.networks import create
from wrinklelib.model.recipe import recipe

from conftest import WRINKLE


def snapshot(folder):
    return {str(p.relative_to(folder)): (p.read_bytes() if p.is_file() and not p.is_symlink() else os.readlink(p)
                                         if p.is_symlink() else None) for p in folder.rglob("*")}


def one_line(r, code=2):
    assert r.returncode == code, r.stdout + r.stderr
    assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1, r.stderr


@pytest.fixture
def results(tmp_path, monkeypatch):
    """A results/ folder with a committed published run and the DEFAULT pointer."""
    root = tmp_path / "results"
    run = root / "publish"
    for part in ("notebooks", "tables", "figures"):
        (run / part).mkdir(parents=True)
    import nbformat

    nbformat.write(nbformat.v4.new_notebook(), run / "notebooks" / "01_a.ipynb")
    for record in ("provenance.json", "run.json"):
        (run / record).write_text(json.dumps({"profile": "cpu", "settings": {}, "run": "cpu-x"}))
    (run / "tables" / "t.csv").write_text("a\n1\n")
    (root / "DEFAULT").write_text("publish\n")
    monkeypatch.setattr(paths, "RESULTS", root)
    return root


def archive_of(tmp_path, name, build):
    """A .tar.gz made by build(tar)."""
    path = tmp_path / name
    with tarfile.open(path, "w:gz") as tar:
        build(tar)
    return path


def link(tar, name, target, kind=tarfile.SYMTYPE):
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, target
    tar.addfile(info)


def unpack(path, *extra):
    return subprocess.run([WRINKLE, "unpack", str(path), *extra], capture_output=True, text=True,
                          env={**os.environ, "WRINKLE_RESULTS": ""})


@pytest.mark.parametrize("case", ["top_is_link", "relative_link_inside", "hard_link"])
def test_an_archive_with_any_link_is_refused_before_anything_moves(results, tmp_path, case):
    before = snapshot(results)
    run = results / "publish"

    def build(tar):
        if case == "top_is_link":
            link(tar, "publish", ".")
            for p in run.rglob("*"):
                if p.is_file():
                    tar.add(p, arcname=f"publish/{p.relative_to(run)}")
        else:
            tar.add(run, arcname="mini")
            if case == "relative_link_inside":
                link(tar, "mini/up", "..")
            else:
                link(tar, "mini/hard", "mini/run.json", tarfile.LNKTYPE)

    path = archive_of(tmp_path, f"{case}.tar.gz", build)
    with pytest.raises(publish.PublishError, match="link"):
        publish.unpack(path, results)
    assert snapshot(results) == before and not (results / "mini").exists()


@pytest.mark.parametrize("name", ["DEFAULT", ".hidden", "a\nb", "a/b"])
def test_reserved_and_odd_run_names_are_refused(results, tmp_path, name):
    before = snapshot(results)
    run = results / "publish"
    path = archive_of(tmp_path, "ok.tar.gz", lambda tar: tar.add(run, arcname="fine"))
    with pytest.raises(publish.PublishError, match="run name|reserved"):
        publish.unpack(path, results, name=name)
    assert snapshot(results) == before
    if name == "DEFAULT":
        top = archive_of(tmp_path, "top.tar.gz", lambda tar: tar.add(run, arcname="DEFAULT"))
        with pytest.raises(publish.PublishError, match="reserved"):
            publish.unpack(top, results)
        with pytest.raises(publish.PublishError, match="reserved"):
            publish.publish("DEFAULT", results)
        assert (results / "DEFAULT").read_text() == "publish\n"


def test_a_published_run_holding_a_link_is_not_restored(results):
    (results / "publish" / "tables" / "loop").symlink_to("..")
    with pytest.raises(publish.PublishError, match="link"):
        publish.restore("publish", results)


def test_an_interrupted_replacement_is_recovered_on_the_next_read(results, tmp_path, monkeypatch):
    monkeypatch.setenv("WRINKLE_GENERATED", str(tmp_path / "gen"))
    monkeypatch.setattr(paths, "EXECUTED", tmp_path / "nb")
    before = snapshot(results / "publish")
    (results / "publish").rename(publish._aside(results / "publish"))      # killed between the two renames
    publish.restore("publish", results)
    assert snapshot(results / "publish") == before and (paths.tables() / "t.csv").exists()


def test_unpacked_and_published_folders_get_the_umask_modes(results, tmp_path):
    path = archive_of(tmp_path, "run.tar.gz", lambda tar: tar.add(results / "publish", arcname="other"))
    old = os.umask(0o022)
    try:
        dest = publish.unpack(path, results)
    finally:
        os.umask(old)
    assert oct(dest.stat().st_mode & 0o777) == oct(0o755)
    assert oct((dest / "run.json").stat().st_mode & 0o777) == oct(0o644)


def test_a_truncated_archive_and_an_archive_into_a_folder_are_one_line(results, tmp_path):
    whole = publish.archive("publish", tmp_path / "run.tar.gz", results)
    cut = tmp_path / "cut.tar.gz"
    cut.write_bytes(whole.read_bytes()[: len(whole.read_bytes()) // 2])
    before = snapshot(results)
    with pytest.raises(publish.PublishError, match="truncated or corrupt"):
        publish.unpack(cut, results)
    with pytest.raises(publish.PublishError, match="is a folder"):
        publish.archive("publish", tmp_path, results)
    assert snapshot(results) == before


def test_a_full_disk_during_restore_is_one_line(results, tmp_path, monkeypatch):
    """The command line names the full disk in one line (exit 1) and the run is untouched."""
    script = (
        "import errno, shutil, sys\n"
        "from wrinklelib.app import cli\n"
        "from wrinklelib.config import paths\n"
        "from pathlib import Path\n"
        f"paths.RESULTS = Path({str(results)!r})\n"
        "def full(*a, **k):\n"
        "    raise OSError(errno.ENOSPC, 'No space left on device', a[1] if len(a) > 1 else None)\n"
        "shutil.copytree = full\n"
        "sys.exit(cli.main(['publish', '--restore', 'publish']))\n")
    before = snapshot(results)
    r = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True,
                       env={**os.environ, "WRINKLE_GENERATED": str(tmp_path / "gen")})
    one_line(r, 1)
    assert "no space left" in r.stderr and snapshot(results) == before


# --- predict --out -------------------------------------------------------------------

def checkpoint(path, **changes):
    torch.manual_seed(0)
    model = create("unet", in_channels=4, out_channels=2, width=4)
    state = {"model": model.state_dict(), "model_args": dict(model.args), "input_recipe": recipe(4, 64)} | changes
    torch.save(state, path)
    return path


@pytest.fixture
def photo_dir(tmp_path, astronaut):
    folder = tmp_path / "in"
    folder.mkdir()
    Image.fromarray(astronaut[::4, ::4]).save(folder / "face.png")
    return folder


def predict(ckpt, images, out, *extra):
    return subprocess.run([WRINKLE, "predict", "--checkpoint", str(ckpt), "--images", str(images), "--out", str(out),
                           "--device", "cpu", "--no-align", *extra], capture_output=True, text=True)


def test_predict_leaves_the_users_files_in_out_alone(tmp_path, photo_dir):
    out = tmp_path / "out"
    (out / "docs").mkdir(parents=True)
    (out / ".notes.tmp").write_text("mine")
    (out / "docs" / ".draft.tmp").write_text("mine too")
    (out / ".face.png.wrinkle-1-x.tmp").write_text("a process 1 still runs: not stale")
    user = snapshot(out)
    r = predict(checkpoint(tmp_path / "c.pt"), photo_dir, out)
    assert r.returncode == 0, r.stderr
    after = snapshot(out)
    assert all(after[k] == v for k, v in user.items()) and (out / "face.png").exists()


def test_predict_never_overwrites_a_file_it_did_not_write(tmp_path, photo_dir):
    out = tmp_path / "out"
    out.mkdir()
    (out / "face.png").write_bytes(b"the user's own picture")
    before = snapshot(out)
    r = predict(checkpoint(tmp_path / "c.pt"), photo_dir, out)
    one_line(r)
    assert "face.png exists and was not written" in r.stderr and snapshot(out) == before
    r = predict(tmp_path / "c.pt", photo_dir, tmp_path / "new")             # its own outputs: rewritten freely
    assert r.returncode == 0 and predict(tmp_path / "c.pt", photo_dir, tmp_path / "new").returncode == 0


def test_out_that_is_a_file_and_a_malformed_settings_file_are_one_line(tmp_path, photo_dir):
    (tmp_path / "file").write_text("x")
    one_line(predict(checkpoint(tmp_path / "c.pt"), photo_dir, tmp_path / "file"))
    (tmp_path / "out").mkdir()
    (tmp_path / "out" / "wrinkle-settings.json").write_text("{broken")
    r = predict(tmp_path / "c.pt", photo_dir, tmp_path / "out")
    one_line(r)
    assert "wrinkle-settings.json" in r.stderr


@pytest.mark.parametrize("change, named", [
    ({"model": None}, "no state dict"),
    ({"input_recipe": {**recipe(4, 64), "size": -64}}, "size=-64"),
    ({"input_recipe": {**recipe(4, 64), "size": 60000}}, "size=60000"),
    ({"input_recipe": {**recipe(4, 64), "channels": ["red"]}}, "channels"),
    ({"model_args": {"network": "unet", "in_channels": 4, "out_channels": 2, "width": 4, "depth": 5}}, "'depth'"),
    ({"model_args": {"network": "unet", "in_channels": 4, "out_channels": 2, "width": "4"}}, "width='4'"),
    ({"model_args": {"network": "unet", "in_channels": 4, "out_channels": 2, "width": 10 ** 6}}, "width=1000000"),
])
def test_a_broken_checkpoint_is_one_line_naming_the_field(tmp_path, photo_dir, change, named):
    if change.get("model", 0) is None:
        change = {"model": "not a state dict"}
    r = predict(checkpoint(tmp_path / "c.pt", **change), photo_dir, tmp_path / "out")
    one_line(r)
    assert named in r.stderr and str(tmp_path / "c.pt") in r.stderr and not (tmp_path / "out").exists()


def test_nan_weights_are_refused_by_predict_and_score(tmp_path, photo_dir, synthetic_dir):
    model = create("unet", in_channels=4, out_channels=2, width=4)
    state = model.state_dict()
    state["outc.conv.weight"] = torch.full_like(state["outc.conv.weight"], float("nan"))
    path = checkpoint(tmp_path / "nan.pt", model=state)
    r = predict(path, photo_dir, tmp_path / "out")
    one_line(r)
    assert "outc.conv.weight" in r.stderr and "NaN" in r.stderr
    r = subprocess.run([WRINKLE, "score", "--checkpoint", str(path), "--data", str(synthetic_dir), "--device", "cpu"],
                       capture_output=True, text=True)
    one_line(r)


def test_a_non_image_named_png_is_refused_before_decoding(tmp_path):
    folder = tmp_path / "in"
    folder.mkdir()
    (folder / "huge.png").write_bytes(b"#?RADIANCE\nFORMAT=32-bit_rle_rgbe\n\n-Y 10000 +X 10000\n" + b"\x02\x02" * 64)
    import resource

    r = predict(checkpoint(tmp_path / "c.pt"), folder, tmp_path / "out")
    assert r.returncode == 1 and "not an image" in r.stderr and "Traceback" not in r.stderr
    assert resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss < 1_500_000       # kB: nothing decoded whole
    assert not (tmp_path / "out" / "huge.png").exists()


#: EXIF orientation -> how the stored pixels are turned to be shown (numpy, independent of Pillow).
UPRIGHT = {2: lambda a: a[:, ::-1], 3: lambda a: a[::-1, ::-1], 4: lambda a: a[::-1],
           5: lambda a: a.transpose(1, 0, 2), 6: lambda a: np.rot90(a, -1),
           7: lambda a: np.rot90(a, 2).transpose(1, 0, 2),
           8: lambda a: np.rot90(a, 1)}


@pytest.mark.parametrize("orientation", range(2, 9))
def test_photos_are_turned_upright_by_their_exif_orientation(tmp_path, orientation):
    from wrinklelib.app.photos import read_photo

    stored = np.zeros((40, 64, 3), np.uint8)
    stored[:10, :20] = (255, 0, 0)                      # a red corner that shows where up is
    stored[30:, 50:, 1] = 200
    exif = Image.Exif()
    exif[0x0112] = orientation
    Image.fromarray(stored).save(tmp_path / "p.png", exif=exif)
    shown = read_photo(tmp_path / "p.png")
    assert np.array_equal(shown, UPRIGHT[orientation](stored))
    folder = tmp_path / "in"
    folder.mkdir()
    (tmp_path / "p.png").rename(folder / "p.png")
    r = predict(checkpoint(tmp_path / "c.pt"), folder, tmp_path / "out")
    assert r.returncode == 0, r.stderr
    assert np.asarray(Image.open(tmp_path / "out" / "p.png")).shape == shown.shape[:2]


# --- temporaries, locks -----------------------------------------------------------------

def dead_pid() -> int:
    p = subprocess.Popen(["true"])
    p.wait()
    return p.pid


def test_a_killed_writes_temporary_is_cleaned_on_the_next_write_of_that_file(tmp_path):
    target = tmp_path / "last.pt"
    stale = tmp_path / f".last.pt{files.TEMP_MARK}{dead_pid()}-abc.tmp"
    stale.write_bytes(b"half a checkpoint")
    alive = tmp_path / f".last.pt{files.TEMP_MARK}{os.getpid()}-def.tmp"
    alive.write_bytes(b"being written now")
    users = tmp_path / ".last.pt.notes.tmp"
    users.write_text("not ours")
    files.write_text(target, "new")
    assert not stale.exists() and alive.exists() and users.exists() and target.read_text() == "new"


def test_two_runs_for_the_book_are_refused_whatever_their_generated_folder(tmp_path):
    with files.exclusive(paths.BOOK / ".wrinkle-notebooks.lock", "the book's notebooks"):
        r = subprocess.run([WRINKLE, "run", "--profile", "smoke", "--only", "01"], capture_output=True, text=True,
                           env={**os.environ, "WRINKLE_GENERATED": str(tmp_path / "elsewhere"),
                                "WRINKLE_CACHE": str(tmp_path / "cache")})
    one_line(r)
    assert "being written by another process" in r.stderr
    assert not (tmp_path / "elsewhere" / "tables").exists()


def test_a_full_disk_is_named_in_one_line():
    assert files.os_error(OSError(errno.ENOSPC, "No space left on device", "/x")).startswith("no space left")
    assert "read-only" in files.os_error(OSError(errno.EROFS, "Read-only file system", "/x"))


def test_a_killed_unpacks_hidden_folder_is_removed_by_the_next_unpack(results, tmp_path):
    stale = results / f".other{files.TEMP_MARK}{dead_pid()}-abc.tmp"
    (stale / "x").mkdir(parents=True)
    (stale / "x" / "half.bin").write_bytes(b"0" * 1000)
    path = archive_of(tmp_path, "run.tar.gz", lambda tar: tar.add(results / "publish", arcname="other"))
    publish.unpack(path, results)
    assert not stale.exists() and (results / "other" / "run.json").exists()


def test_a_mask_of_another_size_than_its_image_is_one_line(synthetic_dir, tmp_path):
    import shutil

    from wrinklelib.data import layout

    bad = tmp_path / "bad"
    shutil.copytree(synthetic_dir, bad)
    layout.write_png(layout.manual_path(bad, "01001"), np.zeros((32, 48), np.uint8))
    r = subprocess.run([WRINKLE, "score", "--checkpoint", str(checkpoint(tmp_path / "c.pt")), "--data", str(bad),
                        "--device", "cpu"], capture_output=True, text=True)
    one_line(r)
    assert "01001.png: 48 x 32 pixels" in r.stderr and "must match its image" in r.stderr


# --- user errors: one line, no traceback ----------------------------------------------

def test_finetuning_before_its_pretraining_is_one_line(tmp_path):
    r = subprocess.run([WRINKLE, "train", "--stage", "finetune", "--profile", "smoke", "--arm", "ours"],
                       capture_output=True, text=True, env={**os.environ, "WRINKLE_CACHE": str(tmp_path / "cache"),
                                                            "TQDM_DISABLE": "1"})
    one_line(r)
    assert "starts from a pretraining that is not trained yet" in r.stderr and "--stage pretrain" in r.stderr


def test_training_on_a_mask_that_is_not_binary_is_one_line(synthetic_dir, tmp_path):
    import shutil

    from wrinklelib.data import layout

    bad = tmp_path / "bad"
    shutil.copytree(synthetic_dir, bad)
    shutil.rmtree(bad / layout.ANNOTATIONS)                    # the release's layout: voted masks only
    for iid in layout.list_ids(bad, layout.MANUAL):
        layout.write_png(layout.manual_path(bad, iid), np.full((64, 64), 7, np.uint8))
    r = subprocess.run([WRINKLE, "train", "--stage", "finetune", "--profile", "smoke", "-p", f"data_dir='{bad}'",
                        "-p", "n_train=4", "-p", "n_val=2", "-p", "n_test=2", "-p", "n_pretrain=2", "--arm", "none"],
                       capture_output=True, text=True, env={**os.environ, "WRINKLE_CACHE": str(tmp_path / "cache"),
                                                            "TQDM_DISABLE": "1"})
    one_line(r, 1)
    assert "mask values must be" in r.stderr


def test_resuming_a_checkpoint_with_nan_weights_names_the_folder_to_remove(synthetic_dir, tmp_path, monkeypatch):
    from wrinklelib.config import run as runs
    from wrinklelib.training import finetuning
    from wrinklelib.training.loop import TrainingError
    from wrinklelib.training.stage import finetune_dir

    monkeypatch.setenv("WRINKLE_CACHE", str(tmp_path / "cache"))
    run = runs.resolve("smoke", {"data_dir": str(synthetic_dir), "n_train": 4, "n_val": 2, "n_test": 2,
                                 "n_pretrain": 2, "finetune_updates": [8, 8]})
    folder = finetune_dir(run, "none", 1.0, 0)
    folder.mkdir(parents=True)
    model = create("unet", in_channels=3, out_channels=2, width=4)
    state = {k: v.clone() for k, v in model.state_dict().items()}
    state["inc.double_conv.0.weight"].fill_(float("nan"))
    torch.save({"model": state, "optimizer": {}, "rng": {}, "history": [], "step": 2}, folder / "last.pt")
    with pytest.raises(TrainingError, match=f"NaN.*rm -r {folder}"):
        finetuning.finetune(run, "none", 1.0, 0)


def test_a_full_disk_while_drawing_faces_is_one_line(tmp_path):
    script = ("import errno, sys\n"
              "from wrinklelib.app import cli\n"
              "import wrinklelib.data.synthetic as synthetic\n"
              "def full(*a, **k):\n"
              "    raise OSError(errno.ENOSPC, 'No space left on device', str(a[0]))\n"
              "synthetic.write_synthetic = full\n"
              f"sys.exit(cli.main(['synth', '--out', {str(tmp_path / 'faces')!r}, '--n', '4']))\n")
    r = subprocess.run([os.sys.executable, "-c", script], capture_output=True, text=True)
    one_line(r, 1)
    assert "no space left" in r.stderr
