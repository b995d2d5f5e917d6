"""Articles analyzed once and inverted: the structure both the whoosh writer and the export read.

For each analyzed field: term -> its postings, each one 64-bit integer holding the document
number and the term frequency (one C array append per posting, the cheapest inversion Python
offers: the inversion is most of the export's time); whoosh's encoded positions, when the
articles also go into whoosh; and the number of terms of every document (its field length).
"""

from __future__ import annotations

from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from whoosh.formats import Positions

from site_gen import parallel
from site_gen.cycles import paused_gc
from site_gen.model import Article
from site_gen.search import terms as analysis
from site_gen.search.terms import FIELDS, field_text

TF_BITS = 25
"""Bits of a posting for the term frequency: files are at most 64 MB, so fewer than 2**25 words."""
TF_MASK = (1 << TF_BITS) - 1
_ENCODE = Positions().encode


@dataclass(slots=True)
class InvertedField:
    postings: dict[str, array[int]] = field(default_factory=dict)
    """term -> array("Q") of document number << TF_BITS | term frequency, by document."""
    positions: dict[str, list[bytes]] | None = None
    """term -> whoosh's Positions encoding of each posting, when asked for."""
    lengths: array[int] = field(default_factory=lambda: array("I"))
    """Terms in each document (stop words excluded), indexed by document number."""


def documents(packed: array[int]) -> array[int]:
    """The document numbers of a posting list."""
    return array("I", map(TF_BITS.__rrshift__, packed))


def frequencies(packed: array[int]) -> array[int]:
    """The term frequencies of a posting list."""
    return array("I", map(TF_MASK.__and__, packed))


def invert(articles: Sequence[Article], *, positions: bool = False, jobs: int = 1) -> dict[str, InvertedField]:
    """Analyze title and body of each article (numbered from 0 in the order given, each in its
    language: terms.article_key) and invert them.

    With jobs > 1 (and no positions) each worker inverts a part; the parts are joined here."""
    if jobs > 1 and not positions and articles:
        parts = parallel.run(_invert_part, range(len(articles)), articles, jobs, chunks=jobs)
        joined = {name: InvertedField() for name in FIELDS}
        for part in parts:
            extend(joined, part)
        return joined
    inverted = {name: InvertedField(positions={} if positions else None) for name in FIELDS}
    for docnum, article in enumerate(articles):
        key = analysis.article_key(article)
        for name, target in inverted.items():
            text = field_text(article, name)
            if positions:
                target.lengths.append(_add_positions(target, docnum, *analysis.positioned_terms(text, key)))
            else:
                target.lengths.append(_add_counts(target.postings, docnum, analysis.term_counts(text, key)))
    return inverted


def _invert_part(articles: Sequence[Article], part: Sequence[int]) -> dict[str, InvertedField]:
    assert isinstance(part, range)  # parallel.run slices the range it is given
    with paused_gc():
        inverted = invert(articles[part.start : part.stop])
        renumber(inverted, part.start)
        return inverted


def _add_counts(postings: dict[str, array[int]], docnum: int, counts: Counter[str]) -> int:
    base = docnum << TF_BITS
    for term, tf in counts.items():
        found = postings.get(term)
        if found is None:
            found = postings[term] = array("Q")
        found.append(base | tf)
    return counts.total()


def _add_positions(target: InvertedField, docnum: int, stream: list[str], first: int) -> int:
    where: dict[str, list[int]] = {}
    for pos, term in enumerate(stream, first):
        found = where.get(term)
        if found is None:
            where[term] = [pos]
        else:
            found.append(pos)
    base = docnum << TF_BITS
    postings, encoded = target.postings, target.positions
    assert encoded is not None
    for term, poslist in where.items():
        packed = postings.get(term)
        if packed is None:
            packed = postings[term] = array("Q")
            encoded[term] = []
        packed.append(base | len(poslist))
        encoded[term].append(_single(poslist[0]) if len(poslist) == 1 else _ENCODE(poslist))
    return len(stream)


_SINGLES: list[bytes] = []


def _single(pos: int) -> bytes:
    """The encoding of a one-position list: most postings, and they repeat."""
    while len(_SINGLES) <= pos:
        _SINGLES.append(_ENCODE([len(_SINGLES)]))
    return _SINGLES[pos]


def renumber(inverted: dict[str, InvertedField], base: int) -> None:
    """Number the documents of an inversion from base instead of 0 (and drop positions)."""
    shift = base << TF_BITS
    for field_postings in inverted.values():
        field_postings.positions = None
        if shift:
            field_postings.postings = {
                term: array("Q", map(shift.__add__, packed)) for term, packed in field_postings.postings.items()
            }


def extend(into: dict[str, InvertedField], batch: dict[str, InvertedField]) -> None:
    """Append the postings and lengths of a batch that follows into's documents (see renumber)."""
    for name, target in into.items():
        source = batch[name]
        for term, packed in source.postings.items():
            found = target.postings.get(term)
            if found is None:
                target.postings[term] = packed
            else:
                found.extend(packed)
        target.lengths.extend(source.lengths)
