"""Dedupe speed and memory on the synthetic corpus (bench/corpus.py), with its planted duplicates checked.

    python bench/dedupe_speed.py N [--corpus DIR] [--jobs J] [--datasketch]

Writes the corpus to DIR (default /dev/shm/site-gen-dedupe-N) unless it is already there, reads it
through site_gen's read stage (not timed), then times dedupe.find_clusters and reports:

- wall and CPU seconds (workers' CPU included; on this noisy 2-core machine CPU time is steadier);
- peak memory during dedupe: the largest sum of PSS over this process and its workers, sampled
  every 100 ms (PSS splits pages shared after fork fairly, so the sum is real memory), less the
  PSS of the articles it is given (dedupe's own memory), and this process's own peak RSS
  (VmHWM, reset just before dedupe);
- the planted duplicates found: every (original, copy) pair must end up on one page (same outlet)
  or on two pages linked as cross-outlet copies; and pairs joined that were not planted; then the
  recall of each kind of copy (teasers and excerpts among them) on its own.

--datasketch also compares, in one process, the CPU time of our signatures with datasketch 2.0
MinHash (128 permutations) over the same shingles, the alternative the issue names, when it is
installed (pip install datasketch; not a dependency).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT))

from corpus import write_corpus  # noqa: E402
from dedupe_pairs import decided_pairs  # noqa: E402

from site_gen.build.pipeline import collect_inputs  # noqa: E402
from site_gen.config import load_config  # noqa: E402
from site_gen.dedupe.clusters import Cluster, find_clusters  # noqa: E402
from site_gen.dedupe.minhash import Fingerprints, words  # noqa: E402


class MemoryProbe:
    """Samples the summed PSS of this process and its children in a thread."""

    def __init__(self) -> None:
        self.peak_kb = 0
        self.before_kb = _pss_total()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> MemoryProbe:
        Path("/proc/self/clear_refs").write_text("5")  # reset VmHWM so it covers dedupe only
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak_kb = max(self.peak_kb, _pss_total())

    def _run(self) -> None:
        while not self._stop.wait(0.1):
            self.peak_kb = max(self.peak_kb, _pss_total())


def _pss_total() -> int:
    total = 0
    for pid in [os.getpid(), *_children(os.getpid())]:
        try:
            for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total


def _children(pid: int) -> list[int]:
    try:
        return [int(p) for p in Path(f"/proc/{pid}/task/{pid}/children").read_text().split()]
    except OSError:
        return []


def _vm(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    return 0


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


def planted_check(corpus: Path, clusters: list[Cluster]) -> tuple[dict[str, int], dict[str, tuple[int, int]]]:
    """Planted (original, copy) pairs found, missed, and decided pairs that were not planted together;
    and per kind of copy, (found, planted)."""
    joined = decided_pairs(clusters)
    manifest = json.loads((corpus / "manifest.json").read_text())
    group_of = {}
    planted: dict[frozenset[str], str] = {}
    for n, group in enumerate(manifest["groups"]):
        members = [group["original"]] + [c["path"] for c in group["copies"]]
        group_of.update({m: n for m in members})
        planted.update({frozenset((group["original"], c["path"])): c["kind"] for c in group["copies"]})
    found = len(planted.keys() & joined)
    wrong = sum(1 for pair in joined if len({group_of.get(p, p) for p in pair}) > 1)
    kinds: dict[str, tuple[int, int]] = {}
    for pair, kind in planted.items():
        hits, total = kinds.get(kind, (0, 0))
        kinds[kind] = (hits + (pair in joined), total + 1)
    totals = {
        "planted pairs": len(planted),
        "found": found,
        "missed": len(planted) - found,
        "decided but not planted together": wrong,
    }
    return totals, dict(sorted(kinds.items()))


def signature_seconds(articles: list) -> tuple[float, float, float, float]:  # type: ignore[type-arg]
    """CPU seconds for MinHash signatures of the same words and shingles in this one process:
    ours (one-permutation, 128 bins, with LSH band keys), then datasketch MinHash(128) and its
    LSH insertion; and peak RSS growth (MB) while datasketch ran."""
    from datasketch import MinHash, MinHashLSH

    texts = [words(a.paragraphs) for a in articles]
    started = time.process_time()
    Fingerprints.of(texts)
    ours = time.process_time() - started
    Path("/proc/self/clear_refs").write_text("5")
    rss = _vm("VmRSS")
    started = time.process_time()
    hashes = []
    for w in texts:
        m = MinHash(num_perm=128)
        m.update_batch([" ".join(w[i : i + 3]).encode() for i in range(max(1, len(w) - 2))])
        hashes.append(m)
    theirs = time.process_time() - started
    started = time.process_time()
    lsh = MinHashLSH(num_perm=128, params=(64, 2))
    for n, m in enumerate(hashes):
        lsh.insert(n, m)
    return ours, theirs, time.process_time() - started, (_vm("VmHWM") - rss) / 1024


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--jobs", type=int, default=0, help="worker processes (default: one per core)")
    parser.add_argument("--datasketch", action="store_true")
    args = parser.parse_args()
    corpus = args.corpus or Path(f"/dev/shm/site-gen-dedupe-{args.n}")
    if not (corpus / "manifest.json").is_file():
        started = time.perf_counter()
        write_corpus(corpus, args.n)
        print(f"wrote {args.n:,} files to {corpus} in {time.perf_counter() - started:.1f} s")
    config = load_config(None, cwd=corpus.parent)
    config.content_dir, config.jobs = corpus, args.jobs
    started = time.perf_counter()
    articles = [e.article for e in collect_inputs(config) if e.article is not None]  # the rest of each entry is freed
    print(f"read {len(articles):,} articles in {time.perf_counter() - started:.1f} s (not part of the figures below)")
    rss_before = _vm("VmRSS")
    wall, cpu = time.perf_counter(), _cpu()
    with MemoryProbe() as probe:
        clusters = find_clusters(articles, config.dedupe, config.workers)
    wall, cpu = time.perf_counter() - wall, _cpu() - cpu
    merged = sum(len(p.merged) for c in clusters for p in c.pages)
    cross = sum(len(c.cross) for c in clusters)
    print(f"dedupe of {len(articles):,} articles with {config.workers} workers: {wall:.2f} s wall, {cpu:.2f} s CPU")
    print(f"  {len(clusters):,} clusters, {merged:,} copies merged, {cross:,} cross-outlet links")
    print(
        f"  memory: dedupe's own peak {(probe.peak_kb - probe.before_kb) / 1024:.0f} MB"
        f" over the {probe.before_kb / 1024:.0f} MB of the articles given to it;"
        f" {probe.peak_kb / 1024:.0f} MB peak PSS in all (this process + workers);"
        f" this process: {rss_before / 1024:.0f} MB RSS before, {_vm('VmHWM') / 1024:.0f} MB peak"
    )
    totals, kinds = planted_check(corpus, clusters)
    print("  planted: " + ", ".join(f"{k} {v:,}" for k, v in totals.items()))
    print("  recall by kind: " + ", ".join(f"{k} {hits:,}/{n:,} ({hits / n:.3f})" for k, (hits, n) in kinds.items()))
    if args.datasketch:
        ours, theirs, lsh, memory = signature_seconds(articles)
        print(
            f"signatures in one process, CPU: ours {ours:.2f} s (with band keys);"
            f" datasketch 2.0 MinHash(128) {theirs:.2f} s + MinHashLSH insert {lsh:.2f} s,"
            f" {memory:.0f} MB more peak RSS"
        )


if __name__ == "__main__":
    main()
