"""`site-gen search`: whoosh results printed for a person (or as JSON)."""

from __future__ import annotations

import argparse
import calendar
import datetime as dt
import html
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from site_gen.config import SiteConfig


def date_bound(*, end: bool) -> Callable[[str], dt.date]:
    """argparse type for --from/--to: YYYY, YYYY-MM or YYYY-MM-DD; a year or month means its first or last day."""

    def parse(text: str) -> dt.date:
        parts = text.split("-")
        try:
            numbers = [int(p) for p in parts]
            if len(numbers) == 1:
                return dt.date(numbers[0], 12, 31) if end else dt.date(numbers[0], 1, 1)
            if len(numbers) == 2:
                year, month = numbers
                return dt.date(year, month, calendar.monthrange(year, month)[1] if end else 1)
            if len(numbers) == 3:
                return dt.date(*numbers)
        except ValueError:
            pass
        raise argparse.ArgumentTypeError(f"{text!r} is not a date (use YYYY, YYYY-MM or YYYY-MM-DD)")

    return parse


def run(config: SiteConfig, args: argparse.Namespace) -> int:
    from site_gen.search.index import query  # whoosh: loaded by the commands that search, not by every command line

    results = query(
        config,
        args.query,
        outlet=args.outlet,
        tag=args.tag,
        date_from=args.date_from,
        date_to=args.date_to,
        language=args.lang,
        limit=args.limit,
    )
    if args.json:
        print(json.dumps(results, ensure_ascii=False, indent=2))
        return 0
    if not results:
        print(f"No results for {args.query!r}.")
        return 0
    color = sys.stdout.isatty() and "NO_COLOR" not in os.environ
    for result in results:
        print(_format(result, color))
    return 0


def _format(result: dict[str, Any], color: bool) -> str:
    bold, off = ("\033[1m", "\033[0m") if color else ("", "")
    start, end = ("\033[1;33m", "\033[0m") if color else ("[", "]")
    lines = [
        f"{result['rank']:>3}. {bold}{result['title']}{off}",
        f"     {result['date'] or 'undated'} · {result['outlet_name'] or 'unknown outlet'} · {result['permalink']}",
    ]
    if result["snippet_html"]:
        lines.append("     " + html.unescape(result["snippet_html"].replace("<mark>", start).replace("</mark>", end)))
    return "\n".join(lines) + "\n"
