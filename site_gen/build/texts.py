"""The paragraphs of the last build's articles, kept beside its archive pickle and read when first used.

The text is most of the archive (560 of 660 MB at 100,000 articles), and an everyday build reads
only the articles it shows again (its listings' newest, the neighbours of what changed): unpickling
it all cost 0.7 s and half a gigabyte of memory per build. cache.py writes the paragraphs of every
article into a texts file (each article's list marshalled, one after the other) and pickles the
archive with a reference to its span in their place; loading maps the file and gives each article a
Paragraphs that unmarshals its span on first use. A texts file is named after the archive it belongs
to (the LastBuild's base), so a pickle never reads another's.
"""

from __future__ import annotations

import marshal
import mmap
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any, overload

from site_gen.model import Article


class Paragraphs(Sequence[str]):
    """An article's paragraphs, unmarshalled from the texts file when first used."""

    __slots__ = ("_list", "_source", "_start", "_stop")

    def __init__(self, source: mmap.mmap, start: int, stop: int) -> None:
        self._source, self._start, self._stop = source, start, stop
        self._list: list[str] | None = None

    def loaded(self) -> list[str]:
        if self._list is None:
            self._list = marshal.loads(self._source[self._start : self._stop])
        return self._list

    def span(self) -> bytes:
        """The marshalled paragraphs, as kept (what a new texts file copies without unmarshalling them)."""
        return self._source[self._start : self._stop]

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> list[str]: ...
    def __getitem__(self, index: int | slice) -> str | list[str]:
        return self.loaded()[index]

    def __len__(self) -> int:
        return len(self.loaded())

    def __iter__(self) -> Iterator[str]:
        return iter(self.loaded())

    def __eq__(self, other: object) -> bool:
        return self.loaded() == (other.loaded() if isinstance(other, Paragraphs) else other)

    __hash__ = None  # type: ignore[assignment]  # like the list it stands for

    def __repr__(self) -> str:
        return repr(self.loaded())

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as the list it stands for (in a pickle of a few articles, or sent to another process)."""
        return (list, (self.loaded(),))


class _Span:
    """Stands for an article's paragraphs in the archive pickle: its span of the texts file."""

    __slots__ = ("start", "stop")

    def __init__(self, start: int, stop: int) -> None:
        self.start, self.stop = start, stop

    def __reduce__(self) -> tuple[Any, ...]:
        return (_paragraphs, (self.start, self.stop))


_SOURCE: list[mmap.mmap] = []
"""The texts file being loaded with its archive (see reading())."""


def _paragraphs(start: int, stop: int) -> Paragraphs:
    return Paragraphs(_SOURCE[-1], start, stop)


@contextmanager
def writing(articles: list[Article], texts: IO[bytes]) -> Iterator[None]:
    """Meanwhile, each article's paragraphs are written to texts and the article holds their span instead
    (what pickle then writes); they are put back after, whatever happens."""
    kept = [(article, article.paragraphs) for article in articles]
    at = 0
    try:
        for article, paragraphs in kept:
            data = paragraphs.span() if isinstance(paragraphs, Paragraphs) else marshal.dumps(list(paragraphs))
            texts.write(data)
            article.paragraphs = _Span(at, at + len(data))  # type: ignore[assignment]  # pickled, then put back
            at += len(data)
        yield
    finally:
        for article, paragraphs in kept:
            article.paragraphs = paragraphs


@contextmanager
def reading(path: Path, size: int) -> Iterator[None]:
    """Meanwhile, the archive pickle being loaded gives its articles the paragraphs of the texts file at path,
    which must be of that size (else OSError: the cache is damaged)."""
    with open(path, "rb") as handle:
        if size == 0:
            source = mmap.mmap(-1, 1)  # an archive without text: nothing is ever read from it
        else:
            source = mmap.mmap(handle.fileno(), 0, access=mmap.ACCESS_READ)
            if len(source) != size:
                raise OSError(f"{path.name} holds {len(source):,} bytes, not {size:,}")
    _SOURCE.append(source)
    try:
        yield
    finally:
        _SOURCE.pop()
