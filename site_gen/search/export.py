"""The static search index: JavaScript files the browser loads through <script> elements.

fetch() and ES modules are blocked on file://, <script src> is not, so every index file is a
script that hands its data to search.js: `SiteGenSearch.register(name, data);`.

    meta.js      always loaded: statistics for BM25F, shard boundaries, outlets, years, tags and
                 languages (each one's analysis and stop words, each document's language)
    tags.js      the documents of each tag, loaded when the tag filter is used (counts, filtering)
    t/N.js       postings of a contiguous range of terms (sorted), so a query loads the shards
                 of its terms only and a prefix loads the one or two shards its terms sit in
    d/N.js       title, permalink, date and summary of a run of documents, loaded per result

Documents are numbered by outlet, then year, then date, so the outlet and year of a document
come from a small table of runs in meta.js instead of a per-document list.

A posting list is coded in bits, six to a character (base64 alphabet): for each document the
gap from the previous one (Rice code, parameter from N/df), the term frequency (Elias gamma)
and whoosh's one-byte field length (its distance from the field's median, zigzag and Rice
coded). With those search.js computes exactly whoosh's BM25F score (tests/test_search_parity.py).
"""

from __future__ import annotations

import base64
import builtins
import itertools
import json
import math
from array import array
from bisect import bisect_left, insort
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, cast

import numpy as np
from whoosh.util.numeric import byte_to_length, length_to_byte

from site_gen import parallel
from site_gen.cycles import paused_gc
from site_gen.languages import search_language
from site_gen.model import Article
from site_gen.output import write_file
from site_gen.render.excerpts import summary
from site_gen.search import terms as analysis
from site_gen.search.index import K1, B
from site_gen.search.inverted import TF_BITS, TF_MASK, InvertedField, invert
from site_gen.search.layout import FORMAT, facet, term_order
from site_gen.search.snapshot import Row, Shard, Snapshot, TagRow
from site_gen.search.stemmers import SNOWBALL
from site_gen.search.terms import FIELD_BOOSTS, FIELDS

MAX_DOC_FILES = 3000
MIN_DOCS_PER_FILE = 16
MAX_SHARDS = 1500
MIN_SHARD_CHARS = 16_000
SNIPPET_CHARS = 160
"""Length of the summary each result shows: the document store is most of what a query loads."""
_TERM_OVERHEAD = 12  # quotes, commas and the four numbers of a term's row, roughly
ARRAY_CODING = 64
"""Posting lists at least this long are coded in array operations (shorter ones cost less as bit strings)."""
PARALLEL_CODING = 2000
"""Terms to code beyond which workers share the coding (a patch codes a few hundred: starting workers costs more)."""


@dataclass(slots=True)
class ExportStats:
    files: int = 0
    bytes: int = 0
    docs: int = 0
    terms: int = 0
    shards: int = 0
    largest: int = 0
    paths: list[str] = field(default_factory=list)

    changed: list[str] = field(default_factory=list)
    """Files whose bytes changed (the others were left as they were)."""
    made_shards: list[int] = field(default_factory=list)
    """Term files made (not taken from the previous snapshot)."""
    coded: list[str] = field(default_factory=list)
    """Terms whose rows were coded (not taken from the previous snapshot)."""
    made_docs: list[int] = field(default_factory=list)
    """Document files made (not taken from the previous snapshot)."""
    replace: bool = False
    """The folder holds the live site's files as hard links (an incremental build): compare and replace, never
    rewrite in place."""

    def wrote(self, rel: str, data: builtins.bytes) -> None:  # plain `bytes` would be the field above
        self.paths.append(rel)
        self.files += 1
        self.bytes += len(data)
        self.largest = max(self.largest, len(data))


