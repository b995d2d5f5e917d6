"""The last static export's inversion and coded posting rows, kept in the cache.

A rebuild where a few articles changed patches the inversion instead of analyzing every article
again. Documents keep their numbers (slots): an article changed in place (the same outlet and
year, so the same run in meta.js) keeps its slot, its postings taken out and put back from its
new text; a new article (or one that moved) gets the next slot after the last, so every other
posting list stays as it was, and keeps growing at its end; a deleted one leaves its slot empty
(its postings gone, a run of no outlet in meta.js). The statistics the codes depend on (the
number of documents the Rice parameters are taken from, the field-length coders) stay those of
the last full export, so a term's row is coded again only when its postings changed. Scores do
not depend on the numbering: BM25F takes the live documents' count and lengths, which meta.js
gives as a full export would (tests/test_search_snapshot.py compares the decoded indexes).
When the slots have drifted too far from a full export's (empty and appended slots beyond
MAX_DRIFT of the documents), the next export is made in full, numbering documents by outlet,
year and date again.
"""

from __future__ import annotations

import ctypes
import dataclasses
import os
import pickle
from array import array
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from whoosh.util.numeric import length_to_byte

from site_gen.model import Article
from site_gen.search import terms as analysis
from site_gen.search.inverted import TF_BITS, InvertedField
from site_gen.search.layout import facet, term_order
from site_gen.search.terms import field_text

FORMAT = 6
MAX_CHANGED = 32
"""Documents changed or deleted without their old version at hand beyond which a patch costs about
what analyzing everything again does (each one's postings are looked for in every list)."""
MAX_DRIFT = 0.1
"""Empty and appended slots, as a share of the documents of the last full export, beyond which the
export is made in full again."""

Row = tuple[list[int], str]
"""A term's [df, chars] per field and its coded postings (export.py)."""
TagRow = tuple[list[int], str]
"""A tag's documents and their code in tags.js."""


@dataclass(slots=True, frozen=True)
class Shard:
    """A t/N.js file as the last export wrote it."""

    first: str
    terms: int
    payload: bytes


