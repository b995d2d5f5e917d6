import json

from site_gen.build.report import REPORT_VERSION, write_report


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
