"""Find every internal link and resource in a built site and check that its target exists."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            if value is not None and (name in ("href", "src") or (tag == "form" and name == "action")):
                self.links.append(value)


def links_of(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.links


def broken_links(root: Path) -> list[str]:
    """'page -> link' for every relative link whose target file is missing; absolute-path links count as broken."""
    broken = []
    for page in sorted(root.rglob("*.html")):
        for link in links_of(page.read_text(encoding="utf-8")):
            parts = urlsplit(link)
            if parts.scheme or link.startswith("#"):
                continue
            if link.startswith("/"):
                broken.append(
                    f"{page.relative_to(root)} -> {link} (root-absolute: breaks under a sub-path and file://)"
                )
                continue
            target = (page.parent / unquote(parts.path)).resolve()
            if not target.is_file() or root.resolve() not in target.parents:
                broken.append(f"{page.relative_to(root)} -> {link}")
    return broken
