"""Text fingerprints for deduplication: words, shingles, one-permutation MinHash and LSH bands.

Pure standard library, chosen over datasketch after measuring both (bench/dedupe_speed.py):
one-permutation MinHash hashes each shingle once and splits the hash space into BINS bins,
keeping the minimum of each, instead of hashing every shingle once per permutation.

Everything here is deterministic across runs: words are hashed with BLAKE2b (str hashes are
salted per process) and shingles with Python's tuple hash over those integers (ints and
tuples of ints are not salted). The exact similarity of a candidate pair is measured on the
full shingle sets (see dedupe.py); MinHash and LSH only choose which pairs to measure.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from array import array
from bisect import bisect_left
from collections import Counter
from dataclasses import dataclass
from itertools import islice
from operator import eq
from typing import Iterable, Sequence

SHINGLE = 3
"""Words per shingle: 3 keeps a copy-edit from touching more than three shingles per changed word."""
BINS = 128
"""MinHash values per text (one-permutation bins, by the top 7 bits of the shingle hash)."""
ROWS = 2
"""MinHash values per LSH band: with 64 bands of 2, a pair with Jaccard 0.3 is a candidate with p > 0.99."""
BANDS = BINS // ROWS
MAX_BUCKET = 64
"""A band bucket with more texts than this is linked as a chain, not all pairs (boilerplate bodies)."""

_WORD = re.compile(r"\w+")
_ASCII_NON_WORD = str.maketrans({c: " " for c in map(chr, range(128)) if not (c.isalnum() or c == "_")})
_BIN_SHIFT = 64 - 7
_BIN_STARTS = [b << _BIN_SHIFT for b in range(-(BINS // 2), BINS // 2)]
_MASK32 = 0xFFFFFFFF


def words(paragraphs: Iterable[str]) -> list[str]:
    """The words of a text, folded as normalize.comparison_key folds them (case, quotes, dashes, spacing).

    Punctuation is not a word, so "Albright's" and "Albright s" give the same words. This is
    _WORD.findall(comparison_key(text)) without the steps that cannot change a word (quote and
    dash folding, space collapsing), which cost more than the rest; tests check they agree.
    """
    text = "\n".join(paragraphs)
    if text.isascii():  # the common case, twice as fast as the regular expression
        return text.lower().translate(_ASCII_NON_WORD).split()
    return _WORD.findall(unicodedata.normalize("NFKC", text).casefold())


class _WordIds(dict[str, int]):
    """Word -> stable 62-bit integer, computed once per word and process."""

    def __missing__(self, word: str) -> int:
        value = int.from_bytes(hashlib.blake2b(word.encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little") >> 2
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


def signature(hashes: set[int]) -> list[int]:
    """One-permutation MinHash: the smallest hash in each of BINS bins.

    An empty bin borrows the value of the next non-empty bin to its right, mixed with the
    distance ("rotation" densification, Shrivastava and Li 2014), so short texts still
    agree on about a Jaccard share of their bins. An empty text gets all zeros.
    """
    ordered = sorted(hashes)
    n = len(ordered)
    mins: list[int | None] = []
    for start in _BIN_STARTS:
        i = bisect_left(ordered, start)
        mins.append(ordered[i] if i < n and ordered[i] >> _BIN_SHIFT == start >> _BIN_SHIFT else None)
    if n and None in mins:
        mins = _densify(mins)
    return [m or 0 for m in mins]


def _densify(mins: list[int | None]) -> list[int | None]:
    result = list(mins)
    for i, value in enumerate(mins):
        if value is None:
            distance = 1
            while mins[(i + distance) % BINS] is None:
                distance += 1
            result[i] = hash((mins[(i + distance) % BINS], distance))
    return result


def band_keys(sig: Sequence[int]) -> list[int]:
    """One key per LSH band: two texts share a band key when they agree on all ROWS values of it."""
    return [hash((band, *sig[band * ROWS : band * ROWS + ROWS])) for band in range(BANDS)]


@dataclass(slots=True)
class Fingerprints:
    """Compact fingerprints of many texts, in input order (about 1.1 kB a text)."""

    word_counts: array  # "L"
    text_keys: list[bytes]
    signatures: array  # "I": BINS low 32-bit values per text, for estimating Jaccard
    bands: list[array]  # BANDS arrays of 'q', one key per text each

    @classmethod
    def empty(cls) -> "Fingerprints":
        return cls(array("L"), [], array("I"), [array("q") for _ in range(BANDS)])

    def add(self, text_words: Sequence[str]) -> None:
        sig = signature(shingles(text_words))
        self.word_counts.append(len(text_words))
        self.text_keys.append(text_key(text_words))
        self.signatures.extend(v & _MASK32 for v in sig)
        for band, key in zip(self.bands, band_keys(sig)):
            band.append(key)

    def extend(self, other: "Fingerprints") -> None:
        self.word_counts.extend(other.word_counts)
        self.text_keys.extend(other.text_keys)
        self.signatures.extend(other.signatures)
        for mine, theirs in zip(self.bands, other.bands):
            mine.extend(theirs)

    def estimate(self, i: int, j: int) -> float:
        """Estimated Jaccard similarity of texts i and j: the share of MinHash bins that agree."""
        a = self.signatures[i * BINS : (i + 1) * BINS]
        b = self.signatures[j * BINS : (j + 1) * BINS]
        return sum(map(eq, a, b)) / BINS


def candidate_pairs(bands: list[array], eligible: Sequence[bool]) -> set[tuple[int, int]]:
    """Pairs (i < j) of eligible texts that share at least one band key."""
    skipped = [i for i, ok in enumerate(eligible) if not ok]
    pairs: set[tuple[int, int]] = set()
    for keys in bands:
        counts = Counter(keys)
        shared = {key for key, count in counts.items() if count > 1}
        if not shared:
            continue
        buckets: dict[int, list[int]] = {}
        for i, key in enumerate(keys):
            if key in shared:
                buckets.setdefault(key, []).append(i)
        for members in buckets.values():
            if skipped:
                members = [i for i in members if eligible[i]]
            if len(members) <= MAX_BUCKET:
                pairs.update((a, b) for n, a in enumerate(members) for b in members[n + 1 :])
            else:
                pairs.update(zip(members, members[1:]))
    return pairs
