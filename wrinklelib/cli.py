"""The `wrinkle` command line: one subcommand per task, each a thin call into the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_env(args) -> int:
    from .envinfo import environment, prediction_needs

    for key, value in (environment() | prediction_needs()).items():
        print(f"{key:>24}: {value}")
    return 0


def fail(command: str, err: Exception, code: int = 2) -> int:
    """Print one line naming what went wrong (no traceback) and return the exit code."""
    print(f"wrinkle {command}: error: {err}", file=sys.stderr)
    return code


def cmd_run(args) -> int:
    from .runner import NotebookError, parse_override, run
    from .settings import SettingError

    try:
        overrides = dict(parse_override(p) for p in args.param)
        if args.data:
            overrides["data_dir"] = str(Path(args.data).resolve())
        if args.dry_run:
            from .paperplan import dry_run

            return dry_run(args.profile, overrides)
        run(args.profile, args.only, overrides, Path(args.out) if args.out else None)
    except SettingError as err:
        return fail("run", err)
    except NotebookError as err:
        return fail("run", err, 1)
    return 0


def cmd_synth(args) -> int:
    from .synth import write_synthetic

    if args.n < 1:
        return fail("synth", f"--n {args.n}: expected a number of faces >= 1")
    if args.size < 32:
        return fail("synth", f"--size {args.size}: expected at least 32 pixels")
    write_synthetic(Path(args.out), args.n, args.size, args.seed)
    print(f"wrote {args.n} synthetic faces ({args.size} px, seed {args.seed}) to {args.out}")
    return 0


def cmd_check_data(args) -> int:
    from .checkdata import check_data

    problems = check_data(Path(args.dir), [Path(p) for p in args.split])
    for p in problems:
        print(p)
    fatal = sum(p.fatal for p in problems)
    print(f"{args.dir}: {fatal} error(s), {len(problems) - fatal} note(s)")
    return 1 if fatal else 0


def cmd_texture(args) -> int:
    from .weakmasks import make_all

    source = ("parsing" if args.parsing else "bisenet" if args.bisenet else
              "none" if args.no_face_mask else "landmarks")
    try:
        report = make_all(Path(args.images), Path(args.out), source, args.parsing, args.bisenet,
                          args.device, args.workers, args.ksize, args.sigma)
    except (FileNotFoundError, ValueError) as err:
        print(f"wrinkle texture: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {report['written']} masks at {report['images_per_s']:.1f} images/s")
    for name, err in report["failed"]:
        print(f"skipped {name}: {err}", file=sys.stderr)
    return 1 if report["failed"] else 0


def cmd_vote(args) -> int:
    from .data import DataError
    from .voting import vote_folders

    try:
        n = vote_folders(args.annotations, Path(args.out), args.method, args.min_votes)
    except (DataError, ValueError) as err:
        print(f"wrinkle vote: error: {err}", file=sys.stderr)
        return 2
    print(f"wrote {n} {args.method} masks to {args.out}")
    return 0


def cmd_train(args) -> int:
    from . import finetuning, pretraining, runs
    from .runner import parse_override
    from .settings import SettingError

    try:
        if args.run_file:
            run = runs.load(Path(args.run_file))
        else:
            run = runs.resolve(args.profile, dict(parse_override(p) for p in args.param))
    except SettingError as err:
        return fail("train", err)
    if args.stage == "pretrain":
        print(f"best checkpoint: {pretraining.pretrain(run, args.task)}")
    else:
        result = finetuning.finetune(run, args.arm, args.fraction, args.seed)
        print({k: (round(v, 4) if isinstance(v, float) else v) for k, v in result.items()})
    return 0


def cmd_predict(args) -> int:
    from .predict import predict_folder
    from .train import resolve_device

    try:
        report = predict_folder(Path(args.checkpoint), Path(args.images), Path(args.out), resolve_device(args.device),
                                args.overlay, args.report, not args.no_align, args.recipe)
    except (ValueError, FileNotFoundError) as err:
        return fail("predict", err)
    for path in report["no_face"]:
        print(f"no face found: {path} (no mask written; --no-align segments the whole photo)", file=sys.stderr)
    for f in report["failed"]:
        print(f"failed: {f}", file=sys.stderr)
    faces = f", {report['faces']} faces" if report["faces"] is not None else ""
    print(f"{report['images']} photos: wrote {report['written']} masks{faces} to {args.out} "
          f"({report['recipe']} input recipe); {len(report['no_face'])} without a face, "
          f"{len(report['failed'])} failed")
    return 1 if report["failed"] else 0


def cmd_score(args) -> int:
    from .data import DataError, list_ids, read_test_list
    from .predict import score_checkpoint
    from .train import resolve_device

    root = Path(args.data)
    try:
        ids = read_test_list(root) if args.official_test else list_ids(root, "manual_wrinkle_masks")
        if not ids:
            raise DataError(f"{root}: no test list / manual masks to score on")
        result = score_checkpoint(Path(args.checkpoint), root, ids, resolve_device(args.device))
    except (DataError, ValueError, FileNotFoundError) as err:
        print(f"wrinkle score: error: {err}", file=sys.stderr)
        return 2
    for key, value in result.items():
        print(f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}")
    return 0


def cmd_bench(args) -> int:
    from .bench import bench_photo, bench_predict, bench_texture, bench_train, project_paper
    from .ioutil import write_csv
    from .train import resolve_device

    try:
        resolve_device(args.device)
    except ValueError as err:
        return fail("bench", f"--device {err}")
    if args.what == "train":
        frame = bench_train(args.device, args.sizes, args.width, args.batch, args.steps)
        print(frame[["size", "path", "images_per_s", "tflops", "speedup_vs_naive", "share_of_peak"]]
              .to_string(index=False, float_format="%.3f"))
    elif args.what == "predict":
        frame = bench_predict(args.device, args.sizes[0], args.width)
        print(frame.to_string(index=False, float_format="%.2f"))
    elif args.what == "photo":
        frame = bench_photo(args.device, args.width)
        print(frame.to_string(index=False, float_format="%.2f"))
    else:
        frame = bench_texture(args.device, args.sizes[0])
        print(frame.to_string(index=False, float_format="%.2f"))
    out = Path(args.out)
    tag = "gpu" if args.device.startswith("cuda") else "cpu"
    print("saved", write_csv(out / f"bench_{args.what}_{tag}.csv", frame))
    if args.what == "train":
        projection = project_paper(frame)
        if max(args.sizes) < 256:
            print(f"note: projected from {max(args.sizes)} px; below 256 px the projection is not meaningful")
        print(projection.to_string(index=False))
        print("saved", write_csv(out / f"projection_paper_{tag}.csv", projection))
    return 0


def cmd_publish(args) -> int:
    from .publish import PublishError, archive, publish, restore

    try:
        if args.restore:
            print(f"restored {restore(args.name)} into the book's inputs")
        else:
            print(f"published the book's run to {publish(args.name)}")
            if args.archive:
                print(f"packed it into {archive(args.name, Path(args.archive))}")
    except PublishError as err:
        return fail("publish", err)
    return 0


def cmd_unpack(args) -> int:
    from .publish import PublishError, unpack

    try:
        print(f"unpacked {unpack(Path(args.archive))}; build the site from it with "
              f"`make book-published PUBLISHED=NAME`")
    except PublishError as err:
        return fail("unpack", err)
    return 0


def cmd_pages(args) -> int:
    from .pages import write_pages

    for path in write_pages():
        print("wrote", path)
    return 0


def build_parser() -> argparse.ArgumentParser:
    from . import paths
    from .settings import ARMS, PRETEXT_TASKS

    parser = argparse.ArgumentParser(prog="wrinkle", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("env", help="print versions, device and git commit")
    p.set_defaults(func=cmd_env)

    p = sub.add_parser("run", help="execute the notebooks with a profile")
    p.add_argument("--profile", default="cpu")
    p.add_argument("--only", nargs="+", help="notebook prefixes, e.g. 01 03")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE",
                   help="override a notebook parameter (repeatable)")
    p.add_argument("--data", help="folder in the FFHQ-Wrinkle layout (sets data_dir)")
    p.add_argument("--out", help="folder for executed notebooks (default: the book)")
    p.add_argument("--dry-run", action="store_true",
                   help="validate the data and print the plan without training")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("publish", help="copy the book's run into results/NAME, or (--restore) back")
    p.add_argument("name", help="folder name under results/, e.g. cpu-publish")
    p.add_argument("--restore", action="store_true",
                   help="put the published run where the book reads it (make book-published)")
    p.add_argument("--archive", metavar="FILE", help="also pack the published run into FILE (.tar.gz)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("unpack", help="unpack an archive made by `publish --archive` into results/")
    p.add_argument("archive", help="the .tar.gz file")
    p.set_defaults(func=cmd_unpack)

    p = sub.add_parser("pages", help="write the book's generated pages from the tables present")
    p.set_defaults(func=cmd_pages)

    p = sub.add_parser("synth", help="write synthetic faces in the FFHQ-Wrinkle layout")
    p.add_argument("--out", required=True)
    p.add_argument("--n", type=int, required=True)
    p.add_argument("--size", type=int, default=256)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_synth)

    p = sub.add_parser("check-data", help="validate a data folder in the FFHQ-Wrinkle layout")
    p.add_argument("dir")
    p.add_argument("--split", action="append", default=[], help="split json files to check too")
    p.set_defaults(func=cmd_check_data)

    p = sub.add_parser("texture", help="write texture (weak) masks for a folder of images")
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    src = p.add_mutually_exclusive_group()
    src.add_argument("--parsing", help="folder of face_parsed_labels .npy files")
    src.add_argument("--bisenet", help="BiSeNet weights file 79999_iter.pth")
    src.add_argument("--landmarks", action="store_true", help="offline landmark face parsing (default)")
    src.add_argument("--no-face-mask", action="store_true", help="keep the whole image")
    p.add_argument("--device", default="cpu")
    p.add_argument("--workers", type=int, default=1)
    p.add_argument("--ksize", type=int, default=21, help="Gaussian kernel size (paper: 21 at 1024 px)")
    p.add_argument("--sigma", type=float, default=5.0, help="Gaussian sigma (paper: 5 at 1024 px)")
    p.set_defaults(func=cmd_texture)

    p = sub.add_parser("vote", help="combine several annotators' masks")
    p.add_argument("--annotations", nargs="+", required=True, help="one folder per annotator")
    p.add_argument("--out", required=True)
    p.add_argument("--min-votes", type=int, default=2)
    p.add_argument("--method", choices=["majority", "soft", "staple"], default="majority")
    p.set_defaults(func=cmd_vote)

    p = sub.add_parser("train", help="pretrain or finetune one model outside the notebooks")
    p.add_argument("--stage", choices=["pretrain", "finetune"], required=True)
    p.add_argument("--run-file", help="a run.json written by `wrinkle run` (instead of --profile and -p)")
    p.add_argument("--profile", default="cpu")
    p.add_argument("-p", "--param", action="append", default=[], metavar="KEY=VALUE")
    p.add_argument("--task", default="texture", choices=["texture", *PRETEXT_TASKS],
                   help="pretraining target: texture or a pretext task")
    p.add_argument("--arm", default="ours", choices=list(ARMS))
    p.add_argument("--fraction", type=float, default=1.0)
    p.add_argument("--seed", type=int, default=0)
    p.set_defaults(func=cmd_train)

    p = sub.add_parser("predict", help="wrinkle masks for your own photos")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--images", required=True)
    p.add_argument("--out", required=True)
    p.add_argument("--overlay", action="store_true", help="also write <name>_overlay.png with region outlines")
    p.add_argument("--report", action="store_true", help="write report.csv: per face and region, wrinkle "
                   "share of the skin, count and length")
    p.add_argument("--no-align", action="store_true", help="segment the whole photo (downscaled to the "
                   "checkpoint's size) instead of each FFHQ-aligned face")
    p.add_argument("--recipe", choices=["auto", "authors"], default="auto",
                   help="input recipe: the one the checkpoint carries (auto) or the authors' release")
    p.add_argument("--device", default="auto", help="auto, cpu, cuda or cuda:N")
    p.set_defaults(func=cmd_predict)

    p = sub.add_parser("score", help="score a checkpoint (ours or the authors') on a release folder")
    p.add_argument("--checkpoint", required=True)
    p.add_argument("--data", required=True, help="folder in the FFHQ-Wrinkle layout")
    p.add_argument("--official-test", action="store_true", help="score on test_file_lists.txt only")
    p.add_argument("--device", default="auto")
    p.set_defaults(func=cmd_score)

    p = sub.add_parser("bench", help="benchmarks, saved as CSV tables (by default the book's)")
    p.add_argument("what", choices=["train", "texture", "predict", "photo"],
                   help="what to time (photo: `wrinkle predict` on a 6000x4000 photo, time and peak memory)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 256],
                   help="image sizes in pixels (texture and predict use the first)")
    p.add_argument("--width", type=int, default=8, help="U-Net base width (the paper: 64)")
    p.add_argument("--batch", type=int, default=4, help="training batch size")
    p.add_argument("--steps", type=int, default=3, help="timed training steps per path and size")
    p.add_argument("--out", default=str(paths.TABLES),
                   help="folder for the CSVs (default: the book's tables; another keeps them apart)")
    p.set_defaults(func=cmd_bench)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
