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
    """Lookups by article id, date and permalink; build with relate(archive). What only some pages need is
    made when first asked for (an everyday build renders a few pages of a large archive)."""

    articles: list[Article] = field(default_factory=list)
    """The archive's, in archive order."""
    chains: dict[tuple[str, bool], list[Article]] = field(default_factory=dict)
    """(outlet key, dated) -> that outlet's dated or undated articles, in archive order."""
    days: dict[dt.date, list[Article]] = field(default_factory=dict)
    """Each day's articles in archive order (see day())."""
    tagged: dict[str, list[Article]] = field(default_factory=dict)
    """Each tag's articles (by name), in archive order."""
    outlets: list[OutletSummary] = field(default_factory=list)
    """By outlet name."""
    totals: Totals | None = None
    _positions: dict[tuple[str, bool], dict[str, int]] = field(default_factory=dict)
    _days: dict[dt.date, tuple[list[Article], Counter[str]]] = field(default_factory=dict)
    _by_permalink: dict[str, Article] | None = None

    def around(self, article: Article) -> Neighbours:
        dated = article.date is not None
        if article.outlet is None:
            return Neighbours(None, None, dated)
        key = (article.outlet.key, dated)
        chain = self.chains.get(key, [])
        positions = self._positions.get(key)
        if positions is None:
            positions = self._positions[key] = {a.id: i for i, a in enumerate(chain)}
        at = positions.get(article.id)
        if at is None:
            return Neighbours(None, None, dated)
        before, after = chain[at - 1] if at else None, chain[at + 1] if at + 1 < len(chain) else None
        # a dated chain runs newest first: its older neighbour comes after it
        return Neighbours(after, before, True) if dated else Neighbours(before, after, False)

    def beside(self, article: Article) -> list[Article]:
        """The articles that would be its neighbours were it in the archive (one that left it: they
        are each other's now)."""
        assert article.outlet is not None
        chain = self.chains.get((article.outlet.key, article.date is not None), [])
        at = bisect_left(chain, sort_key(article), key=sort_key)
        return chain[max(at - 1, 0) : at + 1]

    def day(self, date: dt.date) -> list[Article]:
        """The day's articles ordered by outlet name, then title."""
        return self._day(date)[0]

    def _day(self, date: dt.date) -> tuple[list[Article], Counter[str]]:
        """The day's articles in order, and how many each outlet has."""
        made = self._days.get(date)
        if made is None:
            items = sorted(self.days.get(date, []), key=_day_order)
            made = self._days[date] = (items, Counter(a.outlet.key for a in items if a.outlet is not None))
        return made

    def same_day(self, article: Article, limit: int = SAME_DAY_SHOWN) -> SameDay:
        """Articles of other outlets dated the same day as this one."""
        if article.date is None or article.outlet is None:
            return SameDay([], 0)
        day, per_outlet = self._day(article.date)
        total = len(day) - per_outlet[article.outlet.key]
        shown: list[Article] = []
        for other in day:
            if len(shown) == limit:
                break
            if other.outlet is not None and other.outlet.key != article.outlet.key:
                shown.append(other)
        return SameDay(shown, total)

    def copies(self, article: Article) -> list[CopyLink]:
        """Copies of this text at other outlets that have a page of their own (from the dedupe stage)."""
        links = [d for d in article.duplicates if d.reason == COPY and d.permalink]
        if not links:
            return []
        if self._by_permalink is None:
            self._by_permalink = {a.permalink: a for a in self.articles}
        return [CopyLink(d, self._by_permalink.get(d.permalink or "")) for d in links]


def relate(archive: Archive) -> Relations:
    """The lookups of every page, in one pass over the archive (which is already in archive order)."""
    relations = Relations(archive.articles)
    chains: dict[tuple[str, bool], list[Article]] = defaultdict(list)
    days: dict[dt.date, list[Article]] = defaultdict(list)
    tagged: dict[str, list[Article]] = defaultdict(list)
    for article in archive.articles:
        for tag in article.tags:
            tagged[tag].append(article)
        if article.outlet is not None:
            chains[article.outlet.key, article.date is not None].append(article)
            if article.date is not None:
                days[article.date].append(article)
    relations.chains, relations.days, relations.tagged = dict(chains), dict(days), dict(tagged)
    relations.outlets = sorted(
        (
            _summary(outlet, chains.get((key, True), []), chains.get((key, False), []))
            for key, outlet in archive.outlets.items()
            if (key, True) in chains or (key, False) in chains
        ),
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


def _summary(outlet: Outlet, dated: list[Article], undated: list[Article]) -> OutletSummary:
    """dated: newest first."""
    merged = sum(merged_count(a) for chain in (dated, undated) for a in chain if a.duplicates)
    first, last = (dated[-1].date, dated[0].date) if dated else (None, None)
    return OutletSummary(outlet, len(dated) + len(undated), first, last, merged)


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
