"""The progress line (site_gen/progress.py): on a pseudo-terminal, a build, import or dupes that runs
past the delay shows stage, done/total, rate and time left on one line redrawn in place; nothing
when stderr is not a terminal, with --quiet, or before the delay (SITE_GEN_PROGRESS_DELAY)."""

import csv
import json
import os
import pty
import random
import re
import subprocess
import sys
import time

import pytest
import yaml
from conftest import drain

from site_gen import progress

ARTICLES = 400
# stage, done, total, unit (none for some), rate, time left
COUNTED = re.compile(r"site-gen: (\w+) ([\d,]+)/([\d,]+)(?: (\w+))?, (\?|[\d,]+)(?: \w+)?/s, ([\d:]+|\?) left")


def on_terminal(args: list[str], cwd, delay: str = "0") -> tuple[str, str, int]:
    """site-gen with stderr on a pseudo-terminal: (what the terminal got, stdout, exit code)."""
    master, slave = pty.openpty()
    env = {**os.environ, progress.DELAY_VARIABLE: delay}
    process = subprocess.Popen(
        [sys.executable, "-m", "site_gen", *args], cwd=cwd, stdout=subprocess.PIPE, stderr=slave, env=env
    )
    os.close(slave)
    terminal = drain(master)  # read while it runs: a full terminal buffer would stop it
    stdout = process.communicate(timeout=300)[0].decode()
    return terminal, stdout, process.returncode


@pytest.fixture
def many(tmp_path):
    """A site of ARTICLES small articles at three outlets, built with two workers."""
    root = tmp_path / "site"
    for i in range(ARTICLES):
        path = root / "content" / f"outlet{i % 3}" / f"{i:04d}.txt"
        path.parent.mkdir(parents=True, exist_ok=True)
        words = " ".join(f"w{random.Random(i).randrange(10**6) + k}" for k in range(60))  # no two alike
        path.write_text(
            f"date 2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} https://outlet{i % 3}.example/{i}\nStory {i}\n\n{words}.\n"
        )
    (root / "site.yaml").write_text(yaml.safe_dump({"title": "Many", "jobs": 2}))
    return root


def test_a_build_on_a_terminal_shows_its_stages_redrawn_in_place(many):
    terminal, stdout, code = on_terminal(["build", ".", "--report", "report.json"], many)
    assert code == 0, terminal
    assert terminal.count("\rsite-gen: ") >= 2  # drawn, then redrawn in place
    counted = [line for line in COUNTED.findall(terminal) if line[0] in ("read", "render")]
    report = json.loads((many / "report.json").read_text())
    pages = report["stats"]["pages_rendered"]  # article pages, listings, feeds: all rendered by the workers
    assert pages > ARTICLES
    assert {(stage, total, unit) for stage, _, total, unit, _, _ in counted} <= {
        ("read", f"{ARTICLES:,}", "files"),
        ("render", f"{pages:,}", "pages"),
    }
    assert counted and all(int(done.replace(",", "")) <= pages for _, done, *_ in counted)
    stages = re.findall(r"\rsite-gen: (\w+)", terminal)
    assert "render" in stages and set(stages) <= {"discover", "read", "boilerplate", "dedupe", "assemble", "keys"} | {
        "render",
        "search",
    }
    assert terminal.rstrip("\r\n").split("\r")[-1].strip() == ""  # the last line drawn was cleared
    assert re.fullmatch(rf"site-gen: {ARTICLES} articles from {ARTICLES} files \(.*\) -> .* in [\d.]+ s\n", stdout)
    assert {"read", "render", "search"} <= set(report["stats"]["stages"]) and "progress" not in json.dumps(report)


def test_no_progress_when_not_a_terminal_with_quiet_or_before_the_delay(many):
    env = {**os.environ, progress.DELAY_VARIABLE: "0"}
    piped = subprocess.run(
        [sys.executable, "-m", "site_gen", "build", "."], cwd=many, capture_output=True, text=True, env=env
    )
    assert piped.returncode == 0 and piped.stderr == "" and "articles from" in piped.stdout
    quiet, stdout, code = on_terminal(["build", ".", "--full", "--quiet"], many)
    assert code == 0 and quiet == "" and "articles from" in stdout
    (many / "content" / "outlet0" / "0000.txt").unlink()
    waited, stdout, code = on_terminal(["build", "."], many, delay="600")
    assert code == 0 and waited == "" and "articles from" in stdout


def test_dupes_and_import_show_progress_and_quiet_turns_it_off(many, tmp_path):
    terminal, stdout, code = on_terminal(["dupes", "."], many)
    assert code == 0 and re.search(r"\rsite-gen: (read|dedupe)", terminal)
    table = tmp_path / "rows.csv"
    with table.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["title", "body", "date", "url", "source"])
        for i in range(3000):
            writer.writerow([f"Row {i}", f"Body of row {i}.", "2024-01-02", f"https://x.example/{i}", "x.example"])
    terminal, stdout, code = on_terminal(["import", str(table), "-o", str(tmp_path / "out")], tmp_path)
    assert code == 0 and "3,000 rows read from 1 file(s): 3,000 written" in stdout, stdout
    assert re.search(r"\rsite-gen: import [\d,]+/3,000 rows, ", terminal), terminal
    quiet, _, code = on_terminal(["import", str(table), "-o", str(tmp_path / "again"), "-q"], tmp_path)
    assert code == 0 and quiet == ""


def test_the_line_counts_what_stages_report_and_clears_when_they_end():
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal, progress.Progress(terminal, delay=0) as shown:
        with shown.stage("render", "pages"):
            progress.expect(100)
            for _ in range(5):
                progress.advance(10)
                time.sleep(progress.TICK * 1.5)
        with shown.stage("search"):
            time.sleep(progress.TICK * 2.5)
    got = drain(master)
    counts = [done for _, done, total, *_ in COUNTED.findall(got) if total == "100"]
    assert len(set(counts)) >= 3 and counts == sorted(counts, key=int) and set(counts) <= {"10", "20", "30", "40", "50"}
    assert re.search(r"\rsite-gen: search, 00:00", got)
    assert got.rstrip("\r\n").split("\r")[-1].strip() == ""  # cleared


def test_nothing_is_drawn_without_a_terminal_and_counts_cost_nothing(tmp_path):
    with (tmp_path / "log").open("w") as file, progress.Progress(file, delay=0) as shown, shown.stage("read", "files"):
        progress.expect(10)
        progress.advance(10)
        time.sleep(progress.TICK * 2)
    assert (tmp_path / "log").read_text() == "" and shown.stream is None


def test_the_delay_comes_from_the_environment(monkeypatch):
    monkeypatch.setenv(progress.DELAY_VARIABLE, "0.5")
    assert progress.Progress().delay == 0.5
    monkeypatch.setenv(progress.DELAY_VARIABLE, "soon")
    assert progress.Progress().delay == progress.DEFAULT_DELAY
