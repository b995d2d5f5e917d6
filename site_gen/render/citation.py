"""The "cite this" block: what a reader needs to cite an archived article and prove which text they saw."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any
from urllib.parse import urljoin

from site_gen.model import Article

RETRIEVAL_KEYS = ("retrieved", "retrieved_at", "scraped_at", "scraped", "fetched_at", "crawled_at", "accessed")
"""Front-matter keys (kept in Article.extra) that say when the scraper fetched the page, first found wins."""


@dataclass(slots=True, frozen=True)
class Citation:
    outlet: str
    title: str
    date: str
    """ISO date, or 'undated'."""
    url: str | None
    """The original URL."""
    permalink: str
    """The archive's copy: absolute when the site has a base_url, else the path from the site root."""
    sha256: str
    """SHA-256 of the canonical source file's bytes."""
    retrieved: str | None

    def text(self) -> str:
        """One plain-text line a reader can paste into a bibliography."""
        parts = [f"{self.outlet}. “{self.title}”. {self.date}."]
        if self.url:
            parts.append(f"{self.url}.")
        if self.retrieved:
            parts.append(f"Retrieved {self.retrieved}.")
        parts.append(f"Archived copy: {self.permalink} (source SHA-256 {self.sha256}).")
        return " ".join(parts)


def cite(article: Article, base_url: str) -> Citation:
    assert article.outlet is not None
    return Citation(
        outlet=article.outlet.name,
        title=article.title or "Untitled",
        date=article.date.isoformat() if article.date else "undated",
        url=article.url,
        permalink=urljoin(base_url, article.permalink) if base_url else article.permalink,
        sha256=article.sources[0].sha256,
        retrieved=retrieval_date(article.extra),
    )


def retrieval_date(extra: dict[str, Any]) -> str | None:
    """When the page was fetched, from the front matter: a date as YYYY-MM-DD, other text as written."""
    for key in RETRIEVAL_KEYS:
        value = extra.get(key)
        if value in (None, ""):
            continue
        if isinstance(value, (dt.date, dt.datetime)):
            return value.isoformat()[:10]
        text = str(value).strip()
        try:
            return dt.datetime.fromisoformat(text).date().isoformat()
        except ValueError:
            return text
    return None
