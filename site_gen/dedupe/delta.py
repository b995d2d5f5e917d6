"""Which of the last build's clusters a few texts taken out and a few put in change.

A rebuild that adds, removes or edits a few articles (build/reuse.py) keeps the last build's
dedupe decisions for every group of copies it does not touch. joins() finds the touched ones: the
kept texts that a text put in is a copy of (the same words as an eligible text, or an LSH
candidate or a text sharing enough anchors that the exact measure confirms), whether two texts
put in are copies of each other, and the texts taken out that were joined. That holds when no
LSH bucket that a text enters or leaves is over MAX_BUCKET before or after (such a bucket is
chained, and its chain changes with any member; under it every pair is a candidate, so only the
new text's pairs are new), nor an anchor (minhash.anchors) shared by more than MAX_ANCHORED
long-enough texts; crowded() checks the same for the kept members of a touched group, whose
decisions can then be made from its members alone. Same-URL evidence is the caller's: an
article id is the hash of its canonical URL.

The memo's rows then follow (splice): rows taken out are deleted, new texts' fingerprints
inserted in path order, and the groups decided again named (regroup), as a whole dedupe would
leave them.
"""

from __future__ import annotations

import os
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from itertools import compress, pairwise

import numpy as np

from site_gen.config import DedupeSettings
from site_gen.dedupe.clusters import ANCHOR_SHARE, PREFILTER, Memo, _anchored, _enough, similarity, text_hash
from site_gen.dedupe.minhash import BANDS, BINS, MAX_ANCHORED, MAX_BUCKET, Fingerprints, shingles, words
from site_gen.model import Article

SORT_PAST = 16
"""Texts taken out or put in beyond which band keys are sorted for binary search (else compared row by row)."""
TextOf = Callable[[str], list[str] | None]
"""The paragraphs of a kept row's article by its source path (None: not at hand)."""


@dataclass(slots=True)
class Joins:
    """What the texts put in are copies of, by the evidence a whole dedupe weighs (same URL aside)."""

    rows: set[int]
    """Kept rows (of the memo before splice()) that a new text is a copy of."""
    among_new: bool
    """Whether two new texts are copies of each other."""
    prints: Fingerprints
    """The new texts' fingerprints, in the order given."""
    left: set[int]
    """Rows taken out that were joined to others (their groups change)."""

    @property
    def any(self) -> bool:
        return bool(self.rows) or self.among_new or bool(self.left)


def joins(
    memo: Memo,
    removed: Sequence[str],
    added: Sequence[Article],
    settings: DedupeSettings,
    text_of: TextOf,
    same_url: Sequence[str] = (),
) -> Joins | None:
    """What the added articles' texts join once these source paths' texts are taken out; None when a whole
    dedupe could decide otherwise (a bucket or anchor crowded: chained) or the memo cannot tell. same_url:
    the kept files that the caller found with a new article's id (its canonical URL) at its outlet, joined
    too. The memo is left as it is."""
    texts = [words(a.paragraphs) for a in added]
    new = Fingerprints.of(texts)
    found = Joins(set(), False, new, set())
    if not removed and not added:
        return found
    prints = memo.prints
    if prints is None or len(memo.hashes) != len(memo.paths) or len(prints.word_counts) != len(memo.paths):
        return None
    rows, same = _rows(memo, removed), _rows(memo, same_url)
    if rows is None or same is None or crowded(memo, rows, settings):
        return None
    found.left = {row for row in rows if row in memo.joined}
    found.rows.update(same)
    eligible = prints.word_counts >= settings.min_words
    gone = np.zeros(len(memo.paths), dtype=bool)
    gone[rows] = True
    fresh = new.word_counts >= settings.min_words
    buckets = _Buckets(prints.bands, eligible, len(rows) + len(added))
    kept = eligible & ~gone
    if fresh.any():
        found.among_new = _same_words(prints.text_keys, kept, new, fresh, found.rows)
    by_anchors = _anchor_candidates(prints, gone, new, settings)
    if by_anchors is None:
        return None
    chains = _Chains(memo, kept, new, fresh, added, settings, text_of)
    for i in np.flatnonzero(fresh).tolist():
        keys = new.bands[i]
        sharing = (new.bands == keys) & fresh[:, None]  # the new texts sharing each of its band keys
        others = np.count_nonzero(sharing, axis=0) - 1
        leaving = np.count_nonzero((prints.bands[rows] == keys) & eligible[rows, None], axis=0) if rows else 0
        before = buckets.sizes(keys)
        chained = before - leaving + others + 1 > MAX_BUCKET
        if ((before > MAX_BUCKET) & ~chained).any():
            return None  # a bucket that stops being chained (texts taken out of one are refused above)
        near_rows, near_news = chains.neighbours(i, np.flatnonzero(chained).tolist())
        for band in np.flatnonzero(chained).tolist():
            was_chained = bool(before[band] > MAX_BUCKET)
            if not chains.still_joined(band, int(keys[band]), was_chained):
                return None
        candidates = np.union1d(buckets.members(keys, kept, ~chained), near_rows).astype(np.intp).tolist()
        found.rows.update(row for row in candidates if chains.near(("new", i), ("row", row)))
        open_news = np.flatnonzero((sharing & ~chained).any(axis=1)).tolist()
        others = sorted({*open_news, *near_news} - {i})
        found.among_new = found.among_new or any(chains.near(("new", i), ("new", j)) for j in others)
    for i, (rows_near, news_near) in by_anchors.items():
        mine = shingles(texts[i])
        for row in rows_near:
            other = text_of(memo.paths[row])
            if other is None or _near(mine, words(other), len(texts[i]), settings):
                found.rows.add(row)
        found.among_new = found.among_new or any(_near(mine, texts[j], len(texts[i]), settings) for j in news_near)
    return found


