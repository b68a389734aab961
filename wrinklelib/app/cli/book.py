"""`wrinkle run`, `publish`, `unpack` and `pages`: executing the notebooks and publishing
what they made."""

from __future__ import annotations

from pathlib import Path

from .common import fail


def cmd_run(args) -> int:
    from ...book.execute import NotebookError, parse_override, run
    from ...config.settings import SettingError
    from ...files import Busy

    try:
        overrides = dict(parse_override(p) for p in args.param)
        if args.data:
            overrides["data_dir"] = str(Path(args.data).resolve())
        if args.dry_run:
            from ..plan import dry_run

            return dry_run(args.profile, overrides)
        run(args.profile, args.only, overrides, Path(args.out) if args.out else None)
    except (SettingError, Busy) as err:
        return fail("run", err)
    except NotebookError as err:
        return fail("run", err, 1)
    return 0


def cmd_publish(args) -> int:
    from ..publish import PublishError, archive, publish, restore

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
    from ..publish import PublishError, unpack

    try:
        dest = unpack(Path(args.archive), name=args.name)
        print(f"unpacked {dest}; build the site from it with `make book-published PUBLISHED={dest.name}`")
    except PublishError as err:
        return fail("unpack", err)
    return 0


def cmd_pages(args) -> int:
    from ...book.pages import write_pages

    for path in write_pages():
        print("wrote", path)
    return 0


def add(sub) -> None:
    """The subcommands of this module."""
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
    p.add_argument("name", help="folder name under results/, e.g. publish")
    p.add_argument("--restore", action="store_true",
                   help="put the published run where the book reads it (make book-published)")
    p.add_argument("--archive", metavar="FILE", help="also pack the published run into FILE (.tar.gz)")
    p.set_defaults(func=cmd_publish)

    p = sub.add_parser("unpack", help="unpack an archive made by `publish --archive` into results/")
    p.add_argument("archive", help="the .tar.gz file")
    p.add_argument("--name", help="the run's name under results/ (needed when the archive holds the run's "
                   "files at its top level, as `tar -C RUN .` makes)")
    p.set_defaults(func=cmd_unpack)

    p = sub.add_parser("pages", help="write the book's generated pages from the tables present")
    p.set_defaults(func=cmd_pages)
