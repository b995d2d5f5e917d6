"""The JSON build report (version 1): every input file exactly once, with its fate."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from json.encoder import encode_basestring  # the C string encoder json.dumps uses
from pathlib import Path
from typing import Any

from site_gen.model import Article, InputEntry, Message

REPORT_VERSION = 1
ARTICLES = b',"articles":[\n'
"""Where the articles section of a report file starts (report_file()); its lines are separated by ",\\n"."""
END = b'\n],"stats":'


@dataclass(slots=True)
class ReportParts:
    """What the report is made of besides its stats, made while the pages render (at 100,000 files each took
    0.13-0.25 s of the main process's path after them): the inputs and errors sections, and for a report file
    its head (those as JSON) and its articles section (the lines of article_lines(), joined by ",\n")."""

    sections: dict[str, Any] = field(default_factory=dict)
    head: bytes = b""
    articles: bytes = b""


def report_parts(inputs: list[InputEntry], lines: list[bytes] | None = None) -> ReportParts:
    """The parts of the report of these inputs; with the articles' lines, the report file's too."""
    ordered = sorted(inputs, key=lambda e: e.path)
    sections = {
        "inputs": [_input(entry) for entry in ordered],
        "errors": [
            {"path": e.path, "line": m.line, "message": m.message}
            for e in ordered
            for m in e.messages
            if m.level == "error"
        ],
    }
    if lines is None:
        return ReportParts(sections)
    return ReportParts(sections, _dumps({"version": REPORT_VERSION, **sections})[:-1], b",\n".join(lines))


def build_report(parts: ReportParts, stats: dict[str, Any]) -> dict[str, Any]:
    """The report without its articles section, which only the report file holds (report_file()): at 100,000
    articles it is most of the report, and a build keeps the rest (the state keeps it too)."""
    return {"version": REPORT_VERSION, **parts.sections, "stats": stats}  # stats last: splice_stats() relies on it


def report_file(parts: ReportParts, stats: dict[str, Any]) -> list[bytes]:
    """The report file, in pieces for write_report() (joining them copied the whole file: 0.2 s at 100,000
    articles): the head, the articles section (one article per line, so that the next build can take those of
    the articles it kept), then the stats."""
    return [parts.head, ARTICLES, parts.articles, END, _dumps(stats), b"}\n"]


def article_lines(articles: list[Article], last: list[Article] | None = None, written: bytes = b"") -> list[bytes]:
    """Each article's line of the report file. last: the last build's articles, and written: the report file
    made of them. An article that is one of them (the same object: a build that reuses the last archive keeps
    the articles it does not change as they were) takes its line from there."""
    kept = _lines(written, len(last)) if last is not None else None
    at = {id(article): i for i, article in enumerate(last)} if last is not None and kept is not None else {}
    lines = []
    for article in articles:
        i = at.get(id(article))
        line = kept[i] if kept is not None and i is not None else b""
        lines.append(line if line.startswith(_line_start(article)) else _dumps(_article(article)))
    return lines


def _lines(written: bytes, count: int) -> list[bytes] | None:
    """The article lines of a report file made by report_file() (None when it holds another number of them)."""
    start, end = written.find(ARTICLES), written.rfind(END)
    if start < 0 or end < start:
        return None
    section = written[start + len(ARTICLES) : end]
    lines = section.split(b",\n") if section else []  # JSON text holds no newline but these
    return lines if len(lines) == count else None


def _line_start(article: Article) -> bytes:
    return b'{"id":' + encode_basestring(article.id).encode("utf-8") + b","


def _dumps(value: Any) -> bytes:
    """Compact JSON (json's C encoder is used only without indent: several times faster on a large archive)."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def splice_stats(written: bytes, stats: dict[str, Any]) -> list[bytes | memoryview]:
    """A report file as write_report() wrote it, with its stats (the last key) replaced: in pieces, for
    write_report(), since joining them copied the whole file twice (0.2 s at 100,000 articles)."""
    at = written.rindex(b',"stats":')
    return [memoryview(written)[:at], b',"stats":' + _dumps(stats) + b"}\n"]


def entries_from_report(report: dict[str, Any]) -> list[InputEntry]:
    """The inputs of a stored report, for a build that found nothing changed (articles not loaded)."""
    return [InputEntry(e["path"], e["status"], [Message(**m) for m in e["messages"]]) for e in report["inputs"]]


def _input(entry: InputEntry) -> dict[str, Any]:
    return {
        "path": entry.path,
        "status": entry.status,
        "article_id": entry.article.id if entry.article else None,
        "messages": [{"level": m.level, "message": m.message, "line": m.line} for m in entry.messages],
    }


def _article(article: Article) -> dict[str, Any]:
    return {
        "id": article.id,
        "title": article.title,
        "url": article.url,
        "outlet": article.outlet.name if article.outlet else None,
        "outlet_key": article.outlet.key if article.outlet else None,
        "date": article.date.isoformat() if article.date else None,
        "language": article.language,
        "tags": article.tags,
        "permalink": article.permalink,
        "source_paths": [s.path for s in article.sources],
        "sha256": [s.sha256 for s in article.sources],
        "duplicates": [
            {
                "path": d.path,
                "url": d.url,
                "reason": d.reason,
                "score": d.score,
                "permalink": d.permalink,
                "date": d.date.isoformat() if d.date else None,
                "title": d.title,
                "outlet": d.outlet,
                "containment": d.containment,
                "only_here": d.only_here,
            }
            for d in article.duplicates
        ],
        "removed": [
            {"kind": r.kind, "count": r.count, "detail": r.detail, "samples": r.samples} for r in article.removed
        ],
    }


def write_report(path: Path, report: dict[str, Any] | bytes | Sequence[bytes | memoryview]) -> bytes:
    """Write the report (a report_file(), its pieces, or a dict as compact JSON) atomically; returns what was
    written when it was given whole (b"" for pieces)."""
    data = _dumps(report) + b"\n" if isinstance(report, dict) else report
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as handle:
        handle.writelines([data] if isinstance(data, bytes) else data)
    tmp.replace(path)
    return data if isinstance(data, bytes) else b""
