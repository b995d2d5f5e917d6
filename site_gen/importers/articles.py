"""`site-gen import`: rows of CSV/JSONL files -> one article file per row, so the archive's source stays plain text.

Each usable row becomes a `.txt` file in the output folder:
- header-line format (`date YYYY-MM-DD URL`, title, body) when the row has a date and a URL and
  nothing else worth keeping;
- YAML front matter otherwise (title, date, url, source, tags, language, slug and every other
  non-empty column), with a plain-text body.
The file name is `DATE-SLUG-HASH.txt`, HASH being the start of the SHA-256 of the file's bytes:
the same row always gives the same name and bytes, so importing again adds nothing, and two
rows that would write the same article write it once. Every row is reported: written,
unchanged (already imported), duplicate (same article as an earlier row) or skipped, with why.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import re
import time
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

import yaml

from site_gen import progress
from site_gen.errors import SiteGenError
from site_gen.importers.tables import Format, Row, Table, read_table
from site_gen.ingest.read import KEY_ALIASES, KNOWN_KEYS
from site_gen.model import Message
from site_gen.slugs import slugify
from site_gen.urls import check_url

FIELDS = ("title", "body", "url", "date", "source", "tags", "language", "slug")
# Column names recognised without --map, in order of preference (compared case-insensitively).
AUTO_COLUMNS = {
    "title": ("title", "headline", "heading"),
    "body": ("content", "body", "text", "article", "full_text", "fulltext", "maintext"),
    "url": ("url", "link", "href", "uri", "permalink"),
    "date": ("date", "published", "published_at", "publish_date", "publication_date", "pubdate", "date_published"),
    "source": ("source", "outlet", "publisher"),
    "tags": ("tags", "categories", "category", "keywords"),
    "language": ("language", "lang"),
    "slug": ("slug",),
}
# Tried in order when no --date-format is given; numeric formats are day first (30 9 2019).
DATE_FORMATS = (
    "%d %b, %Y",
    "%d %b, %Y %H:%M",
    "%d %B, %Y",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d, %Y",
    "%B %d, %Y",
    "%d %m %Y",
    "%d.%m.%Y",
    "%Y/%m/%d",
)
ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z ]*)?$")
# Cells scrapers leave in place of a value they did not get ("Skipped - Title may be under different tag.").
PLACEHOLDER = re.compile(
    r"""skipped\b.{0,60}|none|null|nan|n/a|na|-|\[\]|\[''\]|\[""\]|\{\}""", re.IGNORECASE | re.DOTALL
)
RowStatus = Literal["written", "unchanged", "duplicate", "skipped"]
HASH_CHARS = 10
SLUG_CHARS = 50


@dataclass(slots=True)
class ImportOptions:
    format: Format | None = None
    """csv or jsonl; by default from the file name (.jsonl/.ndjson are JSONL, the rest CSV)."""
    mapping: dict[str, str] = field(default_factory=dict)
    """Article field -> column, overriding the automatic choice; an empty column unmaps the field."""
    delimiter: str | None = None
    date_format: str | None = None
    """strptime format for the date column; by default ISO dates and DATE_FORMATS are tried."""


@dataclass(slots=True)
class RowResult:
    file: str
    row: int
    line: int
    status: RowStatus
    path: str | None = None
    """The article file written for the row, relative to the output folder."""
    messages: list[Message] = field(default_factory=list)


@dataclass(slots=True)
class FileResult:
    path: str
    format: str
    encoding: str
    delimiter: str | None
    mapping: dict[str, str]
    extra_columns: list[str]
    messages: list[Message]
    counts: dict[str, int]


@dataclass(slots=True)
class ImportResult:
    output: str
    files: list[FileResult] = field(default_factory=list)
    rows: list[RowResult] = field(default_factory=list)
    seconds: float = 0.0

    def counts(self) -> dict[str, int]:
        counts = Counter(r.status for r in self.rows)
        return {
            "read": len(self.rows),
            **{s: counts.get(s, 0) for s in ("written", "unchanged", "duplicate", "skipped")},
        }

    def summary(self) -> str:
        c = self.counts()
        return (
            f"{c['read']:,} rows read from {len(self.files)} file(s): {c['written']:,} written, {c['unchanged']:,} "
            "unchanged, "
            f"{c['duplicate']:,} duplicate, {c['skipped']:,} skipped -> {self.output} in {self.seconds:.2f} s"
        )

    def report(self) -> dict[str, Any]:
        """JSON-ready import report: every row of every file exactly once."""
        return {
            "version": 1,
            "output": self.output,
            "counts": self.counts(),
            "seconds": round(self.seconds, 3),
            "files": [asdict(f) for f in self.files],
            "rows": [asdict(r) for r in self.rows],
        }


def import_files(paths: list[Path], output: Path, options: ImportOptions) -> ImportResult:
    """Import every row of every file into output/. Raises SiteGenError when a file cannot be read at all."""
    started = time.perf_counter()
    output.mkdir(parents=True, exist_ok=True)
    result = ImportResult(str(output))
    written: dict[str, RowResult] = {}
    for path in paths:
        table = read_table(path, options.format, options.delimiter)
        mapping = column_mapping(table.columns, options.mapping, str(path))
        extras = [c for c in table.columns if c not in mapping.values()]
        progress.expect(len(table.rows))
        rows = [
            progress.counted(_import_row(table, row, mapping, extras, options, output, written)) for row in table.rows
        ]
        result.rows.extend(rows)
        counts: Counter[str] = Counter(r.status for r in rows)
        result.files.append(
            FileResult(
                str(path), table.format, table.encoding, table.delimiter, mapping, extras, table.messages, dict(counts)
            )
        )
    result.seconds = time.perf_counter() - started
    return result


def column_mapping(columns: list[str], given: dict[str, str], path: str) -> dict[str, str]:
    """Article field -> column: --map first, then the AUTO_COLUMNS names. Title and body must be found."""
    by_name = {c.casefold(): c for c in reversed(columns)}
    mapping: dict[str, str] = {}
    for name in FIELDS:
        if name in given:
            if given[name] and given[name] not in columns:
                raise SiteGenError(f"--map {name}={given[name]}: no such column; the columns are {columns}", path)
            if given[name]:
                mapping[name] = given[name]
            continue
        found = next(
            (by_name[c] for c in AUTO_COLUMNS[name] if c in by_name and by_name[c] not in mapping.values()), None
        )
        if found:
            mapping[name] = found
    missing = [name for name in ("title", "body") if name not in mapping]
    if missing:
        raise SiteGenError(
            f"no column for {' and '.join(missing)}; name it with --map, e.g. --map title=headline,body=text "
            f"(columns: {columns})",
            path,
        )
    return mapping


def parse_date(value: str, date_format: str | None = None) -> dt.date | None:
    """A date from a cell: ISO, '25 Sep, 2019', '30 9 2019' and the other DATE_FORMATS; None when none fits."""
    text = " ".join(str(value).split()).strip(" ,;")
    if date_format:
        formats: tuple[str, ...] = (date_format,)
    else:
        match = ISO_DATE.match(text)
        if match:
            try:
                return dt.date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return None
        formats = DATE_FORMATS
    for fmt in formats:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None


def _import_row(
    table: Table,
    row: Row,
    mapping: dict[str, str],
    extras: list[str],
    options: ImportOptions,
    output: Path,
    written: dict[str, RowResult],
) -> RowResult:
    result = RowResult(table.path, row.number, row.line, "skipped")
    if row.problem:
        result.messages.append(Message("error", f"row {row.problem}", row.line))
        return result
    article, messages = _article_fields(row, mapping, extras, options)
    result.messages.extend(messages)
    if not article.get("body"):
        result.messages.append(Message("error", "no body text; not imported", row.line))
        return result
    if not article.get("title"):
        raw = str(row.values.get(mapping["title"]) or "").strip()
        why = f"the title cell holds the placeholder {raw!r}" if raw else "the title cell is empty"
        result.messages.append(Message("warning", f"no title ({why}); imported untitled", row.line))
        del article["title"]
    name, data = render_article(article)
    result.path = name
    if name in written:
        result.status = "duplicate"
        first = written[name]
        result.messages.append(
            Message("info", f"the same article as {first.file} row {first.row}; written once, as {name}")
        )
        return result
    written[name] = result
    result.status = _write(output / name, data, result)
    return result


def _article_fields(
    row: Row, mapping: dict[str, str], extras: list[str], options: ImportOptions
) -> tuple[dict[str, Any], list[Message]]:
    messages: list[Message] = []
    values = {name: row.values.get(column) for name, column in mapping.items()}
    article: dict[str, Any] = {
        "title": " ".join(_cell(values.get("title")).split()),
        "body": _body(values.get("body")),
    }
    if _cell(values.get("date")):
        date = parse_date(_cell(values["date"]), options.date_format)
        if date is None:
            how = (
                f"--date-format {options.date_format}"
                if options.date_format
                else "an ISO date or one of the formats in `site-gen import --help`"
            )
            messages.append(
                Message("warning", f"date {_cell(values['date'])!r} is not {how}; imported as undated", row.line)
            )
        article["date"] = date
    url = _cell(values.get("url"))
    if url:
        problem = check_url(url)
        if problem:
            messages.append(Message("warning", f"URL {url[:200]!r} {problem}; imported without it", row.line))
        else:
            article["url"] = url
    for name in ("source", "language", "slug"):
        if _cell(values.get(name)):
            article[name] = _cell(values[name])
    tags = _tags(values.get("tags"))
    if tags:
        article["tags"] = tags
    extra = {_extra_key(c): _extra_value(row.values[c]) for c in extras if _cell(row.values.get(c))}
    if extra:
        article["extra"] = extra
    replaced = sum(str(v).count("\ufffd") for v in row.values.values())
    if replaced:
        messages.append(
            Message("warning", f"{replaced:,} byte(s) not valid in the file's encoding, shown as U+FFFD", row.line)
        )
    return article, messages


def render_article(article: dict[str, Any]) -> tuple[str, bytes]:
    """(file name, bytes) for an article: header-line format when date and URL are all the metadata, else YAML."""
    date: dt.date | None = article.get("date")
    simple = date and article.get("url") and article.get("title") and set(article) <= {"title", "body", "date", "url"}
    if simple:
        assert date is not None  # simple is falsy without a date
        text = f"date {date.isoformat()} {article['url']}\n{article['title']}\n\n{article['body']}\n"
    else:
        meta = {k: v for k, v in article.items() if k not in ("body", "extra") and v is not None}
        meta.update(article.get("extra", {}))
        front = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1_000_000, default_flow_style=False)
        text = f"---\n{front}---\n{article['body']}\n"
    data = text.encode("utf-8")
    digest = hashlib.sha256(data).hexdigest()[:HASH_CHARS]
    slug = slugify(article.get("title", ""), fallback="untitled", max_length=SLUG_CHARS)
    return f"{date.isoformat() if date else 'undated'}-{slug}-{digest}.txt", data


def _write(path: Path, data: bytes, result: RowResult) -> RowStatus:
    """Write unless the same bytes are there; never overwrite a file that differs (edited by hand?)."""
    try:
        existing = path.read_bytes()
    except FileNotFoundError:
        existing = None
    if existing == data:
        result.messages.append(Message("info", "already imported; the file is unchanged"))
        return "unchanged"
    if existing is not None:
        result.messages.append(
            Message(
                "error",
                f"{path.name} exists with other content (edited by hand?); left as it is, row not imported (delete "
                "the file to import it again)",
            )
        )
        return "skipped"
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return "written"


def _cell(value: Any) -> str:
    """A cell as text; placeholders and JSON nulls count as empty."""
    if value is None:
        return ""
    text = str(value).strip()
    return "" if PLACEHOLDER.fullmatch(text) else text


def _body(value: Any) -> str:
    lines = [line.rstrip() for line in _cell(value).replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


def _tags(value: Any) -> list[str]:
    items = value if isinstance(value, list) else _cell(value).split(",")
    return [" ".join(str(t).split()) for t in items if _cell(t)]


def _extra_key(column: str) -> str:
    """Columns named like a front-matter key the reader interprets are kept under another name."""
    key = column.strip().lower()
    return f"original_{column.strip()}" if key in KNOWN_KEYS or key in KEY_ALIASES else column.strip()


def _extra_value(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value
