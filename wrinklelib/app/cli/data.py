"""`wrinkle synth`, `check-data`, `texture` and `vote`: making and checking data folders."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import fail


def cmd_synth(args) -> int:
    from ...data.synthetic import write_synthetic

    if args.n < 1:
        return fail("synth", f"--n {args.n}: expected a number of faces >= 1")
    if args.size < 32:
        return fail("synth", f"--size {args.size}: expected at least 32 pixels")
    write_synthetic(Path(args.out), args.n, args.size, args.seed)
    print(f"wrote {args.n} synthetic faces ({args.size} px, seed {args.seed}) to {args.out}")
    return 0


def cmd_check_data(args) -> int:
    from ...data.check import check_data

    problems = check_data(Path(args.dir), [Path(p) for p in args.split])
    for p in problems:
        print(p)
    fatal = sum(p.fatal for p in problems)
    print(f"{args.dir}: {fatal} error(s), {len(problems) - fatal} note(s)")
    return 1 if fatal else 0


def cmd_realism(args) -> int:
    from ...data import realism

    frame = realism.folder_statistics(Path(args.dir), args.n)
    if frame.empty:
        return fail("realism", f"{args.dir}: no images with face_parsed_labels in the FFHQ-Wrinkle layout")
    print(frame.to_string(index=False, float_format="%.3f"))
    means = frame.drop(columns="id").mean()
    inside = realism.within_bands(means)
    for k, (lo, hi) in realism.REAL_BANDS.items():
        print(f"mean {k}: {means[k]:.3f} (real portraits {lo:g} to {hi:g}: {'inside' if inside[k] else 'OUTSIDE'})")
    return 0


def cmd_texture(args) -> int:
    from ..folders import make_all

    source = ("parsing" if args.parsing else "bisenet" if args.bisenet else
              "none" if args.no_face_mask else "landmarks")
    try:
        report = make_all(Path(args.images), Path(args.out), source, args.parsing, args.bisenet,
                          args.device, args.workers, args.ksize, args.sigma)
    except (FileNotFoundError, ValueError) as err:
        return fail("texture", err)
    print(f"wrote {report['written']} masks at {report['images_per_s']:.1f} images/s")
    for name, err in report["failed"]:
        print(f"skipped {name}: {err}", file=sys.stderr)
    return 1 if report["failed"] else 0


def cmd_vote(args) -> int:
    from ..folders import vote_folders

    try:
        n = vote_folders(args.annotations, Path(args.out), args.method, args.min_votes)
    except ValueError as err:
        return fail("vote", err)
    print(f"wrote {n} {args.method} masks to {args.out}")
    return 0


def add(sub) -> None:
    """The subcommands of this module."""
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

    p = sub.add_parser("realism", help="texture statistics of a folder's faces against real portraits")
    p.add_argument("dir", help="folder in the FFHQ-Wrinkle layout (images and face_parsed_labels)")
    p.add_argument("--n", type=int, default=24, help="faces to measure (the first n)")
    p.set_defaults(func=cmd_realism)

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
