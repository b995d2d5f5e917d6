"""`site-gen sources import TABLE`: outlet labels from a table (FakeNewsCorpus websites.csv) into sources.yaml.

Hand-written entries are never touched: the labels go, as `tags`, into one generated block at the
end of the site's sources.yaml, between two marker comments, which each import rewrites
(labels already in the block are kept, new ones added, everything sorted, so importing the same
table again changes nothing). A domain that already has a hand-written entry keeps it as it is;
the report says which labels were not added there. Every row of the table is reported.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_gen.errors import SiteGenError
from site_gen.importers.tables import read_table
from site_gen.ingest.sources import parse_registry
from site_gen.urls import check_url

BEGIN = "# >>> site-gen sources import: generated block; each import rewrites it. Edit entries above this line. >>>"
END = "# <<< end of site-gen sources import <<<"
NEW_FILE = "# Source registry of this site: registrable domain -> outlet (name, country, language, kind, tags, ...).\n"
DOMAIN_COLUMNS = ("domain", "url", "site", "host", "website")
LABEL_COLUMNS = ("type", "2nd_type", "3rd_type", "label", "labels")
_BLOCK = re.compile(rf"\n?{re.escape(BEGIN)}\n(?P<body>.*?){re.escape(END)}\n?", re.DOTALL)


@dataclass(slots=True)
class LabelRow:
    row: int
    line: int
    domain: str
    status: str
    """added, updated, unchanged, hand-written (left as it is) or skipped."""
    message: str = ""


@dataclass(slots=True)
class LabelImport:
    registry: str
    rows: list[LabelRow] = field(default_factory=list)
    changed: bool = False

    def summary(self) -> str:
        counts = Counter(r.status for r in self.rows)
        parts = ", ".join(f"{counts[s]:,} {s}" for s in ("added", "updated", "unchanged", "hand-written", "skipped"))
        return f"{len(self.rows):,} rows: {parts} -> {self.registry}{'' if self.changed else ' (no change)'}"


def import_labels(table_path: Path, registry_path: Path, label_columns: list[str] | None = None) -> LabelImport:
    """Merge the table's labels into registry_path (created when missing)."""
    table = read_table(table_path)
    domain_column = next((c for c in table.columns if c.casefold() in DOMAIN_COLUMNS), None)
    labels = label_columns or [c for c in table.columns if c.casefold() in LABEL_COLUMNS]
    if domain_column is None or not labels:
        raise SiteGenError(
            f"needs a domain column ({', '.join(DOMAIN_COLUMNS)}) and label columns ({', '.join(LABEL_COLUMNS)}); "
            f"found {table.columns}",
            str(table_path),
        )
    text = registry_path.read_text(encoding="utf-8") if registry_path.exists() else NEW_FILE
    hand_text, generated = _split(text, str(registry_path))
    hand = parse_registry(hand_text, str(registry_path))
    result = LabelImport(str(registry_path))
    for row in table.rows:
        result.rows.append(
            _merge_row(
                row.number,
                row.line,
                row.problem,
                row.values.get(domain_column, ""),
                [row.values.get(c) for c in labels],
                hand,
                generated,
            )
        )
    new_text = _join(hand_text, generated)
    parse_registry(new_text, str(registry_path))  # never write a registry the build would refuse
    if new_text != text:
        registry_path.write_text(new_text, encoding="utf-8")
        result.changed = True
    return result


def _merge_row(
    number: int,
    line: int,
    problem: str | None,
    cell: Any,
    values: list[Any],
    hand: dict[str, Any],
    generated: dict[str, dict[str, Any]],
) -> LabelRow:
    domain, why = _domain(str(cell or ""))
    if problem or why:
        return LabelRow(number, line, domain, "skipped", f"row {problem}" if problem else why)
    labels = list(dict.fromkeys(" ".join(str(v).split()) for v in values if v and str(v).strip()))
    if not labels:
        return LabelRow(number, line, domain, "skipped", "no labels in this row")
    if domain in hand:
        return LabelRow(
            number,
            line,
            domain,
            "hand-written",
            f"has a hand-written entry, left as it is; labels not added: {', '.join(labels)}",
        )
    entry = generated.setdefault(domain, {})
    tags = list(entry.get("tags") or [])
    status = "updated" if tags else "added"
    new = [label for label in labels if label not in tags]
    if not new:
        return LabelRow(number, line, domain, "unchanged")
    entry["tags"] = tags + new
    return LabelRow(number, line, domain, status, f"tags: {', '.join(entry['tags'])}")


def _domain(cell: str) -> tuple[str, str]:
    """(host, why it cannot be used or '')."""
    text = cell.strip().lower()
    text = re.sub(r"^[a-z]+://", "", text).rstrip("/").removeprefix("www.")
    if not text:
        return "", "no domain in this row"
    if "/" in text:
        return text, f"labels a section of a site ({text}); the registry describes whole hosts, so it was not added"
    problem = check_url(f"http://{text}/")
    return text, f"'{text}' is not a host name ({problem})" if problem else ""


def _split(text: str, path: str) -> tuple[str, dict[str, dict[str, Any]]]:
    """(hand-written text, entries of the generated block)."""
    match = _BLOCK.search(text)
    if not match:
        return text, {}
    generated = yaml.safe_load(match["body"]) or {}
    if not isinstance(generated, dict):
        raise SiteGenError(
            "the generated block of the registry is damaged; delete it (between its two marker lines) and import again",
            path,
        )
    return text[: match.start()] + "\n" + text[match.end() :], generated


def _join(hand_text: str, generated: dict[str, dict[str, Any]]) -> str:
    if not generated:
        return hand_text
    body = yaml.safe_dump(
        dict(sorted(generated.items())), allow_unicode=True, sort_keys=True, default_flow_style=None, width=1_000_000
    )
    return f"{hand_text.rstrip()}\n\n{BEGIN}\n{body}{END}\n"
