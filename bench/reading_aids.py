#!/usr/bin/env python3
"""What the reading aids cost at scale: relations, timelines and article extras on N synthetic articles.

    python bench/reading_aids.py [N] [--out /dev/shm/site-gen-bench]

Writes N header-line articles (50 outlets, three years) into a content folder, builds the site for
real (both cores) and prints the build's stage times, then times the parts this code adds, in this
process: relate() over the archive, one timeline per listing, and the extras' lookups for every
article. Wall time is noisy on a shared machine; compare the ratios within one run.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import shutil
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from site_gen import timeline  # noqa: E402
from site_gen.build.pipeline import build  # noqa: E402
from site_gen.config import SiteConfig  # noqa: E402
from site_gen.render.archive import group  # noqa: E402
from site_gen.render.citation import cite  # noqa: E402
from site_gen.render.relations import relate  # noqa: E402

WORDS = [
    "harbour",
    "council",
    "bridge",
    "ferry",
    "market",
    "storm",
    "budget",
    "tram",
    "library",
    "quota",
    "pilots",
    "museum",
    "regatta",
]


def write_corpus(content: Path, count: int) -> None:
    rng = random.Random(7)
    start = dt.date(2022, 1, 1)
    for i in range(count):
        outlet = f"outlet{i % 50:02d}.example"
        date = start + dt.timedelta(days=rng.randrange(3 * 365))
        title = " ".join(rng.choice(WORDS) for _ in range(6)).capitalize() + f" {i}"
        body = "\n".join(" ".join(rng.choice(WORDS) for _ in range(40)) + "." for _ in range(8))
        path = content / outlet / f"{i:06d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(
            f"date {date.isoformat()} https://{outlet}/{date:%Y/%m/%d}/{i}\n{title}\n{body}\n", encoding="utf-8"
        )


def timed(label: str, func, *args):
    wall, cpu = time.perf_counter(), time.process_time()
    result = func(*args)
    print(f"{label:<44} {time.perf_counter() - wall:8.3f} s wall {time.process_time() - cpu:8.3f} s CPU")
    return result


def all_charts(articles) -> int:
    charts = [timeline.chart(articles)]
    for key in ("outlet", "year", "month"):
        keyer = {
            "outlet": lambda a: [a.outlet.key],
            "year": lambda a: [a.date.year],
            "month": lambda a: [(a.date.year, a.date.month)],
        }[key]
        for k, items in group(articles, keyer).items():
            charts.append(timeline.chart(items, year=k if key == "year" else None, month=k if key == "month" else None))
    return sum(len(timeline.svg(c, "../../")) for c in charts if c)


def extras(relations, articles, base_url: str) -> int:
    return sum(
        len(relations.same_day(a).shown)
        + len(relations.copies(a))
        + len(cite(a, base_url).text())
        + bool(relations.around(a).next)
        for a in articles
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("count", type=int, nargs="?", default=10_000)
    parser.add_argument("--out", type=Path, default=Path("/dev/shm/site-gen-bench-reading"))
    args = parser.parse_args()
    shutil.rmtree(args.out, ignore_errors=True)
    content = args.out / "content"
    timed(f"write {args.count:,} articles", write_corpus, content, args.count)
    config = SiteConfig(
        root=args.out, content_dir=content, output_dir=args.out / "public", base_url="https://archive.example.org/"
    )
    result = timed("site-gen build (whole site, both cores)", build, config)
    for stage, t in result.report["stats"]["stages"].items():
        print(f"  stage {stage:<36} {t['wall']:8.3f} s wall {t['cpu']:8.3f} s CPU")
    articles = result.archive.articles
    relations = timed("relate(archive)", relate, result.archive)
    size = timed("timeline chart + SVG for every listing", all_charts, articles)
    timed("extras lookups for every article", extras, relations, articles, config.base_url)
    print(
        f"SVG bytes for all listings: {size:,};"
        f" peak RSS of this process: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB"
    )
    shutil.rmtree(args.out, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
