"""Rebuild tests/data/dedupe_pairs.json.xz, the labelled duplicate pairs, from ../shared/corpora.

    python tests/data/build_dedupe_pairs.py [CORPORA]

Labels do not come from site_gen's own measures. A pair is a duplicate when it is the same article:
byte-identical files, the same body under another headline, the same URL (RT), or when at least
85% of the shorter text's words survive in order in the other (difflib alignment over words,
runs of 3 or more): copy-edits, a sentence added or cut, truncation, reader comments appended.
It is not a duplicate below 80% (different stories that share background paragraphs or quotes);
pairs between 80% and 85% would be left out as ambiguous (the corpora have none). Pairs are
chosen to be hard: the most similar non-duplicates, same or similar headlines over different
stories, and articles of one outlet on the same day. The texts are stored with the pairs, so
the tests run without the corpora. Selection is seeded: the same corpora give the same file.
"""

from __future__ import annotations

import difflib
import json
import lzma
import random
import re
import sys
from collections import defaultdict
from itertools import combinations
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE.parent.parent))

import corpus_records  # noqa: E402

from site_gen.dedupe.clusters import similarity  # noqa: E402
from site_gen.dedupe.minhash import shingles, words  # noqa: E402

OUT = HERE / "dedupe_pairs.json.xz"
DUPLICATE, DIFFERENT = 0.85, 0.80
_WORDS = re.compile(r"\w+")


def word_share(a: str, b: str) -> float:
    """Share of the shorter text's words that survive, in order, in the other (runs of 3+ words)."""
    x, y = _WORDS.findall(a.lower()), _WORDS.findall(b.lower())
    if len(x) > len(y):
        x, y = y, x
    if not x:
        return 0.0
    blocks = difflib.SequenceMatcher(None, x, y, autojunk=False).get_matching_blocks()
    return sum(block.size for block in blocks if block.size >= 3) / len(x)


def similar_pairs(records: list[corpus_records.Record], floor: float) -> list[tuple[float, str, str]]:
    """(containment, id, id) for pairs sharing shingles with containment >= floor (inverted index)."""
    sets = {r.id: shingles(words(r.text.split("\n"))) for r in records}
    index: dict[int, list[str]] = defaultdict(list)
    for rid, s in sets.items():
        for h in s:
            index[h].append(rid)
    shared: dict[tuple[str, str], int] = defaultdict(int)
    for ids in index.values():
        if 1 < len(ids) <= 60:
            for a, b in combinations(sorted(ids), 2):
                shared[a, b] += 1
    result = []
    for (a, b), count in shared.items():
        if count >= 5:
            containment = similarity(sets[a], sets[b])[1]
            if containment >= floor:
                result.append((containment, a, b))
    return sorted(result, reverse=True)


class Builder:
    def __init__(self) -> None:
        self.texts: dict[str, dict] = {}
        self.pairs: list[dict] = []
        self.seen: set[frozenset[str]] = set()

    def add(self, source: str, a: corpus_records.Record, b: corpus_records.Record, label: bool, kind: str) -> None:
        key = frozenset((f"{source}:{a.id}", f"{source}:{b.id}"))
        if key in self.seen or a.id == b.id:
            return
        self.seen.add(key)
        for r in (a, b):
            self.texts[f"{source}:{r.id}"] = {
                "title": r.title,
                "date": r.date,
                "url": r.url,
                "outlet": r.outlet,
                "text": r.text,
            }
        self.pairs.append(
            {"a": f"{source}:{a.id}", "b": f"{source}:{b.id}", "source": source, "duplicate": label, "kind": kind}
        )

    def by_share(
        self, source: str, a: corpus_records.Record, b: corpus_records.Record, kind_yes: str, kind_no: str
    ) -> None:
        """Label by word share; identical word sequences are left to the exact-duplicate samples."""
        if words(a.text.split("\n")) == words(b.text.split("\n")):
            return
        share = word_share(a.text, b.text)
        if share >= DUPLICATE:
            self.add(source, a, b, True, kind_yes)
        elif share < DIFFERENT:
            self.add(source, a, b, False, kind_no)


def bbc(builder: Builder, records: list[corpus_records.Record], rng: random.Random) -> None:
    by_id = {r.id: r for r in records}
    by_body: dict[tuple[str, ...], list[corpus_records.Record]] = defaultdict(list)
    for r in records:
        by_body[tuple(words(r.text.split("\n")))].append(r)
    same_body = [g for g in by_body.values() if len(g) > 1]
    identical = [g for g in same_body if g[0].text == g[1].text and g[0].title == g[1].title]
    for a, b in rng.sample(identical, 30):
        builder.add("bbc", a, b, True, "byte-identical")
    for a, b in (g for g in same_body if g not in identical):
        builder.add("bbc", a, b, True, "same-body-other-headline" if a.title != b.title else "same-body")
    for _, a, b in similar_pairs(records, 0.3):
        same_title = by_id[a].title == by_id[b].title
        builder.by_share(
            "bbc", by_id[a], by_id[b], "copy-edited", "same-title-other-story" if same_title else "same-topic"
        )
    titles: dict[str, list[corpus_records.Record]] = defaultdict(list)
    for r in records:
        titles[r.title].append(r)
    for group in titles.values():
        for a, b in combinations(group, 2):
            builder.by_share("bbc", a, b, "copy-edited", "same-title-other-story")


