import datetime as dt
import json

import pytest

from site_gen.cli import main
from site_gen.errors import SiteGenError
from site_gen.importers.articles import ImportOptions, column_mapping, import_files, parse_date

D = dt.date
RT_EN = (
    "date,title,content,URL\n"
    '"25 Sep, 2019",Soros \xe2\x80\x9cfunds\xe2\x80\x9d it,"Body one \x9d here\nSecond paragraph",https://www.rt.com/news/1-soros/\n'
    '"25 Sep, 2019",Soros \xe2\x80\x9cfunds\xe2\x80\x9d it,"Body one \x9d here\nSecond paragraph",https://www.rt.com/news/1-soros/\n'
    "Skipped,Skipped,Archive:Politicking nav text,https://www.rt.com/shows/x/\n"
    '"1 Oct, 2019",Empty body,,https://www.rt.com/news/2/\n'
)
RT_RU = (
    "date*title*content*URL\n"
    "30 9 2019*«Принцип недоверия»: чем грозит*Текст статьи.*https://russian.rt.com/world/1\n"
    "18 12 2019,*Второй*Ещё текст.*https://russian.rt.com/world/2\n"
)
NEWS = (
    ",id,domain,type,url,content,scraped_at,title,authors,meta_keywords,tags\n"
    '0,141,awm.com,unreliable,http://awm.com/a/,"Para one.\n\n\nPara two.",2018-01-25 16:17:44.789555,'
    "Church gift,Ruth Harris,[''],\"Gift, Christmas\"\n"
)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("25 Sep, 2019", D(2019, 9, 25)),
        ("25 Sep, 2019 14:05", D(2019, 9, 25)),
        ("30 9 2019", D(2019, 9, 30)),
        ("18 12 2019,", D(2019, 12, 18)),
        ("2018-01-25 16:17:44.789555", D(2018, 1, 25)),
        ("2019-02-30", None),
        ("September 3, 2020", D(2020, 9, 3)),
        ("Skipped", None),
    ],
)
def test_dates_in_the_corpora_formats(text, expected):
    assert parse_date(text) == expected


def test_explicit_date_format_wins():
    assert parse_date("03/04/2019", "%m/%d/%Y") == D(2019, 3, 4) and parse_date("03/04/2019") is None


def test_columns_are_found_by_name_or_mapped():
    assert column_mapping(["date", "title", "content", "URL"], {}, "f") == {
        "title": "title",
        "body": "content",
        "url": "URL",
        "date": "date",
    }
    assert column_mapping(["headline", "text", "when"], {"date": "when"}, "f") == {
        "title": "headline",
        "body": "text",
        "date": "when",
    }
    assert "date" not in column_mapping(["title", "body", "date"], {"date": ""}, "f")
    with pytest.raises(SiteGenError, match="no column for body"):
        column_mapping(["title", "summary"], {}, "f")
    with pytest.raises(SiteGenError, match="no such column"):
        column_mapping(["title", "body"], {"url": "link"}, "f")


def run(tmp_path, name, data, **options):
    source = tmp_path / name
    source.write_bytes(data.encode("utf-8", "surrogateescape") if isinstance(data, str) else data)
    return import_files([source], tmp_path / "out", ImportOptions(**options))


def test_rt_english_rows_become_header_line_files_and_every_row_is_reported(tmp_path):
    result = run(tmp_path, "en.csv", RT_EN.encode("latin-1"))
    assert [r.status for r in result.rows] == ["written", "duplicate", "written", "skipped"]
    first = result.rows[0]
    assert first.path.startswith("2019-09-25-soros-funds-it-") and first.path.endswith(".txt")
    text = (tmp_path / "out" / first.path).read_text(encoding="utf-8")
    assert text == (
        "date 2019-09-25 https://www.rt.com/news/1-soros/\nSoros “funds” it\n\nBody one \ufffd here\nSecond paragraph\n"
    )
    assert any("U+FFFD" in m.message for m in first.messages)
    assert "same article as" in result.rows[1].messages[-1].message and result.rows[1].line == 4
    untitled = (tmp_path / "out" / result.rows[2].path).read_text(encoding="utf-8")
    assert (
        untitled.startswith("---\nurl: https://www.rt.com/shows/x/\n---\n")
        and "imported untitled" in result.rows[2].messages[-1].message
    )
    assert "placeholder 'Skipped'" in result.rows[2].messages[-1].message
    assert result.rows[3].messages[0].message == "no body text; not imported" and result.rows[3].line == 7
    assert result.counts() == {"read": 4, "written": 2, "unchanged": 0, "duplicate": 1, "skipped": 1}


