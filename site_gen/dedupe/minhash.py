"""Text fingerprints for deduplication: words, shingles, one-permutation MinHash and LSH bands,
and anchors for texts held in others.

Our own MinHash, chosen over datasketch after measuring both (bench/dedupe_speed.py --datasketch):
one-permutation MinHash hashes each shingle once and splits the hash space into BINS bins,
keeping the minimum of each, instead of hashing every shingle once per permutation; numpy does
that per text in a few array operations (about twice as fast as the same in pure Python).

Everything here is deterministic across runs: words are hashed with BLAKE2b (str hashes are
salted per process), shingles are mixed from those integers. The exact similarity of a candidate
pair is measured on the full shingle sets (shingles(), see clusters.py); MinHash and LSH, and
anchors, only choose which pairs to measure. LSH finds similar texts; it cannot find a teaser or
an excerpt, whose Jaccard similarity with its source is no more than its share of it (a tenth, say):
shared anchors find those.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice, pairwise
from typing import cast

import numpy as np

from site_gen.ingest.normalize import fold

SHINGLE = 3
"""Words per shingle: 3 keeps a copy-edit from touching more than three shingles per changed word."""
BINS = 128
"""MinHash values per text (one-permutation bins, by the top 7 bits of the shingle hash)."""
ROWS = 2
"""MinHash values per LSH band: with 64 bands of 2, a pair with Jaccard 0.3 is a candidate with p > 0.99."""
BANDS = BINS // ROWS
MAX_BUCKET = 64
"""A band bucket with more texts than this is linked as a chain, not all pairs (boilerplate bodies)."""
MAX_ANCHORED = MAX_BUCKET
"""Likewise texts sharing one anchor."""

ANCHOR_WORDS = 9
"""Words per anchor run (three shingles end to end): unrelated texts share 3-word runs often, 9-word runs rarely."""
SURE_RUN = 50
"""Two texts that share a run of this many words always share an anchor: containment_min_words' default."""
WINDOW = SURE_RUN - ANCHOR_WORDS + 1
"""Anchor runs per winnowing window: one anchor in about every (WINDOW + 1) / 2 words, about 28 in a 600-word text."""
ANCHOR_BITS = 40
"""Bits of an anchor: the rest of a 64-bit number holds a text's row when anchors are sorted (2**24 texts; more
take bits off the anchors). Unrelated texts share a 40-bit anchor by chance: a few pairs at 100,000 texts, each
one more pair to weigh, never a copy that is not one (copies are measured exactly)."""
ANCHOR_BATCH = 256
"""Texts whose anchors are found together."""

_WORD = re.compile(r"\w+")
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})
_U = np.uint64
_MULTIPLIERS = [_U(0x9E3779B97F4A7C15), _U(0xC2B2AE3D27D4EB4F), _U(0x165667B19E3779F9)]
_EMPTY = np.iinfo(np.uint64).max


def words(paragraphs: Iterable[str]) -> list[str]:
    """The words of a text in the comparison fold (normalize.fold: case, quotes, dashes, compatibility forms).

    Punctuation is not a word, so "Albright's" and "Albright s" give the same words: the words of
    comparison_key(text), which tests check.
    """
    text = fold("\n".join(paragraphs))
    if text.isascii():  # the common case, twice as fast as the regular expression
        return text.translate(_ASCII_NON_WORD).split()
    return _WORD.findall(text)


class _WordIds(dict[str, int]):
    """Word -> stable 62-bit integer, computed once per word and process."""

    def __missing__(self, word: str) -> int:
        value = (
            int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little")
            >> 2
        )
        self[word] = value
        return value


_IDS = _WordIds()


def shingles(text_words: Sequence[str]) -> set[int]:
    """Hashes of the overlapping SHINGLE-word runs of a text (the whole text when it is shorter)."""
    ids = list(map(_IDS.__getitem__, text_words))
    if len(ids) < SHINGLE:
        return {hash(tuple(ids))} if ids else set()
    runs = [islice(ids, i, None) for i in range(SHINGLE)]
    return set(map(hash, zip(*runs)))


def text_key(text_words: Sequence[str]) -> bytes:
    """Identifies a word sequence: equal keys mean the same words in the same order."""
    return hashlib.blake2b(" ".join(text_words).encode("utf-8", "surrogatepass"), digest_size=16).digest()


