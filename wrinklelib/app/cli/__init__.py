"""The `wrinkle` command line: one subcommand per task, each a thin call into the library.
Each module of this folder adds one group of subcommands; every user error ends in one
line naming the option or file and what is accepted, with exit code 2."""

from __future__ import annotations

import argparse
import sys

from . import book, data, predict, tools, train


def build_parser() -> argparse.ArgumentParser:
    """The parser of every subcommand."""
    parser = argparse.ArgumentParser(prog="wrinkle", description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    for group in (tools, book, data, train, predict):
        group.add(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run one subcommand; Ctrl-C ends it with one line (finished work is kept)."""
    from ...files import os_error

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"wrinkle {args.command}: interrupted; finished work is kept, run it again to resume",
              file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader of our output went away (`wrinkle bench ... | head`): stop quietly, as
        # Unix tools do; point stdout at /dev/null so that Python's exit flush cannot fail.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except OSError as err:          # a full disk, a read-only folder, a missing permission
        print(f"wrinkle {args.command}: error: {os_error(err)}", file=sys.stderr)
        return 1