def crowded(memo: Memo, rows: Sequence[int], settings: DedupeSettings, *, bands: bool = True) -> bool:
    """Whether a band key (unless bands is False) or an anchor of one of these rows' texts is shared by more
    than MAX_BUCKET texts: the whole dedupe chains such a bucket, and the chain changes with any member."""
    prints = memo.prints
    assert prints is not None
    eligible = prints.word_counts >= settings.min_words
    if bands:
        buckets = _Buckets(prints.bands, eligible, len(rows))
        if any((buckets.sizes(prints.bands[row]) > MAX_BUCKET).any() for row in rows if eligible[row]):
            return True
    anchored = _anchored(prints, settings)
    starts = prints.anchor_starts()
    marks = [prints.anchors[starts[r] : starts[r] + prints.anchor_counts[r]] for r in rows if anchored[r]]
    if not marks:
        return False
    owners = np.repeat(np.arange(len(anchored)), prints.anchor_counts)
    wanted = np.concatenate(marks)
    return _most(prints.anchors[np.isin(prints.anchors, wanted) & anchored[owners]]) > MAX_ANCHORED


def chained_apart(
    memo: Memo,
    rows: Sequence[int],
    removed: Sequence[str],
    added: Sequence[Article],
    prints: Fingerprints,
    settings: DedupeSettings,
    text_of: TextOf,
) -> bool:
    """Whether deduping these kept rows' texts with the added ones on their own (reuse.py) joins no pair that
    the whole dedupe keeps apart: texts sharing a chained bucket are paired there only when next to each other
    in it, so every other pair of them in one must not be copies. rows: of the memo before splice(); prints:
    the added texts' (joins())."""
    kept_prints = memo.prints
    assert kept_prints is not None
    gone = np.zeros(len(memo.paths), dtype=bool)
    gone[_rows(memo, removed) or []] = True
    kept = (kept_prints.word_counts >= settings.min_words) & ~gone
    fresh = prints.word_counts >= settings.min_words
    chains = _Chains(memo, kept, prints, fresh, added, settings, text_of)
    mine = [("row", r) for r in rows if kept[r]] + [("new", i) for i in np.flatnonzero(fresh).tolist()]
    buckets = _Buckets(kept_prints.bands, kept, len(mine))
    new_keys = prints.bands[fresh]
    for band in range(kept_prints.bands.shape[1]):
        by_key: dict[int, list[tuple[str, int]]] = {}
        for kind, n in mine:
            key = (kept_prints if kind == "row" else prints).bands[n, band]
            by_key.setdefault(int(key), []).append((kind, n))
        for key, together in by_key.items():
            if len(together) < 2:
                continue
            if buckets.size(band, key) + np.count_nonzero(new_keys[:, band] == np.uint64(key)) <= MAX_BUCKET:
                continue
            members = chains.members(band, key)
            adjacent = set(pairwise(members))
            ranked = sorted(together, key=members.index)
            for x, first in enumerate(ranked):
                for second in ranked[x + 1 :]:
                    if (first, second) not in adjacent and not chains.linked(members, first, second):
                        return False  # paired on their own only, and copies: the group alone would join them
    return True


