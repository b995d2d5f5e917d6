"""Rows of a CSV or JSONL file, each with the line it starts on, whatever the file's dirt.

Bytes are decoded like article files (decode.py: BOM, UTF-8, UTF-8 with stray bytes replaced
and reported, else a detected code page). CSV fields may be quoted and span lines (RFC 4180);
the delimiter is read from the header line unless given. A malformed row is returned with the
reason it cannot be used, so the caller can report it instead of losing it.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from site_gen.errors import SiteGenError
from site_gen.ingest.decode import decode
from site_gen.model import Message

Format = Literal["csv", "jsonl"]
DELIMITERS = [",", ";", "\t", "|", "*"]
JSONL_SUFFIXES = {".jsonl", ".ndjson"}
MAX_TABLE_BYTES = 2 * 1024 * 1024 * 1024
csv.field_size_limit(64 * 1024 * 1024)  # one article body can be long; the default (128 kB) is not enough


@dataclass(slots=True)
class Row:
    """One record of a table."""

    number: int
    """1-based record number, not counting the CSV header."""
    line: int
    """Line of the file where the record starts."""
    values: dict[str, Any]
    """Column name -> value (strings for CSV, any JSON value for JSONL)."""
    problem: str | None = None
    """Why the record cannot be used as it is (wrong number of fields, not a JSON object...)."""


@dataclass(slots=True)
class Table:
    path: str
    format: Format
    encoding: str
    columns: list[str]
    """Named columns in file order (CSV header; JSONL: keys in order of first appearance)."""
    rows: list[Row]
    delimiter: str | None = None
    messages: list[Message] = field(default_factory=list)
    """File-level remarks: undecodable bytes, unnamed columns ignored."""


def read_table(path: Path, format: Format | None = None, delimiter: str | None = None) -> Table:
    """Read every record of a CSV or JSONL file. Raises SiteGenError (naming the file) when it cannot be read at all."""
    shown = str(path)
    try:
        if path.stat().st_size > MAX_TABLE_BYTES:
            raise SiteGenError(f"the file is over the {MAX_TABLE_BYTES:,}-byte limit for one table", shown)
        data = path.read_bytes()
    except OSError as exc:
        raise SiteGenError(f"cannot read the file: {exc.strerror}", shown) from exc
    if not data.strip():
        raise SiteGenError("the file is empty: no header, no rows", shown)
    text, encoding, messages = decode(data, shown)
    kind: Format = format or ("jsonl" if path.suffix.lower() in JSONL_SUFFIXES else "csv")
    if kind == "jsonl":
        return _read_jsonl(text, shown, encoding, messages)
    return _read_csv(text, shown, encoding, messages, delimiter)


def sniff_delimiter(header: str) -> str:
    """The candidate that occurs most often in the header line (',' when none does)."""
    counts = {d: header.count(d) for d in DELIMITERS}
    best = max(DELIMITERS, key=lambda d: counts[d])
    return best if counts[best] else ","


def _read_csv(text: str, path: str, encoding: str, messages: list[Message], delimiter: str | None) -> Table:
    delimiter = delimiter or sniff_delimiter(text.split("\n", 1)[0])
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        header = next(reader)
    except (StopIteration, csv.Error) as exc:
        raise SiteGenError(f"cannot read the CSV header: {exc}", path, 1) from exc
    names = [name.strip() for name in header]
    for i, name in enumerate(names):
        if not name:
            messages.append(Message("info", f"column {i + 1} has no name (a pandas index?); ignored", 1))
    table = Table(path, "csv", encoding, [n for n in names if n], [], delimiter, messages)
    start = reader.line_num + 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            table.rows.append(
                Row(
                    len(table.rows) + 1,
                    start,
                    {},
                    f"the CSV cannot be read from here on ({exc}); the rest of the file was not imported",
                )
            )
            break
        if cells:  # blank lines are not records
            table.rows.append(_csv_row(len(table.rows) + 1, start, names, cells))
        start = reader.line_num + 1
    return table


def _csv_row(number: int, line: int, names: list[str], cells: list[str]) -> Row:
    values = {name: cell for name, cell in zip(names, cells) if name}
    problem = None
    if len(cells) > len(names) and any(c.strip() for c in cells[len(names) :]):
        problem = f"has {len(cells)} fields but the header names {len(names)} (an unquoted delimiter in a field?)"
    elif len(cells) < len(names):
        problem = f"has {len(cells)} field(s) but the header names {len(names)}"
    return Row(number, line, values, problem)


def _read_jsonl(text: str, path: str, encoding: str, messages: list[Message]) -> Table:
    table = Table(path, "jsonl", encoding, [], [], None, messages)
    seen: dict[str, None] = {}
    for line_no, line in enumerate(text.split("\n"), 1):
        if not line.strip():
            continue
        number = len(table.rows) + 1
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            table.rows.append(Row(number, line_no, {}, f"is not valid JSON ({exc.msg} at column {exc.colno})"))
            continue
        if not isinstance(value, dict):
            table.rows.append(Row(number, line_no, {}, f"is a JSON {type(value).__name__}, not an object of fields"))
            continue
        values = {str(k): v for k, v in value.items()}
        seen.update(dict.fromkeys(values))
        table.rows.append(Row(number, line_no, values))
    table.columns = list(seen)
    return table
