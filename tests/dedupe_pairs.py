"""Test helper: the labelled duplicate pairs (tests/data/dedupe_pairs.json.xz) and their scoring.

Each source's texts become Articles and go through dedupe.find_clusters together, as a build
would see them; a pair is decided "duplicate" when its two files end on one page or on two
pages linked as cross-outlet copies. With urls=False the URLs are dropped, so every decision
rests on the text alone.
"""

from __future__ import annotations

import datetime as dt
import json
import lzma
from dataclasses import dataclass, field
from itertools import combinations
from pathlib import Path

from site_gen.config import DedupeSettings
from site_gen.dedupe.clusters import Cluster, find_clusters
from site_gen.model import Article, Outlet, SourceFile
from site_gen.slugs import short_hash

DATA = Path(__file__).resolve().parent / "data" / "dedupe_pairs.json.xz"


def load() -> dict:
    return json.loads(lzma.decompress(DATA.read_bytes()))


def article(key: str, record: dict, urls: bool) -> Article:
    paragraphs = [line.strip() for line in record["text"].split("\n") if line.strip()]
    return Article(
        id=short_hash(key, 16),
        title=record["title"],
        date=dt.date.fromisoformat(record["date"]) if record["date"] else None,
        url=record["url"] if urls else None,
        paragraphs=paragraphs,
        markup="text",
        sources=[SourceFile(key, "", 0, "utf-8")],
        format="test",
        outlet=Outlet(key=record["outlet"], name=record["outlet"], domain=record["outlet"]),
    )


def decided_pairs(clusters: list[Cluster]) -> set[frozenset[str]]:
    """Path pairs on one page, or on two pages linked as copies."""
    pairs: set[frozenset[str]] = set()
    for cluster in clusters:
        members = {
            id(page): [page.canonical.sources[0].path] + [a.sources[0].path for a, _ in page.merged]
            for page in cluster.pages
        }
        for paths in members.values():
            pairs.update(frozenset(p) for p in combinations(paths, 2))
        for p, q, _ in cluster.cross:
            pairs.update(frozenset((a, b)) for a in members[id(p)] for b in members[id(q)])
    return pairs


@dataclass(slots=True)
class Score:
    true_positive: int = 0
    false_positive: int = 0
    false_negative: int = 0
    true_negative: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.true_positive / max(1, self.true_positive + self.false_positive)

    @property
    def recall(self) -> float:
        return self.true_positive / max(1, self.true_positive + self.false_negative)

    def __str__(self) -> str:
        return (
            f"precision {self.precision:.3f}, recall {self.recall:.3f} "
            f"(TP {self.true_positive}, FP {self.false_positive}, FN {self.false_negative}, TN {self.true_negative})"
        )


def evaluate(data: dict, settings: DedupeSettings, *, urls: bool = True, source: str | None = None) -> Score:
    """Pair decisions against the labels, for one source or all of them."""
    score = Score()
    sources = sorted({p["source"] for p in data["pairs"]} if source is None else {source})
    for name in sources:
        pairs = [p for p in data["pairs"] if p["source"] == name]
        keys = sorted({k for p in pairs for k in (p["a"], p["b"])})
        decided = decided_pairs(find_clusters([article(k, data["texts"][k], urls) for k in keys], settings))
        for pair in pairs:
            said = frozenset((pair["a"], pair["b"])) in decided
            if said and pair["duplicate"]:
                score.true_positive += 1
            elif said:
                score.false_positive += 1
                score.errors.append(pair)
            elif pair["duplicate"]:
                score.false_negative += 1
                score.errors.append(pair)
            else:
                score.true_negative += 1
    return score
