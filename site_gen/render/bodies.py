"""Article bodies as HTML, Markdown ones kept in the build cache by content.

Parsing Markdown was about a third of the cost of an article page, most of it markdown-it's block parser:
render_markdown() gives it only the blocks that need it (paragraphs of plain prose are written here, those with
inline marks parsed as inline text), which took markdown-it's time from 1.0 to 0.2 s for 4,652 scraped bodies
and from 3.2 to 2.2 s for 10,000 Hugo-style ones (links, emphasis, headings). Its result depends only on the
text and on the parser (its version, options and rules), so bodies.sqlite in the cache folder maps
a hash of those to the HTML: a rebuild after a theme change (every article page rendered again)
parses no Markdown. The render workers read it and send back what they parsed; the main process
stores that after rendering. It keeps at most about twice the archive's Markdown articles: past
that, the bodies of articles no longer in the archive are dropped. A damaged file is reported (by the
main process, for the workers too) and replaced, never a failure.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterable, Sequence
from contextlib import closing, suppress
from dataclasses import dataclass
from pathlib import Path

import markdown_it
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from site_gen.model import Article

BATCH = 500
"""Keys per look-up query (SQLite allows 32,766 parameters; a few hundred keep each query small)."""
SLACK = 1_000
"""Bodies kept beyond twice the archive's Markdown articles before the stale ones are dropped."""


def make_markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML is shown as text and unsafe link schemes are refused."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(
        ["table", "strikethrough"]
    )


_SPANNING = re.compile(r"\n(?: {0,3}(?:[-+*>]|\d{1,9}[.)]|```|~~~)| {4}|\t)")
"""The line starts that may join blocks across a blank line: lists, quotes, fenced or indented code (searched
with a newline before the text: a pattern that starts with a literal is searched for fast)."""
_BLANK_LINES = re.compile(r"\n(?:[ \t]*\n)+")
_MARKS = re.compile(r"[\\`*_\[\]<>&~]")
"""The characters of every inline mark, entity and escape."""
_NUMBERED = re.compile(r"\d+[.)]")


def render_markdown(md: MarkdownIt, text: str) -> str:
    """md.render(text), block by block where no construct spans blocks (each block then renders the same on its
    own as in the text): a paragraph of plain prose (most of an article's) is written here, and one with inline
    marks is parsed as inline text only. Parsing blocks costs markdown-it most of its time; tests/test_bodies.py
    compares both on random and real texts."""
    if _SPANNING.search("\n" + text) or "]:" in text or "\r" in text or "\0" in text:
        whole: str = md.render(text)  # (a link reference definition reaches other blocks; CR and NUL are changed)
        return whole
    return "".join(_block(md, b) for b in _BLANK_LINES.split(text.strip("\n")) if b.strip(" \t"))


def _block(md: MarkdownIt, block: str) -> str:
    if not _paragraph_lines(block) or "|" in block:  # (a table has a pipe in every row)
        parsed: str = md.render(block)
        return parsed
    if _MARKS.search(block):
        inline: str = md.renderInline(block)
        return "<p>" + inline + "</p>\n"
    return "<p>" + block.replace('"', "&quot;") + "</p>\n"  # (of what markdown-it escapes, only quotes are left)


def _paragraph_lines(block: str) -> bool:
    """Whether every line of a block continues one paragraph: none opens another block (heading, setext
    underline, thematic break), ends in a line break or has spaces for markdown-it to strip."""
    for line in block.split("\n"):
        first = line[:1]
        if not first or first in "#=_" or first.isspace() or line[-1].isspace() or _NUMBERED.match(line):
            return False
    return True


def parser_version(md: MarkdownIt) -> bytes:
    """What besides the text decides the HTML: the library's version, the options and the active rules."""
    return repr((markdown_it.__version__, sorted(md.options.items()), md.get_active_rules())).encode()