def regroup(memo: Memo, groups: list[list[str]], paths: Sequence[str]) -> None:
    """After splice(): the rows of these paths (of groups decided again, and new texts) joined in these
    groups (source paths, in order), as a whole dedupe would leave them."""
    for path in paths:
        memo.joined.pop(bisect_left(memo.paths, path), None)
    for group in groups:
        for path in group:
            memo.joined[bisect_left(memo.paths, path)] = group[0]


def splice(memo: Memo, removed: Sequence[str], added: Sequence[Article], prints: Fingerprints) -> None:
    """The memo's rows with the texts of these paths taken out and the added ones put in (see joins())."""
    rows = _rows(memo, removed)
    assert rows is not None  # joins() said so
    _splice(memo, rows, added, prints)


def _anchor_candidates(
    prints: Fingerprints, gone: np.ndarray, new: Fingerprints, settings: DedupeSettings
) -> dict[int, tuple[list[int], list[int]]] | None:
    """For each new long-enough text, the kept rows and the other new texts (after it) sharing enough
    anchors with it (clusters.ANCHOR_SHARE); None when an anchor of a new text will be shared by more
    than MAX_ANCHORED long-enough texts (a chain)."""
    anchored = _anchored(prints, settings)
    fresh = np.flatnonzero(_anchored(new, settings)).tolist()
    new_starts = new.anchor_starts()
    mine = {i: new.anchors[new_starts[i] : new_starts[i] + new.anchor_counts[i]] for i in fresh}
    if not mine:
        return {}
    wanted = np.concatenate(list(mine.values()))
    owners = np.repeat(np.arange(len(anchored)), prints.anchor_counts)
    hit = np.flatnonzero(np.isin(prints.anchors, wanted) & anchored[owners])
    values, owner_rows = prints.anchors[hit], owners[hit]
    kept = ~gone[owner_rows]
    values, owner_rows = values[kept], owner_rows[kept]
    new_values = np.concatenate(list(mine.values())) if mine else np.zeros(0, dtype=np.uint64)
    if mine and _most(np.concatenate([values[np.isin(values, new_values)], new_values])) > MAX_ANCHORED:
        return None
    holders: dict[int, list[int]] = {}  # anchor -> the new texts holding it (not one intersection per pair)
    for i in fresh:
        for value in set(mine[i].tolist()):
            holders.setdefault(value, []).append(i)
    found: dict[int, tuple[list[int], list[int]]] = {}
    for i in fresh:
        rows, counts = np.unique(owner_rows[np.isin(values, mine[i])], return_counts=True)
        near_rows = rows[_enough(counts, prints.anchor_counts[rows], len(mine[i]))].tolist()
        together = Counter(j for value in set(mine[i].tolist()) for j in holders[value] if j > i)
        near_news = sorted(j for j, n in together.items() if n >= ANCHOR_SHARE * min(len(mine[i]), len(mine[j])))
        if near_rows or near_news:
            found[i] = (near_rows, near_news)
    return found


def _most(values: np.ndarray) -> int:
    """How many times the commonest value occurs (0: none)."""
    return int(np.unique(values, return_counts=True)[1].max()) if len(values) else 0


def _rows(memo: Memo, paths: Sequence[str]) -> list[int] | None:
    """The memo rows of these paths, when each has one."""
    rows = []
    for path in paths:
        row = bisect_left(memo.paths, path)
        if row == len(memo.paths) or memo.paths[row] != path:
            return None
        rows.append(row)
    return rows


def _same_words(text_keys: list[bytes], kept: np.ndarray, new: Fingerprints, fresh: np.ndarray, rows: set[int]) -> bool:
    """Adds to rows the kept eligible texts with the same words as an eligible new text; whether two eligible
    new texts have the same words."""
    mine = list(compress(new.text_keys, fresh.tolist()))
    wanted = set(mine)
    rows.update(row for row in np.flatnonzero(kept).tolist() if text_keys[row] in wanted)
    return len(wanted) != len(mine)


def _near(mine: set[int], other: list[str], length: int, settings: DedupeSettings) -> bool:
    jaccard, containment = similarity(mine, shingles(other))
    shorter = min(length, len(other))
    return jaccard >= settings.jaccard or (
        containment >= settings.containment and shorter >= settings.containment_min_words
    )


