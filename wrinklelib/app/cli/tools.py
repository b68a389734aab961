"""`wrinkle env` and `wrinkle bench`."""

from __future__ import annotations

from pathlib import Path

from .common import fail


def prediction_needs() -> dict[str, str]:
    """What `wrinkle predict` needs to find faces offline: dlib and the 68-landmark model."""
    from ...config.environment import package_version
    from ...data.parsing import landmark_model_path

    try:
        model = f"found: {landmark_model_path()}"
    except FileNotFoundError as err:
        model = f"MISSING: {err}"
    dlib = package_version("dlib-bin")
    return {"dlib": dlib if dlib != "not installed" else package_version("dlib"), "landmark model": model}


def cmd_env(args) -> int:
    from ...config.environment import environment

    for key, value in (environment() | prediction_needs()).items():
        print(f"{key:>24}: {value}")
    return 0


def cmd_bench(args) -> int:
    import pandas as pd

    from ...config.environment import resolve_device
    from ...files import write_csv
    from .. import bench

    try:
        resolve_device(args.device)
    except ValueError as err:
        return fail("bench", f"--device {err}")
    if args.what == "train":
        frame = bench.bench_train(args.device, args.sizes, args.width, args.batch, args.steps)
        shown = frame[["size", "path", "images_per_s", "tflops", "speedup_vs_naive", "share_of_peak"]]
    elif args.what == "predict":
        frame = shown = pd.concat([bench.bench_predict(args.device, size, args.width) for size in args.sizes])
    elif args.what == "photo":
        frame = shown = bench.bench_photo(args.device, args.width)
    elif args.what == "synth":
        frame = shown = bench.bench_synth(args.sizes)
    elif args.what == "parallel":
        frame = shown = bench.bench_parallel(args.sizes[0], args.batch)
    else:
        frame = shown = pd.concat([bench.bench_texture(args.device, size) for size in args.sizes])
    print(shown.to_string(index=False, float_format="%.3f"))
    out = Path(args.out)
    tag = "gpu" if args.device.startswith("cuda") else "cpu"
    print("saved", write_csv(out / f"bench_{args.what}_{tag}.csv", frame))
    if args.what == "train":
        projection = bench.project_paper(frame)
        if max(args.sizes) < 256:
            print(f"note: projected from {max(args.sizes)} px; below 256 px the projection is not meaningful")
        print(projection.to_string(index=False))
        print("saved", write_csv(out / f"projection_paper_{tag}.csv", projection))
    return 0


def add(sub) -> None:
    """The subcommands of this module."""
    from ...config import paths

    p = sub.add_parser("env", help="print versions, device and git commit")
    p.set_defaults(func=cmd_env)

    p = sub.add_parser("bench", help="benchmarks, saved as CSV tables (by default the book's)")
    p.add_argument("what", choices=["train", "texture", "predict", "photo", "synth", "parallel"],
                   help="what to time (photo: `wrinkle predict` on a 6000x4000 photo, time and peak memory; "
                   "synth: synthetic faces per second; parallel: runs side by side against threads)")
    p.add_argument("--device", default="cpu", help="cpu, cuda or cuda:N")
    p.add_argument("--sizes", type=int, nargs="+", default=[128, 256],
                   help="image sizes in pixels (train: patches; predict: whole faces; parallel uses the first)")
    p.add_argument("--width", type=int, default=8, help="U-Net base width (the paper: 64)")
    p.add_argument("--batch", type=int, default=4, help="training batch size")
    p.add_argument("--steps", type=int, default=3, help="timed training steps per path and size")
    p.add_argument("--out", default=str(paths.tables()),
                   help="folder for the CSVs (default: the book's tables; another keeps them apart)")
    p.set_defaults(func=cmd_bench)