def rt(builder: Builder, records: list[corpus_records.Record], rng: random.Random) -> None:
    by_url: dict[str, list[corpus_records.Record]] = defaultdict(list)
    for r in records:
        by_url[r.url or ""].append(r)
    groups = sorted((g for g in by_url.values() if len(g) > 1), key=lambda g: g[0].id)
    scored = sorted(groups, key=lambda g: word_share(g[0].text, g[1].text))
    for group in scored[:20] + rng.sample(scored[20:], 20):
        builder.add("rt", group[0], group[1], True, "same-url")
    by_body: dict[tuple[str, ...], dict[str, corpus_records.Record]] = defaultdict(dict)
    for r in records:
        by_body[tuple(words(r.text.split("\n")))].setdefault(r.url or "", r)
    for group in by_body.values():
        for a, b in combinations(sorted(group.values(), key=lambda r: r.id), 2):
            builder.add("rt", a, b, True, "same-text-other-url")
    by_id = {r.id: r for r in records}
    urls_done: set[frozenset[str]] = set()
    for _, a, b in similar_pairs(records, 0.2):
        ra, rb = by_id[a], by_id[b]
        pair = frozenset((ra.url, rb.url))
        if ra.url != rb.url and pair not in urls_done and len(urls_done) < 30:
            urls_done.add(pair)
            builder.by_share("rt", ra, rb, "same-text-other-url", "same-topic")
    by_day: dict[str, list[corpus_records.Record]] = defaultdict(list)
    for group in groups + [g for g in by_url.values() if len(g) == 1]:
        if group[0].date:
            by_day[group[0].date].append(group[0])
    days = sorted(d for d, g in by_day.items() if len(g) > 1)
    for day in rng.sample(days, 25):
        a, b = rng.sample(by_day[day], 2)
        builder.by_share("rt", a, b, "same-text-other-url", "same-day")


def fakenews(builder: Builder, records: list[corpus_records.Record], rng: random.Random) -> None:
    by_body: dict[tuple[str, ...], list[corpus_records.Record]] = defaultdict(list)
    for r in records:
        by_body[tuple(words(r.text.split("\n")))].append(r)
    for group in by_body.values():
        for a, b in combinations(group, 2):
            builder.add("fakenews", a, b, True, "same-body-other-url")
    by_id = {r.id: r for r in records}
    different = [
        (a, b)
        for _, a, b in similar_pairs(records, 0.2)
        if words(by_id[a].text.split("\n")) != words(by_id[b].text.split("\n"))
    ]
    for a, b in different[:30]:
        builder.by_share("fakenews", by_id[a], by_id[b], "copy-edited", "same-topic")
    by_day: dict[tuple[str, str | None], list[corpus_records.Record]] = defaultdict(list)
    for r in records:
        by_day[r.outlet, r.date].append(r)
    days = sorted((k for k, g in by_day.items() if len(g) > 1), key=str)
    for key in rng.sample(days, min(len(days), 30)):
        a, b = rng.sample(by_day[key], 2)
        builder.by_share("fakenews", a, b, "copy-edited", "same-outlet-same-day")


def main() -> None:
    corpora = Path(sys.argv[1]) if len(sys.argv) > 1 else HERE.parent.parent.parent / "shared" / "corpora"
    rng = random.Random(20250601)
    builder = Builder()
    bbc(builder, corpus_records.bbc(corpora / "bbc-fulltext" / "bbc"), rng)
    rt(builder, corpus_records.rt_english(corpora / "rt-thesis-soros"), rng)
    fakenews(builder, corpus_records.fakenews(corpora / "fakenewscorpus-sample"), rng)
    data = {"version": 1, "rule": __doc__, "texts": builder.texts, "pairs": builder.pairs}
    OUT.write_bytes(
        lzma.compress(
            json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8"), preset=9 | lzma.PRESET_EXTREME
        )
    )
    kinds: dict[tuple[str, str, bool], int] = defaultdict(int)
    for p in builder.pairs:
        kinds[p["source"], p["kind"], p["duplicate"]] += 1
    for (source, kind, label), count in sorted(kinds.items()):
        print(f"{source:9} {kind:28} {'duplicate' if label else 'different':9} {count}")
    print(f"{len(builder.pairs)} pairs, {len(builder.texts)} texts, {OUT.stat().st_size:,} bytes -> {OUT}")


if __name__ == "__main__":
    main()
