import pytest

from site_gen.errors import SiteGenError
from site_gen.importers.tables import read_table, sniff_delimiter


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def test_csv_with_unnamed_index_and_multiline_quoted_fields_keeps_start_lines(tmp_path):
    path = write(tmp_path, "news.csv", ',id,title,content\n0,7,"A, B","line one\n\nline two"\n1,8,C,"x ""quoted"" y"\n')
    table = read_table(path)
    assert table.columns == ["id", "title", "content"] and table.delimiter == ","
    assert [(r.number, r.line) for r in table.rows] == [(1, 2), (2, 5)]
    assert table.rows[0].values == {"id": "7", "title": "A, B", "content": "line one\n\nline two"}
    assert table.rows[1].values["content"] == 'x "quoted" y'
    assert "no name" in table.messages[0].message


def test_star_separated_file_is_sniffed():
    assert sniff_delimiter("date*title*content*URL") == "*"
    assert sniff_delimiter("date,title,content,URL") == "," and sniff_delimiter("just one column") == ","


def test_star_file_with_quotes_and_trailing_comma_in_the_date(tmp_path):
    path = write(
        tmp_path,
        "ru.txt",
        'date*title*content*URL\n18 12 2019,*Заголовок*"Текст со ""звёздочкой"" * внутри"*https://russian.rt.com/a\n',
    )
    [row] = read_table(path).rows
    assert row.values == {
        "date": "18 12 2019,",
        "title": "Заголовок",
        "content": 'Текст со "звёздочкой" * внутри',
        "URL": "https://russian.rt.com/a",
    }


def test_rows_with_the_wrong_number_of_fields_carry_the_reason(tmp_path):
    path = write(tmp_path, "bad.csv", "a,b\n1,2,,\n1,2,3\n1\n")
    rows = read_table(path).rows
    assert rows[0].problem is None  # trailing empty fields are harmless
    assert "3 fields but the header names 2" in rows[1].problem and "1 field(s)" in rows[2].problem


def test_stray_bytes_are_replaced_and_reported_once_for_the_file(tmp_path):
    data = (
        b"date,title,content,URL\n"
        + b'"25 Sep, 2019",\xe2\x80\x9cQuoted\xe2\x80\x9d title,"Watchers \x9d \x94 Westerners",https://www.rt.com/a/\n'
    )
    table = read_table(write(tmp_path, "en.csv", data))
    assert table.encoding == "utf-8" and table.rows[0].values["title"] == "“Quoted” title"
    assert table.rows[0].values["content"] == "Watchers \ufffd \ufffd Westerners"
    assert "2 byte(s) are not valid utf-8" in table.messages[0].message


def test_jsonl_rows_and_their_problems(tmp_path):
    path = write(
        tmp_path,
        "a.jsonl",
        '{"title": "T", "body": "B", "tags": ["x"]}\n\nnot json\n[1, 2]\n{"title": "U", "url": null}\n',
    )
    table = read_table(path)
    assert table.format == "jsonl" and table.columns == ["title", "body", "tags", "url"]
    assert [(r.line, r.problem is None) for r in table.rows] == [(1, True), (3, False), (4, False), (5, True)]
    assert "not valid JSON" in table.rows[1].problem and "JSON list" in table.rows[2].problem


def test_unreadable_or_empty_files_name_the_file(tmp_path):
    with pytest.raises(SiteGenError, match="empty"):
        read_table(write(tmp_path, "e.csv", "\n"))
    with pytest.raises(SiteGenError, match="cannot read"):
        read_table(tmp_path / "missing.csv")
