"""Plain-text excerpts of an article's body: for listings, search results and the search index."""

from __future__ import annotations

import re

from site_gen.model import Article

SUMMARY_CHARS = 240
_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>]+")


def plain_text(article: Article, paragraphs: int | None = None) -> str:
    """The body (or its first paragraphs) as plain text: Markdown images, link targets and marks removed."""
    text = "\n".join(article.paragraphs[:paragraphs])
    if article.markup == "markdown":
        text = _MARKDOWN_NOISE.sub(lambda m: m.group(1) or "", text)
    return text


def summary(article: Article, chars: int = SUMMARY_CHARS) -> str:
    """The opening of the body as plain text, for listings."""
    text = " ".join(plain_text(article, 3).split())
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"
