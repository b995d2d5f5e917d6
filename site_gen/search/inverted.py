"""Articles analyzed once and inverted: the structure both the whoosh writer and the export read.

For each analyzed field: term -> its postings, each one 64-bit integer holding the document
number and the term frequency (one C array append per posting, the cheapest inversion Python
offers: the inversion is most of the export's time); whoosh's encoded positions, when the
articles also go into whoosh; and the number of terms of every document (its field length).
"""

from __future__ import annotations

import itertools
import operator
import pickle
from array import array
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from whoosh.formats import Positions
from whoosh.system import pack_uint

from site_gen import parallel
from site_gen.cycles import paused_gc
from site_gen.model import Article
from site_gen.search import terms as analysis
from site_gen.search.terms import FIELDS, field_text

TF_BITS = 25
"""Bits of a posting for the term frequency: files are at most 64 MB, so fewer than 2**25 words."""
TF_MASK = (1 << TF_BITS) - 1
_ENCODE = Positions().encode
DROPPED = 0xFFFFFFFF
"""The number of a word the analyzer drops (a stop word, one letter)."""
SUBBATCH = 2_000
"""Documents inverted with positions per numpy sort: bounds its arrays (about 50 MB for 2,000 articles of 600 words)."""


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
    if positions:
        return {name: _with_positions(articles, name) for name in FIELDS}
    inverted = {name: InvertedField() for name in FIELDS}
    for docnum, article in enumerate(articles):
        key = analysis.article_key(article)
        for name, target in inverted.items():
            target.lengths.append(
                _add_counts(target.postings, docnum, analysis.term_counts(field_text(article, name), key))
            )
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


class _TermIds(dict[str, int]):
    """term -> its number, given in order of first sight."""

    def __missing__(self, term: str) -> int:
        number = self[term] = len(self)
        return number


class _WordNumbers(dict[str, int]):
    """word -> the number of its term in one analysis (DROPPED: a word the analyzer drops)."""

    def __init__(self, key: str, ids: _TermIds) -> None:
        super().__init__()
        self.key, self.ids = key, ids

    def __missing__(self, word: str) -> int:
        term = analysis.term(word, self.key)
        number = self[word] = self.ids[term] if term else DROPPED
        return number


def _with_positions(articles: Sequence[Article], name: str) -> InvertedField:
    """One field of the articles inverted with positions: each document's words numbered by their terms (C
    loops over a cache of words), then each part of SUBBATCH documents sorted by term with numpy, instead of a
    dict of positions per document and term in Python (two thirds of the inversion's time)."""
    ids, target = _TermIds(), InvertedField(positions={})
    analyses: dict[str, _WordNumbers] = {}
    for start in range(0, len(articles), SUBBATCH):
        codes, counts = array("I"), array("I")
        for article in articles[start : start + SUBBATCH]:
            key = analysis.article_key(article)
            numbers = analyses.get(key)
            if numbers is None:
                numbers = analyses[key] = _WordNumbers(key, ids)
            before = len(codes)
            codes.extend(map(numbers.__getitem__, analysis.words(field_text(article, name), key)))
            counts.append(len(codes) - before)
        target.lengths.extend(_add_sorted(target, list(ids), start, codes, counts))
    return target


def _add_sorted(
    target: InvertedField, terms: list[str], base: int, codes: array[int], counts: array[int]
) -> array[int]:
    """Append the postings of documents base, base + 1, ... (their words' term numbers, one document after the
    other, and how many words each has); returns their field lengths."""
    numbers, docs, positions, lengths = _kept(codes, counts)
    if len(numbers):
        _add_postings(target, terms, numbers, docs + base, positions)
    return array("I", lengths.astype(np.uint32).tobytes())


_Array = np.ndarray[Any, Any]


def _kept(codes: array[int], counts: array[int]) -> tuple[_Array, _Array, _Array, _Array]:
    """The term numbers of the words kept, their documents and positions, and each document's count of them. A
    term's position counts the terms before it, plus the words before the first term of its document (as
    whoosh's StopFilter numbers them)."""
    words = np.frombuffer(codes, dtype=np.uint32)
    sizes = np.frombuffer(counts, dtype=np.uint32).astype(np.int64)
    kept = np.flatnonzero(words != DROPPED)
    docs = np.repeat(np.arange(len(counts), dtype=np.int64), sizes)[kept]
    lengths = np.bincount(docs, minlength=len(counts))
    before = np.cumsum(lengths) - lengths  # kept words before each document's
    first = np.zeros(len(counts), dtype=np.int64)
    has = lengths > 0
    first[has] = kept[before[has]] - (np.cumsum(sizes) - sizes)[has]
    positions = first[docs] + np.arange(len(kept), dtype=np.int64) - before[docs]
    return words[kept], docs, positions, lengths


def _add_postings(target: InvertedField, terms: list[str], numbers: _Array, docs: _Array, positions: _Array) -> None:
    """The words sorted by term, stably (so by document and position within a term), grouped by term and document."""
    order = np.argsort(numbers, kind="stable")
    term_of = numbers[order]
    doc_of = docs.astype(np.uint64)[order]
    position = positions[order]
    starts = np.flatnonzero(np.concatenate(([True], (term_of[1:] != term_of[:-1]) | (doc_of[1:] != doc_of[:-1]))))
    tfs = np.diff(starts, append=len(numbers))
    packed = ((doc_of[starts] << np.uint64(TF_BITS)) | tfs.astype(np.uint64)).tobytes()
    encoded = _encodings(position, starts, tfs)
    grouped = term_of[starts]
    firsts_of_terms = np.flatnonzero(np.concatenate(([True], grouped[1:] != grouped[:-1])))
    postings, encodings = target.postings, target.positions
    assert encodings is not None
    for number, low, high in zip(
        grouped[firsts_of_terms].tolist(), firsts_of_terms.tolist(), [*firsts_of_terms[1:].tolist(), len(starts)]
    ):
        term, part = terms[number], array("Q", packed[8 * low : 8 * high])
        found = postings.get(term)
        if found is None:
            postings[term], encodings[term] = part, encoded[low:high]
        else:
            found.extend(part)
            encodings[term] += encoded[low:high]


def _encodings(position: _Array, starts: _Array, tfs: _Array) -> list[bytes]:
    """whoosh's Positions encoding of each posting: most have one position, and those repeat (kept, and taken by
    numpy); the others are encoded here, with their gaps taken in C."""
    firsts = position[starts]
    top = int(firsts.max()) + 1
    if len(_SINGLES[0]) < top:
        _SINGLES[0] = np.array([_ENCODE([p]) for p in range(max(top, 2 * len(_SINGLES[0])))], dtype=object)
    encoded: list[bytes] = _SINGLES[0][firsts].tolist()
    listed = position.tolist()
    several = np.flatnonzero(tfs > 1)
    for at, low, tf in zip(several.tolist(), starts[several].tolist(), tfs[several].tolist()):
        spots = listed[low : low + tf]
        gaps = list(map(operator.sub, spots, itertools.chain((0,), spots)))
        encoded[at] = pack_uint(tf) + pickle.dumps(gaps, 2)
    return encoded


_SINGLES = [np.array([_ENCODE([p]) for p in range(1024)], dtype=object)]
"""The encodings of one-position lists, by position (grown as longer documents come)."""


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
