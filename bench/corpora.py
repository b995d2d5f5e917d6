"""Import and build time of each shared corpus, one at a time, as a newcomer would run them.

    python bench/corpora.py [--corpora ../shared/corpora] [--work /dev/shm/site-gen-corpora]

Each step runs as its own `site-gen` process under /usr/bin/time (wall, user+system CPU, peak
RSS of that process tree's largest process). Output goes to tmpfs so the disk does not add noise.
Prints a Markdown table for docs/performance.md.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SITE_GEN = [sys.executable, "-m", "site_gen"]


def corpora_steps(c: Path) -> dict[str, list[list[str]]]:
    rt = c / "rt-thesis-soros"
    fn = c / "fakenewscorpus-sample"
    return {
        "bbc-fulltext (2,225 files)": [],
        "rt-thesis-soros English (2,163 rows)": [
            ["import", *map(str, sorted(rt.glob("clean-csv-eng/*.csv"))), str(rt / "clinton-duma.csv"), "-o", "content"]
        ],
        "rt-thesis-soros Russian (1,065 rows)": [
            ["import", *map(str, sorted(rt.glob("clean-txt-rus/*.txt"))), str(rt / "klinton-nato.txt"), "-o", "content"]
        ],
        "rt-thesis-soros German (742 rows)": [
            ["import", *map(str, sorted(rt.glob("clean-txt-ger/*.txt"))), "-o", "content"]
        ],
        "fakenewscorpus-sample (250 rows)": [
            ["import", str(fn / "news_sample.csv"), "-o", "content"],
            ["sources", "import", str(fn / "websites.csv")],
        ],
    }


def timed(args: list[str], cwd: Path) -> tuple[float, float, int, str]:
    """(wall s, CPU s, peak RSS MB, last line of stdout) of one site-gen run."""
    fmt = "BENCH %e %U %S %M"
    proc = subprocess.run(
        ["/usr/bin/time", "-f", fmt, *SITE_GEN, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    if proc.returncode:
        raise SystemExit(f"site-gen {' '.join(args[:2])} failed:\n{proc.stderr[-2000:]}")
    wall, user, system, rss = next(line for line in proc.stderr.splitlines() if line.startswith("BENCH")).split()[1:]
    return float(wall), float(user) + float(system), int(rss) // 1024, proc.stdout.strip().splitlines()[-1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--work", type=Path, default=Path("/dev/shm/site-gen-corpora"))
    args = parser.parse_args()
    print("| corpus | import wall / CPU | build wall / CPU | build peak RSS | articles |")
    print("| --- | --- | --- | --- | --- |")
    for name, steps in corpora_steps(args.corpora.resolve()).items():
        work = args.work / name.split(" (")[0].replace(" ", "-")
        shutil.rmtree(work, ignore_errors=True)
        work.mkdir(parents=True)
        if not steps:  # files already: build them where they are
            (work / "site.yaml").write_text(
                f"content_dir: {args.corpora.resolve() / 'bbc-fulltext' / 'bbc'}\n"
                "defaults: [{path: '*', values: {source: bbc.co.uk}}]\n"
            )
        imported = [timed(step, work) for step in steps]
        build = timed(["build", *(["--config", "site.yaml"] if not steps else []), "-o", "public"], work)
        imp = f"{sum(t[0] for t in imported):.1f} s / {sum(t[1] for t in imported):.1f} s" if imported else "(files)"
        articles = build[3].split(" articles")[0].split()[-1]
        print(f"| {name} | {imp} | {build[0]:.1f} s / {build[1]:.1f} s | {build[2]} MB | {articles} |", flush=True)


if __name__ == "__main__":
    main()
