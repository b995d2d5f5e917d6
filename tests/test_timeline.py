"""The static SVG timelines: which bars, which links, valid SVG within the page CSP, and where they appear."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

from site_gen.model import Article, SourceFile
from site_gen.render import timeline

SVG = "{http://www.w3.org/2000/svg}"


def dated(*dates: str | None) -> list[Article]:
    return [
        Article(
            str(i),
            "t",
            dt.date.fromisoformat(d) if d else None,
            None,
            [],
            "text",
            [SourceFile("x", "0", 0, "utf-8")],
            "bare",
        )
        for i, d in enumerate(dates)
    ]


def test_a_span_is_charted_by_month_with_empty_months_kept_and_unlinked():
    chart = timeline.chart(dated("2024-11-30", "2024-11-02", "2025-02-01", None))
    assert chart.unit == "month"
    assert [(b.label, b.count, b.href) for b in chart.bars] == [
        ("November 2024", 2, "archive/2024/11/index.html"),
        ("December 2024", 0, None),
        ("January 2025", 0, None),
        ("February 2025", 1, "archive/2025/02/index.html"),
    ]
    assert (chart.total, chart.undated) == (3, 1)
    assert chart.caption() == (
        "Articles per month, November 2024 to February 2025: 3 dated articles;"
        " the busiest month is November 2024 with 2. 1 undated article is not shown."
    )


def test_a_year_has_twelve_months_and_a_month_its_days():
    year = timeline.chart(dated("2025-03-01", "2025-03-09"), year=2025)
    assert len(year.bars) == 12 and year.bars[2].count == 2 and year.bars[0].href is None
    month = timeline.chart(dated("2024-02-01", "2024-02-29", "2024-02-29"), month=(2024, 2))
    assert month.unit == "day" and len(month.bars) == 29 and month.bars[-1].count == 2
    assert all(b.href is None for b in month.bars), "days have no pages of their own"
    assert (
        timeline.chart(dated("2024-01-01"), year=2025) is None
        and timeline.chart(dated("2024-01-01"), month=(2024, 2)) is None
    )


def test_a_listing_within_one_month_is_charted_by_day_linking_to_the_month():
    chart = timeline.chart(dated("2025-04-03", "2025-04-20"))
    assert chart.unit == "day" and len(chart.bars) == 30
    assert chart.bars[2].href == "archive/2025/04/index.html" and chart.bars[3].href is None


def test_decades_are_charted_by_year_and_nothing_without_dates():
    chart = timeline.chart(dated("1990-01-01", "2025-06-01"))
    assert chart.unit == "year" and len(chart.bars) == 36 and chart.bars[0].href == "archive/1990/index.html"
    assert timeline.chart(dated(None, None)) is None
    assert timeline.chart([]) is None


def test_svg_is_well_formed_styled_by_classes_and_links_relatively():
    chart = timeline.chart(dated("2024-11-30", "2025-02-01", "2025-02-03"))
    html = str(timeline.svg(chart, "../../"))
    figure = ET.fromstring(html)
    svg = figure.find(f"{SVG}svg")
    assert "style" not in html and "<script" not in html
    assert svg.get("role") == "group" and svg.get("aria-label") == chart.caption()
    links = svg.findall(f"{SVG}a")
    assert [a.get("href") for a in links] == ["../../archive/2024/11/index.html", "../../archive/2025/02/index.html"]
    assert [a.get("aria-label") for a in links] == ["November 2024: 1 article", "February 2025: 2 articles"]
    heights = [float(a.find(f"{SVG}rect[@class='tl-bar']").get("height")) for a in links]
    assert heights[1] == timeline.PLOT_HEIGHT and heights[0] == timeline.PLOT_HEIGHT / 2
    assert figure.find("figcaption").text == chart.caption()


def test_an_unlinked_chart_is_one_image():
    html = str(timeline.svg(timeline.chart(dated("2025-03-01"), month=(2025, 3)), ""))
    assert 'role="img"' in html and "<a " not in html and "<title>1 March 2025: 1 article</title>" in html


def test_every_listing_that_spans_time_shows_its_chart(site):
    for i, date in enumerate(["2024-11-03", "2025-01-10", "2025-01-22", "2025-03-14"]):
        site.write(
            f"a{i}.md",
            f"---\ntitle: Story {i}\ndate: {date}\nurl: https://gazette.example/{i}\ntags: [harbour]\n---\nBody\n",
        )
    site.write("u.md", "---\ntitle: Undated\nurl: https://gazette.example/u\n---\nBody\n")
    site.configure(paginate=2)
    site.build()
    charts = {}
    for rel in [
        "index.html",
        "outlets/gazette-example/index.html",
        "tags/harbour/index.html",
        "archive/2025/index.html",
        "archive/2025/01/index.html",
        "archive/index.html",
        "page/1/index.html",
        "archive/undated/index.html",
        "tags/index.html",
    ]:
        found = re.search(r'<svg class="timeline-chart"[^>]*aria-label="([^"]*)"', site.page(rel))
        charts[rel] = found.group(1) if found else None
    assert charts["index.html"].startswith("Articles per month, November 2024 to March 2025: 4 dated articles")
    assert charts["index.html"].endswith("1 undated article is not shown.")
    assert charts["outlets/gazette-example/index.html"] == charts["index.html"]
    assert charts["tags/harbour/index.html"].startswith("Articles per month, November 2024 to March 2025: 4")
    assert charts["archive/2025/index.html"].startswith("Articles per month, January 2025 to December 2025: 3")
    assert charts["archive/2025/01/index.html"].startswith("Articles per day, 1 January 2025 to 31 January 2025: 2")
    assert charts["archive/index.html"] == charts["index.html"]
    assert charts["page/1/index.html"] is None, "only the front page of a listing carries the chart"
    assert charts["archive/undated/index.html"] is None and charts["tags/index.html"] is None
    assert '<a href="../../archive/2025/01/index.html" aria-label="January 2025: 2 articles">' in site.page(
        "tags/harbour/index.html"
    )
