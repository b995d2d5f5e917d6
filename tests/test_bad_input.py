"""The bad input set: one build of every kind of bad file at once, then one check per file.

The small files are committed in tests/fixtures/bad/. What git cannot hold, or should not, is made
here at run time: a 10 MB single line, 100,000 paragraphs, a file name that is not UTF-8, a
symbolic link loop, a named pipe and an unreadable file.

Unreadable as root: root reads a mode-000 file anyway (CAP_DAC_OVERRIDE). The build therefore
runs in a child process whose capability bounding set lacks CAP_DAC_OVERRIDE and
CAP_DAC_READ_SEARCH (prctl PR_CAPBSET_DROP before exec); root then gets EACCES like anyone else.
"""

from __future__ import annotations

import ctypes
import json
import os
import random
import re
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import REPO
from validity import assert_valid_site

FIXTURES = REPO / "tests" / "fixtures" / "bad"
PWNED = Path("/tmp/site-gen-pwned")  # what yaml-python-tag.md would create if its tag ran
TEN_MB = 10 * 1024 * 1024
NOT_UTF8_NAME = "caf\ufffd.txt"  # b"caf\xe9.txt" as the report shows it

# path -> (status, level of the message that explains it, words the message holds, line or None)
EXPECTED: dict[str, tuple[str, str, str, int | None]] = {
    "empty.txt": ("error", "error", "the file is empty", None),
    "whitespace-only.txt": ("error", "error", "only white space", None),
    "image.txt": ("error", "error", "this is a PNG image, not a text article", None),
    "nul-bytes.txt": ("error", "error", "32 NUL bytes: a binary file", None),
    "invalid-utf8.txt": ("rendered", "warning", "3 byte(s) are not valid utf-8 and were replaced with U+FFFD", 5),
    "utf16-bom.txt": ("rendered", "warning", "UTF-16-LE (it starts with a byte-order mark), not UTF-8", None),
    "cp1252.txt": ("rendered", "warning", "not UTF-8; decoded as cp1252", None),
    "latin1.txt": ("rendered", "warning", "not UTF-8; decoded as cp1252", None),
    "mixed-line-endings.txt": ("rendered", "warning", "mixed line endings (4 CRLF, 1 CR, 2 LF", 5),
    "single-line-10mb.txt": ("rendered", "warning", "line 1 is 10,485,760 characters long, too long for a headline", 1),
    "paragraphs-100000.txt": ("rendered", "warning", "100,000 paragraphs, more than 10,000 in one article", None),
    "yaml-tab.md": ("error", "error", "invalid front matter: found a tab character", 3),
    "yaml-unclosed-quote.md": (
        "error",
        "error",
        "end of stream (while scanning a quoted scalar that starts on line 2)",
        3,
    ),
    "yaml-never-closed.md": ("error", "error", "front matter opened with '---' is never closed", 1),
    "yaml-alias-bomb.md": ("error", "error", "front matter expands to more than 10,000 values", 2),
    "yaml-python-tag.md": ("error", "error", "only plain YAML values are allowed in front matter", 3),
    "front-matter-list.md": ("error", "error", "front matter must be a mapping of keys to values, not a list", 2),
    "front-matter-string.md": ("error", "error", "front matter must be a mapping of keys to values, not a str", 2),
    "date-impossible.txt": ("rendered", "warning", "date '2025-13-45' is impossible", 1),
    "date-impossible-yaml.md": ("rendered", "warning", "date '2025-13-45' is impossible", 3),
    "date-far-past.md": ("rendered", "warning", "date 0001-01-01 is outside the years 1800-2099", 3),
    "date-far-future.md": ("rendered", "warning", "date 9999-12-31 is outside the years 1800-2099", 3),
    "url-malformed.txt": ("rendered", "warning", "URL 'http://[::1/broken' cannot be parsed", 1),
    "url-javascript.md": ("rendered", "warning", "scheme 'javascript' is not http or https; it is not linked", 4),
    "title-empty.md": ("rendered", "warning", "the article has no title; it is shown as 'Untitled'", None),
    "title-10000.md": ("rendered", "warning", "the title is 10,000 characters long", None),
    "slug-traversal.md": ("rendered", "warning", "slug '../../evil' is not a safe single part of a URL", 3),
    "slug-slash.md": ("rendered", "warning", "slug 'music/ac/dc' is not a safe single part of a URL", 3),
    "title-nul.md": ("rendered", "warning", "the title held 2 control character(s)", None),
    "slug-windows-reserved.md": ("rendered", "warning", "slug 'aux' is not a safe single part of a URL", 3),
    "title-bidi.md": (
        "rendered",
        "warning",
        "the title held 1 control character(s) or bidirectional override(s)",
        None,
    ),
    "title-emoji.md": ("rendered", "warning", "slug '🚀' is not a safe single part of a URL", 3),
    NOT_UTF8_NAME: ("rendered", "warning", "the file name is not valid UTF-8", None),
    "loop.txt": ("error", "error", "symbolic link loop: the link points back at itself", None),
    "sub/up": ("error", "error", "symbolic link loop: this folder was already read", None),
    "pipe.txt": ("error", "error", "named like an article but it is a named pipe", None),
    "unreadable.txt": ("error", "error", "cannot read the file: Permission denied", None),
    "locked/": ("error", "error", "cannot list this folder: Permission denied", None),
}
GOOD = "good.txt"