class _Buckets:
    """Bucket sizes and members of the eligible rows' band keys: for a few queries by comparing
    every row, for more by binary search in the keys sorted once per band."""

    def __init__(self, bands: np.ndarray, eligible: np.ndarray, queries: int) -> None:
        self.bands = bands
        self.eligible = eligible
        self.sorted: np.ndarray | None = None
        if queries > SORT_PAST:
            self.rows = np.flatnonzero(eligible)
            self.order = np.argsort(np.ascontiguousarray(bands[self.rows].T), axis=1, kind="stable")
            self.sorted = np.take_along_axis(bands[self.rows].T, self.order, axis=1)

    def sizes(self, keys: np.ndarray) -> np.ndarray:
        """Per band, how many eligible rows have that band's key."""
        if self.sorted is None:
            return np.asarray(np.count_nonzero((self.bands == keys) & self.eligible[:, None], axis=0))
        return np.array(
            [
                np.searchsorted(self.sorted[b], keys[b], side="right") - np.searchsorted(self.sorted[b], keys[b])
                for b in range(BANDS)
            ]
        )

    def size(self, band: int, key: int) -> int:
        """How many eligible rows have this key in this band."""
        if self.sorted is None:
            return int(np.count_nonzero((self.bands[:, band] == key) & self.eligible))
        keys, wanted = self.sorted[band], np.uint64(key)
        return int(np.searchsorted(keys, wanted, side="right") - np.searchsorted(keys, wanted))

    def _rows_of(self, band: int, key: np.uint64) -> np.ndarray:
        assert self.sorted is not None
        keys = self.sorted[band]
        return np.asarray(self.rows[self.order[band, np.searchsorted(keys, key) : np.searchsorted(keys, key, "right")]])

    def members(self, keys: np.ndarray, among: np.ndarray, bands: np.ndarray | None = None) -> np.ndarray:
        """Rows of among (a mask) sharing a band key with keys (in the bands given by a mask, else any)."""
        shared = np.flatnonzero(self.sizes(keys) if bands is None else self.sizes(keys) * bands)
        if self.sorted is not None:  # each band's rows of that key, found in its sorted keys
            found = [self._rows_of(b, keys[b]) for b in shared.tolist()]
            rows = np.unique(np.concatenate(found)) if found else np.zeros(0, dtype=np.intp)
            return np.asarray(rows[among[rows]])
        hit = np.zeros(len(among), dtype=bool)
        for b in shared.tolist():
            hit |= self.bands[:, b] == keys[b]
        return np.flatnonzero(hit & among)


