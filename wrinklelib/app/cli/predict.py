"""`wrinkle predict` and `wrinkle score`: a checkpoint on a user's photos or a release folder."""

from __future__ import annotations

import sys
from pathlib import Path

from .common import fail


def cmd_predict(args) -> int:
    from ...config.environment import resolve_device
    from ..photos import default_model, describe_model, predict_folder

    try:
        checkpoint = Path(args.checkpoint) if args.checkpoint else default_model()
        print(f"model: {describe_model(checkpoint)}")
        report = predict_folder(checkpoint, Path(args.images), Path(args.out), resolve_device(args.device),
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
    from ...config.environment import resolve_device
    from ...data.layout import DataError, list_ids, read_test_list
    from ...evaluation.scoring import score_checkpoint

    root = Path(args.data)
    try:
        ids = read_test_list(root) if args.official_test else list_ids(root, "manual_wrinkle_masks")
        if not ids:
            raise DataError(f"{root}: no test list / manual masks to score on")
        result = score_checkpoint(Path(args.checkpoint), root, ids, resolve_device(args.device))
    except (ValueError, FileNotFoundError) as err:
        return fail("score", err)
    for key, value in result.items():
        print(f"{key:>16}: {value:.4f}" if isinstance(value, float) else f"{key:>16}: {value}")
    return 0


def add(sub) -> None:
    """The subcommands of this module."""
    p = sub.add_parser("predict", help="wrinkle masks for your own photos")
    p.add_argument("--checkpoint", help="a finetuned checkpoint, ours or the authors' (default: the model the "
                   "book's published run ships)")
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
