"""Deduplication: copies of one text found, grouped, merged or linked, and explained.

Runs between tag and assemble. Three kinds of evidence join two articles:

- same-url: the same canonical URL (urls.canonical_url) within one outlet: a re-scrape;
- same-text: the same words in the same order (case, quotes, dashes, spacing, punctuation folded);
- near-duplicate: MinHash/LSH (minhash.py) proposes pairs of similar texts, and shared anchors
  (minhash.anchors) pairs where one text may hold the other (a teaser, an excerpt: their Jaccard
  similarity can be as low as their share of the longer text); a pair counts when the exact
  Jaccard similarity of its 3-word shingles or the containment of the shorter text in the longer
  reaches the thresholds of the `dedupe:` settings.

Union-find over that evidence gives clusters. Within one outlet, a cluster's articles become one
page: the canonical copy is the first by CANONICAL ORDER (most words, then earliest date, undated
last, then source path: independent of file order), and every other copy that is itself directly
a copy of it (never only through a chain) is merged into it and listed on it, with the paragraphs
only it has. Copies not directly related start a page of their own by the same rule. Pages of
different outlets in one cluster stay apart and link each other (cross-outlet-copy).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import combinations
from typing import ClassVar, cast

import numpy as np

from site_gen import parallel
from site_gen.config import DedupeSettings, SiteConfig
from site_gen.dedupe.minhash import Fingerprints, anchor_pairs, candidate_pairs, shingles, words
from site_gen.model import Archive, Article, Duplicate, InputEntry, Message
from site_gen.permalinks import natural_permalink, on_site_pages
from site_gen.slugs import short_hash

PREFILTER = 0.15
"""Candidates whose MinHash estimate of Jaccard is below this are not measured (the true value is
then below 0.3 with near certainty: the estimate's standard error is at most 0.045)."""
ANCHOR_SHARE = 0.25
"""Pairs sharing anchors are measured when they share at least this share of the anchors of the one
with fewer (a text inside another shares all of its own; texts quoting one passage, a few)."""
MAX_CROSS_PAGES = 64
"""Larger clusters link each page only to the first page of each other outlet, not to every page."""
CACHE = 256


@dataclass(slots=True, frozen=True)
class Link:
    """Why two articles are copies of one text."""

    reason: str
    """same-url, same-text, near-duplicate or cross-outlet-copy."""
    score: float
    """Jaccard similarity of their 3-word shingles."""
    containment: float
    """Share of the shorter text's shingles found in the longer one."""

    def describe(self) -> str:
        if self.reason == "same-text":
            return "same-text: the same words in the same order"
        return f"{self.reason}: Jaccard {self.score:.2f}, containment {self.containment:.2f}"


@dataclass(slots=True)
class Page:
    """One outlet's page for a text: the canonical article and the copies merged into it."""

    canonical: Article
    merged: list[tuple[Article, Link]]


@dataclass(slots=True)
class Cluster:
    """Articles joined by duplicate evidence, as pages (one or more per outlet) and cross-outlet links."""

    pages: list[Page]
    cross: list[tuple[Page, Page, Link]]


def dedupe(inputs: list[InputEntry], config: SiteConfig, memo: Memo | None = None) -> list[Cluster]:
    """Merge copies within an outlet and link copies across outlets; update the input entries."""
    if not config.dedupe.enabled:
        return []
    entries = {id(e.article): e for e in inputs if e.status == "rendered" and e.article is not None}
    clusters = find_clusters([e.article for e in entries.values() if e.article], config.dedupe, config.workers, memo)
    for cluster in clusters:
        for page in cluster.pages:
            for copy, link in page.merged:
                _merge(page.canonical, copy, link, entries[id(copy)], config.permalink)
        for p, q, link in cluster.cross:
            p.canonical.duplicates.append(_record(q.canonical, link))
            q.canonical.duplicates.append(_record(p.canonical, link))
    return clusters


def copies_by_id(clusters: Iterable[Cluster]) -> dict[str, list[str]]:
    """Id (as read) -> source paths of the copies merged into another article (render.archive.Claims.copies)."""
    copies: dict[str, list[str]] = {}
    for cluster in clusters:
        for page in cluster.pages:
            for copy, _ in page.merged:
                copies.setdefault(copy.id, []).append(copy.sources[0].path)
    return copies


def describe_clusters(clusters: list[Cluster]) -> Iterable[str]:
    """Lines for review (site-gen dupes): each page's canonical file, its merged copies, cross-outlet links."""
    for n, cluster in enumerate(clusters, 1):
        files = sum(1 + len(p.merged) for p in cluster.pages)
        yield f"cluster {n}: {files} files, {len(cluster.pages)} page(s)"
        for page in cluster.pages:
            yield f"  page   {_line(page.canonical)}"
            for copy, link in page.merged:
                yield f"    merged {_line(copy)}  <- {link.describe()}"
        for p, q, link in cluster.cross:
            yield f"  linked {p.canonical.sources[0].path} <-> {q.canonical.sources[0].path}  <- {link.describe()}"
    merged = sum(len(p.merged) for c in clusters for p in c.pages)
    cross = sum(len(c.cross) for c in clusters)
    yield f"{len(clusters):,} clusters: {merged:,} files would be merged, {cross:,} cross-outlet links"


def _line(article: Article) -> str:
    outlet = article.outlet.name if article.outlet else "no outlet"
    return f"{article.sources[0].path}  [{outlet}, {article.date or 'undated'}] {article.title!r}"


def find_clusters(
    articles: Sequence[Article], settings: DedupeSettings, jobs: int = 1, memo: Memo | None = None
) -> list[Cluster]:
    """The duplicate clusters among articles (only those with a merge or a cross-outlet link)."""
    ordered = sorted(articles, key=lambda a: a.sources[0].path)  # file order must not matter
    texts = _Texts(ordered, settings, jobs, memo or Memo())
    found = _UnionFind(len(ordered))
    for group in _groups(range(len(ordered)), texts.url_key):
        found.union_all(group)
    for group in _groups(texts.eligible_indices(), texts.keys.__getitem__):
        found.union_all(group)
    for i, j in texts.near_pairs(found):
        found.union(i, j)
    components = found.components()
    clusters = [_decide(members, texts) for members in components]
    clusters = [c for c in clusters if c.cross or any(p.merged for p in c.pages)]
    texts.forget_unused()
    texts.memo.settle([a.sources[0].path for a in ordered], components)
    return sorted(clusters, key=lambda c: c.pages[0].canonical.sources[0].path)


@dataclass(slots=True)
class Memo:
    """Fingerprints and measured similarities of the texts of the last build, by a hash of each text,
    so an incremental build fingerprints only the articles whose text changed."""

    FORMAT: ClassVar[int] = 3
    """The layout of a kept memo (3: joined rows name their cluster): one of another layout is not used."""

    hashes: list[bytes] = field(default_factory=list)
    """The text hash of each row of prints."""
    prints: Fingerprints | None = None
    measured: dict[tuple[bytes, bytes], tuple[float, float]] = field(default_factory=dict)
    paths: list[str] = field(default_factory=list)
    """The source path of each row (sorted): the articles of the last build, copies included."""
    joined: dict[int, str] = field(default_factory=dict)
    """Rows that the last build joined to another (in a cluster or not) -> the first path of their group
    (its union-find component): an edit of any other article that joins none changes no cluster, and a
    new copy of one changes only its group's (reuse.py)."""
    token: str = ""
    """Changes whenever the rows do, so that what refers to them can tell they are the same."""

    def settle(self, paths: list[str], groups: list[list[int]]) -> None:
        """The rows of these paths, joined in these groups (row numbers, each in order)."""
        joined = {row: paths[group[0]] for group in groups for row in group}
        self.paths, self.joined, self.token = paths, joined, os.urandom(8).hex()

    def groups(self) -> list[list[int]]:
        """The rows of each group, in order."""
        by_label: dict[str, list[int]] = {}
        for row, label in sorted(self.joined.items()):
            by_label.setdefault(label, []).append(row)
        return list(by_label.values())

    def groups_of(self, rows: Iterable[int]) -> list[int]:
        """The rows of these rows' groups (a row joined to none: itself), in order."""
        rows = set(rows)
        labels = {self.joined[row] for row in rows if row in self.joined}
        return sorted(rows | {row for row, label in self.joined.items() if label in labels})


def text_hash(article: Article) -> bytes:
    return hashlib.blake2b("\n".join(article.paragraphs).encode("utf-8", "surrogatepass"), digest_size=16).digest()


class _Texts:
    """Fingerprints of the articles, and exact similarity measured on demand."""

    def __init__(self, articles: Sequence[Article], settings: DedupeSettings, jobs: int, memo: Memo) -> None:
        self.articles = articles
        self.settings = settings
        self.jobs = jobs
        self.hashes = [text_hash(a) for a in articles]
        self.memo = memo
        self.prints = prints = self._fingerprints()
        self.keys = prints.text_keys
        # before assemble, an article's id is the hash of its canonical URL (normalize.py): no need to recompute it
        self.urls = [(a.outlet.key if a.outlet else "", a.id) if a.url else None for a in articles]
        self.eligible = prints.word_counts >= settings.min_words
        self.anchored = _anchored(prints, settings)
        self.measured: dict[tuple[int, int], tuple[float, float]] = {}
        self._shingles: dict[int, set[int]] = {}

    def _fingerprints(self) -> Fingerprints:
        """Every article's fingerprint: rows of the memo's, and new ones computed (in workers) for new texts."""
        memo = self.memo
        index = {h: row for row, h in enumerate(memo.hashes)}
        rows = [index.get(h, -1) for h in self.hashes]
        new = [i for i, row in enumerate(rows) if row < 0]
        fresh = Fingerprints.concat(parallel.run(_fingerprint_chunk, new, self.articles, self.jobs)) if new else None
        if memo.prints is None or (fresh is not None and len(new) == len(rows)):
            whole = fresh or Fingerprints.concat([])
        else:
            whole = memo.prints.select(np.array([max(row, 0) for row in rows], dtype=np.intp))
            if fresh is not None:
                whole.replace(np.array(new, dtype=np.intp), fresh)
        memo.hashes, memo.prints = list(self.hashes), whole  # texts no longer in the archive are forgotten
        return whole

    def order(self, i: int) -> tuple[int, bool, dt.date, str]:
        """CANONICAL ORDER: most words, then earliest date (undated last), then source path."""
        a = self.articles[i]
        return (-int(self.prints.word_counts[i]), a.date is None, a.date or dt.date.min, a.sources[0].path)

    def url_key(self, i: int) -> object:
        return self.urls[i]

    def eligible_indices(self) -> list[int]:
        return np.flatnonzero(self.eligible).tolist()

    def near_pairs(self, found: _UnionFind) -> list[tuple[int, int]]:
        """Candidates not already joined (LSH, shared anchors), measured exactly (in parallel); those that pass."""
        prints = self.prints
        similar = np.array(list(candidate_pairs(prints.bands, self.eligible)), dtype=np.intp).reshape(-1, 2)
        anchored, shared = anchor_pairs(prints, self.anchored)
        proposed = np.concatenate(
            [
                similar[prints.estimates(similar) >= PREFILTER],
                anchored[_enough(shared, prints.anchor_counts[anchored[:, 0]], prints.anchor_counts[anchored[:, 1]])],
            ]
        )
        todo = sorted({(i, j) for i, j in proposed.tolist() if found.find(i) != found.find(j)})
        known = self.memo.measured
        fresh = [(i, j) for i, j in todo if (self.hashes[i], self.hashes[j]) not in known]
        for chunk in parallel.run(_measure_chunk, fresh, self.articles, self.jobs):
            self.measured.update(chunk)
        self.measured.update(
            {(i, j): known[self.hashes[i], self.hashes[j]] for i, j in todo if (i, j) not in self.measured}
        )
        known.update({(self.hashes[i], self.hashes[j]): self.measured[i, j] for i, j in fresh})
        return [pair for pair in todo if self._near(pair[0], pair[1], *self.measured[pair])]

    def forget_unused(self) -> None:
        """Keep in the memo only the measurements of pairs this build looked at."""
        used = {(self.hashes[i], self.hashes[j]) for i, j in self.measured}
        self.memo.measured = {texts: value for texts, value in self.memo.measured.items() if texts in used}

    def measure(self, i: int, j: int) -> tuple[float, float]:
        """(Jaccard, containment) of two articles' shingle sets."""
        pair = (min(i, j), max(i, j))
        if pair not in self.measured:
            texts = (self.hashes[pair[0]], self.hashes[pair[1]])
            if texts not in self.memo.measured:
                self.memo.measured[texts] = similarity(self._shingle_set(i), self._shingle_set(j))
            self.measured[pair] = self.memo.measured[texts]
        return self.measured[pair]

    def relation(self, i: int, j: int, *, same_outlet: bool = True) -> Link | None:
        """Why article i is directly a copy of article j, or None."""
        if same_outlet and self.urls[i] is not None and self.urls[i] == self.urls[j]:
            return Link("same-url", *self.measure(i, j))
        if not (self.eligible[i] and self.eligible[j]):
            return None
        if self.keys[i] == self.keys[j]:
            return Link("same-text", 1.0, 1.0)
        jaccard, containment = self.measure(i, j)
        return Link("near-duplicate", jaccard, containment) if self._near(i, j, jaccard, containment) else None

    def _near(self, i: int, j: int, jaccard: float, containment: float) -> bool:
        shorter = int(min(self.prints.word_counts[i], self.prints.word_counts[j]))
        return _near(self.settings, shorter, jaccard, containment)

    def _shingle_set(self, i: int) -> set[int]:
        if i not in self._shingles:
            if len(self._shingles) >= CACHE:
                self._shingles.clear()
            self._shingles[i] = shingles(words(self.articles[i].paragraphs))
        return self._shingles[i]


def _near(settings: DedupeSettings, shorter: int, jaccard: float, containment: float) -> bool:
    """Whether two texts are copies: similar enough, or the shorter (of so many words) inside the longer."""
    return jaccard >= settings.jaccard or (
        containment >= settings.containment and shorter >= settings.containment_min_words
    )


def _anchored(prints: Fingerprints, settings: DedupeSettings) -> np.ndarray:
    """The texts long enough to count as held in another: the ones whose shared anchors are measured."""
    return cast(np.ndarray, prints.word_counts >= max(settings.min_words, settings.containment_min_words))


def _enough(shared: np.ndarray, anchors_a: np.ndarray, anchors_b: np.ndarray | int) -> np.ndarray:
    """Which pairs sharing anchors are worth measuring (ANCHOR_SHARE)."""
    return cast(np.ndarray, (shared > 0) & (shared >= ANCHOR_SHARE * np.minimum(anchors_a, anchors_b)))


def _fingerprint_chunk(articles: Sequence[Article], indices: Sequence[int]) -> Fingerprints:
    return Fingerprints.of(words(articles[i].paragraphs) for i in indices)


def _measure_chunk(
    articles: Sequence[Article], pairs: Sequence[tuple[int, int]]
) -> dict[tuple[int, int], tuple[float, float]]:
    cache: dict[int, set[int]] = {}

    def shingle_set(i: int) -> set[int]:
        if i not in cache:
            if len(cache) >= CACHE:
                cache.clear()
            cache[i] = shingles(words(articles[i].paragraphs))
        return cache[i]

    return {(i, j): similarity(shingle_set(i), shingle_set(j)) for i, j in pairs}


def similarity(a: set[int], b: set[int]) -> tuple[float, float]:
    if not a or not b:
        return (1.0, 1.0) if a == b else (0.0, 0.0)
    common = len(a & b)
    return common / (len(a) + len(b) - common), common / min(len(a), len(b))


def _decide(members: list[int], texts: _Texts) -> Cluster:
    """Pages per outlet (greedy, in canonical order) and the cross-outlet links between them."""
    articles = texts.articles
    by_outlet: dict[str, list[int]] = {}
    for i in members:
        outlet = articles[i].outlet
        by_outlet.setdefault(outlet.key if outlet else "", []).append(i)
    pages: list[tuple[str, int, Page]] = []
    for outlet_key in sorted(by_outlet):
        remaining = sorted(by_outlet[outlet_key], key=texts.order)
        while remaining:
            head, rest = remaining[0], remaining[1:]
            page = Page(articles[head], [])
            remaining = []
            for i in rest:
                link = texts.relation(i, head)
                if link:
                    page.merged.append((articles[i], link))
                else:
                    remaining.append(i)
            pages.append((outlet_key, head, page))
    cross = []
    for (ka, a, pa), (kb, b, pb) in _cross_candidates(pages):
        link = texts.relation(a, b, same_outlet=False) if ka != kb else None
        if link:
            cross.append((pa, pb, Link("cross-outlet-copy", link.score, link.containment)))
    return Cluster([p for _, _, p in pages], cross)


def _cross_candidates(
    pages: list[tuple[str, int, Page]],
) -> Iterable[tuple[tuple[str, int, Page], tuple[str, int, Page]]]:
    if len(pages) <= MAX_CROSS_PAGES:
        yield from combinations(pages, 2)
        return
    heads: dict[str, tuple[str, int, Page]] = {}
    for page in pages:
        heads.setdefault(page[0], page)
    seen: set[frozenset[int]] = set()
    for head in heads.values():
        for other in pages:
            pair = frozenset((head[1], other[1]))
            if other[0] != head[0] and pair not in seen:
                seen.add(pair)
                yield head, other


def _merge(canonical: Article, copy: Article, link: Link, entry: InputEntry, pattern: str) -> None:
    canonical.sources.extend(copy.sources)
    record = _record(copy, link)
    record.permalink = natural_permalink(copy, pattern)
    record.only_here = only_here(copy, canonical)
    canonical.duplicates.append(record)
    entry.status = "merged"
    entry.article = canonical
    entry.messages.append(Message("info", f"merged into {canonical.sources[0].path} ({link.describe()})"))


def _record(copy: Article, link: Link) -> Duplicate:
    return Duplicate(
        path=copy.sources[0].path,
        url=copy.url,
        date=copy.date,
        reason=link.reason,
        score=round(link.score, 3),
        title=copy.title,
        outlet=copy.outlet.name if copy.outlet else "",
        containment=round(link.containment, 3),
    )


def only_here(copy: Article, canonical: Article) -> list[str]:
    """The copy's paragraphs whose words the canonical text has in no paragraph: nothing is lost."""
    have = {tuple(words([p])) for p in canonical.paragraphs}
    return [p for p in copy.paragraphs if (w := tuple(words([p]))) and w not in have]


def link_copies(archive: Archive) -> set[str]:
    """After assemble: point cross-outlet records at the other page, and give redirects free paths.

    A merged copy keeps the permalink it would have had, as a redirect page, unless that is its
    canonical page itself; if another page or redirect holds that path, a suffix from the copy's
    file path makes it unique (as assemble does for clashing articles). Returns the paths redirects
    asked for and got (an article page that comes or goes at one of them changes a redirect).
    """
    pages = {a.sources[0].path: a.permalink for a in archive.articles}
    taken = set(pages.values())
    claimed = set()
    for article in archive.articles:
        for record in article.duplicates:
            if record.reason == "cross-outlet-copy":
                record.permalink = pages.get(record.path)
            elif record.permalink and record.permalink != article.permalink:
                claimed.add(record.permalink)
                if record.permalink in taken or on_site_pages(record.permalink):
                    record.permalink = _suffixed(record.permalink, short_hash(record.path, 6))
                taken.add(record.permalink)
                claimed.add(record.permalink)
    return claimed


def _suffixed(permalink: str, suffix: str) -> str:
    if permalink.endswith("/index.html"):
        return f"{permalink[: -len('/index.html')]}-{suffix}/index.html"
    return f"{permalink[: -len('.html')]}-{suffix}.html"


def asked_for(record: Duplicate) -> str | None:
    """The permalink a merged copy's redirect asked for (link_copies may have given it a suffix)."""
    permalink, suffix = record.permalink, f"-{short_hash(record.path, 6)}"
    if permalink and permalink.endswith(f"{suffix}/index.html"):
        return f"{permalink[: -len(suffix + '/index.html')]}/index.html"
    if permalink and permalink.endswith(f"{suffix}.html"):
        return f"{permalink[: -len(suffix + '.html')]}.html"
    return permalink


def redirects(article: Article) -> list[Duplicate]:
    """Merged copies whose own permalink needs a redirect page to this article."""
    return [
        d
        for d in article.duplicates
        if d.reason != "cross-outlet-copy" and d.permalink and d.permalink != article.permalink
    ]


class _UnionFind:
    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, i: int) -> int:
        parent = self.parent
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    def union(self, i: int, j: int) -> None:
        a, b = self.find(i), self.find(j)
        if a != b:
            self.parent[max(a, b)] = min(a, b)

    def union_all(self, members: list[int]) -> None:
        for other in members[1:]:
            self.union(members[0], other)

    def components(self) -> list[list[int]]:
        groups = _groups(range(len(self.parent)), self.find)
        return [g for g in groups if len(g) > 1]


def _groups(indices: Iterable[int], key: Callable[[int], object]) -> list[list[int]]:
    """Indices grouped by key (None keys left out), groups of two or more, in index order."""
    groups: dict[object, list[int]] = {}
    for i in indices:
        k = key(i)
        if k is not None:
            groups.setdefault(k, []).append(i)
    return [g for g in groups.values() if len(g) > 1]
