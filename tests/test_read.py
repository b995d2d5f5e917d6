import datetime as dt
import json
import os

import pytest

from site_gen.errors import SiteGenError
from site_gen.ingest.read import discover, read_file

SAMPLE_HEADER = (
    " date 2025-05-31 https://sputnikglobe.com/20250531/story.html\nA Title\n\nFirst paragraph.\nSecond paragraph.\n"
)


def read(site, rel, data):
    site.write(rel, data)
    return read_file(site.config(), rel)


def test_header_line_format(site):
    doc = read(site, "a.txt", SAMPLE_HEADER)
    assert doc.format == "header-line" and doc.markup == "text"
    assert doc.meta["date"] == dt.date(2025, 5, 31)
    assert doc.meta["url"] == "https://sputnikglobe.com/20250531/story.html"
    assert doc.meta["title"] == "A Title"
    assert doc.body.split() == ["First", "paragraph.", "Second", "paragraph."]
    assert doc.body_line == 3


def test_yaml_front_matter_with_extra_keys_and_aliases(site):
    doc = read(
        site,
        "b.md",
        (
            "---\ntitle: Hello\ndate: 2024-02-03\nlink: https://x.example/a\nlang: de\n"
            "categories: [a, b]\nauthor: Jo\n---\nBody *md*\n"
        ),
    )
    assert doc.format == "yaml" and doc.markup == "markdown"
    assert doc.meta["title"] == "Hello" and doc.meta["date"] == dt.date(2024, 2, 3)
    assert doc.meta["url"] == "https://x.example/a" and doc.meta["language"] == "de"
    assert doc.meta["tags"] == ["a", "b"] and doc.meta["extra"] == {"author": "Jo"}
    assert doc.body.strip() == "Body *md*" and doc.body_line == 9


def test_bare_text_takes_date_from_path_and_title_from_first_line(site):
    doc = read(site, "2024/11/02/storm.txt", "\n\nStorm warning\n\nWind on Friday.\n")
    assert doc.format == "bare" and doc.meta["title"] == "Storm warning"
    assert doc.meta["date"] == dt.date(2024, 11, 2)
    undated = read(site, "note.txt", "A note\nText.\n")
    assert undated.meta["date"] is None
    assert any("undated" in m.message for m in undated.messages)


def test_precedence_defaults_then_path_then_file(site):
    site.configure(
        defaults=[{"path": "wire/*", "values": {"source": "northwire.example", "tags": ["wire"], "date": "2000-01-01"}}]
    )
    doc = read(site, "wire/2024-03-04-x.md", "---\ntitle: T\ntags: [own]\n---\nBody\n")
    assert doc.meta["source"] == "northwire.example"
    assert doc.meta["date"] == dt.date(2024, 3, 4)  # path beats defaults
    assert doc.meta["tags"] == ["wire", "own"]
    doc = read(site, "wire/2024-03-04-y.md", "---\ntitle: T\ndate: 2024-03-09\n---\nBody\n")
    assert doc.meta["date"] == dt.date(2024, 3, 9)  # the file beats its path


@pytest.mark.parametrize(
    "text, message, line",
    [
        ("---\ntitle: x\n", "never closed", 1),
        ("---\ntitle: 'unclosed\n---\nbody\n", "invalid front matter", 2),
        ("---\ntitle: x\n\tdate: 2024-01-01\n---\n", "invalid front matter", 3),
        ("---\n- a\n- b\n---\nbody\n", "must be a mapping", 2),
        ("---\nx: !!python/object:os.system {}\n---\n", "only plain YAML", 2),
    ],
)
def test_bad_front_matter_names_the_line(site, text, message, line):
    site.write("bad.md", text)
    with pytest.raises(SiteGenError) as info:
        read_file(site.config(), "bad.md")
    assert message in info.value.message and info.value.path == "bad.md" and info.value.line == line


def test_yaml_alias_bomb_is_refused(site):
    bomb = (
        "---\n"
        "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        "b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
        "c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\n"
        "d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
        "e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n"
        "---\n"
    )
    site.write("bomb.md", bomb)
    with pytest.raises(SiteGenError, match="expands to more than"):
        read_file(site.config(), "bomb.md")


def test_impossible_date_is_reported_and_article_kept(site):
    doc = read(site, "a.txt", " date 2025-13-45 https://x.example/a\nTitle\nBody\n")
    assert doc.meta["date"] is None
    assert any("impossible" in m.message and m.line == 1 for m in doc.messages)


def test_unusable_urls_are_reported(site):
    doc = read(site, "a.md", "---\ntitle: T\nurl: javascript:alert(1)\n---\nB\n")
    assert doc.meta["url"] is None
    assert any("not http or https" in m.message for m in doc.messages)


def test_empty_file_is_an_error(site):
    site.write("empty.txt", " \n\t\n")
    with pytest.raises(SiteGenError, match="empty"):
        read_file(site.config(), "empty.txt")


def test_discover_skips_and_explains(site):
    for rel in [
        "a.txt",
        "b.md",
        "sub/c.TXT",
        ".hidden.txt",
        ".git/config",
        "x.txt~",
        "#y.md#",
        "z.swp",
        "pic.jpg",
        "README.md",
    ]:
        site.write(rel, "T\nbody\n")
    found, skipped = discover(site.config())
    assert found == ["a.txt", "b.md", "sub/c.TXT"]
    reasons = {s.path: s.message for s in skipped}
    assert set(reasons) == {".hidden.txt", ".git", "x.txt~", "#y.md#", "z.swp", "pic.jpg", "README.md"}
    assert "hidden folder" in reasons[".git"] and "backup" in reasons["x.txt~"]
    assert "not an article file (.jpg)" in reasons["pic.jpg"] and "ignore pattern" in reasons["README.md"]


