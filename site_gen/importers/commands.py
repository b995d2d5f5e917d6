"""Command line for `site-gen import` and `site-gen sources import` (registered by cli.py)."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from site_gen import progress
from site_gen.config import find_config, load_config
from site_gen.errors import SiteGenError, located
from site_gen.importers.articles import DATE_FORMATS, FIELDS, ImportOptions, import_files
from site_gen.importers.labels import import_labels

MAX_PRINTED_WARNINGS = 10


def add_commands(commands: Any) -> None:
    """Add `import` and `sources import` to the site-gen subcommands."""
    formats = ", ".join(f"'{f}'" for f in DATE_FORMATS).replace("%", "%%")
    p = commands.add_parser(
        "import",
        help="turn rows of CSV/JSONL files into article files",
        description="Write one article file per row (header-line format when the row has a date and URL only, "
        "else YAML front matter); importing again adds nothing. Every skipped row is reported with why.",
        epilog=f"Dates: ISO (2019-09-25) or, without --date-format, one of {formats}.",
    )
    p.add_argument("files", nargs="+", type=Path, metavar="FILE", help="CSV or JSONL file(s)")
    p.add_argument(
        "-o",
        "--output",
        type=Path,
        required=True,
        metavar="DIR",
        help="folder for the article files, e.g. content/imported/",
    )
    p.add_argument("--format", choices=["csv", "jsonl"], help="default: jsonl for .jsonl/.ndjson files, else csv")
    p.add_argument(
        "--map",
        type=_mapping,
        default={},
        metavar="FIELD=COL,...",
        help=f"columns for {', '.join(FIELDS)} (FIELD= unmaps one); "
        "default: columns named title, content/body/text, url/link, date, ...",
    )
    p.add_argument(
        "--delimiter", metavar="X", help="CSV field separator (default: read from the header line: , ; tab | *)"
    )
    p.add_argument("--date-format", metavar="FMT", help="strptime format of the date column, e.g. '%%m/%%d/%%Y'")
    p.add_argument("--report", type=Path, metavar="FILE", help="write the JSON import report (every row) here")
    p.add_argument("-q", "--quiet", action="store_true", help=progress.QUIET_HELP)
    p.set_defaults(run=_import)

    sources = commands.add_parser("sources", help="manage the source registry (sources.yaml)")
    sub = sources.add_subparsers(dest="sources_command", metavar="ACTION", required=True)
    s = sub.add_parser("import", help="merge a table of outlet labels (e.g. websites.csv) into sources.yaml as tags")
    s.add_argument(
        "table",
        type=Path,
        metavar="TABLE",
        help="CSV with a domain column (url/domain) and label columns (type, 2nd_type, 3rd_type)",
    )
    s.add_argument(
        "--config", type=Path, metavar="FILE", help="site.yaml whose registry to update (default: ./site.yaml)"
    )
    s.add_argument(
        "--registry",
        type=Path,
        metavar="FILE",
        help="the registry file itself (default: the config's sources, sources.yaml beside it)",
    )
    s.add_argument(
        "--labels",
        type=lambda v: [c.strip() for c in v.split(",") if c.strip()],
        metavar="COL,...",
        help="label columns (default: type, 2nd_type, 3rd_type)",
    )
    s.set_defaults(run=_sources_import)


def _mapping(value: str) -> dict[str, str]:
    mapping = {}
    for item in value.split(","):
        field, sep, column = item.partition("=")
        field = field.strip().lower()
        if not sep or field not in FIELDS:
            raise argparse.ArgumentTypeError(f"{item!r}: expected FIELD=COLUMN with FIELD one of {', '.join(FIELDS)}")
        mapping[field] = column.strip()
    return mapping


def _import(args: argparse.Namespace) -> int:
    if args.delimiter is not None and len(args.delimiter.replace("\\t", "\t")) != 1:
        raise SiteGenError(f"--delimiter must be one character, not {args.delimiter!r}")
    delimiter = args.delimiter.replace("\\t", "\t") if args.delimiter else None
    options = ImportOptions(args.format, args.map, delimiter, args.date_format)
    with progress.on_stderr(args.quiet) as shown, shown.stage("import", "rows"):
        result = import_files(args.files, args.output, options)
    for file in result.files:
        for message in file.messages:
            if message.level != "info":
                print(f"{message.level}: {located(file.path, None, message.message)}", file=sys.stderr)
    warnings = 0
    for row in result.rows:
        for message in row.messages:
            text = located(row.file, row.line, f"row {row.row}: {message.message}")
            if row.status == "skipped" and message.level == "error":
                print(f"skipped: {text}", file=sys.stderr)
            elif message.level == "warning":
                warnings += 1
                if warnings <= MAX_PRINTED_WARNINGS:
                    print(f"warning: {text}", file=sys.stderr)
    if warnings > MAX_PRINTED_WARNINGS:
        more = "; --report FILE lists every one" if not args.report else f"; all in {args.report}"
        print(f"warning: ... and {warnings - MAX_PRINTED_WARNINGS:,} more warnings{more}", file=sys.stderr)
    if args.report:
        args.report.parent.mkdir(parents=True, exist_ok=True)
        args.report.write_text(json.dumps(result.report(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"site-gen import: {result.summary()}")
    return 0


def _sources_import(args: argparse.Namespace) -> int:
    registry = args.registry
    if registry is None:
        config = load_config(args.config or find_config(Path.cwd()), cwd=Path.cwd())
        registry = config.sources or config.root / "sources.yaml"
    result = import_labels(args.table, registry, args.labels)
    for row in result.rows:
        if row.status in ("skipped", "hand-written"):
            text = located(str(args.table), row.line, f"row {row.row}: {row.domain}: {row.message}")
            print(f"{row.status}: {text}", file=sys.stderr)
    print(f"site-gen sources import: {result.summary()}")
    return 0