def export(
    slots: Sequence[Article | None],
    folder: Path,
    fields: dict[str, InvertedField] | None = None,
    jobs: int = 1,
    *,
    replace: bool = False,
    digests: Sequence[str | None] = (),
    previous: Snapshot | None = None,
) -> tuple[ExportStats, Snapshot]:
    """Write the static index for the articles in slots (each slot's document number; None: an
    empty slot, only after a patch) into folder; fields: their inversion, made here when not given
    (jobs worker processes share the analysis and the coding). replace: see ExportStats.
    previous: the last export's snapshot, patched for these slots (its fields are then given): its
    rows, coders and shard cuts are kept where still valid. Returns the statistics and this
    export's snapshot (digests: each slot's search.digest())."""
    fields = fields if fields is not None else invert([a for a in slots if a is not None], jobs=jobs)
    live = sum(a is not None for a in slots)
    stats = ExportStats(docs=live, replace=replace)
    if previous is not None:
        coding = previous.coding
        parameters = dict(zip(FIELDS, cast("list[list[int]]", coding[1])))
        coders = {name: _LengthCoder(fields[name].lengths, *parameters[name]) for name in FIELDS}
    else:
        coders = {name: _LengthCoder(fields[name].lengths) for name in FIELDS}
        coding = [len(slots), [[coders[name].center, coders[name].k] for name in FIELDS]]
    n = cast(int, coding[0])
    # a patched snapshot keeps its vocabulary in order (snapshot.py); sorting it again cost more than the patch
    vocabulary = (
        previous.vocabulary
        if previous is not None and previous.vocabulary
        else sorted(set().union(*(f.postings for f in fields.values())), key=term_order)
    )
    stats.terms = len(vocabulary)
    coded, grown = previous.reusable(coding) if previous is not None else ({}, {})
    todo = stats.coded = _uncoded(vocabulary, coded, fields, previous)
    state: Coding = (fields, coders, n, grown)
    for part in parallel.run(_encode_terms, todo, state, jobs if len(todo) > PARALLEL_CODING else 1):
        coded.update(part)
    recoded = sorted(bisect_left(vocabulary, term_order(term), key=term_order) for term in todo)
    shards = _write_shards(folder, vocabulary, coded, recoded, stats, previous.shards if previous is not None else [])
    chunk = previous.chunk if previous is not None else max(MIN_DOCS_PER_FILE, math.ceil(len(slots) / MAX_DOC_FILES))
    docs = _write_docs(folder, slots, chunk, stats, previous)
    patched = previous.tags if previous is not None else {}, previous.changed if previous is not None else None
    tags = _write_tags(folder, slots, n, stats, *patched)
    meta = {
        "format": FORMAT,
        "docs": live,
        "slots": len(slots),
        "coded": n,
        "K1": K1,
        "B": B,
        "fields": [
            {
                "name": name,
                "boost": FIELD_BOOSTS[name],
                "avgfl": (sum(fields[name].lengths) / live) if live else 1,
                "flcenter": coders[name].center,
                "flk": coders[name].k,
            }
            for name in FIELDS
        ],
        "lengths": [byte_to_length(b) for b in range(256)],
        "minsize": analysis.MIN_SIZE,
        **_languages(slots),
        "shards": [shard.first for shard in shards],
        "chunk": chunk,
        "tags": [[tag, len(docs)] for tag, (docs, _) in tags.items()],
        **_facets(slots),
    }
    _write(folder, "meta.js", "meta", meta, stats)
    for term in set(coded).difference(vocabulary):  # terms a patch removed
        del coded[term]
    return stats, Snapshot(
        list(digests),
        fields,
        coding,
        coded,
        chunk,
        docs,
        vocabulary=vocabulary,
        shards=shards,
        tags=tags,
        packed=previous.packed if previous is not None else {},
    )


class _LengthCoder:
    """whoosh's field-length bytes of one field, coded as their distance from the field's median
    (zigzag, then Rice with the parameter that makes the field's bytes shortest), or from the
    center and with the parameter given (those of the last full export: see snapshot.py)."""

    def __init__(self, lengths: array[int], center: int | None = None, k: int | None = None) -> None:
        self.bytes = bytes(length_to_byte(n) for n in lengths)
        if center is None or k is None:
            center, k = _median_coding(self.bytes)
        self.center, self.k = center, k
        self.codes = [_rice(_zigzag(b - self.center), self.k) for b in range(256)]
        self.widths = np.array([len(code) for code in self.codes], dtype=np.uint64)
        self.values = np.array([int(code, 2) if len(code) <= 63 else 0 for code in self.codes], dtype=np.uint64)


