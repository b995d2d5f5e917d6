"""Assemble the Archive: unique ids, slugs and permalinks, order, tags, and the groupings listings use."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from site_gen.config import SiteConfig
from site_gen.model import Archive, Article, Outlet, Tag
from site_gen.permalinks import expand, natural_slug, on_site_pages
from site_gen.slugs import short_hash, slugify


def sort_key(article: Article) -> tuple[bool, int, str]:
    """Newest first, undated last, ties by id: the same order whatever the file order."""
    return (article.date is None, -(article.date.toordinal() if article.date else 0), article.id)


@dataclass(slots=True)
class Claims:
    """What assemble decided between articles that claimed the same thing, so that a rebuild that
    adds or removes a few articles (build/reuse.py) can tell whether each decision still holds."""

    spellings: dict[str, Counter[str]] = field(default_factory=dict)
    """Case-folded tag name -> how many articles wrote it each way."""
    respelled: dict[str, list[str]] = field(default_factory=dict)
    """Source path -> the tags as written, for articles whose tags were given another spelling."""
    shared_ids: set[str] = field(default_factory=set)
    """Ids (as read) that several articles had, each made unique with a suffix."""
    suffixed_ids: set[str] = field(default_factory=set)
    """The ids those articles got."""
    contested: set[str] = field(default_factory=set)
    """Permalinks that more than one page asked for (or that one of the site's own pages holds): who got
    the plain one and who a suffix depends on every claimant."""
    copies: dict[str, list[str]] = field(default_factory=dict)
    """Id (as read: the hash of the canonical URL) -> source paths of the copies merged into another article
    (dedupe): a new file of one's URL joins its group."""


def assemble(articles: list[Article], config: SiteConfig, claims: Claims | None = None) -> Archive:
    """Give every article a unique id and permalink, sort them, and index outlets and tags.
    claims, when given, gets what was decided between articles (Claims)."""
    claims = claims if claims is not None else Claims()
    _make_ids_unique(articles, claims)
    claims.spellings = count_spellings(articles)
    tags = canonical_tags(claims.spellings)
    for article in articles:
        named = [tags[name.casefold()].name for name in article.tags]
        if named != article.tags:
            claims.respelled[article.sources[0].path] = article.tags
        article.tags = named
    claims.contested = _assign_permalinks(articles, config.permalink)
    articles.sort(key=sort_key)
    return Archive(articles, outlets_of(articles), {tag.name: tag for tag in tags.values()})


def outlets_of(articles: list[Article]) -> dict[str, Outlet]:
    """The outlets of articles in archive order, by key, in order of first appearance. Articles with equal
    outlets are given the same object: one per outlet in memory and in the cache's pickles, not one per
    article (each read in a worker comes back with its own; at 100,000 articles unpickling them took 0.2 s)."""
    outlets: dict[str, Outlet] = {}
    for article in articles:
        assert article.outlet is not None
        outlet = outlets.setdefault(article.outlet.key, article.outlet)
        if outlet is not article.outlet and outlet == article.outlet:
            article.outlet = outlet
    return outlets


def _make_ids_unique(articles: list[Article], claims: Claims) -> None:
    """Two files with the same URL share an id until dedupe merges them; keep them apart until then."""
    counts = Counter(a.id for a in articles)
    for article in articles:
        if counts[article.id] > 1:
            claims.shared_ids.add(article.id)
            article.id = short_hash(f"{article.id}:{article.sources[0].path}", 16)
            claims.suffixed_ids.add(article.id)


def count_spellings(articles: Iterable[Article]) -> dict[str, Counter[str]]:
    """Case-folded tag name -> how many articles wrote it each way."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for name in article.tags:
            spellings[name.casefold()][name] += 1
    return dict(spellings)


def canonical_tags(spellings: dict[str, Counter[str]]) -> dict[str, Tag]:
    """One Tag per case-folded name, shown in its commonest spelling, with a collision-free slug."""
    names = {folded: min(counts, key=lambda n: (-counts[n], n)) for folded, counts in spellings.items() if counts}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for folded, name in names.items():
        by_slug[slugify(name, fallback="tag-" + short_hash(name))].append(folded)
    tags: dict[str, Tag] = {}
    for slug, folded_names in by_slug.items():
        for i, folded in enumerate(sorted(folded_names)):
            tags[folded] = Tag(names[folded], slug if i == 0 else f"{slug}-{short_hash(folded)}")
    return tags


def _assign_permalinks(articles: list[Article], pattern: str) -> set[str]:
    """Each article's permalink; returns those that more than one page asked for."""
    for article in articles:
        article.slug = natural_slug(article)
        article.permalink = expand(pattern, article, article.slug)
    clashes: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        clashes[article.permalink].append(article)
    contested = set()
    for permalink, group in clashes.items():
        group.sort(key=lambda a: (a.date or dt.date.max, a.id))
        # an article among the site's own pages (a custom permalink: '{slug}.html' for "Index") clashes with them
        for article in group if on_site_pages(permalink) else group[1:]:
            contested.add(permalink)
            article.slug = f"{article.slug}-{article.id[:6]}"
            article.permalink = expand(pattern, article, article.slug)
    return contested
