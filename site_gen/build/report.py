"""The JSON build report (version 1): every input file exactly once, with its fate."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from site_gen.model import Archive, Article, InputEntry, Message

REPORT_VERSION = 1


def build_report(
    inputs: list[InputEntry], archive: Archive, stats: dict[str, Any], *, articles: bool = True
) -> dict[str, Any]:
    """The report; articles=False leaves out the per-article section (large, and only wanted in a report file)."""
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "inputs": [_input(entry) for entry in sorted(inputs, key=lambda e: e.path)],
        "articles": [_article(a) for a in archive.articles] if articles else None,
        "errors": [
            {"path": e.path, "line": m.line, "message": m.message}
            for e in sorted(inputs, key=lambda e: e.path)
            for m in e.messages
            if m.level == "error"
        ],
        "stats": stats,  # last: splice_stats() relies on it
    }
    if not articles:
        del report["articles"]
    return report


def splice_stats(written: bytes, stats: dict[str, Any]) -> bytes:
    """A report file as write_report() wrote it, with its stats (the last key) replaced."""
    at = written.rindex(b',"stats":')
    return (
        written[:at]
        + b',"stats":'
        + json.dumps(stats, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        + b"}\n"
    )


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


def write_report(path: Path, report: dict[str, Any] | bytes) -> bytes:
    """Write the report as compact JSON (json's C encoder is used only without indent: several times
    faster on a large archive), or bytes already made; returns what was written."""
    data = (
        report
        if isinstance(report, bytes)
        else (json.dumps(report, ensure_ascii=False, separators=(",", ":")) + "\n").encode("utf-8")
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_bytes(data)
    tmp.replace(path)
    return data
