"""What the preview shows about problems, beside the site it serves.

- The panel: every file with an error or a warning in the last build, as `path:line: message`
  (file_problems, panel), sent to open pages after each build.
- The overlay: an error of the site itself (a template, site.yaml, sources.yaml) that stopped a
  rebuild, while the last good site stays served (site_errors). Before any site was built,
  every URL answers with a page that explains the error instead (error_page).
- The last good pages of articles whose file broke since (LastGoodPages).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from contextlib import suppress
from html import escape
from pathlib import Path
from typing import Any

from site_gen.errors import ConfigError, SiteGenError, located, os_error
from site_gen.model import InputEntry

MAX_LISTED = 200
"""Problems sent to a page at most (a scraped archive may have thousands; the report lists them all)."""


def file_problems(inputs: Iterable[InputEntry], kept: Collection[str]) -> list[dict[str, Any]]:
    """One item per error or warning, errors first, then by path and line. kept: the files in
    error whose last good page is still served."""
    items = [
        {"level": m.level, "path": e.path, "line": m.line, "text": located(e.path, m.line, m.message)}
        | ({"kept": True} if e.path in kept and m.level == "error" else {})
        for e in inputs
        for m in e.messages
        if m.level != "info"
    ]
    items.sort(key=lambda item: (item["level"] != "error", item["path"], item["line"] or 0))
    return items


def panel(items: list[dict[str, Any]]) -> dict[str, Any]:
    """What open pages get for the panel: at most MAX_LISTED items, and how many files have errors and warnings."""
    return {
        "problems": items[:MAX_LISTED],
        "more": max(0, len(items) - MAX_LISTED),
        "errors": len({item["path"] for item in items if item["level"] == "error"}),
        "warnings": len({item["path"] for item in items if item["level"] == "warning"}),
    }


def site_errors(exc: BaseException) -> dict[str, Any]:
    """An error that stopped a build, as the overlay and the error page show it: {errors: [{path, line, text}]}."""
    if isinstance(exc, ConfigError):
        texts = exc.located_problems()
    elif isinstance(exc, SiteGenError):
        texts = [str(exc)]
    elif isinstance(exc, OSError):
        texts = [os_error(exc)]
    else:  # a bug: say what it was rather than nothing
        texts = [f"{type(exc).__name__}: {exc}"]
    path, line = (exc.path, exc.line) if isinstance(exc, SiteGenError) else (None, None)
    return {"errors": [{"path": path, "line": line, "text": text} for text in texts]}


def error_page(errors: dict[str, Any]) -> bytes:
    """The page every URL answers with while no site has been built: the errors (site_errors) and what to do."""
    items = "".join(f"<li><code>{escape(e['text'])}</code></li>" for e in errors["errors"])
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>site-gen: the site cannot be built yet</title><link rel="stylesheet" href="/_site-gen/live.css"></head>
<body><main id="site-gen-error-page">
<h1>site-gen cannot build this site yet</h1>
<p>No page can be shown until this is fixed:</p>
<ul id="site-gen-error-list">{items}</ul>
<h2>What to do</h2>
<p>Open the file at the line named above, fix it and save it. <code>site-gen serve</code> rebuilds after every
save, and this page reloads by itself as soon as the site builds. A template error names the template
of the theme; a setting of <code>site.yaml</code> or a field of <code>sources.yaml</code> is described in
<code>docs/configuration.md</code> of site-gen. The terminal running <code>site-gen serve</code> shows the same
messages. To start a site from scratch, <code>site-gen new DIR</code> makes one with example articles.</p>
</main></body></html>
""".encode()


class LastGoodPages:
    """The pages of articles whose file broke since they were last built well.

    `site-gen build` leaves a file that fails to read out of the site: its page is deleted,
    nothing half-read is published. The preview builds the same site, but a page being edited
    should not vanish at the first slip of a save, so the server keeps it: it learns which page
    each file made from every build that went live (learn); when a build is about to go live
    with a file in error, that file's page is read from the site still live (hold), and served
    from memory while the file stays broken. A fixed file's page is rendered by the build again,
    a deleted file's is forgotten. The output folder itself stays what `site-gen build` makes,
    so nothing the preview keeps can leak into a deployed site or into the build cache."""

    def __init__(self) -> None:
        self._made: dict[str, str] = {}
        """Content path -> the page it made, in the site that is live."""
        self._held: dict[str, tuple[str, bytes]] = {}
        """Content path of a broken file -> (its last good page, the page's bytes)."""
        self._pages: dict[str, bytes] = {}
        """The same by page, for the request handler (replaced whole: handlers run in other threads)."""

    def hold(self, inputs: Iterable[InputEntry], output: Path) -> None:
        """Before a build goes live: keep the page of every file now in error, from the site still served."""
        held: dict[str, tuple[str, bytes]] = {}
        for entry in inputs:
            if entry.status != "error":
                continue
            if entry.path in self._held:
                held[entry.path] = self._held[entry.path]
            elif entry.path in self._made:
                page = self._made[entry.path]
                with suppress(OSError):  # never built, or gone: nothing to keep
                    held[entry.path] = (page, (output / page).read_bytes())
        self._held = held
        self._pages = dict(held.values())

    def learn(self, inputs: Iterable[InputEntry]) -> None:
        """After a build went live: the page each file made."""
        self._made = {
            e.path: e.article.permalink
            for e in inputs
            if e.status == "rendered" and e.article is not None and e.article.permalink
        }

    @property
    def broken(self) -> set[str]:
        """Files in error whose last good page is served."""
        return set(self._held)

    def page(self, path: str) -> bytes | None:
        """A held page by its path in the site (articles/.../index.html)."""
        return self._pages.get(path)
