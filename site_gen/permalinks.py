"""Permalinks: the path an article's page gets from the site's pattern (dedupe and assemble both need it)."""

from __future__ import annotations

from site_gen.model import Article

SITE_PAGES = {"index.html", "404.html", "page", "outlets", "tags", "archive", "static", "search"}
"""First path segments of the site's own pages (render/pages.py); articles get an id suffix there."""


def natural_slug(article: Article) -> str:
    """The slug an article asks for (front matter) or gets from its title (made when it was read)."""
    return article.slug or f"article-{article.id[:8]}"


def natural_permalink(article: Article, pattern: str) -> str:
    """The permalink an article gets when no other article claims the same one (dedupe redirects use it)."""
    return expand(pattern, article, natural_slug(article))


def on_site_pages(permalink: str) -> bool:
    """Whether a page at this path could take the place of one of the site's own pages."""
    return permalink.split("/", 1)[0] in SITE_PAGES


def expand(pattern: str, article: Article, slug: str) -> str:
    """The permalink pattern filled in for this article with this slug: a path inside the site."""
    date = article.date
    assert article.outlet is not None
    path = pattern.format(
        outlet=article.outlet.key,
        year=f"{date.year:04d}" if date else "undated",
        month=f"{date.month:02d}" if date else "",
        day=f"{date.day:02d}" if date else "",
        slug=slug,
        id=article.id,
    )
    segments = [s for s in path.split("/") if s]
    return "/".join(segments) + ("/index.html" if path.endswith("/") else "")