def _mix(h: np.ndarray) -> np.ndarray:
    """MurmurHash3's 64-bit finalizer: every input bit changes about half the output bits."""
    h = h ^ (h >> _U(33))
    h = h * _U(0xFF51AFD7ED558CCD)
    h = h ^ (h >> _U(33))
    h = h * _U(0xC4CEB9FE1A85EC53)
    return cast(np.ndarray, h ^ (h >> _U(33)))


def shingle_hashes(text_words: Sequence[str]) -> np.ndarray:
    """A 64-bit hash of each SHINGLE-word run, in order (one for a shorter text, padded)."""
    ids = np.fromiter(map(_IDS.__getitem__, text_words), dtype=np.uint64, count=len(text_words))
    if len(ids) < SHINGLE:
        ids = np.concatenate([ids, np.zeros(SHINGLE - len(ids), dtype=np.uint64)])
    runs = len(ids) - SHINGLE + 1
    return _mix(sum((ids[k : k + runs] * m for k, m in enumerate(_MULTIPLIERS)), np.zeros(runs, dtype=np.uint64)))


def signature(text_words: Sequence[str]) -> np.ndarray:
    """One-permutation MinHash of a text's shingles: the smallest shingle hash in each of BINS bins."""
    return _minima(shingle_hashes(text_words))


def _minima(hashes: np.ndarray) -> np.ndarray:
    """The smallest hash in each of BINS bins (by its top bits).

    An empty bin borrows the value of the next non-empty bin to its right, mixed with the
    distance ("rotation" densification, Shrivastava and Li 2014), so short texts still agree
    on about a Jaccard share of their bins.
    """
    mins = np.full(BINS, _EMPTY, dtype=np.uint64)
    np.minimum.at(mins, (hashes >> _U(64 - 7)).astype(np.intp), hashes)
    empty = mins == _EMPTY
    if empty.any():
        full, gaps = np.flatnonzero(~empty), np.flatnonzero(empty)
        borrowed = full[np.searchsorted(full, gaps) % len(full)]
        mins[gaps] = _mix(mins[borrowed] ^ ((borrowed - gaps) % BINS).astype(np.uint64) * _MULTIPLIERS[0])
    return mins


def anchors(texts: Sequence[np.ndarray]) -> tuple[np.ndarray, np.ndarray]:
    """The anchors of texts given as their shingle_hashes(): all texts' one after another (each
    text's sorted and distinct), and how many each has.

    Of each window of WINDOW consecutive ANCHOR_WORDS-word runs of a text, the run with the smallest
    hash is an anchor (winnowing, Schleimer, Wilkerson and Aiken 2003). Two texts that share a run of
    SURE_RUN words share the window inside it, hence its anchor, wherever the run starts in either:
    a teaser or an excerpt shares one with its source however small a part of it it is. A text
    shorter than SURE_RUN words has none. Computed for many texts at once (numpy's cost per call
    is most of the cost for one text).
    """
    sizes = np.array([len(h) for h in texts], dtype=np.int64)
    flat = np.concatenate(texts) if len(texts) else np.empty(0, dtype=_U)
    step, span = ANCHOR_WORDS // SHINGLE, ANCHOR_WORDS - SHINGLE  # a run: the shingles at p, p + 3, p + 6
    runs = len(flat) - span
    if runs < WINDOW:
        return np.empty(0, dtype=_U), np.zeros(len(texts), dtype=np.int64)
    grams = (
        flat[:runs] * _MULTIPLIERS[0] + flat[step : step + runs] * _MULTIPLIERS[1] + flat[2 * step : 2 * step + runs]
    )
    mins = _sliding_min(grams >> _U(64 - ANCHOR_BITS), WINDOW)
    ends = np.cumsum(sizes)
    owners = np.repeat(np.arange(len(texts)), sizes)[: len(mins)]
    inside = np.arange(len(mins)) + WINDOW + span <= ends[owners]  # the window's runs all in its text
    values, owners = _distinct(mins[inside], owners[inside])  # a window's neighbour mostly has its anchor
    order = np.lexsort((values, owners))
    values, owners = _distinct(values[order], owners[order])
    return values, np.bincount(owners, minlength=len(texts)).astype(np.int64)


