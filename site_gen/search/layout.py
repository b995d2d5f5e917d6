"""The static index's format number and document order, without whoosh (see manifest.py):
what a build needs to know whether the last export still holds.

A full export numbers documents by outlet, then year, then date, so the outlet and year of a
document come from a small table of runs in meta.js (export.py) instead of a per-document list;
a patched one (snapshot.py) numbers new documents after the last, in the same order among them.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from site_gen.model import Article

FORMAT = 3
"""Of the files under OUT/search/: a change makes every cached export stale."""


def order(archive: Iterable[Article]) -> list[Article]:
    """Document order of the export: outlet, then year (newest first, undated last), then date, then id.
    archive: in archive order (render.archive.sort_key), which is this order within each outlet, so the
    articles are only grouped by outlet (sorting 100,000 of them by a key took 0.2 s of every build)."""
    groups: dict[str | None, list[Article]] = {}
    outlets: dict[str | None, tuple[str, str]] = {None: ("", "")}  # no outlet first
    for article in archive:
        outlet = article.outlet
        key = outlet.key if outlet is not None else None
        group = groups.get(key)
        if group is None:
            group = groups[key] = []
            if outlet is not None:
                outlets[key] = (outlet.name.casefold(), outlet.key)
        group.append(article)
    return [article for key in sorted(groups, key=outlets.__getitem__) for article in groups[key]]


def term_order(term: str) -> bytes:
    """Sort key of the export's terms: JavaScript string comparison (UTF-16 code units), which search.js bisects
    with."""
    return term.encode("utf-16-be")


def year(date: dt.date | None) -> int:
    return date.year if date else 0


def facet(article: Article) -> tuple[str, str, int]:
    """What meta.js's runs say of a document: outlet key and name, and year (0: undated)."""
    outlet = article.outlet
    return (outlet.key if outlet else "", outlet.name if outlet else "Unknown source", year(article.date))