def test_discover_reports_symlink_loops_once(site):
    site.write("a/real.txt", "T\nbody\n")
    os.symlink("..", site.content / "a" / "up")
    os.symlink("self", site.content / "self")
    found, skipped = discover(site.config())
    assert found == ["a/real.txt"]
    assert {s.path for s in skipped} == {"a/up", "self"}
    assert all("loop" in s.message and s.level == "error" for s in skipped)


def test_undecodable_file_name_is_read_and_reported(site):
    name = os.fsdecode(b"caf\xe9.txt")
    site.write(name, "Title\nBody\n")
    found, _ = discover(site.config())
    doc = read_file(site.config(), found[0])
    assert doc.source.path == "caf\ufffd.txt"
    assert any("not valid UTF-8" in m.message for m in doc.messages)


def test_yaml_front_matter_in_a_txt_file_has_a_plain_text_body(site):
    doc = read(site, "imported.txt", "---\ntitle: T\n---\n*not emphasis*\n    not code\n")
    assert (doc.format, doc.markup) == ("yaml", "text")
    assert read(site, "page.md", "---\ntitle: T\n---\n*emphasis*\n").markup == "markdown"


def test_a_title_line_too_long_for_a_headline_stays_in_the_body(site):
    line = "word " * 200
    doc = read(site, "long.txt", line + "\nsecond line\n")
    assert doc.meta["title"] == "" and doc.body.startswith(line) and doc.body_line == 1
    assert any(m.level == "warning" and m.line == 1 and "too long for a headline" in m.message for m in doc.messages)
    doc = read(site, "long-header.txt", f"date 2025-01-02 https://x.example/a\n{line}\n")
    assert doc.meta["title"] == "" and doc.body.startswith(line) and doc.body_line == 2


@pytest.mark.parametrize(
    "slug, used",
    [
        ("../../evil", "evil"),
        ("music/ac/dc", "music-ac-dc"),
        ("aux", "aux-1"),
        ("nul\x00slug", "nul-slug"),
        ("🚀", ""),
        ("x" * 90, "x" * 80),
    ],
)
def test_a_slug_that_is_no_single_url_segment_is_replaced_with_a_warning(site, slug, used):
    doc = read(site, "s.md", f"---\ntitle: T\nslug: {json.dumps(slug, ensure_ascii=False)}\n---\nBody\n")
    assert doc.meta["slug"] == used
    [warning] = [m for m in doc.messages if m.level == "warning"]
    assert warning.line == 3 and "is not a safe single part of a URL" in warning.message
    assert read(site, "ok.md", "---\ntitle: T\nslug: fine-slug-2\n---\nBody\n").messages[0].level == "info"


def test_dates_far_in_the_past_or_future_are_kept_with_a_warning(site):
    for date in ("0001-01-01", "1799-12-31", "2100-01-01", "9999-12-31"):
        doc = read(site, "d.md", f"---\ntitle: T\nurl: https://x.example/a\ndate: {date}\n---\nBody\n")
        assert doc.meta["date"].isoformat() == date
        [warning] = doc.messages
        assert warning.line == 4 and f"date {date} is outside the years 1800-2099" in warning.message
    assert read(site, "d.md", "---\ntitle: T\nurl: https://x.example/a\ndate: 1800-01-01\n---\nBody\n").messages == []


def test_messages_about_front_matter_values_name_their_line(site):
    doc = read(site, "v.md", "---\ntitle: T\n\nurl: javascript:alert(1)\ndate: 2025-13-45\n---\nBody\n")
    assert [(m.level, m.line) for m in doc.messages] == [("warning", 4), ("warning", 5)]


def test_an_unclosed_quote_names_where_it_opened(site):
    site.write("q.md", "---\ntitle: 'unclosed\ndate: 2025-01-01\n---\nBody\n")
    with pytest.raises(SiteGenError) as info:
        read_file(site.config(), "q.md")
    assert info.value.line == 3 and "(while scanning a quoted scalar that starts on line 2)" in info.value.message


def test_a_pipe_named_like_an_article_is_an_error_not_a_hang(site):
    site.write("a.txt", "T\nbody\n")
    os.mkfifo(site.content / "pipe.txt")
    os.mkfifo(site.content / "pipe.fifo")
    found, skipped = discover(site.config())
    assert found == ["a.txt"]
    reasons = {s.path: (s.level, s.message) for s in skipped}
    assert reasons["pipe.txt"] == (
        "error",
        "named like an article but it is a named pipe, not a regular file: not read",
    )
    assert reasons["pipe.fifo"][0] == "info"


def test_urls_are_percent_encoded_where_a_link_needs_it(site):
    doc = read(site, "u.txt", 'date 2025-01-02 https://x.example/a?q="quoted"&r=[1]\nT\nBody\n')
    assert doc.meta["url"] == "https://x.example/a?q=%22quoted%22&r=%5B1%5D"
    assert any(m.level == "info" and "percent-encoded" in m.message and m.line == 1 for m in doc.messages)
