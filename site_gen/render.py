"""Pages from the Archive: one jinja2 Environment, one markdown-it-py instance, page writers.

Every link is relative ("root" is the way up to the site root from the page being written),
so the same output works from file://, at a domain's root and under any sub-path. Article
text is passed to templates as data, never compiled as a template, and Markdown is rendered
with raw HTML disabled.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
import shutil
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any, Iterable
from urllib.parse import urljoin

import jinja2
from markdown_it import MarkdownIt
from markupsafe import Markup, escape

from .archive import group
from .config import SiteConfig
from .model import Archive, Article, Outlet
from .output import safe_join, write_file

SUMMARY_CHARS = 240
_MARKDOWN_NOISE = re.compile(r"!\[[^\]]*\]\([^)]*\)|\[([^\]]*)\]\([^)]*\)|[*_`#>]+")


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme folders, most specific first: the site's own theme (if any), then the bundled default."""
    bundled = Path(str(resources.files("site_gen").joinpath("themes/default")))
    if config.theme == "default":
        return [bundled]
    custom = config.root / config.theme
    named = Path(str(resources.files("site_gen").joinpath(f"themes/{config.theme}")))
    return [custom if custom.is_dir() else named, bundled]


def make_environment(config: SiteConfig) -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader([str(d / "templates") for d in theme_dirs(config)]),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else "undated"
    env.filters["month_name"] = lambda m: calendar.month_name[int(m)]
    env.filters["outlet_line"] = outlet_line
    env.globals["summary"] = summary
    return env


def make_markdown() -> MarkdownIt:
    """CommonMark with tables; raw HTML is shown as text and unsafe link schemes are refused."""
    return MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False}).enable(["table", "strikethrough"])


def body_html(article: Article, md: MarkdownIt) -> Markup:
    if article.markup == "markdown":
        return Markup(md.render(article.text))
    return Markup("\n".join(f"<p>{escape(p)}</p>" for p in article.paragraphs))


def plain_text(article: Article, paragraphs: int | None = None) -> str:
    """The body (or its first paragraphs) as plain text: Markdown images, link targets and marks removed."""
    text = "\n".join(article.paragraphs[:paragraphs])
    if article.markup == "markdown":
        text = _MARKDOWN_NOISE.sub(lambda m: m.group(1) or "", text)
    return text


def summary(article: Article, chars: int = SUMMARY_CHARS) -> str:
    """The opening of the body as plain text, for listings."""
    text = " ".join(plain_text(article, 3).split())
    return text if len(text) <= chars else text[: chars - 1].rsplit(" ", 1)[0] + "…"


@dataclass(slots=True)
class SiteInfo:
    """What every template may show about the whole archive."""

    title: str
    description: str
    language: str
    base_url: str
    article_count: int
    outlet_count: int
    first_date: dt.date | None
    last_date: dt.date | None


