"""The `wrinkle` command line: one subcommand per task, each a thin call into the library."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


def cmd_env(args) -> int:
    from .envinfo import environment

    for key, value in environment().items():
        print(f"{key:>24}: {value}")
    return 0


def cmd_run(args) -> int:
    from .runner import ParameterError, parse_override, run

    try:
        overrides = dict(parse_override(p) for p in args.param)
        if args.data:
            overrides["data_dir"] = str(Path(args.data).resolve())
        if args.dry_run:
            from .paperplan import dry_run

            return dry_run(args.profile, overrides)
        run(args.profile, args.only, overrides, Path(args.out) if args.out else None)
    except (ParameterError, KeyError) as err:
        print(f"wrinkle run: error: {err}", file=sys.stderr)
        return 2
    return 0


def build_parser() -> argparse.ArgumentParser:
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

    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
