import json
import os

import pytest

from site_gen.build.pipeline import build
from site_gen.build.report import REPORT_VERSION, article_lines, write_report
from site_gen.errors import SiteGenError


def test_report_shape(site):
    site.write("a.txt", "date 2025-01-02 https://x.example/a\nTitle\nP.\nP.\n")
    site.write("bad.txt", b"\x00\x01\x02\x00")
    result = site.build(report_path=site.root / "report.json")
    report = json.loads((site.root / "report.json").read_text())
    assert report["version"] == REPORT_VERSION
    assert [e["path"] for e in report["inputs"]] == ["a.txt", "bad.txt"]
    good, bad = report["inputs"]
    assert good["status"] == "rendered" and good["article_id"] == result.archive.articles[0].id
    assert bad["status"] == "error" and bad["article_id"] is None and "NUL" in bad["messages"][0]["message"]
    [article] = report["articles"]
    assert set(article) >= {
        "id",
        "title",
        "url",
        "outlet",
        "date",
        "permalink",
        "source_paths",
        "duplicates",
        "removed",
    }
    assert article["removed"][0]["kind"] == "repeated-paragraph"
    assert report["errors"] == [{"path": "bad.txt", "line": None, "message": bad["messages"][0]["message"]}]
    assert report["stats"]["seconds"] > 0


def test_write_report_is_atomic(tmp_path):
    write_report(tmp_path / "r.json", {"version": 1})
    assert json.loads((tmp_path / "r.json").read_text()) == {"version": 1}
    assert [p.name for p in tmp_path.iterdir()] == ["r.json"]


def test_a_new_article_takes_the_lines_of_the_articles_kept_from_the_last_report_file(site, tmp_path):
    """The articles section has one article per line: a build that reuses the last archive takes the lines of
    the articles it kept (the same objects) from the last report file, and encodes the others."""
    for i in range(3):
        site.write(f"a{i}.txt", f"date 2025-01-0{i + 1} https://x.example/{i}\nStory {i}\nBody {i}.\n")
    first = site.build(report_path=tmp_path / "r1.json")
    written = (tmp_path / "r1.json").read_bytes()
    lines = article_lines(first.archive.articles)
    assert written.count(b"\n") == len(lines) + 2 and all(line in written for line in lines)
    old = first.archive.articles
    marked = written.replace(b'"title":"Story 1"', b'"title":"Kept line"')  # tells where a line came from
    site.write("a3.txt", "date 2025-01-04 https://x.example/3\nStory 3\nBody 3.\n")
    second = site.build(report_path=tmp_path / "r2.json")
    new = [a for a in second.archive.articles if a.title == "Story 3"]
    spliced = article_lines([*new, *old], old, marked)
    assert [json.loads(line)["title"] for line in spliced] == ["Story 3", "Story 2", "Kept line", "Story 0"]
    # a line that does not start with its article's id is not taken; nor are the lines of another number of articles
    shifted = article_lines(old, old[1:] + old[:1], marked)
    assert [json.loads(line)["title"] for line in shifted] == ["Story 2", "Story 1", "Story 0"]
    assert json.loads(article_lines(old[:1], old[:2], marked)[0])["title"] == "Story 2"


def test_an_incremental_build_writes_the_report_a_full_build_writes(site, tmp_path):
    for i in range(3):
        site.write(f"a{i}.txt", f"date 2025-01-0{i + 1} https://x.example/{i}\nStory {i}\nBody {i}.\n")
    site.build(report_path=tmp_path / "r1.json")
    site.write("a3.txt", "date 2025-01-04 https://x.example/3\nStory 3\nBody 3.\n")
    (site.content / "a1.txt").unlink()
    site.build(report_path=tmp_path / "r2.json")
    config = site.config()
    config.output_dir, config.cache_dir = tmp_path / "full", tmp_path / "full-cache"
    build(config, cwd=site.root, full=True, report_path=tmp_path / "full.json")
    mine, full = ((tmp_path / name).read_bytes() for name in ("r2.json", "full.json"))
    assert mine.split(b',"stats":')[0] == full.split(b',"stats":')[0]


def test_a_report_refused_by_strict_is_written_but_not_kept_for_the_next_build(site, tmp_path):
    """A build that finds the content as the live site's build read it gives that build's report again (from
    the cache's copy): a refused build's report (here one that retitled an article) must not be taken for it."""
    for i in range(3):
        site.write(f"a{i}.txt", f"date 2025-01-0{i + 1} https://x.example/{i}\nStory {i}\nBody {i}.\n")
    site.build(report_path=tmp_path / "r1.json")
    path = site.content / "a1.txt"
    kept = path.stat()
    site.write("a1.txt", "date 2025-01-02 https://x.example/1\nRetitled\nBody 1.\n")
    site.write("bad.txt", b"\x00\x01")
    with pytest.raises(SiteGenError, match="--strict"):
        site.build(strict=True, report_path=tmp_path / "refused.json")
    assert any(a["title"] == "Retitled" for a in json.loads((tmp_path / "refused.json").read_text())["articles"])
    site.write("a1.txt", "date 2025-01-02 https://x.example/1\nStory 1\nBody 1.\n")
    os.utime(path, ns=(kept.st_atime_ns, kept.st_mtime_ns))  # as the live site's build read it
    (site.content / "bad.txt").unlink()
    assert site.build(report_path=tmp_path / "r2.json").report["stats"]["unchanged"] is True
    titles = [a["title"] for a in json.loads((tmp_path / "r2.json").read_text())["articles"]]
    assert titles == ["Story 2", "Story 1", "Story 0"]
