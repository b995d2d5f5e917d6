"""Assemble the Archive: unique ids, slugs and permalinks, order, tags, and the groupings listings use."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Callable, Hashable, Iterable
from typing import TypeVar

from site_gen.config import SiteConfig
from site_gen.model import Archive, Article, Outlet, Tag
from site_gen.permalinks import expand, natural_slug, on_site_pages
from site_gen.slugs import short_hash, slugify


def sort_key(article: Article) -> tuple[bool, int, str]:
    """Newest first, undated last, ties by id: the same order whatever the file order."""
    return (article.date is None, -(article.date.toordinal() if article.date else 0), article.id)


def assemble(articles: list[Article], config: SiteConfig) -> Archive:
    """Give every article a unique id and permalink, sort them, and index outlets and tags."""
    _make_ids_unique(articles)
    tags = _canonical_tags(articles)
    for article in articles:
        article.tags = [tags[name.casefold()].name for name in article.tags]
    _assign_permalinks(articles, config.permalink)
    articles.sort(key=sort_key)
    outlets: dict[str, Outlet] = {}
    for article in articles:
        assert article.outlet is not None
        outlets.setdefault(article.outlet.key, article.outlet)
    return Archive(articles, outlets, {tag.name: tag for tag in tags.values()})


def _make_ids_unique(articles: list[Article]) -> None:
    """Two files with the same URL share an id until dedupe merges them; keep them apart until then."""
    counts = Counter(a.id for a in articles)
    for article in articles:
        if counts[article.id] > 1:
            article.id = short_hash(f"{article.id}:{article.sources[0].path}", 16)


def _canonical_tags(articles: list[Article]) -> dict[str, Tag]:
    """One Tag per case-folded name, shown in its commonest spelling, with a collision-free slug."""
    spellings: dict[str, Counter[str]] = defaultdict(Counter)
    for article in articles:
        for name in article.tags:
            spellings[name.casefold()][name] += 1
    names = {folded: min(counts, key=lambda n: (-counts[n], n)) for folded, counts in spellings.items()}
    by_slug: dict[str, list[str]] = defaultdict(list)
    for folded, name in names.items():
        by_slug[slugify(name, fallback="tag-" + short_hash(name))].append(folded)
    tags: dict[str, Tag] = {}
    for slug, folded_names in by_slug.items():
        for i, folded in enumerate(sorted(folded_names)):
            tags[folded] = Tag(names[folded], slug if i == 0 else f"{slug}-{short_hash(folded)}")
    return tags


def _assign_permalinks(articles: list[Article], pattern: str) -> None:
    for article in articles:
        article.slug = natural_slug(article)
        article.permalink = expand(pattern, article, article.slug)
    clashes: dict[str, list[Article]] = defaultdict(list)
    for article in articles:
        clashes[article.permalink].append(article)
    for group in clashes.values():
        group.sort(key=lambda a: (a.date or dt.date.max, a.id))
        # an article among the site's own pages (a custom permalink: '{slug}.html' for "Index") clashes with them
        for article in group if on_site_pages(group[0].permalink) else group[1:]:
            article.slug = f"{article.slug}-{article.id[:6]}"
            article.permalink = expand(pattern, article, article.slug)


K = TypeVar("K", bound=Hashable)


def group(articles: Iterable[Article], key: Callable[[Article], Iterable[K]]) -> dict[K, list[Article]]:
    """Articles under each key the function yields for them, in archive order."""
    groups: dict[K, list[Article]] = defaultdict(list)
    for article in articles:
        for k in key(article):
            groups[k].append(article)
    return dict(groups)
