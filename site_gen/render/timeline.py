"""Articles per month (per day within one month, per year over decades) as a small static SVG chart.

Drawn at build time, so it needs no JavaScript. Geometry and font sizes are SVG presentation
attributes and colours come from classes in style.css (the page CSP forbids style attributes),
so the chart follows the light and dark themes. Each bar with articles links to the page that
lists them (relative links, like every link in the site) and carries its count as an accessible
name; the figure's caption says what the chart shows in words.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

from site_gen.model import Article

MAX_MONTHS = 240
"""Beyond twenty years of months the bars get too thin: the chart counts per year instead."""
PLOT_HEIGHT = 72
TOP, LEFT, LABEL_ROW = 14, 30, 15
TARGET_WIDTH = 720
"""Natural width in px the bars are spread over; CSS scales the chart down to narrow screens."""
MIN_STEP, MAX_STEP = 5, 36


@dataclass(slots=True, frozen=True)
class Bar:
    label: str
    """What the bar counts, in words: 'March 2025', '14 March 2025', '2004'."""
    count: int
    href: str | None
    """Site path of the page listing these articles, or None (days have no pages of their own)."""
    tick: str = ""
    """Axis label under the bar, if any."""
    group: str = ""
    """Second axis row (the year under a run of months), written where it changes."""


@dataclass(slots=True, frozen=True)
class Chart:
    unit: str
    """month, day or year: what one bar counts."""
    bars: list[Bar]
    total: int
    """Dated articles charted."""
    undated: int
    """Articles of the listing that have no date and so are not in the chart."""

    @property
    def span(self) -> str:
        return self.bars[0].label if len(self.bars) == 1 else f"{self.bars[0].label} to {self.bars[-1].label}"

    @property
    def busiest(self) -> Bar:
        return max(self.bars, key=lambda b: b.count)

    def caption(self) -> str:
        """The chart in words: its text alternative."""
        busiest = self.busiest
        text = f"Articles per {self.unit}, {self.span}: {self.total:,} dated article{'s' if self.total != 1 else ''}"
        if busiest.count > min(b.count for b in self.bars if b.count):
            text += f"; the busiest {self.unit} is {busiest.label} with {busiest.count:,}"
        text += "."
        if self.undated:
            text += f" {self.undated:,} undated article{' is' if self.undated == 1 else 's are'} not shown."
        return text


def chart(
    articles: Sequence[Article], *, year: int | None = None, month: tuple[int, int] | None = None
) -> Chart | None:
    """The chart for a listing: its whole span by month, or one year by month, or one month by day.

    None when no article of the listing has a date.
    """
    dates = [a.date for a in articles if a.date is not None]
    undated = len(articles) - len(dates)
    if month is not None:
        dates = [d for d in dates if (d.year, d.month) == month]
        return Chart("day", _days(dates, *month, link=False), len(dates), undated) if dates else None
    if year is not None:
        dates = [d for d in dates if d.year == year]
        return Chart("month", _months(dates, (year, 1), (year, 12)), len(dates), undated) if dates else None
    if not dates:
        return None
    first, last = min(dates), max(dates)
    months = (last.year - first.year) * 12 + last.month - first.month + 1
    if months == 1:
        return Chart("day", _days(dates, first.year, first.month, link=True), len(dates), undated)
    if months > MAX_MONTHS:
        return Chart("year", _years(dates, first.year, last.year), len(dates), undated)
    return Chart("month", _months(dates, (first.year, first.month), (last.year, last.month)), len(dates), undated)


def month_path(year: int, month: int) -> str:
    return f"archive/{year:04d}/{month:02d}/index.html"


def _months(dates: list[dt.date], first: tuple[int, int], last: tuple[int, int]) -> list[Bar]:
    counts = Counter((d.year, d.month) for d in dates)
    bars: list[Bar] = []
    year, month = first
    few = (last[0] - first[0]) * 12 + last[1] - first[1] < 18
    while (year, month) <= last:
        n = counts[(year, month)]
        tick = calendar.month_abbr[month] if few else ""
        group = str(year) if month == 1 or not bars else ""
        bars.append(Bar(f"{calendar.month_name[month]} {year}", n, month_path(year, month) if n else None, tick, group))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return bars


def _days(dates: list[dt.date], year: int, month: int, *, link: bool) -> list[Bar]:
    counts = Counter(d.day for d in dates)
    last = calendar.monthrange(year, month)[1]
    name = f"{calendar.month_name[month]} {year}"
    return [
        Bar(
            f"{day} {name}",
            counts[day],
            month_path(year, month) if link and counts[day] else None,
            str(day) if day == 1 or day % 5 == 0 else "",
        )
        for day in range(1, last + 1)
    ]


def _years(dates: list[dt.date], first: int, last: int) -> list[Bar]:
    counts = Counter(d.year for d in dates)
    every = 10 if last - first > 50 else 5
    return [
        Bar(str(y), counts[y], f"archive/{y:04d}/index.html" if counts[y] else None, str(y) if y % every == 0 else "")
        for y in range(first, last + 1)
    ]


def svg(chart: Chart, root: str) -> Markup:
    """The chart as a <figure> holding an inline SVG and its caption; root prefixes every link."""
    step = max(MIN_STEP, min(MAX_STEP, TARGET_WIDTH // len(chart.bars)))
    rows = 2 if any(b.tick for b in chart.bars) and any(b.group for b in chart.bars) else 1
    width, height = LEFT + step * len(chart.bars) + 4, TOP + PLOT_HEIGHT + 4 + LABEL_ROW * rows
    peak = chart.busiest.count
    base = TOP + PLOT_HEIGHT
    caption = chart.caption()
    linked = any(b.href for b in chart.bars)
    # Without links the chart is one image (named by its caption); with links each bar is a named link.
    role = ' role="group"' if linked else ' role="img"'
    parts = [
        f'<figure class="timeline"><svg class="timeline-chart" width="{width}" height="{height}" viewBox="0 0 '
        f'{width} {height}"'
        f'{role} aria-label="{escape(caption)}" xmlns="http://www.w3.org/2000/svg">',
        f'<line class="tl-axis" x1="{LEFT}" y1="{base + 0.5}" x2="{width - 2}" y2="{base + 0.5}" '
        'stroke="currentColor" stroke-width="1"/>',
        f'<text class="tl-label" x="{LEFT - 4}" y="{TOP + 4}" text-anchor="end" font-size="10" '
        f'aria-hidden="true">{peak:,}</text>',
        f'<text class="tl-label" x="{LEFT - 4}" y="{base}" text-anchor="end" font-size="10" '
        'aria-hidden="true">0</text>',
    ]
    for i, bar in enumerate(chart.bars):
        x = LEFT + i * step
        parts.append(_bar(bar, x, step, peak, root))
        if bar.tick:
            parts.append(
                f'<text class="tl-label" x="{x + step / 2:g}" y="{base + LABEL_ROW}" text-anchor="middle" '
                f'font-size="10" aria-hidden="true">{escape(bar.tick)}</text>'
            )
        if bar.group and (rows == 2 or not bar.tick):
            parts.append(
                f'<text class="tl-label tl-group" x="{x:g}" y="{base + LABEL_ROW * rows}" font-size="10" '
                f'aria-hidden="true">{escape(bar.group)}</text>'
            )
    parts.append(f'</svg>\n<figcaption class="timeline-caption">{escape(caption)}</figcaption></figure>\n')
    return Markup("\n".join(p for p in parts if p))


def _bar(bar: Bar, x: int, step: int, peak: int, root: str) -> str:
    if not bar.count:
        return ""
    height = max(1.5, PLOT_HEIGHT * bar.count / peak)
    gap = 1 if step < 8 else 2
    label = f"{bar.label}: {bar.count:,} article{'s' if bar.count != 1 else ''}"
    rect = (
        f'<rect class="tl-bar" x="{x + gap / 2:g}" y="{TOP + PLOT_HEIGHT - height:.1f}" width="{step - gap}" '
        f'height="{height:.1f}" fill="currentColor"/>'
    )
    if bar.href is None:
        return f"<g><title>{escape(label)}</title>{rect}</g>"
    hit = f'<rect class="tl-hit" x="{x}" y="{TOP}" width="{step}" height="{PLOT_HEIGHT}" fill="transparent"/>'
    return (
        f'<a href="{escape(root + bar.href)}" '
        f'aria-label="{escape(label)}"><title>{escape(label)}</title>{hit}{rect}</a>'
    )
