"""Plain-text excerpts of an article's body: for listings, search results and the search index."""

from __future__ import annotations

import re

from site_gen.model import Article

SUMMARY_CHARS = 240
_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>]+")


def plain_text(article: Article, paragraphs: int | None = None) -> str:
    """The body (or its first paragraphs) as plain text: Markdown images, link targets and marks removed."""
    return "\n".join(_plain(article, block) for block in article.paragraphs[:paragraphs])


def _plain(article: Article, block: str) -> str:
    # block by block: Markdown's inline marks and links never span two blocks
    return _MARKDOWN_NOISE.sub(_link_text, block) if article.markup == "markdown" else block


def _link_text(match: re.Match[str]) -> str:
    return match.group(1) or ""


def summary(article: Article, chars: int = SUMMARY_CHARS) -> str:
    """The opening of the body (at most its first three paragraphs) as plain text, for listings. The
    paragraphs are taken one at a time until there is more than enough text: listings show thousands."""
    words: list[str] = []
    length = -1
    for block in article.paragraphs[:3]:
        more = _plain(article, block).split()
        words += more
        length += sum(map(len, more)) + len(more)
        if length > chars:
            break
    text = " ".join(words)
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"
