"""The book's own Sphinx extension, so that a plain `jupyter-book build book` builds the
whole site: before anything is read, it makes sure the book holds an executed run. A run
executed here (`make book`, `wrinkle run`) is kept and named; otherwise the published run
named in results/DEFAULT is restored, executing nothing. With neither, one error says how
to get one. It also regenerates the pages made from the run's tables and points the
header's repository link at the code."""

from __future__ import annotations

import subprocess
from pathlib import Path

from sphinx.errors import ExtensionError
from sphinx.util import logging

log = logging.getLogger(__name__)


def ensure_run(app) -> None:
    from wrinklelib.book.pages import write_pages
    from wrinklelib.book.source import book_run, default_published

    try:
        kind, name = book_run()
    except LookupError as err:
        raise ExtensionError(str(err)) from err
    if kind == "published":
        from wrinklelib.app.publish import restore

        restore(name)
        log.info(f"[wrinkle] the book shows the published run results/{name} (restored; nothing executed)")
    else:
        log.info(f"[wrinkle] the book shows run {name}, executed here (not the published "
                 f"results/{default_published() or '?'}); `make book-published` shows that one")
    write_pages()


def _git(app, *args: str) -> str:
    try:
        return subprocess.run(["git", *args], capture_output=True, text=True, cwd=Path(app.srcdir)).stdout.strip()
    except OSError:
        return ""


def repository_link(app) -> None:
    """The code behind the site: the header's repository button only when `repository.url`
    of _config.yml names the project's public repository (never jupyter-book's default),
    and always an archive of the commit the site was built from, which the Code page offers
    for download."""
    options = app.config.html_theme_options
    url = str(options.get("repository_url") or "")
    ours = url.startswith(("https://", "http://")) and "executablebooks" not in url
    options.update({"repository_url": url if ours else "", "use_repository_button": ours})
    archive = Path(app.srcdir) / "_static" / "wrinklelib-source.tar.gz"
    if _git(app, "rev-parse", "HEAD"):
        subprocess.run(["git", "archive", "--format=tar.gz", "-o", str(archive), "HEAD"], cwd=Path(app.srcdir),
                       capture_output=True)
    elif not archive.exists():
        archive.write_bytes(b"")


def setup(app):
    app.connect("builder-inited", ensure_run)
    app.connect("builder-inited", repository_link)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