def _sliding_min(values: np.ndarray, width: int) -> np.ndarray:
    """The smallest of each width consecutive values (van Herk and Gil-Werman: three passes whatever the width)."""
    n = len(values)
    blocks = np.concatenate([values, np.full(-n % width, _EMPTY, dtype=_U)]).reshape(-1, width)
    ahead = np.minimum.accumulate(blocks, axis=1).ravel()  # from its block's start to each value
    behind = np.minimum.accumulate(blocks[:, ::-1], axis=1)[:, ::-1].ravel()  # from each value to its block's end
    return np.minimum(behind[: n - width + 1], ahead[width - 1 : n])


def _distinct(values: np.ndarray, owners: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Without the (value, owner) pairs that repeat the one before."""
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = (values[1:] != values[:-1]) | (owners[1:] != owners[:-1])
    return values[keep], owners[keep]


def band_keys(sig: np.ndarray) -> np.ndarray:
    """One key per LSH band: two texts share a band key when they agree on all ROWS values of it."""
    rows = sig.reshape(BANDS, ROWS)
    keys = np.zeros(BANDS, dtype=np.uint64)
    for r in range(ROWS):
        keys = keys * _MULTIPLIERS[1] + rows[:, r]
    return _mix(keys)


@dataclass(slots=True)
class Fingerprints:
    """Compact fingerprints of many texts, in input order (about 1.3 kB a text)."""

    word_counts: np.ndarray
    """Words per text."""
    text_keys: list[bytes]
    """text_key() per text."""
    signatures: np.ndarray
    """(texts, BINS) uint32: the low 32 bits of each MinHash value, for estimating Jaccard."""
    bands: np.ndarray
    """(texts, BANDS) uint64 LSH band keys."""
    anchors: np.ndarray
    """uint64: every text's anchors(), one text after another."""
    anchor_counts: np.ndarray
    """Anchors per text."""

    @classmethod
    def of(cls, texts: Iterable[Sequence[str]]) -> Fingerprints:
        counts, keys, sigs, bands, batch, marks = [], [], [], [], [], []
        for text_words in texts:
            hashes = shingle_hashes(text_words)
            sig = _minima(hashes)
            counts.append(len(text_words))
            keys.append(text_key(text_words))
            sigs.append(sig.astype(np.uint32))
            bands.append(band_keys(sig))
            batch.append(hashes)
            if len(batch) == ANCHOR_BATCH:
                marks.append(anchors(batch))
                batch = []
        marks.append(anchors(batch))
        return cls(
            np.array(counts, dtype=np.int64),
            keys,
            np.array(sigs, dtype=np.uint32).reshape(-1, BINS),
            np.array(bands, dtype=np.uint64).reshape(-1, BANDS),
            np.concatenate([values for values, _ in marks]),
            np.concatenate([per_text for _, per_text in marks]),
        )

    @classmethod
    def concat(cls, parts: list[Fingerprints]) -> Fingerprints:
        """All parts as one, in order. Consumes the list: each part is freed once copied."""
        n = sum(len(p.word_counts) for p in parts)
        whole = cls(
            np.empty(n, dtype=np.int64),
            [],
            np.empty((n, BINS), dtype=np.uint32),
            np.empty((n, BANDS), dtype=np.uint64),
            np.empty(sum(len(p.anchors) for p in parts), dtype=np.uint64),
            np.empty(n, dtype=np.int64),
        )
        parts.reverse()
        at = mark = 0
        while parts:
            part = parts.pop()
            end, mark_end = at + len(part.word_counts), mark + len(part.anchors)
            whole.word_counts[at:end], whole.signatures[at:end], whole.bands[at:end] = (
                part.word_counts,
                part.signatures,
                part.bands,
            )
            whole.anchors[mark:mark_end], whole.anchor_counts[at:end] = part.anchors, part.anchor_counts
            whole.text_keys.extend(part.text_keys)
            at, mark = end, mark_end
        return whole

    def select(self, rows: np.ndarray) -> Fingerprints:
        """These rows, in this order (a copy)."""
        return Fingerprints(
            self.word_counts[rows],
            [self.text_keys[i] for i in rows.tolist()],
            self.signatures[rows],
            self.bands[rows],
            self.anchors[_spans(self.anchor_starts()[rows], self.anchor_counts[rows])],
            self.anchor_counts[rows],
        )

    def replace(self, rows: np.ndarray, other: Fingerprints) -> None:
        """Put other's fingerprints, in order, at these rows."""
        self.word_counts[rows], self.signatures[rows], self.bands[rows] = (
            other.word_counts,
            other.signatures,
            other.bands,
        )
        for row, key in zip(rows.tolist(), other.text_keys):
            self.text_keys[row] = key
        starts = self.anchor_starts()
        starts[rows] = other.anchor_starts() + len(self.anchors)  # other's anchors come after ours
        self.anchor_counts[rows] = other.anchor_counts
        self.anchors = np.concatenate([self.anchors, other.anchors])[_spans(starts, self.anchor_counts)]

    def anchor_starts(self) -> np.ndarray:
        """Where each text's anchors start in anchors."""
        return cast(np.ndarray, np.cumsum(self.anchor_counts) - self.anchor_counts)

    def estimates(self, pairs: np.ndarray) -> np.ndarray:
        """Estimated Jaccard similarity of each (i, j) row of pairs: the share of MinHash bins that agree."""
        if not len(pairs):
            return np.zeros(0)
        agree = np.count_nonzero(self.signatures[pairs[:, 0]] == self.signatures[pairs[:, 1]], axis=1)
        return cast(np.ndarray, agree / BINS)


def _spans(starts: np.ndarray, counts: np.ndarray) -> np.ndarray:
    """The indices of these spans (start, count), one after another."""
    ends = np.cumsum(counts)
    return np.repeat(starts - (ends - counts), counts) + np.arange(int(ends[-1]) if len(ends) else 0)


def anchor_pairs(prints: Fingerprints, eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (i < j) of eligible texts that share an anchor, as an (n, 2) array, and how many they share.

    An anchor of more than MAX_ANCHORED texts links them as a chain (counted once per link), as bands do.
    """
    n = len(prints.anchor_counts)
    bits = max(64 - ANCHOR_BITS, n.bit_length())
    owners = np.repeat(np.arange(n, dtype=_U), prints.anchor_counts)
    keep = eligible[owners]
    # anchor above, text below, in one number: sorted by anchor, then text (np.sort is 50 times faster than argsort)
    both = np.sort((prints.anchors[keep] >> _U(ANCHOR_BITS + bits - 64) << _U(bits)) | owners[keep])
    keys, owners = both >> _U(bits), (both & _U((1 << bits) - 1)).astype(np.intp)
    new = np.concatenate([[True], keys[1:] != keys[:-1]])
    group = np.cumsum(new) - 1
    starts = np.flatnonzero(new)
    sizes = np.diff(np.append(starts, len(keys)))
    shared = np.flatnonzero(sizes[group] > 1)  # positions in anchors of two texts or more
    left = (starts + sizes)[group[shared]] - shared  # members after each position in its group
    small = sizes[group[shared]] <= MAX_ANCHORED
    firsts, seconds = [], []
    for step in range(1, MAX_ANCHORED):
        shared, left, small = shared[left > step], left[left > step], small[left > step]
        if step > 1:
            shared, left, small = shared[small], left[small], small[small]
        if not len(shared):
            break
        firsts.append(owners[shared])
        seconds.append(owners[shared + step])
    if not firsts:
        return np.empty((0, 2), dtype=np.intp), np.empty(0, dtype=np.int64)
    codes, counts = np.unique(np.concatenate(firsts) * n + np.concatenate(seconds), return_counts=True)
    return np.stack([codes // n, codes % n], axis=1).astype(np.intp), counts


def candidate_pairs(bands: np.ndarray, eligible: np.ndarray) -> set[tuple[int, int]]:
    """Pairs (i < j) of eligible texts that share at least one band key."""
    indices = np.flatnonzero(eligible)
    pairs: set[tuple[int, int]] = set()
    for band in range(bands.shape[1]):
        keys = bands[indices, band]
        order = np.argsort(keys, kind="stable")
        ordered = keys[order]
        starts = np.flatnonzero(np.concatenate([[True], ordered[1:] != ordered[:-1]]))
        ends = np.append(starts[1:], len(ordered))
        for start, end in zip(starts[ends - starts > 1].tolist(), ends[ends - starts > 1].tolist()):
            members = indices[order[start:end]].tolist()
            if len(members) <= MAX_BUCKET:
                pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
            else:
                pairs.update(pairwise(members))
    return pairs