@dataclass(slots=True)
class Parsed:
    """What one process parsed (hash -> HTML), and why it could not read the cache, if it could not."""

    made: dict[bytes, str]
    failure: str | None = None


class Bodies:
    """body_html() for the pages of one build, through the cache at path (None: no cache)."""

    def __init__(self, path: Path | None, problems: list[str] | None = None) -> None:
        self.path = path
        self.problems = problems if problems is not None else []
        """Where an unusable cache file is reported (the build's cache problems)."""
        self.md = make_markdown()
        self.version = hashlib.blake2b(parser_version(self.md), digest_size=32).digest()
        self.found: dict[bytes, str] = {}
        """HTML read from the cache by prefetch()."""
        self.made: dict[bytes, str] = {}
        """HTML parsed in this process and not stored yet (a worker sends it back)."""
        self.failure: str | None = None
        """Why this process could not read the cache (save() reports it once, for every process)."""

    def key(self, article: Article) -> bytes:
        return hashlib.blake2b(article.text.encode("utf-8", "surrogatepass"), digest_size=16, key=self.version).digest()

    def html(self, article: Article) -> Markup:
        if article.markup != "markdown":
            return Markup("\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs))
        key = self.key(article)
        html = self.found.get(key)
        if html is None:
            html = self.made.get(key)
        if html is None:
            html = self.made[key] = render_markdown(self.md, article.text)
        return Markup(html)

    def prefetch(self, articles: Iterable[Article]) -> None:
        """Read the cached HTML of these articles' Markdown bodies, in a few queries."""
        keys = [self.key(a) for a in articles if a.markup == "markdown"]
        if self.path is None or not keys or not self.path.exists():
            return
        try:
            with closing(self._connect()) as db:
                for start in range(0, len(keys), BATCH):
                    batch = keys[start : start + BATCH]
                    marks = ",".join("?" * len(batch))
                    self.found.update(db.execute(f"SELECT key, html FROM bodies WHERE key IN ({marks})", batch))
        except (OSError, sqlite3.DatabaseError) as exc:
            self.failure = str(exc)  # reported by save(), in the main process

    def handover(self) -> Parsed:
        """What this process parsed since the last handover (a worker's result)."""
        parsed = Parsed(self.made, self.failure)
        self.made, self.failure = {}, None
        return parsed

    def save(self, parsed: Iterable[Parsed], archive: Sequence[Article]) -> None:
        """Store what the build's processes parsed (a damaged file is reported and made anew); past the
        bound, keep only the bodies of the archive's articles."""
        made: dict[bytes, str] = {}
        failures = []
        for part in [*parsed, self.handover()]:
            made.update(part.made)
            failures += [part.failure] if part.failure else []
        if failures and self.path is not None:
            self._unusable(failures[0])
        if self.path is None or not made:
            return
        markdown = [a for a in archive if a.markup == "markdown"]
        try:
            with closing(self._connect()) as db, db:
                db.executemany("INSERT OR REPLACE INTO bodies VALUES (?, ?)", made.items())
                (count,) = db.execute("SELECT COUNT(*) FROM bodies").fetchone()
                if count > 2 * len(markdown) + SLACK:
                    db.execute("CREATE TEMP TABLE live (key BLOB PRIMARY KEY)")
                    db.executemany("INSERT OR IGNORE INTO live VALUES (?)", ((self.key(a),) for a in markdown))
                    db.execute("DELETE FROM bodies WHERE key NOT IN (SELECT key FROM live)")
        except (OSError, sqlite3.DatabaseError) as exc:
            self._unusable(str(exc))

    def _connect(self) -> sqlite3.Connection:
        assert self.path is not None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.path, timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS bodies (key BLOB PRIMARY KEY, html TEXT NOT NULL)")
        return db

    def _unusable(self, reason: str) -> None:
        self.problems.append(f"{self.path}: unusable cache of rendered bodies ({reason}); it is made anew")
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(OSError):
                os.unlink(f"{self.path}{suffix}")
