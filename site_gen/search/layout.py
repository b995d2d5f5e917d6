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


def order(articles: Iterable[Article]) -> list[Article]:
    """Document order of the export: outlet, then year (newest first, undated last), then date, then id."""
    outlets: dict[str, tuple[str, str]] = {}  # each outlet's part of the key, made once (100,000 articles, 30 outlets)

    def key(article: Article) -> tuple[tuple[str, str], int, str]:
        outlet, day = article.outlet, article.date
        part = ("", "") if outlet is None else outlets.get(outlet.key) or (outlet.name.casefold(), outlet.key)
        if outlet is not None:
            outlets[outlet.key] = part
        # newest first and undated (0) last: by day alone, since the year follows the day
        return (part, -day.toordinal() if day else 0, article.id)

    return sorted(articles, key=key)


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