def _make_content(content: Path) -> None:
    shutil.copytree(FIXTURES, content)
    rnd = random.Random(7)
    words = " ".join(
        rnd.choice(["harbour", "council", "storm", "ferry", "budget", "night", "bus", "wall"])
        + str(rnd.randrange(5000))
        for _ in range(TEN_MB // 8)
    )
    (content / "single-line-10mb.txt").write_text(words[: TEN_MB - 4] + " END", encoding="utf-8")
    paragraphs = "".join(f"Paragraph {i} of the endless article.\n" for i in range(100_000))
    (content / "paragraphs-100000.txt").write_text(
        f"date 2025-02-21 https://gazette.example/long\nOne hundred thousand paragraphs\n\n{paragraphs}",
        encoding="utf-8",
    )
    (content / os.fsdecode(b"caf\xe9.txt")).write_text(
        "A caf\u00e9 with a Latin-1 file name\nBody.\n", encoding="utf-8"
    )
    os.symlink("loop.txt", content / "loop.txt")
    (content / "sub").mkdir()
    os.symlink("..", content / "sub" / "up")
    os.mkfifo(content / "pipe.txt")
    (content / "unreadable.txt").write_text("Unreadable\nBody.\n", encoding="utf-8")
    os.chmod(content / "unreadable.txt", 0)
    (content / "locked").mkdir()
    (content / "locked" / "inside.txt").write_text("Inside\nBody.\n", encoding="utf-8")
    os.chmod(content / "locked", 0)
    (content / GOOD).write_text(
        "date 2025-02-01 https://gazette.example/good\nA good article\n\nIt reads fine.\n", encoding="utf-8"
    )


def _without_root_file_access() -> None:
    """In the child, before exec: drop the capabilities that let root read any file."""
    if os.geteuid() != 0:
        return
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, capability, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def site_gen(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "site_gen", "build", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=600,
        preexec_fn=_without_root_file_access,
    )


@pytest.fixture(scope="module")
def bad_site(tmp_path_factory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("bad")
    _make_content(root / "content")
    (root / "site.yaml").write_text("title: Bad input\n", encoding="utf-8")
    PWNED.unlink(missing_ok=True)
    done = site_gen(root, "--report", "report.json")
    assert done.returncode == 0, done.stderr[-3000:]
    (root / "stderr.txt").write_text(done.stderr, encoding="utf-8")
    yield root
    os.chmod(root / "content" / "locked", 0o755)  # so that pytest can clean up without root's powers


@pytest.fixture(scope="module")
def report(bad_site) -> dict:
    return json.loads((bad_site / "report.json").read_text(encoding="utf-8"))


def test_every_path_is_in_the_report_exactly_once(report):
    paths = [e["path"] for e in report["inputs"]]
    assert sorted(paths) == sorted([*EXPECTED, GOOD])


@pytest.mark.parametrize("path", sorted(EXPECTED))
def test_each_bad_file_gets_one_entry_with_a_clear_message(report, bad_site, path):
    status, level, words, line = EXPECTED[path]
    [entry] = [e for e in report["inputs"] if e["path"] == path]
    assert entry["status"] == status
    explained = [m for m in entry["messages"] if m["level"] == level and words in m["message"]]
    assert explained, f"{path}: no {level} saying {words!r} in {entry['messages']}"
    assert explained[0]["line"] == line
    shown = f"{level}: {path}{f':{line}' if line else ''}: {explained[0]['message']}"
    assert shown in (bad_site / "stderr.txt").read_text(encoding="utf-8")  # printed as path:line: message
    if status == "rendered":  # nothing lost: the file's article has its page
        [article] = [a for a in report["articles"] if a["id"] == entry["article_id"]]
        assert (bad_site / "public" / article["permalink"]).is_file()
    else:
        assert entry["article_id"] is None and any(e["path"] == path for e in report["errors"])


def test_the_good_article_is_built_beside_them(report, bad_site):
    [entry] = [e for e in report["inputs"] if e["path"] == GOOD]
    assert entry["status"] == "rendered" and [m for m in entry["messages"] if m["level"] != "info"] == []
    assert "A good article" in (bad_site / "public" / "index.html").read_text(encoding="utf-8")


def test_strict_fails_counting_every_bad_file_and_keeps_the_output(bad_site):
    before = (bad_site / "public" / "index.html").read_bytes()
    done = site_gen(bad_site, "--strict")
    assert done.returncode == 1
    # every bad file, and only those, is a problem: each alone would fail --strict
    assert f"--strict: {len(EXPECTED)} input file(s) have errors or warnings" in done.stderr
    assert (bad_site / "public" / "index.html").read_bytes() == before


def test_what_the_bad_files_hold_is_kept_or_refused_as_the_report_says(report, bad_site):
    public = bad_site / "public"

    def page(path: str) -> str:
        [entry] = [e for e in report["inputs"] if e["path"] == path]
        [article] = [a for a in report["articles"] if a["id"] == entry["article_id"]]
        return (public / article["permalink"]).read_text(encoding="utf-8")

    assert not PWNED.exists()  # the python/object tag was refused, not constructed
    long_line = page("single-line-10mb.txt")
    assert ">Untitled</h1>" in long_line and " END</p>" in long_line  # the line is the body, whole
    assert page("paragraphs-100000.txt").count("<p>Paragraph ") == 100_000
    assert "“Smart quotes” cost €5" in page("cp1252.txt") and "Ça coûte 5 £ à Besançon" in page("latin1.txt")
    assert "A UTF-16 story: Zürich" in page("utf16-bom.txt")
    assert re.search(
        r"<p>A Unix line.</p>\s*<p>An old Mac line.</p>\s*<p>The last line.</p>", page("mixed-line-endings.txt")
    )
    title = page("title-10000.md").split("<h1", 1)[1].split("</h1>", 1)[0]
    assert len(title.split(">", 1)[1]) == 10_000  # the title is kept whole ...
    [long_title] = [a for a in report["articles"] if a["source_paths"] == ["title-10000.md"]]
    assert len(long_title["permalink"].split("/")[-2]) <= 80  # ... the slug is bounded
    assert '<time datetime="0001-01-01">' in page("date-far-past.md") and '<time datetime="9999-12-31">' in page(
        "date-far-future.md"
    )
    assert "javascript:" not in page("url-javascript.md").split("Original URL", 1)[1].split("</dd>", 1)[0]
    permalinks = {a["source_paths"][0]: a["permalink"] for a in report["articles"]}
    assert permalinks["slug-traversal.md"].endswith("/evil/index.html")
    assert permalinks["slug-windows-reserved.md"].endswith("/aux-1/index.html")
    assert "Invoice gpj.exe \u200fשלום" in page("title-bidi.md")  # the override is gone, the right-to-left mark kept
    assert all(re.fullmatch(r"[a-z0-9/.-]+", p) for p in permalinks.values())


def test_nothing_is_written_outside_the_output_folder(bad_site):
    assert {p.name for p in bad_site.iterdir()} <= {
        ".public.lock",
        ".public.shadow",
        ".site-gen-cache",
        "content",
        "public",
        "report.json",
        "site.yaml",
        "stderr.txt",
    }
    ours = (bad_site / "public", bad_site / ".public.shadow")  # the shadow is the output's own working copy (output.py)
    assert [p for p in bad_site.parent.rglob("evil*") if not any(folder in p.parents for folder in ours)] == []


def test_the_site_stays_valid_html_with_no_broken_links(bad_site):
    assert_valid_site(bad_site / "public")