@dataclass(slots=True)
class Snapshot:
    digests: list[str | None]
    """search.digest() of each slot's document, None for an empty slot."""
    fields: dict[str, InvertedField]
    coding: list[object]
    """The statistics every row's code depends on: the number of documents of the last full export
    (Rice parameters) and each field's length coder."""
    rows: dict[str, Row]
    chunk: int = 0
    """Documents per d/N.js file."""
    docs: list[bytes] = field(default_factory=list)
    """The d/N.js files."""
    format: int = FORMAT
    vocabulary: list[str] = field(default_factory=list)
    """Every term, in layout.term_order (kept in order by patch())."""
    shards: list[Shard] = field(default_factory=list)
    tags: dict[str, TagRow] = field(default_factory=dict)
    """Each tag's documents and code in tags.js, in order."""
    packed: dict[str, Packed] = field(default_factory=dict)
    """Per field, the postings of the terms not in fields yet, as the snapshot was saved (see Packed)."""
    stale: set[str] = field(default_factory=set)
    """Terms whose postings a patch changed (their rows are coded again)."""
    grown: set[str] = field(default_factory=set)
    """Of those, the terms whose postings it only added at the end of their lists."""
    changed: list[int] = field(default_factory=list)
    """Slots a patch changed (the d/N.js files holding them are made again)."""

    @property
    def compacted(self) -> int:
        """Documents of the last full export."""
        n = self.coding[0]
        assert isinstance(n, int)
        return n

    def patch(
        self, articles: Sequence[Article], digests: list[str], before: Mapping[str, Article] | None = None
    ) -> list[Article | None] | None:
        """Bring the inversion up to date with articles (in export order): returns each slot's
        article (None: empty), or None when a full export is better (see MAX_DRIFT, MAX_CHANGED;
        nothing changed then). before: articles by digest, where the caller has the old versions
        at hand (their terms are where their postings are, and their facets tell what can stay)."""
        before = before or {}
        slots: list[Article | None] = [None] * len(self.digests)
        slot_of = {d: s for s, d in enumerate(self.digests) if d is not None}
        moved = []
        for article, digest in zip(articles, digests):
            s = slot_of.get(digest)
            if s is None:
                moved.append((article, digest))
            else:
                slots[s] = article
        vacant = [s for s, a in enumerate(slots) if a is None and self.digests[s] is not None]
        old = {s: before.get(self.digests[s] or "") for s in vacant}
        by_id = {a.id: s for s, a in old.items() if a is not None}
        edits, added = [], []
        for article, digest in moved:
            s = by_id.pop(article.id, None)
            was = old.get(s) if s is not None else None
            if s is not None and was is not None and facet(was) == facet(article):
                edits.append((s, article, digest))
                slots[s] = article
            else:
                added.append((article, digest))
        removed = [s for s in vacant if slots[s] is None]
        empty = sum(d is None for d in self.digests) + len(removed)
        if (
            empty + len(self.digests) + len(added) - self.compacted > MAX_DRIFT * self.compacted
            or sum(old[s] is None for s in vacant) > MAX_CHANGED
        ):
            return None
        first = len(self.digests)
        unknown = any(old[s] is None for s in removed)
        others: set[str] = set()  # terms whose postings changed anywhere but at the end of their lists
        for name, inverted in self.fields.items():
            edited = [(s, _counts(old[s], name), _counts(article, name)) for s, article, _ in edits]
            gone = [(s, _counts(old[s], name)) for s in removed]
            new = [_counts(article, name) for article, _ in added]
            counted = [c for _, had, has in edited for c in (had, has)] + [c for _, c in gone] + new
            self.unpack(None if unknown else {term for c in counted if c is not None for term in c})
            for s, had, has in edited:
                assert had is not None and has is not None
                others |= self._patch_doc(inverted, s, had, has)
            for s, had in gone:
                others |= _remove(inverted.postings, [s], set(had) if had is not None else None)
                inverted.lengths[s] = 0
            self.stale |= others
            for offset, has in enumerate(new):
                assert has is not None
                self._append(inverted, first + offset, has)
            for term in [t for t in self.stale if not inverted.postings.get(t, True)]:
                del inverted.postings[term]
        self.grown = self.stale - others
        self._order(self.stale)
        for s in removed:
            self.digests[s] = None
        for s, _, digest in edits:
            self.digests[s] = digest
        self.digests.extend(digest for _, digest in added)
        slots.extend(article for article, _ in added)
        self.changed = sorted([*removed, *(s for s, _, _ in edits), *range(first, len(self.digests))])
        return slots

    def unpack(self, terms: Iterable[str] | None = None) -> None:
        """Take these terms' postings (None: every term's) out of the packed store, into every field."""
        for name, packed in self.packed.items():
            postings = self.fields[name].postings
            for term in list(packed.index()) if terms is None else terms:
                found = packed.take(term)
                if found is not None:
                    postings[term] = found

    def _append(self, inverted: InvertedField, slot: int, counts: Counter[str]) -> None:
        """A new document after every other: its postings go at the end of their lists."""
        base = slot << TF_BITS
        for term, tf in counts.items():
            inverted.postings.setdefault(term, array("Q")).append(base | tf)
        inverted.lengths.append(counts.total())
        self.stale.update(counts)

    def _patch_doc(self, inverted: InvertedField, doc: int, had: Counter[str] | None, has: Counter[str]) -> set[str]:
        """One document's postings in one field; returns the terms whose postings changed. A row
        codes each posting's document, frequency and field-length byte: when the old version's
        terms are known and the byte stays the same, only the rows of terms whose frequency
        changed change (an added sentence touches a few terms, not all of the article's)."""
        length = has.total()
        if had is not None and length_to_byte(length) == length_to_byte(inverted.lengths[doc]):
            moved = {term for term in had.keys() | has.keys() if had[term] != has[term]}
            touched = _remove(inverted.postings, [doc], moved)
        else:
            moved = set(has)
            touched = _remove(inverted.postings, [doc], set(had) if had is not None else None)
        inverted.lengths[doc] = length
        for term in moved:
            if has[term]:
                insort(inverted.postings.setdefault(term, array("Q")), doc << TF_BITS | has[term])
                touched.add(term)
        return touched

    def _order(self, terms: set[str]) -> None:
        """Insert into the vocabulary the terms that now have postings, take out those that have none."""
        vocabulary = self.vocabulary
        for term in terms:
            present = any(term in inverted.postings for inverted in self.fields.values())
            i = bisect_left(vocabulary, term_order(term), key=term_order)
            found = i < len(vocabulary) and vocabulary[i] == term
            if present and not found:
                vocabulary.insert(i, term)
            elif found and not present:
                del vocabulary[i]

    def replay(
        self,
        articles: Sequence[Article],
        digests: list[str],
        recoded: Recoded,
        before: Mapping[str, Article] | None = None,
    ) -> bool:
        """Become the snapshot an export made from this one patched for articles: the same patch,
        then the rows and document files that export made anew (False when the patch fails)."""
        if self.patch(articles, digests, before) is None:
            return False
        if recoded.coding != self.coding:
            self.rows = dict(recoded.rows)  # every row was coded again
        else:
            for term in self.stale:
                self.rows.pop(term, None)
            self.rows.update(recoded.rows)
        self.coding = recoded.coding
        for number, payload in sorted(recoded.docs.items()):
            if number < len(self.docs):
                self.docs[number] = payload
            else:
                self.docs.append(payload)
        self.shards = [recoded.shards.get(number) or self.shards[number] for number in range(recoded.shard_count)]
        self.tags = {name: recoded.tags.get(name) or self.tags[name] for name in recoded.tag_names}
        self.stale, self.grown, self.changed = set(), set(), []
        return True

    def reusable(self, coding: list[object]) -> tuple[dict[str, Row], dict[str, Row]]:
        """The rows still valid under coding (none when it differs from the snapshot's), and the
        old rows of the terms whose postings a patch only added at the end of their lists."""
        if coding != self.coding:
            return {}, {}
        grown = {}
        for term in self.stale:
            row = self.rows.pop(term, None)
            if row is not None and term in self.grown:
                grown[term] = row
        return self.rows, grown

    def doc_file(self, number: int, chunk: int) -> bytes | None:
        """d/{number}.js as the last export wrote it, when none of its documents changed."""
        if chunk != self.chunk or number >= len(self.docs) or any(number == doc // chunk for doc in self.changed):
            return None
        return self.docs[number]


@dataclass(slots=True)
class Recoded:
    """What an export made anew beyond the patch of its snapshot: enough for a process holding the
    unpatched snapshot (the preview server, which forked the export) to replay it instead of
    reading back the snapshot saved."""

    coding: list[object]
    rows: dict[str, Row]
    """The rows coded again."""
    docs: dict[int, bytes]
    """The d/N.js files made again."""
    shards: dict[int, Shard]
    """The t/N.js files made again."""
    shard_count: int
    tags: dict[str, TagRow]
    """The tags coded again."""
    tag_names: list[str]
    """Every tag, in order."""


def _remove(postings: dict[str, array[int]], docs: list[int], terms: set[str] | None) -> set[str]:
    """Take the postings of docs out of the lists of terms (None: of every term); returns the terms that had one."""
    bounds = [(doc << TF_BITS, (doc + 1) << TF_BITS) for doc in docs]
    touched = set()
    for term, packed in postings.items() if terms is None else ((t, postings[t]) for t in terms if t in postings):
        for low, high in bounds:
            i = bisect_left(packed, low)
            if i < len(packed) and packed[i] < high:
                del packed[i]
                touched.add(term)
    return touched


@dataclass(slots=True)
class Packed:
    """One field's postings as a snapshot saved them: one buffer for every term (a list per term cost
    most of the time of loading and saving the snapshot, 0.3 s each at 10,000 articles), taken out
    term by term as a patch needs them."""

    terms: list[str]
    ends: array[int]
    """Where each term's postings end in the buffer, in postings."""
    buffer: bytes | bytearray
    where: dict[str, int] | None = None
    """Term -> its index, for the terms not taken out (made on first use)."""

    def index(self) -> dict[str, int]:
        if self.where is None:
            self.where = {term: i for i, term in enumerate(self.terms)}
        return self.where

    def take(self, term: str) -> array[int] | None:
        """The term's postings, no longer in here (None: it has none here)."""
        i = self.index().pop(term, None)
        if i is None:
            return None
        postings = array("Q")
        postings.frombytes(memoryview(self.buffer)[8 * (self.ends[i - 1] if i else 0) : 8 * self.ends[i]])
        return postings


def _pack(packed: Packed | None, postings: dict[str, array[int]], consume: bool = False) -> Packed:
    """The terms still in packed and those in postings, in one buffer; consume: postings are taken out of
    their dict as they are copied, so that a field's postings are not held twice (the largest process of
    a 100,000-article build peaked here)."""
    terms: list[str] = []
    buffer = bytearray()
    ends, end = array("Q"), 0
    if packed is not None:
        view = memoryview(packed.buffer)
        for term, i in sorted(packed.index().items(), key=lambda item: item[1]):
            start = packed.ends[i - 1] if i else 0
            terms.append(term)
            buffer += view[8 * start : 8 * packed.ends[i]]
            end += packed.ends[i] - start
            ends.append(end)
    given = 0
    for term in list(postings):
        found = postings.pop(term) if consume else postings[term]
        terms.append(term)
        buffer += found
        end += len(found)
        ends.append(end)
        if consume and end - given >= GIVE_BACK:
            _give_back()
            given = end
    return Packed(terms, ends, buffer)


GIVE_BACK = 1 << 22
"""Postings packed (32 MB) after which the memory of those let go of is given back to the system."""
_LIBC = ctypes.CDLL(None)


def _give_back() -> None:
    """Return the heap's free pages to the system (glibc's malloc_trim; elsewhere nothing): the postings let
    go of are mostly small arrays, whose memory the allocator keeps for later while the packed buffer grows
    beside them (300 MB more at the end of a 100,000-article cold build, its largest process's peak)."""
    trim = getattr(_LIBC, "malloc_trim", None)
    if trim is not None:
        trim(0)


def _counts(article: Article | None, name: str) -> Counter[str] | None:
    if article is None:
        return None
    return analysis.term_counts(field_text(article, name), analysis.article_key(article))


def load(path: Path) -> Snapshot | None:
    """The snapshot in path, or None when there is none or it cannot be read (a full export follows)."""
    try:
        with open(path, "rb") as handle:
            snapshot = pickle.load(handle)
    except Exception:  # missing, truncated or from another version: only a cache
        return None
    return snapshot if isinstance(snapshot, Snapshot) and snapshot.format == FORMAT else None


def save(path: Path, snapshot: Snapshot, *, consume: bool = False) -> None:
    """Write the snapshot with every field's postings packed: the snapshot given is left as it is, unless
    consume (for a process that has no use for it after), when its fields lose their postings."""
    temporary = path.with_name(f"{path.name}.new-{os.getpid()}")
    packed = dataclasses.replace(
        snapshot,
        fields={name: InvertedField(lengths=inverted.lengths) for name, inverted in snapshot.fields.items()},
        packed={name: _pack(snapshot.packed.get(name), f.postings, consume) for name, f in snapshot.fields.items()},
        stale=set(),
        grown=set(),
        changed=[],
    )
    try:
        with open(temporary, "wb") as handle:
            pickler = pickle.Pickler(handle, protocol=pickle.HIGHEST_PROTOCOL)
            # No memo: it would hold an entry for each of the millions of objects written (over
            # 100 MB at 100,000 articles, in the build's largest process); nothing here is cyclic.
            pickler.fast = True
            pickler.dump(packed)
        os.replace(temporary, path)
    except OSError:
        temporary.unlink(missing_ok=True)  # only a cache: the next build inverts everything
