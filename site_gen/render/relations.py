"""How articles relate to each other, computed once per build for the reading aids on every page.

An article page shows its neighbours in its outlet, the same day's articles of other outlets and
its copies at other outlets; the outlets overview and the home page show per-outlet and archive
totals. All of it comes from one pass over the archive (plus a sort per day), so rendering one
article page costs the same whether the archive holds a hundred articles or a hundred thousand.
"""

from __future__ import annotations

import datetime as dt
from bisect import bisect_left
from collections import Counter, defaultdict
from dataclasses import dataclass, field

from site_gen.model import Archive, Article, Duplicate, Outlet
from site_gen.render.archive import sort_key

SAME_DAY_SHOWN = 6
"""At most this many same-day articles are listed on a page; the rest are counted and linked by month."""
COPY = "cross-outlet-copy"
"""The dedupe reason of a copy that keeps its own page (another outlet published the same text)."""


@dataclass(slots=True, frozen=True)
class Neighbours:
    """The articles beside one in its outlet: by date for dated articles, in listing order for undated ones."""

    previous: Article | None
    """Older (dated) or earlier in the outlet's undated listing."""
    next: Article | None
    """Newer (dated) or later in the outlet's undated listing."""
    dated: bool


@dataclass(slots=True, frozen=True)
class SameDay:
    """Other outlets' articles of the same date: the first few, and how many there are in all."""

    shown: list[Article]
    total: int


@dataclass(slots=True, frozen=True)
class CopyLink:
    """A copy of an article's text at another outlet that has its own page."""

    duplicate: Duplicate
    article: Article | None
    """The copy's article, when its permalink is one of this build's pages."""


@dataclass(slots=True, frozen=True)
class OutletSummary:
    """One row of the outlets overview."""

    outlet: Outlet
    articles: int
    first: dt.date | None
    last: dt.date | None
    merged: int
    """Duplicate files merged into this outlet's articles (cross-outlet copies keep their pages and do not count)."""


@dataclass(slots=True, frozen=True)
class Totals:
    """The archive at a glance, for the home page."""

    articles: int
    outlets: int
    tags: int
    languages: int
    countries: int
    first: dt.date | None
    last: dt.date | None
    undated: int
    merged: int
    source_files: int

    @property
    def months(self) -> int:
        """Calendar months from the first to the last date, both included."""
        if not self.first or not self.last:
            return 0
        return (self.last.year - self.first.year) * 12 + self.last.month - self.first.month + 1


@dataclass(slots=True)
class Relations:
    """Lookups by article id, date and permalink; build with relate(archive)."""

    neighbours: dict[str, Neighbours] = field(default_factory=dict)
    chains: dict[tuple[str, bool], list[Article]] = field(default_factory=dict)
    """(outlet key, dated) -> that outlet's dated or undated articles, in archive order."""
    by_day: dict[dt.date, list[Article]] = field(default_factory=dict)
    """Each day's articles ordered by outlet name, then title."""
    per_day_outlet: Counter[tuple[dt.date, str]] = field(default_factory=Counter)
    by_permalink: dict[str, Article] = field(default_factory=dict)
    outlets: list[OutletSummary] = field(default_factory=list)
    """By outlet name."""
    totals: Totals | None = None

    def around(self, article: Article) -> Neighbours:
        return self.neighbours.get(article.id, Neighbours(None, None, article.date is not None))

    def beside(self, article: Article) -> list[Article]:
        """The articles that would be its neighbours were it in the archive (one that left it: they
        are each other's now)."""
        assert article.outlet is not None
        chain = self.chains.get((article.outlet.key, article.date is not None), [])
        at = bisect_left(chain, sort_key(article), key=sort_key)
        return chain[max(at - 1, 0) : at + 1]

    def same_day(self, article: Article, limit: int = SAME_DAY_SHOWN) -> SameDay:
        """Articles of other outlets dated the same day as this one."""
        if article.date is None or article.outlet is None:
            return SameDay([], 0)
        day = self.by_day.get(article.date, [])
        total = len(day) - self.per_day_outlet[(article.date, article.outlet.key)]
        shown: list[Article] = []
        for other in day:
            if len(shown) == limit:
                break
            if other.outlet is not None and other.outlet.key != article.outlet.key:
                shown.append(other)
        return SameDay(shown, total)

    def copies(self, article: Article) -> list[CopyLink]:
        """Copies of this text at other outlets that have a page of their own (from the dedupe stage)."""
        return [
            CopyLink(d, self.by_permalink.get(d.permalink))
            for d in article.duplicates
            if d.reason == COPY and d.permalink
        ]


def relate(archive: Archive) -> Relations:
    """All the lookups in one pass over the archive (which is already in archive order)."""
    relations = Relations()
    by_outlet: dict[str, list[Article]] = defaultdict(list)
    by_day: dict[dt.date, list[Article]] = defaultdict(list)
    for article in archive.articles:
        relations.by_permalink[article.permalink] = article
        if article.outlet is not None:
            by_outlet[article.outlet.key].append(article)
        if article.date is not None and article.outlet is not None:
            by_day[article.date].append(article)
            relations.per_day_outlet[(article.date, article.outlet.key)] += 1
    relations.by_day = {day: sorted(items, key=_day_order) for day, items in by_day.items()}
    for key, items in by_outlet.items():
        _link_neighbours(key, items, relations)
    relations.outlets = sorted(
        (_summary(archive.outlets[key], items) for key, items in by_outlet.items()),
        key=lambda s: (s.outlet.name.casefold(), s.outlet.key),
    )
    relations.totals = _totals(archive, relations.outlets)
    return relations


def merged_count(article: Article) -> int:
    """Files merged into this article: every duplicate except copies at other outlets."""
    return sum(1 for d in article.duplicates if d.reason != COPY)


def _day_order(article: Article) -> tuple[str, str, str]:
    assert article.outlet is not None
    return (article.outlet.name.casefold(), article.title.casefold(), article.id)


def _link_neighbours(outlet: str, items: list[Article], relations: Relations) -> None:
    """items: one outlet's articles in archive order (newest first, undated last)."""
    dated = relations.chains[outlet, True] = [a for a in items if a.date is not None]
    undated = relations.chains[outlet, False] = [a for a in items if a.date is None]
    for chain, is_dated in ((dated[::-1], True), (undated, False)):
        for i, article in enumerate(chain):
            relations.neighbours[article.id] = Neighbours(
                chain[i - 1] if i else None, chain[i + 1] if i + 1 < len(chain) else None, is_dated
            )


def _summary(outlet: Outlet, items: list[Article]) -> OutletSummary:
    dates = [a.date for a in items if a.date is not None]
    return OutletSummary(
        outlet, len(items), min(dates, default=None), max(dates, default=None), sum(merged_count(a) for a in items)
    )


def _totals(archive: Archive, outlets: list[OutletSummary]) -> Totals:
    firsts = [s.first for s in outlets if s.first]
    lasts = [s.last for s in outlets if s.last]
    return Totals(
        articles=len(archive.articles),
        outlets=len(archive.outlets),
        tags=len(archive.tags),
        languages=len({a.language for a in archive.articles if a.language}),
        countries=len({o.country for o in archive.outlets.values() if o.country}),
        first=min(firsts, default=None),
        last=max(lasts, default=None),
        undated=sum(1 for a in archive.articles if a.date is None),
        merged=sum(s.merged for s in outlets),
        source_files=sum(len(a.sources) for a in archive.articles),
    )
