"""What the preview tells about problems: the panel's list, the overlay's errors, the last good pages."""

from site_gen.errors import ConfigError, SiteGenError
from site_gen.model import Article, InputEntry, Message
from site_gen.serve import problems
from site_gen.serve.problems import LastGoodPages, error_page, file_problems, panel, site_errors


def entry(path: str, status: str = "rendered", *messages: Message, permalink: str = "") -> InputEntry:
    article = Article(path, path, None, None, ["p"], "text", [], "bare", permalink=permalink) if permalink else None
    return InputEntry(path, status, list(messages), article)  # type: ignore[arg-type]


def test_the_panel_lists_errors_first_then_warnings_each_as_path_line_message(monkeypatch):
    inputs = [
        entry("b.txt", "rendered", Message("warning", "odd bytes", 6), Message("info", "a guess worth knowing")),
        entry("c.md", "error", Message("error", "never closed", 1)),
        entry("a.txt", "rendered", Message("warning", "not UTF-8")),
        entry("ok.txt"),
    ]
    listed = panel(file_problems(inputs, kept={"c.md"}))
    assert listed == {
        "problems": [
            {"level": "error", "path": "c.md", "line": 1, "text": "c.md:1: never closed", "kept": True},
            {"level": "warning", "path": "a.txt", "line": None, "text": "a.txt: not UTF-8"},
            {"level": "warning", "path": "b.txt", "line": 6, "text": "b.txt:6: odd bytes"},
        ],
        "more": 0,
        "errors": 1,
        "warnings": 2,
    }
    monkeypatch.setattr(problems, "MAX_LISTED", 2)
    capped = panel(file_problems(inputs, kept=()))
    assert len(capped["problems"]) == 2 and capped["more"] == 1 and capped["warnings"] == 2


def test_site_errors_read_path_line_message():
    config = ConfigError(["unknown setting 'titel'", "'paginate' must be at least 1"], "/s/site.yaml")
    assert [e["text"] for e in site_errors(config)["errors"]] == [
        "/s/site.yaml: unknown setting 'titel'",
        "/s/site.yaml: 'paginate' must be at least 1",
    ]
    template = site_errors(SiteGenError("template error: unexpected end", "/t/article.html", 3))
    assert template == {
        "errors": [{"path": "/t/article.html", "line": 3, "text": "/t/article.html:3: template error: unexpected end"}]
    }
    assert (
        site_errors(PermissionError(13, "Permission denied", "/out"))["errors"][0]["text"] == "/out: Permission denied"
    )
    assert site_errors(ValueError("bug"))["errors"][0]["text"] == "ValueError: bug"
    page = error_page(site_errors(SiteGenError("<b>bad</b>", "x.html", 2))).decode()
    assert "<code>x.html:2: &lt;b&gt;bad&lt;/b&gt;</code>" in page and "What to do" in page


def test_last_good_pages_are_held_while_broken_and_forgotten_when_fixed_or_deleted(tmp_path):
    page = "articles/a/index.html"
    (tmp_path / "articles" / "a").mkdir(parents=True)
    (tmp_path / page).write_bytes(b"good page")
    pages = LastGoodPages()
    pages.learn([entry("a.txt", permalink=page), entry("b.txt", "merged", permalink=page)])
    pages.hold([entry("a.txt", "error", Message("error", "broken"))], tmp_path)
    (tmp_path / page).unlink()  # the build that goes live deletes it
    assert pages.broken == {"a.txt"} and pages.page(page) == b"good page"
    pages.learn([entry("a.txt", "error")])
    pages.hold([entry("a.txt", "error", Message("error", "still broken"))], tmp_path)  # held from memory
    assert pages.page(page) == b"good page"
    pages.hold([entry("a.txt", permalink=page)], tmp_path)  # fixed: the build renders it again
    assert pages.broken == set() and pages.page(page) is None
    pages.hold([entry("b.txt", "error")], tmp_path)  # a merged copy made no page of its own
    assert pages.broken == set()
