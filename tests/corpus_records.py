"""Test helper: the shared corpora as plain records, read without site_gen's importer.

The CSV corpora come into real builds through an import command (another issue); the dedupe
tests and benchmarks only need each article's title, date, URL, outlet and text, read here.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

csv.field_size_limit(1 << 27)


@dataclass(slots=True)
class Record:
    id: str
    """Where the article comes from: corpus-relative path, or file:row for CSV rows."""
    title: str
    date: str | None
    url: str | None
    outlet: str
    text: str
    """Paragraphs separated by newlines."""


def bbc(root: Path) -> list[Record]:
    """bbc-fulltext/bbc: line 1 the headline, then paragraphs; no date, no URL."""
    records = []
    for path in sorted(root.rglob("*.txt")):
        if path.name == "README.TXT":
            continue
        title, _, body = path.read_bytes().decode("utf-8", "replace").partition("\n")
        records.append(Record(path.relative_to(root).as_posix(), title.strip(), None, None, "bbc.co.uk", body))
    return records


def rt_english(root: Path) -> list[Record]:
    """rt-thesis-soros: clean-csv-eng/*.csv and clinton-duma.csv (date,title,content,URL; stray bytes replaced)."""
    records = []
    for path in [*sorted(root.glob("clean-csv-eng/*.csv")), root / "clinton-duma.csv"]:
        rows = csv.reader(io.StringIO(path.read_bytes().decode("utf-8", "replace")))
        next(rows)
        for n, (date, title, content, url) in enumerate(rows, 2):
            records.append(Record(f"{path.name}:{n}", title, _rt_date(date), url, "rt.com", content))
    return records


def fakenews(root: Path) -> list[Record]:
    """fakenewscorpus-sample/news_sample.csv: one row per article; the scrape day stands for the date."""
    with (root / "news_sample.csv").open(encoding="utf-8", newline="") as f:
        return [
            Record(
                f"news_sample.csv:{row['id']}",
                row["title"],
                row["scraped_at"][:10] or None,
                row["url"],
                urlsplit(row["url"]).hostname or row["domain"],
                row["content"],
            )
            for row in csv.DictReader(f)
        ]


def _rt_date(text: str) -> str | None:
    try:
        return dt.datetime.strptime(text.strip().rstrip(","), "%d %b, %Y").date().isoformat()
    except ValueError:
        return None