class _Chains:
    """The buckets that the whole dedupe chains (more than MAX_BUCKET texts share the band key) after the
    change: their members in path order, kept rows as ("row", r) and new texts as ("new", i), each paired
    with the next only (minhash.candidate_pairs); and pairs of them measured as the whole dedupe measures a
    candidate (near). Texts taken out of a chained bucket are refused before (crowded()), so a chain only
    gains members."""

    def __init__(
        self,
        memo: Memo,
        kept: np.ndarray,
        new: Fingerprints,
        fresh: np.ndarray,
        added: Sequence[Article],
        settings: DedupeSettings,
        text_of: TextOf,
    ) -> None:
        """kept, fresh: the eligible kept rows (not taken out) and new texts."""
        assert memo.prints is not None
        self.prints, self.paths, self.kept, self.new, self.fresh = memo.prints, memo.paths, kept, new, fresh
        self.added, self.new_paths = added, [a.sources[0].path for a in added]
        self.settings, self.text_of = settings, text_of
        self._members: dict[tuple[int, int], list[tuple[str, int]]] = {}

    def members(self, band: int, key: int) -> list[tuple[str, int]]:
        if (band, key) not in self._members:
            wanted = np.uint64(key)
            rows = np.flatnonzero((self.prints.bands[:, band] == wanted) & self.kept).tolist()
            news = np.flatnonzero((self.new.bands[:, band] == wanted) & self.fresh).tolist()
            ordered = sorted(
                [*((self.paths[r], "row", r) for r in rows), *((self.new_paths[i], "new", i) for i in news)]
            )
            self._members[band, key] = [(kind, n) for _, kind, n in ordered]
        return self._members[band, key]

    def neighbours(self, i: int, bands: list[int]) -> tuple[list[int], list[int]]:
        """The kept rows and the new texts next to new text i in its chained buckets of these bands."""
        rows: list[int] = []
        news: list[int] = []
        for band in bands:
            members = self.members(band, int(self.new.bands[i, band]))
            at = members.index(("new", i))
            for kind, n in members[max(0, at - 1) : at] + members[at + 1 : at + 2]:
                (rows if kind == "row" else news).append(n)
        return rows, news

    def still_joined(self, band: int, key: int, was_chained: bool) -> bool:
        """Whether every pair of kept texts that the bucket paired before the change (each with the next when it
        was chained, else every two) and pairs no longer (new texts came between them) was not a pair of copies,
        or is joined still through the chain (each text a copy of the next between them)."""
        members = self.members(band, key)
        kept = [m for m in members if m[0] == "row"]
        paired = set(pairwise(kept)) if was_chained else {(p, q) for n, p in enumerate(kept) for q in kept[n + 1 :]}
        dropped = paired - set(pairwise(members))
        return all(self.linked(members, p, q) for p, q in dropped)

    def linked(self, members: list[tuple[str, int]], one: tuple[str, int], other: tuple[str, int]) -> bool:
        """Whether two members of a chain are joined without pairing them: not copies, or copies through
        every step of the chain between them."""
        if not self.near(one, other):
            return True
        a, b = sorted((members.index(one), members.index(other)))
        return all(self.near(p, q) for p, q in pairwise(members[a : b + 1]))

    def near(self, one: tuple[str, int], other: tuple[str, int]) -> bool:
        """Whether two texts (kept rows or new texts) are copies, as the whole dedupe measures a candidate
        pair: past the prefilter, exactly (a kept text not at hand: yes)."""
        signatures = [(self.prints if kind == "row" else self.new).signatures[n] for kind, n in (one, other)]
        if np.count_nonzero(signatures[0] == signatures[1]) / BINS < PREFILTER:
            return False
        found = [self.added[n].paragraphs if kind == "new" else self.text_of(self.paths[n]) for kind, n in (one, other)]
        if found[0] is None or found[1] is None:
            return True
        first = words(found[0])
        return _near(shingles(first), words(found[1]), len(first), self.settings)


def _splice(memo: Memo, rows: list[int], added: Sequence[Article], new: Fingerprints) -> None:
    """Delete the rows taken out and insert the new texts' rows where their paths sort (the arrays
    copied once or twice, not sorted again: at 100,000 texts they hold 100 MB)."""
    prints = memo.prints
    assert prints is not None
    order = sorted(range(len(added)), key=lambda i: added[i].sources[0].path)
    paths = [added[i].sources[0].path for i in order]
    fresh = new.select(np.array(order, dtype=np.intp))
    gone = sorted(rows)
    if paths == [memo.paths[row] for row in gone]:  # the same files edited: their rows in place
        prints.replace(np.array(gone, dtype=np.intp), fresh)
        for row, i in zip(gone, order):
            memo.hashes[row] = text_hash(added[i])
    else:
        for row in reversed(gone):
            del memo.paths[row], memo.hashes[row], prints.text_keys[row]
        at = [bisect_left(memo.paths, path) for path in paths]
        leaving = set(gone)
        joined = {row - bisect_left(gone, row): label for row, label in memo.joined.items() if row not in leaving}
        memo.joined = {row + bisect_right(at, row): label for row, label in joined.items()}
        staying = np.ones(len(prints.anchor_counts), dtype=bool)
        staying[gone] = False
        anchors = prints.anchors[np.repeat(staying, prints.anchor_counts)]
        counts = prints.anchor_counts[staying]
        marks_at = np.append(np.cumsum(counts) - counts, len(anchors))[at]
        prints.anchors = np.insert(anchors, np.repeat(marks_at, fresh.anchor_counts), fresh.anchors)
        for name in ("word_counts", "signatures", "bands", "anchor_counts"):
            kept = np.delete(getattr(prints, name), gone, axis=0) if gone else getattr(prints, name)
            setattr(prints, name, np.insert(kept, at, getattr(fresh, name), axis=0))
        for position, i, key in reversed(list(zip(at, order, fresh.text_keys))):
            memo.paths.insert(position, added[i].sources[0].path)
            memo.hashes.insert(position, text_hash(added[i]))
            prints.text_keys.insert(position, key)
    memo.token = os.urandom(8).hex()