def test_importing_twice_adds_nothing_and_changes_no_byte(tmp_path):
    first = run(tmp_path, "ru.txt", RT_RU)
    files = {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()}
    again = run(tmp_path, "ru.txt", RT_RU)
    assert [r.status for r in first.rows] == ["written", "written"] and [r.status for r in again.rows] == [
        "unchanged",
        "unchanged",
    ]
    assert {p.name: p.read_bytes() for p in (tmp_path / "out").iterdir()} == files
    assert sorted(files) == [n for n in sorted(files)] and any(
        n.startswith("2019-09-30-printsip-nedoveriia-chem-grozit-") for n in files
    )
    assert any(n.startswith("2019-12-18-vtoroi-") for n in files)


def test_a_hand_edited_file_is_never_overwritten(tmp_path):
    first = run(tmp_path, "ru.txt", RT_RU)
    edited = tmp_path / "out" / first.rows[0].path
    edited.write_text("my edit\n", encoding="utf-8")
    again = run(tmp_path, "ru.txt", RT_RU)
    assert again.rows[0].status == "skipped" and "edited by hand" in again.rows[0].messages[-1].message
    assert edited.read_text(encoding="utf-8") == "my edit\n"


def test_news_sample_rows_keep_their_other_columns_in_yaml(tmp_path):
    result = run(tmp_path, "news.csv", NEWS)
    [row] = result.rows
    text = (tmp_path / "out" / row.path).read_text(encoding="utf-8")
    assert row.path.startswith("undated-church-gift-")
    assert text.startswith(
        "---\ntitle: Church gift\nurl: http://awm.com/a/\ntags:\n- Gift\n- Christmas\n"
        "id: '141'\ndomain: awm.com\ntype: unreliable\n"
    )
    assert "meta_keywords" not in text  # the literal [''] is an empty cell
    assert text.endswith("---\nPara one.\n\n\nPara two.\n")


def test_colliding_column_names_are_kept_under_another_key(tmp_path):
    result = run(tmp_path, "a.jsonl", '{"title": "T", "body": "B", "draft": true, "lang_hint": "x"}\n', mapping={})
    text = (tmp_path / "out" / result.rows[0].path).read_text(encoding="utf-8")
    assert "original_draft: true" in text and "lang_hint: x" in text


def test_imported_files_build_into_articles(site, tmp_path):
    (site.content / "imported").mkdir()
    for name, data in (("en.csv", RT_EN.encode("latin-1")), ("ru.txt", RT_RU), ("news.csv", NEWS)):
        source = tmp_path / name
        source.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
        import_files([source], site.content / "imported", ImportOptions())
    result = site.build()
    articles = {a.title: a for a in result.archive.articles}
    assert set(articles) == {"Soros “funds” it", "", "«Принцип недоверия»: чем грозит", "Второй", "Church gift"}
    ru = articles["«Принцип недоверия»: чем грозит"]
    assert (ru.language, ru.date, ru.outlet.name, ru.format) == ("ru", D(2019, 9, 30), "RT", "header-line")
    news = articles["Church gift"]
    assert (
        news.markup == "text" and news.paragraphs == ["Para one.", "Para two."] and news.extra["type"] == "unreliable"
    )
    assert news.tags == ["Gift", "Christmas"] and news.language == "en" and news.date is None
    assert all(e["status"] == "rendered" for e in result.report["inputs"])


def test_cli_prints_skipped_rows_and_writes_the_report(tmp_path, capsys):
    source = tmp_path / "en.csv"
    source.write_bytes(RT_EN.encode("latin-1"))
    assert main(["import", str(source), "-o", str(tmp_path / "out"), "--report", str(tmp_path / "r.json")]) == 0
    out, err = capsys.readouterr()
    assert f"skipped: {source}:7: row 4: no body text; not imported" in err
    assert "4 rows read from 1 file(s): 2 written, 0 unchanged, 1 duplicate, 1 skipped" in out
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert report["counts"]["read"] == len(report["rows"]) == 4
    assert report["files"][0]["mapping"] == {"title": "title", "body": "content", "url": "URL", "date": "date"}


def test_cli_rejects_a_bad_map(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["import", "x.csv", "-o", str(tmp_path), "--map", "headline"])
    assert "expected FIELD=COLUMN" in capsys.readouterr().err