@dataclass(slots=True)
class Renderer:
    """Writes pages under out; counts files and bytes; remembers HTML pages for the sitemap."""

    config: SiteConfig
    archive: Archive
    out: Path
    env: jinja2.Environment = field(init=False)
    md: MarkdownIt = field(init=False)
    site: SiteInfo = field(init=False)
    files: int = 0
    bytes: int = 0
    pages: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.env = make_environment(self.config)
        self.md = make_markdown()
        self.env.globals["tag_slugs"] = {name: tag.slug for name, tag in self.archive.tags.items()}
        dates = [a.date for a in self.archive.articles if a.date]
        self.site = SiteInfo(
            self.config.title,
            self.config.description,
            self.config.language,
            self.config.base_url,
            len(self.archive.articles),
            len(self.archive.outlets),
            min(dates) if dates else None,
            max(dates) if dates else None,
        )

    def write(self, path: str, template: str, **context: Any) -> None:
        root = "../" * path.count("/")
        html = self.env.get_template(template).render(site=self.site, root=root, path=path, **context)
        self.bytes += write_file(self.out, path, html)
        self.files += 1
        if path.endswith(".html") and path != "404.html":
            self.pages.append(path)

    # Article pages: the bulk of the work, split across processes by build.py.
    def articles(self, articles: Iterable[Article]) -> None:
        for article in articles:
            self.write(article.permalink, "article.html", article=article, body=body_html(article, self.md))

    # Everything else: listings, feeds, sitemap, 404, static files.
    def rest(self) -> None:
        articles = self.archive.articles
        self.listing("", "Latest articles", articles, home=True)
        self.outlet_pages()
        self.tag_pages()
        self.date_pages()
        self.feed("atom.xml", self.config.title, articles)
        self.write("404.html", "404.html", root_url=self.config.base_url)
        self.write("search/index.html", "search.html")
        self.static()
        self.sitemap()

    def listing(self, base: str, heading: str, articles: list[Article], **context: Any) -> None:
        size = self.config.paginate
        chunks = [articles[i : i + size] for i in range(0, len(articles), size)] or [[]]
        for number, items in enumerate(chunks, 1):
            pagination = {
                "number": number,
                "total": len(chunks),
                "base": base,
                "prev": _page_path(base, number - 1) if number > 1 else None,
                "next": _page_path(base, number + 1) if number < len(chunks) else None,
            }
            context.setdefault("home", False)
            context.setdefault("feed", None)
            self.write(_page_path(base, number), "list.html", heading=heading, items=items, pagination=pagination, count=len(articles), **context)

    def outlet_pages(self) -> None:
        by_outlet = group(self.archive.articles, lambda a: [a.outlet.key] if a.outlet else [])
        rows = []
        for key, outlet in sorted(self.archive.outlets.items(), key=lambda kv: kv[1].name.casefold()):
            items = by_outlet.get(key, [])
            base = f"outlets/{key}/"
            self.listing(base, outlet.name, items, outlet=outlet, feed=base + "atom.xml")
            self.feed(base + "atom.xml", f"{outlet.name} — {self.config.title}", items)
            rows.append((outlet, items))
        self.write("outlets/index.html", "outlets.html", rows=rows)

    def tag_pages(self) -> None:
        by_tag = group(self.archive.articles, lambda a: a.tags)
        rows = []
        for name, tag in sorted(self.archive.tags.items(), key=lambda kv: kv[0].casefold()):
            items = by_tag.get(name, [])
            base = f"tags/{tag.slug}/"
            self.listing(base, f"Tagged “{name}”", items, feed=base + "atom.xml")
            self.feed(base + "atom.xml", f"{name} — {self.config.title}", items)
            rows.append((tag, len(items)))
        self.write("tags/index.html", "tags.html", rows=rows)

    def date_pages(self) -> None:
        dated = [a for a in self.archive.articles if a.date]
        years = group(dated, lambda a: [a.date.year])
        overview = []
        for year in sorted(years, reverse=True):
            months = group(years[year], lambda a: [a.date.month])
            overview.append((year, len(years[year]), sorted(((m, len(v)) for m, v in months.items()), reverse=True)))
            self.listing(f"archive/{year:04d}/", f"{year}", years[year], months=sorted(months, reverse=True), year=year)
            for month, items in months.items():
                self.listing(f"archive/{year:04d}/{month:02d}/", f"{calendar.month_name[month]} {year}", items)
        undated = [a for a in self.archive.articles if not a.date]
        if undated:
            self.listing("archive/undated/", "Undated articles", undated)
        self.write("archive/index.html", "archive.html", years=overview, undated=len(undated))

    def feed(self, path: str, title: str, articles: list[Article]) -> None:
        entries = [a for a in articles if a.date][: self.config.feed_size]
        base = self.config.base_url or "../" * path.count("/")
        self.write(
            path,
            "atom.xml",
            title=title,
            entries=entries,
            updated=max((a.date for a in entries), default=dt.date(1970, 1, 1)),
            link=lambda rel: urljoin(base, rel) if self.config.base_url else base + rel,
        )

    def sitemap(self) -> None:
        base = self.config.base_url
        locations = sorted(set(self.pages) | {a.permalink for a in self.archive.articles})
        self.write("sitemap.xml", "sitemap.xml", locations=[urljoin(base, p) if base else p for p in locations])

    def static(self) -> None:
        """Theme static files, the bundled default first so a site theme can override single files."""
        files: dict[str, Path] = {}
        for theme in reversed(theme_dirs(self.config)):
            source = theme / "static"
            if source.is_dir():
                files.update({"static/" + f.relative_to(source).as_posix(): f for f in source.rglob("*") if f.is_file()})
        for rel, file in sorted(files.items()):
            target = safe_join(self.out, rel)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(file, target)
            self.files += 1
            self.bytes += target.stat().st_size


def _page_path(base: str, number: int) -> str:
    return f"{base}index.html" if number == 1 else f"{base}page/{number}/index.html"


def outlet_line(outlet: Outlet) -> str:
    """Country, kind and domain of an outlet, for provenance and listings."""
    return " · ".join(p for p in (outlet.domain, outlet.country, outlet.kind) if p)
