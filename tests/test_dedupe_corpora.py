"""Dedupe on the whole shared corpora (slow; skipped when ../shared/corpora is absent)."""

from collections import defaultdict

import corpus_records
import dedupe_pairs
import pytest
from conftest import corpus

from site_gen.config import DedupeSettings
from site_gen.dedupe.clusters import find_clusters
from site_gen.dedupe.minhash import words

pytestmark = pytest.mark.slow


def clusters_of(records):
    articles = [
        dedupe_pairs.article(
            r.id, {"title": r.title, "date": r.date, "url": r.url, "outlet": r.outlet, "text": r.text}, True
        )
        for r in records
    ]
    return find_clusters(articles, DedupeSettings(), 2)


def pages(clusters):
    """Sets of source ids that share one page."""
    return [{p.canonical.sources[0].path} | {a.sources[0].path for a, _ in p.merged} for c in clusters for p in c.pages]


def test_bbc_every_repeated_body_is_merged():
    records = corpus_records.bbc(corpus("bbc-fulltext") / "bbc")
    by_body = defaultdict(list)
    for r in records:
        by_body[tuple(words(r.text.split("\n")))].append(r.id)
    repeated = [set(ids) for ids in by_body.values() if len(ids) > 1]
    assert len(repeated) == 138  # 137 by comparison_key, plus one pair that differs only in punctuation
    found = pages(clusters_of(records))
    assert all(any(group <= page for page in found) for group in repeated)
    assert any({"tech/009.txt", "tech/379.txt"} <= page for page in found)
    assert any({"business/267.txt", "business/365.txt"} <= page for page in found)
    assert not any({"sport/226.txt", "sport/232.txt"} <= page for page in found)  # same headline, another story


def test_rt_every_repeated_url_becomes_one_page():
    records = corpus_records.rt_english(corpus("rt-thesis-soros"))
    by_url = defaultdict(set)
    for r in records:
        by_url[r.url].add(r.id)
    repeated = [ids for ids in by_url.values() if len(ids) > 1]
    assert len(repeated) == 469
    found = pages(clusters_of(records))
    assert all(any(ids <= page for page in found) for ids in repeated)


def test_fakenews_one_body_under_nine_urls_is_one_page():
    found = pages(clusters_of(corpus_records.fakenews(corpus("fakenewscorpus-sample"))))
    assert max(len(page) for page in found) == 9