def _median_coding(length_bytes: bytes) -> tuple[int, int]:
    """The median of the bytes in use, and the Rice parameter that codes them shortest around it."""
    counts = Counter(b for b in length_bytes if b) or Counter([0])
    used = sorted(counts.elements())
    center = used[len(used) // 2]
    zigzag = {b: _zigzag(b - center) for b in counts}
    return center, min(range(8), key=lambda k: sum(c * ((zigzag[b] >> k) + 1 + k) for b, c in counts.items()))


def _zigzag(value: int) -> int:
    """0, -1, 1, -2, 2 ... -> 0, 1, 2, 3, 4 ..."""
    return 2 * value if value >= 0 else -2 * value - 1


Coding = tuple[dict[str, InvertedField], dict[str, _LengthCoder], int, dict[str, Row]]
"""What coding a row needs: the fields, their length coders, N for the Rice parameters, and the old
rows of terms whose postings only grew at their end (snapshot.Snapshot.reusable)."""


def _encode_terms(state: Coding, terms: Sequence[str]) -> dict[str, Row]:
    fields, coders, n, grown = state
    with paused_gc():
        return {term: _encode_term(term, fields, coders, n, grown.get(term)) for term in terms}


def _encode_term(
    term: str, fields: dict[str, InvertedField], coders: dict[str, _LengthCoder], n: int, old: Row | None = None
) -> Row:
    """[df, chars] per field, and the coded postings of all fields. old: the term's row before
    postings were added at the end of its lists, whose codes are then extended, not made again."""
    numbers: list[int] = []
    coded = []
    start = 0
    for f, name in enumerate(FIELDS):
        entry = fields[name].postings.get(term)
        before = (old[0][2 * f], old[1][start : start + old[0][2 * f + 1]]) if old is not None else (0, "")
        start += len(before[1])
        if entry is None:
            numbers += (0, 0)
            continue
        k = rice_parameter(n, len(entry))
        chars = _extended(entry, *before, coders[name], n, k)
        if chars is None:
            chars = (len(entry) >= ARRAY_CODING and _posting_chars_array(entry, coders[name], k)) or _to_chars(
                _posting_bits(entry, coders[name], k)
            )
        numbers += (len(entry), len(chars))
        coded.append(chars)
    return numbers, "".join(coded)


def _extended(packed: array[int], df: int, chars: str, coder: _LengthCoder, n: int, k: int) -> str | None:
    """The code of packed, when its first df postings were coded as chars with the same Rice
    parameter: the codes of the others appended to those bits (None: code it all)."""
    if not df or df >= len(packed) or rice_parameter(n, df) != k:
        return None
    used = _code_length(packed[:df], coder, k) % 6  # bits of the last character that are code, not padding
    head = format(_SEXTET[chars[-1]], "06b")[:used] if used else ""
    tail = _posting_bits(packed[df:], coder, k, packed[df - 1] >> TF_BITS)
    return (chars[:-1] if used else chars) + _to_chars(head + tail)


def _code_length(packed: array[int], coder: _LengthCoder, k: int) -> int:
    """Bits of the code of a posting list (what _posting_bits would write), in array operations."""
    postings = np.frombuffer(packed, dtype=np.uint64)
    docs = (postings >> np.uint64(TF_BITS)).astype(np.int64)
    gaps = np.diff(docs, prepend=-1) - 1
    tf_bits = np.frexp((postings & np.uint64(TF_MASK)).astype(np.float64))[1]
    widths = coder.widths[np.frombuffer(coder.bytes, dtype=np.uint8)[docs]]
    return int((gaps >> k).sum() + len(docs) * (k + 1) + (2 * tf_bits - 1).sum() + widths.sum())


_SEXTET = {c: i for i, c in enumerate("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")}


def rice_parameter(n: int, df: int) -> int:
    """floor(log2(N / df)): about the mean gap between documents of a posting list (search.js agrees)."""
    return max(0, (n // max(df, 1)).bit_length() - 1)


def _posting_bits(packed: array[int], coder: _LengthCoder, k: int, previous: int = -1) -> str:
    """The code of a posting list as a bit string (previous: the document before the first)."""
    rice = _RICE_CODES.setdefault(k, {})
    lengths, codes = coder.bytes, coder.codes
    out = []
    for posting in packed:
        doc, tf = posting >> TF_BITS, posting & TF_MASK
        gap = doc - previous - 1
        previous = doc
        code = rice.get(gap)
        if code is None:
            code = _rice(gap, k)
            if gap < RICE_MEMO:
                rice[gap] = code
        out.append(code)
        out.append(_GAMMA[tf] if tf < len(_GAMMA) else _gamma(tf))
        out.append(codes[lengths[doc]])
    return "".join(out)


def _posting_chars_array(packed: array[int], coder: _LengthCoder, k: int) -> str | None:
    """The same code as _posting_bits + _to_chars in array operations (a long posting list costs
    a tenth of the time); None when some code is longer than 63 bits (rare: then bit strings)."""
    postings = np.frombuffer(packed, dtype=np.uint64)
    docs = postings >> np.uint64(TF_BITS)
    tfs = postings & np.uint64(TF_MASK)
    gaps = np.diff(docs.astype(np.int64), prepend=-1).astype(np.uint64) - np.uint64(1)
    quotients = gaps >> np.uint64(k)
    tf_bits = np.frexp(tfs.astype(np.float64))[1].astype(np.uint64)  # bit lengths (exact below 2**53)
    lengths = np.frombuffer(coder.bytes, dtype=np.uint8)[docs.astype(np.intp)]
    widths = np.stack([quotients + np.uint64(k + 1), 2 * tf_bits - np.uint64(1), coder.widths[lengths]], axis=1).ravel()
    if widths.max() > 63:
        return None
    rice = (((np.uint64(1) << quotients) - np.uint64(1)) << np.uint64(k + 1)) | (gaps & np.uint64((1 << k) - 1))
    values = np.stack([rice, tfs, coder.values[lengths]], axis=1).ravel()
    # Each output bit, from the value it belongs to: work in proportion to the bits written,
    # not to 64 per value.
    ends = np.cumsum(widths.astype(np.int64))
    owner = np.repeat(np.arange(len(values)), widths.astype(np.int64))
    shifts = (ends[owner] - 1 - np.arange(int(ends[-1]))).astype(np.uint64)
    bits = ((values[owner] >> shifts) & np.uint64(1)).astype(np.uint8)
    return _sextets(np.packbits(bits).tobytes(), len(bits))


def _rice(value: int, k: int) -> str:
    return "1" * (value >> k) + "0" + (format(value & ((1 << k) - 1), f"0{k}b") if k else "")


RICE_MEMO = 1 << 14
"""Gaps below this have their Rice codes kept, per parameter, as they are first made (a table made
in advance cost 0.1 s per process, more than a patch's few hundred rows use)."""
_RICE_CODES: dict[int, dict[int, str]] = {}


def _gamma(value: int) -> str:
    """Elias gamma code of value >= 1: as many zeros as bits after the first, then the bits."""
    bits = format(value, "b")
    return "0" * (len(bits) - 1) + bits


_GAMMA = [""] + [_gamma(v) for v in range(1, 1024)]


def _to_chars(bits: str) -> str:
    """Bits, six to a base64 character; the last character padded with zeros."""
    if not bits:
        return ""
    padded = bits + "0" * (-len(bits) % 8)
    return _sextets(int(padded, 2).to_bytes(len(padded) // 8, "big"), len(bits))


def _sextets(data: bytes, bits: int) -> str:
    """The first `bits` bits of data, six to a base64 character (the last padded with zeros)."""
    return base64.b64encode(data + bytes(-len(data) % 3)).decode("ascii")[: -(-bits // 6)]


def _uncoded(
    vocabulary: list[str], coded: dict[str, Row], fields: dict[str, InvertedField], previous: Snapshot | None
) -> list[str]:
    """The terms without a row, in order: after a patch whose rows still hold, the terms it touched
    that are still in use (a pass over the whole vocabulary cost more than the patch); else all."""
    if previous is not None and coded and previous.vocabulary is vocabulary:
        return sorted(
            (t for t in previous.stale if t not in coded and any(t in f.postings for f in fields.values())),
            key=term_order,
        )
    return [t for t in vocabulary if t not in coded]


def _write_shards(
    folder: Path,
    vocabulary: list[str],
    coded: dict[str, Row],
    recoded: list[int],
    stats: ExportStats,
    previous: list[Shard],
) -> list[Shard]:
    """Cut the sorted terms into shards and write them. A full export cuts them of about equal size
    (each shard as many terms as fit in the target size, at least one); a patch keeps the last
    export's cuts (the first term of each shard), so that a term's shard, and the other shards'
    bytes, stay as they were: a shard with no row coded again and the same terms is taken from the
    previous export. recoded: positions of the rows coded again, in order."""
    if previous:
        starts = [0] + [bisect_left(vocabulary, term_order(shard.first), key=term_order) for shard in previous[1:]]
        firsts = [previous[0].first] + [shard.first for shard in previous[1:]]
    else:
        starts, firsts = _cuts(vocabulary, coded)
    shards = []
    for number, (start, end) in enumerate(zip(starts, [*starts[1:], len(vocabulary)])):
        same_rows = bisect_left(recoded, start) == bisect_left(recoded, end)
        shards.append(_shard(folder, number, firsts[number], vocabulary[start:end], coded, same_rows, stats, previous))
    stats.shards = len(shards)
    return shards


def _cuts(vocabulary: list[str], coded: dict[str, Row]) -> tuple[list[int], list[str]]:
    """Where shards of about equal size start in the vocabulary, and their first terms."""
    sizes = np.fromiter(
        (len(term) + len(coded[term][1]) + _TERM_OVERHEAD for term in vocabulary), dtype=np.int64, count=len(vocabulary)
    )
    target = max(MIN_SHARD_CHARS, int(sizes.sum()) // MAX_SHARDS)
    ends = np.cumsum(sizes)  # ends[i]: the size of terms 0..i
    starts: list[int] = []
    start = 0
    while start < len(vocabulary):
        starts.append(start)
        before = int(ends[start - 1]) if start else 0
        start = max(start + 1, int(np.searchsorted(ends, before + target, side="right")))
    return starts, [vocabulary[i] for i in starts]


def _shard(
    folder: Path,
    number: int,
    first: str,
    terms: list[str],
    coded: dict[str, Row],
    same_rows: bool,
    stats: ExportStats,
    previous: list[Shard],
) -> Shard:
    before = previous[number] if number < len(previous) else None
    if before is not None and same_rows and before.terms == len(terms):
        payload = before.payload
    else:
        rows = [coded[term] for term in terms]
        payload = _payload(
            f"t/{number}", [terms, [x for numbers, _ in rows for x in numbers], "".join(chars for _, chars in rows)]
        )
        stats.made_shards.append(number)
    _put(folder, f"t/{number}.js", payload, stats)
    return Shard(first, len(terms), payload)


def _write_docs(
    folder: Path, slots: Sequence[Article | None], chunk: int, stats: ExportStats, previous: Snapshot | None
) -> list[bytes]:
    """The document files (those of unchanged documents as the last export wrote them; an empty
    slot's row is null); returns their bytes."""
    files = []
    for number, start in enumerate(range(0, len(slots), chunk)):
        payload = previous.doc_file(number, chunk) if previous is not None else None
        if payload is None:
            stats.made_docs.append(number)
            rows = [
                [a.title, a.permalink, a.date.isoformat() if a.date else "", summary(a, SNIPPET_CHARS)] if a else None
                for a in slots[start : start + chunk]
            ]
            payload = _payload(f"d/{number}", rows)
        _put(folder, f"d/{number}.js", payload, stats)
        files.append(payload)
    return files


def _write_tags(
    folder: Path,
    slots: Sequence[Article | None],
    n: int,
    stats: ExportStats,
    previous: dict[str, TagRow],
    changed: list[int] | None,
) -> dict[str, TagRow]:
    """Each tag's documents (Rice-coded gaps, the parameter taken from n documents) into tags.js,
    which search.js loads only when the tag filter is used; returns each tag's documents and code
    (by name, in order), the code taken from previous when its documents are the same. changed: the
    slots a patch changed, when previous holds the documents of the others."""
    by_tag = _tag_documents(slots, previous, changed)
    rows = {}
    for tag in sorted(by_tag, key=lambda t: (t.casefold(), t)):
        docs = by_tag[tag]
        before = previous.get(tag)
        if before is not None and before[0] == docs:
            rows[tag] = before
        else:
            k = rice_parameter(n, len(docs))
            rows[tag] = (docs, _to_chars("".join(_rice(d - p - 1, k) for d, p in zip(docs, [-1, *docs]))))
    _write(folder, "tags.js", "tags", [chars for _, chars in rows.values()], stats)
    return rows


def _tag_documents(
    slots: Sequence[Article | None], previous: dict[str, TagRow], changed: list[int] | None
) -> dict[str, list[int]]:
    """Each tag's documents: previous's with the changed slots taken out and put back as they are now, or
    counted from every slot (at 100,000 articles that took 0.2 s of a build that added one)."""
    if changed is None:
        by_tag: dict[str, list[int]] = {}
        for docnum, article in enumerate(slots):
            for tag in article.tags if article else ():
                by_tag.setdefault(tag, []).append(docnum)
        return by_tag
    by_tag = {tag: list(docs) for tag, (docs, _) in previous.items()}
    for slot in changed:
        for docs in by_tag.values():
            i = bisect_left(docs, slot)
            if i < len(docs) and docs[i] == slot:
                del docs[i]
        article = slots[slot]
        for tag in article.tags if article else ():
            insort(by_tag.setdefault(tag, []), slot)
    return {tag: docs for tag, docs in by_tag.items() if docs}


def _facets(slots: Sequence[Article | None]) -> dict[str, list[Any]]:
    """Outlets (by name), and runs of consecutive documents with one outlet and year:
    [count, outlet, year], [count, -1, -1] for empty slots."""
    outlets = sorted({facet(a)[:2] for a in slots if a is not None}, key=lambda o: (o[1].casefold(), o[0]))
    index = {key: i for i, (key, _) in enumerate(outlets)}
    runs = []
    for found, group in itertools.groupby(slots, lambda a: facet(a) if a is not None else None):
        count = sum(1 for _ in group)
        runs.append([count, index[found[0]], found[2]] if found else [count, -1, -1])
    return {"outlets": [[key, name] for key, name in outlets], "runs": runs}


def _languages(slots: Sequence[Article | None]) -> dict[str, Any]:
    """The languages of the documents, for search.js to analyze a query in each (see index.parse):
    [code, analysis key, documents] of each, the commonest first; the stop words of each analysis;
    the analyses whose Snowball stemmer the page loads (static/stemmers/KEY.js); and, when there
    are several languages, each document's as runs (length Elias gamma, language as a fixed-width
    index), coded like the postings. An empty slot (no postings, never found) takes the language
    of the document before it (the first document's when it leads), so that it adds no run."""
    present = [search_language(a.language) for a in slots if a is not None]
    counts = Counter(present)
    codes: list[str] = []
    for a in slots if present else ():
        codes.append(search_language(a.language) if a is not None else codes[-1] if codes else present[0])
    held = sorted(counts, key=lambda code: (-counts[code], code))
    keys = {code: analysis.analysis_key(code) for code in held}
    index = {code: i for i, code in enumerate(held)}
    width = (len(held) - 1).bit_length()
    runs = [
        _gamma(sum(1 for _ in group)) + (format(index[code], f"0{width}b") if width else "")
        for code, group in itertools.groupby(codes)
    ]
    return {
        "languages": [[code, keys[code], counts[code]] for code in held],
        "stop": {key: sorted(analysis.stop_list(key)) for key in sorted(set(keys.values()))},
        "stemmers": sorted({key for key in keys.values() if key in SNOWBALL}),
        "langruns": _to_chars("".join(runs)) if width else "",
    }


def _write(folder: Path, rel: str, name: str, data: object, stats: ExportStats) -> None:
    _put(folder, rel, _payload(name, data), stats)


def _payload(name: str, data: object) -> bytes:
    payload = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"SiteGenSearch.register({json.dumps(name)},{payload});\n".encode()


def _put(folder: Path, rel: str, payload: bytes, stats: ExportStats) -> None:
    if write_file(folder, rel, payload, replace=stats.replace):
        stats.changed.append(rel)
    stats.wrote(rel, payload)
