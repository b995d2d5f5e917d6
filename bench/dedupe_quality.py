"""Precision and recall of dedupe's pair decisions on the labelled pairs (tests/data/dedupe_pairs.json.xz).

    python bench/dedupe_quality.py [--corpora DIR]

Reports, with the default `dedupe:` settings: precision and recall per source, with URLs and on
text alone; the similarity margins that justify the default thresholds (the lowest Jaccard and
containment among near-duplicate pairs, the highest among non-duplicates); a sweep of both
thresholds; and, when the shared corpora are present, what dedupe does to each whole corpus.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

import corpus_records  # noqa: E402
import dedupe_pairs  # noqa: E402

from site_gen.config import DedupeSettings  # noqa: E402
from site_gen.dedupe.clusters import _similarity, find_clusters  # noqa: E402
from site_gen.dedupe.minhash import Fingerprints, candidate_pairs, shingles, words  # noqa: E402


def margins(data: dict) -> None:
    near, other = [], []
    for pair in data["pairs"]:
        a, b = (data["texts"][pair[k]]["text"].split("\n") for k in ("a", "b"))
        if words(a) == words(b):
            continue
        (near if pair["duplicate"] else other).append((_similarity(shingles(words(a)), shingles(words(b))), pair))
    print(
        f"margins over {len(near)} labelled near-duplicate pairs (not word-identical) and {len(other)} non-duplicates:"
    )
    for n, name in enumerate(("Jaccard", "containment")):
        low = min(near, key=lambda x: x[0][n])
        high = max(other, key=lambda x: x[0][n])
        print(
            f"  {name:12} lowest duplicate {low[0][n]:.3f} ({low[1]['a']} ~ {low[1]['b']}),"
            f" highest non-duplicate {high[0][n]:.3f} ({high[1]['a']} ~ {high[1]['b']})"
        )


def candidate_recall(data: dict) -> None:
    """Share of labelled duplicate pairs (text only, not word-identical) that LSH proposes: ours and datasketch's."""
    ours = theirs = total = 0
    for source in sorted({p["source"] for p in data["pairs"]}):
        pairs = [p for p in data["pairs"] if p["source"] == source and p["duplicate"]]
        keys = sorted({k for p in pairs for k in (p["a"], p["b"])})
        texts = {k: words(data["texts"][k]["text"].split("\n")) for k in keys}
        pairs = [p for p in pairs if texts[p["a"]] != texts[p["b"]]]
        prints = Fingerprints.of(texts[k] for k in keys)
        found = candidate_pairs(prints.bands, prints.word_counts >= 0)
        index = {k: n for n, k in enumerate(keys)}
        ours += sum(tuple(sorted((index[p["a"]], index[p["b"]]))) in found for p in pairs)
        total += len(pairs)
        theirs += _datasketch_candidates(texts, pairs)
    line = f"LSH candidate recall on {total} near-duplicate pairs: ours {ours / total:.3f}"
    print(
        line
        + (
            f", datasketch MinHashLSH(128, bands 64x2) {theirs / total:.3f}"
            if theirs >= 0
            else " (datasketch not installed)"
        )
    )


def _datasketch_candidates(texts: dict[str, list[str]], pairs: list[dict]) -> int:
    try:
        from datasketch import MinHash, MinHashLSH
    except ImportError:
        return -(10**9)
    lsh = MinHashLSH(num_perm=128, params=(64, 2))
    hashes = {}
    for key, w in texts.items():
        hashes[key] = m = MinHash(num_perm=128)
        m.update_batch([" ".join(w[i : i + 3]).encode() for i in range(max(1, len(w) - 2))])
        lsh.insert(key, m)
    return sum(p["b"] in lsh.query(hashes[p["a"]]) for p in pairs)


def sweep(data: dict) -> None:
    print("text only, threshold sweep (precision / recall):")
    shares = (0.5, 0.6, 0.7, 0.8, 0.9)
    print("  containment \\ Jaccard " + "".join(f"{j:>14}" for j in shares))
    for c in (0.6, 0.7, 0.75, 0.8, 0.85, 0.9, 0.95):
        cells = []
        for j in shares:
            s = dedupe_pairs.evaluate(data, replace(DedupeSettings(), jaccard=j, containment=c), urls=False)
            cells.append(f"{s.precision:.3f}/{s.recall:.3f}")
        print(f"  {c:<23}" + "".join(f"{cell:>14}" for cell in cells))


def corpora(root: Path) -> None:
    readers = {
        "bbc-fulltext": lambda: corpus_records.bbc(root / "bbc-fulltext" / "bbc"),
        "rt-thesis-soros (English)": lambda: corpus_records.rt_english(root / "rt-thesis-soros"),
        "fakenewscorpus-sample": lambda: corpus_records.fakenews(root / "fakenewscorpus-sample"),
    }
    for name, read in readers.items():
        records = read()
        articles = [
            dedupe_pairs.article(
                r.id, {"title": r.title, "date": r.date, "url": r.url, "outlet": r.outlet, "text": r.text}, True
            )
            for r in records
        ]
        clusters = find_clusters(articles, DedupeSettings(), 2)
        reasons: dict[str, int] = {}
        for cluster in clusters:
            for page in cluster.pages:
                for _, link in page.merged:
                    reasons[link.reason] = reasons.get(link.reason, 0) + 1
            for *_, link in cluster.cross:
                reasons[link.reason] = reasons.get(link.reason, 0) + 1
        print(
            f"  {name}: {len(records):,} articles, {len(clusters):,} clusters, "
            + ", ".join(f"{n:,} {r}" for r, n in sorted(reasons.items()))
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    args = parser.parse_args()
    data = dedupe_pairs.load()
    labels = sum(p["duplicate"] for p in data["pairs"])
    print(
        f"{len(data['pairs'])} labelled pairs ({labels} duplicates, {len(data['pairs']) - labels} not),"
        f" default settings {DedupeSettings()}"
    )
    for urls in (True, False):
        for source in (None, "bbc", "rt", "fakenews"):
            print(
                f"  {'with URLs' if urls else 'text only':9} {source or 'all':8} "
                f"{dedupe_pairs.evaluate(data, DedupeSettings(), urls=urls, source=source)}"
            )
    margins(data)
    candidate_recall(data)
    sweep(data)
    if args.corpora.is_dir():
        print(f"whole corpora in {args.corpora}, default settings:")
        corpora(args.corpora)


if __name__ == "__main__":
    main()
