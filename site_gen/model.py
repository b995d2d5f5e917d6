"""The one data model that flows through the stages.

read -> RawDoc -> normalize -> Article -> tag -> Article -> dedupe -> Archive -> render/index.
Every class is a slots dataclass: cheap to pickle between worker processes and
impossible to decorate with stray attributes.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields
from operator import attrgetter
from typing import TYPE_CHECKING, Any, Literal, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

T = TypeVar("T", bound="DataclassInstance")
Level = Literal["info", "warning", "error"]


def fast_pickle(cls: type[T]) -> type[T]:
    """Pickle through the constructor: a slots dataclass otherwise unpickles field by field through
    a generic __setstate__, several times slower (the build cache unpickles every article)."""
    names = [f.name for f in fields(cls)]
    values = (
        attrgetter(*names) if len(names) > 1 else lambda obj: (getattr(obj, names[0]),)
    )  # attrgetter: one C call for all fields

    def __reduce__(self: object) -> tuple[type[T], tuple[Any, ...]]:
        return (cls, values(self))

    cls.__reduce__ = __reduce__  # type: ignore[method-assign]  # replacing the method on the class is the point
    return cls


Status = Literal["rendered", "merged", "skipped", "error"]


@fast_pickle
@dataclass(slots=True)
class Message:
    """A remark about one input file, for the build report."""

    level: Level
    """info: a decision worth knowing; warning: something was guessed or dropped; error: the file failed."""
    message: str
    """A sentence a person can act on."""
    line: int | None = None
    """1-based line in the source file, where one applies."""


@fast_pickle
@dataclass(slots=True)
class SourceFile:
    """One file on disk that an article was read from."""

    path: str
    """POSIX path relative to the content folder."""
    sha256: str
    """SHA-256 of the file's bytes, as read."""
    size: int
    """Size in bytes."""
    encoding: str
    """The encoding the bytes were decoded with."""


@dataclass(slots=True)
class RawDoc:
    """A file split into metadata and body, before any clean-up."""

    source: SourceFile
    format: Literal["header-line", "yaml", "bare"]
    """Which of the three input formats the file is in."""
    meta: dict[str, Any]
    """Metadata after precedence (defaults < path < file): title, date, url, source, tags, language, slug, draft,
    extra."""
    body: str
    """The body text exactly as decoded (line endings already LF)."""
    body_line: int
    """Line of the file where the body starts, so messages can point into the file."""
    markup: Literal["text", "markdown"]
    """text: one paragraph per line, shown verbatim; markdown: rendered by markdown-it-py."""
    messages: list[Message] = field(default_factory=list)


@fast_pickle
@dataclass(slots=True)
class Removal:
    """Something normalization took out of or changed in the text, so the page can say so."""

    kind: str
    """Short name: repeated-paragraph, title-repeated, control-characters, invisible-characters, non-breaking-spaces,
    mojibake, boilerplate."""
    count: int
    """How many occurrences were removed or changed."""
    detail: str
    """One sentence explaining the rule that fired."""
    samples: list[str] = field(default_factory=list)
    """What was removed (each truncated), for review."""


@fast_pickle
@dataclass(slots=True, frozen=True)
class Outlet:
    """Who published an article, from the source registry."""

    key: str
    """URL-safe slug, unique per outlet."""
    name: str
    domain: str | None
    """Registrable domain (sputnikglobe.com), or None when the article has no URL."""
    country: str | None = None
    language: str | None = None
    kind: str | None = None
    """e.g. state media, newspaper, wire, blog."""
    tags: tuple[str, ...] = ()
    """Tags every article of this outlet gets."""
    known: bool = False
    """True when the registry describes the outlet; False when it is named after its domain."""


@fast_pickle
@dataclass(slots=True)
class Duplicate:
    """Another file carrying the same article, recorded on the canonical one (dedupe stage)."""

    path: str
    url: str | None
    date: dt.date | None
    reason: str
    """same-url, same-text, near-duplicate or cross-outlet-copy."""
    score: float
    """Jaccard similarity of the two texts' 3-word shingles (1.0 for same-text)."""
    permalink: str | None = None
    """Where the copy lives in the site, when it keeps a page of its own (cross-outlet copies, redirects)."""
    title: str = ""
    """The copy's own headline (copies often differ only there)."""
    outlet: str = ""
    """The copy's outlet name."""
    containment: float = 0.0
    """Share of the shorter text's shingles found in the other: near 1.0 for a truncated or extended copy."""
    only_here: list[str] = field(default_factory=list)
    """Paragraphs of a merged copy that the canonical text lacks, kept so that no text is lost."""


@fast_pickle
@dataclass(slots=True)
class Article:
    """One archived article as the site shows it."""

    id: str
    """Stable identifier: a hash of the canonical URL, or of the source path when there is no URL."""
    title: str
    date: dt.date | None
    url: str | None
    """Original URL, as found (validated; None when missing or unusable)."""
    paragraphs: list[str]
    """Body after normalization: plain-text paragraphs (markup=text) or Markdown blocks."""
    markup: Literal["text", "markdown"]
    sources: list[SourceFile]
    """Files this article was read from; the first is the canonical copy."""
    format: str
    """Input format of the canonical file."""
    language: str = ""
    outlet: Outlet | None = None
    tags: list[str] = field(default_factory=list)
    slug: str = ""
    permalink: str = ""
    """Output path relative to the site root, e.g. articles/sputnik/2025/05/nato-staff/index.html."""
    removed: list[Removal] = field(default_factory=list)
    messages: list[Message] = field(default_factory=list)
    duplicates: list[Duplicate] = field(default_factory=list)
    extra: dict[str, Any] = field(default_factory=dict)
    """Front-matter keys site_gen does not interpret, kept and shown."""
    requested_slug: str = ""
    """Slug asked for in front matter, if any."""

    @property
    def text(self) -> str:
        """The body as one string, paragraphs separated by blank lines."""
        return "\n\n".join(self.paragraphs)


@fast_pickle
@dataclass(slots=True)
class Tag:
    """A tag page: the name as written and its URL slug."""

    name: str
    slug: str


@dataclass(slots=True)
class Archive:
    """Everything the render and index stages need."""

    articles: list[Article]
    """Newest first; undated articles last; ties broken by id so the order is stable."""
    outlets: dict[str, Outlet]
    """By outlet key."""
    tags: dict[str, Tag]
    """By tag name."""


@fast_pickle
@dataclass(slots=True)
class InputEntry:
    """What became of one path found in the content folder."""

    path: str
    status: Status
    messages: list[Message] = field(default_factory=list)
    article: Article | None = None
    """The article this file became (or was merged into); its id goes in the report."""
    paragraph_keys: list[int] = field(default_factory=list)
    """Stable hashes of the article's paragraphs as read (boilerplate.paragraph_keys), cached with
    the entry so recurring-paragraph detection does not fold every paragraph on every build."""
