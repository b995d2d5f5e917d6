"""Pages from the Archive: one jinja2 Environment, page writers (article bodies: bodies.py).

Every link is relative ("root" is the way up to the site root from the page being written),
so the same output works from file://, at a domain's root and under any sub-path. Article
text is passed to templates as data, never compiled as a template, and Markdown is rendered
with raw HTML disabled.
"""

from __future__ import annotations

import calendar
import datetime as dt
import functools
import traceback
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from itertools import islice
from operator import attrgetter
from pathlib import Path
from typing import Any, TypeVar

import jinja2

from site_gen.config import SiteConfig, theme_dirs
from site_gen.dedupe.clusters import redirects
from site_gen.errors import SiteGenError
from site_gen.languages import analyzer_language
from site_gen.model import Archive, Article, Outlet, Tag
from site_gen.output import WorkTree
from site_gen.render import timeline
from site_gen.render.bodies import Bodies
from site_gen.render.citation import cite
from site_gen.render.excerpts import SUMMARY_CHARS, summary
from site_gen.render.keys import ContextHasher, file_key, template_keys
from site_gen.render.relations import Relations, relate

T = TypeVar("T")
Page = tuple[str, str, dict[str, Any]]
"""A page to render: output path, template name, context."""


@functools.lru_cache(maxsize=8)
def _environment(template_dirs: tuple[str, ...], files: frozenset[str]) -> jinja2.Environment:
    """One Environment per theme (and set of template files) for the life of the process: jinja2
    compiles a template once and recompiles it only when its file changes (the preview server
    rebuilds many times). A file added or removed, which may shadow another, gives a new one."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(list(template_dirs)),
        autoescape=jinja2.select_autoescape(["html", "xml"]),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["isodate"] = lambda d: d.isoformat() if d else "undated"
    env.filters["month_name"] = lambda m: calendar.month_name[int(m)]
    env.filters["outlet_line"] = outlet_line
    # Set once per Environment, never per build: jinja2 copies the globals into an imported template's
    # module when it first imports it and keeps that module, so a per-build function would go stale there.
    env.globals["once"] = once
    env.globals["summary"] = _summary
    return env


_MADE: dict[tuple[Any, ...], tuple[tuple[Any, ...], Any]] = {}
"""What once() made in this build: key -> (the arguments, held so that their ids stay theirs; the result)."""


def once(function: Callable[..., T], *args: Any) -> T:
    """function(*args), made once per build: an article's entry is the same in every listing (at the same
    depth) and feed that shows it, its summary the same everywhere. Pure, as the function (a macro sees
    only its arguments and the template globals) is: an article stands for itself by identity (the
    articles of a build never change, and the entry holds it, so its id is not reused), other
    arguments by value."""
    key = (function, *(id(a) if type(a) is Article else a for a in args))
    made = _MADE.get(key)
    if made is None:
        made = _MADE[key] = (args, function(*args))
    result: T = made[1]
    return result


def _summary(article: Article, chars: int = SUMMARY_CHARS) -> str:
    return once(summary, article, chars)


def make_environment(config: SiteConfig) -> jinja2.Environment:
    dirs = tuple(str(d / "templates") for d in theme_dirs(config))
    return _environment(dirs, frozenset(str(p) for d in dirs for p in Path(d).rglob("*") if p.is_file()))


def compile_templates(config: SiteConfig) -> None:
    """Compile the theme's templates now: for a process that builds many times (the preview
    server), so that its first rebuild does not wait for it."""
    env = make_environment(config)
    for name in env.list_templates(extensions=("html", "xml")):
        env.get_template(name)


@dataclass(slots=True, frozen=True)
class SiteInfo:
    """Constant site settings every template may show (nothing that changes when articles change)."""

    title: str
    description: str
    language: str
    base_url: str


@dataclass(slots=True)
class Renderer:
    """Writes pages under out, skipping any whose content key matches the previous build's.

    Templates read only their context, the constant site settings and pure helpers (see
    keys.py), so equal keys mean equal bytes.
    """

    config: SiteConfig
    archive: Archive
    tree: WorkTree
    article_keys: dict[str, str]
    previous: dict[str, str] = field(default_factory=dict)
    """Output path -> key of what the tree holds now (empty for a fresh folder)."""
    keys: dict[str, str] = field(default_factory=dict)
    """Output path -> key of every file this build produces."""
    pages: list[str] = field(default_factory=list)
    rendered: int = 0
    """Pages rendered through write() (article pages, rendered through render_articles(), are counted by the caller)."""
    relations: Relations = field(init=False)
    """Neighbours, same-day groups, copies, outlet rows and totals: one pass per build, shared by the workers."""
    env: jinja2.Environment = field(init=False)
    bodies: Bodies = field(default_factory=lambda: Bodies(None))
    """Article bodies as HTML, Markdown ones through the cache of rendered bodies."""
    site: SiteInfo = field(init=False)
    hasher: ContextHasher = field(init=False)
    template_keys: dict[str, str] = field(init=False)
    deferred: list[Page] | None = None
    """When a list: the pages write() found changed, kept here to be rendered later (in workers) instead of now."""

    def __post_init__(self) -> None:
        self.env = make_environment(self.config)
        self.env.globals["body_html"] = self.bodies.html
        self.env.globals["timeline_svg"] = timeline.svg
        self.env.globals["cite"] = lambda article: cite(
            article, self.config.base_url
        )  # pure: article + constant base_url
        _MADE.clear()  # once() is per build: a later one (the preview server's) starts afresh
        self.relations = relate(self.archive)
        self.site = SiteInfo(self.config.title, self.config.description, self.config.language, self.config.base_url)
        self.hasher = ContextHasher(self.article_keys)
        try:
            self.template_keys = template_keys(self.env)
        except jinja2.TemplateError as exc:
            raise template_error(exc, "a template") from exc

    def key(self, path: str, template: str, context: dict[str, Any]) -> str:
        return self.hasher.key(self.template_keys[template], self.site, path, context)

    def write(self, path: str, template: str, *, listed: bool = True, **context: Any) -> None:
        """Render one page unless its key says the file in the tree is already right.
        listed=False keeps a page out of the sitemap."""
        key = self.key(path, template, context)
        self.keys[path] = key
        if listed and path.endswith(".html") and path != "404.html":
            self.pages.append(path)
        if self.previous.get(path) != key:
            self.rendered += 1
            if self.deferred is None:
                self.render(path, template, context)
            else:
                self.deferred.append((path, template, context))

    def render(self, path: str, template: str, context: dict[str, Any]) -> None:
        root = "../" * path.count("/")
        try:
            html = self.env.get_template(template).render(site=self.site, root=root, path=path, **context)
        except jinja2.TemplateError as exc:
            raise template_error(exc, template) from exc
        self.tree.write(path, html.encode("utf-8"))

    # Article pages: the bulk of the work. build/stages.py keys them all, then renders the changed ones
    # in worker processes (with the other pages that changed, deferred by write()).
    def article_context(self, article: Article) -> dict[str, Any]:
        return {
            "article": article,
            "tags": [self.archive.tags[name] for name in article.tags],
            "copies": self.relations.copies(article),
            "same_day": self.relations.same_day(article),
            "neighbours": self.relations.around(article),
        }

    changed: set[str] | None = None
    """Ids of the only articles added or edited since the build whose pages are in the tree, when the
    basis is the same (see build.render_site): a listing or feed that shows none of them, and is not
    among the touched ones, keeps its key."""
    touched: set[str] = field(default_factory=set)
    """Listings (by base path) that gained or lost an article since that build: every page changes."""
    showing: set[str] = field(default_factory=set)
    """Listings (by base path) that show one of the changed articles: the others keep every page's key."""

    @property
    def basis(self) -> str:
        """What every page is made with besides its context: the templates and the settings they read."""
        return self.hasher.key(
            sorted(self.template_keys.items()), self.site, self.config.paginate, self.config.feed_size
        )

    def _unchanged(self, articles: list[Article], path: str, base: str) -> bool:
        """With only self.changed changed, a page that shows none of them keeps its key (recorded here)."""
        if (
            self.changed is None
            or path not in self.previous
            or base in self.touched
            or any(a.id in self.changed for a in articles)
        ):
            return False
        self.keys[path] = self.previous[path]
        if path.endswith(".html"):
            self.pages.append(path)
        return True

    def _kept(self, base: str, paths: list[str]) -> bool:
        """With only self.changed changed, a listing that neither shows one of them nor gained or lost an
        article keeps the keys of all its pages (recorded here)."""
        if self.changed is None or base in self.touched or base in self.showing:
            return False
        if any(path not in self.previous for path in paths):
            return False
        for path in paths:
            self.keys[path] = self.previous[path]
        self.pages.extend(paths)
        return True

    def affected(self, present: Iterable[Article], removed: Iterable[Article] = ()) -> set[str]:
        """Ids of the articles whose page shows one of these: themselves, their outlet neighbours and
        their day's articles; for articles that left the archive, the neighbours they had (each
        other's now) and their day's."""
        ids: set[str] = set()
        for article in present:
            around = self.relations.around(article)
            ids.update(a.id for a in (article, around.previous, around.next) if a is not None)
            ids.update(a.id for a in self._day(article))
        for article in removed:
            ids.update(a.id for a in self.relations.beside(article))
            ids.update(a.id for a in self._day(article))
        return ids

    def _day(self, article: Article) -> list[Article]:
        return self.relations.day(article.date) if article.date else []

    def listings(self, articles: Iterable[Article]) -> set[str]:
        """The listings (by base path) these articles are in: home, outlet, tags, year and month."""
        bases = set()
        for article in articles:
            bases.add("")
            if article.outlet:
                bases.add(_outlet_base(article.outlet.key))
            bases.update(_tag_base(self.archive.tags[name]) for name in article.tags if name in self.archive.tags)
            date = article.date
            bases.update((_year_base(date.year), _month_base(date.year, date.month)) if date else (UNDATED,))
        return bases

    def key_articles(self, articles: Iterable[Article]) -> tuple[dict[str, str], list[str]]:
        """The keys of these articles' pages, and the ids of those whose page must be rendered."""
        keys, changed = {}, []
        for article in articles:
            key = keys[article.permalink] = self.key(article.permalink, "article.html", self.article_context(article))
            if self.previous.get(article.permalink) != key:
                changed.append(article.id)
        return keys, changed

    def redirects(self) -> None:
        """Pages at the addresses of merged copies, leading to their article (small: rendered here)."""
        for article in self.archive.articles:
            for copy in redirects(article):
                assert copy.permalink  # redirects() keeps only copies with a permalink
                self.write(copy.permalink, "redirect.html", listed=False, article=article, copy=copy)

    def render_articles(self, articles: Sequence[Article]) -> None:
        self.bodies.prefetch(articles)
        for article in articles:
            self.render(article.permalink, "article.html", self.article_context(article))

    def render_pages(self, pages: Sequence[Page | Article]) -> None:
        """Pages deferred by write(), and article pages."""
        articles = [page for page in pages if isinstance(page, Article)]
        self.render_articles(articles)
        for page in pages:
            if not isinstance(page, Article):
                self.render(*page)

    # Everything else: listings, feeds, sitemap, 404, static files.
    def rest(self) -> None:
        articles = self.archive.articles
        self.listing("", "Latest articles", articles, home=True, totals=self.relations.totals)
        self.outlet_pages()
        self.tag_pages()
        self.date_pages()
        self.feed("atom.xml", self.config.title, articles)
        self.write("404.html", "404.html", root_url=self.config.base_url)
        self.write("search/index.html", "search.html", totals=self.relations.totals)
        self.static()
        self.sitemap()

    def listing(self, base: str, heading: str, articles: list[Article], **context: Any) -> None:
        """A listing's pages (see pages_of): its front page with the newest articles, the count and the chart;
        then its kept pages, which show only their articles and the links to their neighbours."""
        context.setdefault("home", False)
        context.setdefault("feed", None)
        totals = context.pop("totals", None)  # the home page's glance: on its front page only (like the count)
        pages = pages_of(len(articles), self.config.paginate)
        if self._kept(base, [_page_path(base, number) for number in range(len(pages))]):
            return
        for number, (start, stop) in enumerate(pages):
            path, items = _page_path(base, number), articles[start:stop]
            if self._unchanged(items, path, base):
                continue
            front, kept = number == 0, len(pages) - 1
            newer = None if front else (number + 1 if number < kept else 0)
            older = kept if front else number - 1  # 0: none (the front page is never older)
            pagination = {
                "number": number,
                "base": base,
                "prev": _page_path(base, newer) if newer is not None else None,
                "next": _page_path(base, older) if older else None,
            }
            chart = timeline.chart(articles, year=context.get("year"), month=context.get("month")) if front else None
            self.write(
                path,
                "list.html",
                heading=heading,
                items=items,
                pagination=pagination,
                count=len(articles) if front else None,
                chart=chart,
                totals=totals if front else None,
                **context,
            )

    def outlet_pages(self) -> None:
        chains = self.relations.chains  # an outlet's dated articles, then its undated ones: archive order
        for key, outlet in sorted(self.archive.outlets.items(), key=lambda kv: kv[1].name.casefold()):
            items = chains.get((key, True), []) + chains.get((key, False), [])
            base = _outlet_base(key)
            self.listing(base, outlet.name, items, outlet=outlet, feed=base + "atom.xml")
            self.feed(base + "atom.xml", f"{outlet.name} — {self.config.title}", items)
        self.write("outlets/index.html", "outlets.html", summaries=self.relations.outlets, totals=self.relations.totals)

    def tag_pages(self) -> None:
        rows = []
        for name, tag in sorted(self.archive.tags.items(), key=lambda kv: kv[0].casefold()):
            items = self.relations.tagged.get(name, [])
            base = _tag_base(tag)
            self.listing(base, f"Tagged “{name}”", items, feed=base + "atom.xml")
            self.feed(base + "atom.xml", f"{name} — {self.config.title}", items)
            rows.append((tag, len(items)))
        self.write("tags/index.html", "tags.html", rows=rows)

    def date_pages(self) -> None:
        years: dict[int, list[Article]] = {}
        by_month: dict[int, dict[int, list[Article]]] = {}
        for day in sorted(self.relations.days, reverse=True):  # a day's articles in archive order: runs of it
            items = self.relations.days[day]
            years.setdefault(day.year, []).extend(items)
            by_month.setdefault(day.year, {}).setdefault(day.month, []).extend(items)
        overview = []
        for year in sorted(years, reverse=True):
            months = by_month[year]
            overview.append((year, len(years[year]), sorted(((m, len(v)) for m, v in months.items()), reverse=True)))
            self.listing(_year_base(year), f"{year}", years[year], months=sorted(months, reverse=True), year=year)
            for month, items in months.items():
                self.listing(
                    _month_base(year, month),
                    f"{calendar.month_name[month]} {year}",
                    items,
                    month=(year, month),
                )
        undated = [a for a in self.archive.articles if not a.date]
        if undated:
            self.listing(UNDATED, "Undated articles", undated)
        self.write(
            "archive/index.html",
            "archive.html",
            years=overview,
            undated=len(undated),
            chart=timeline.chart(self.archive.articles),
        )

    def feed(self, path: str, title: str, articles: list[Article]) -> None:
        entries = list(islice(filter(attrgetter("date"), articles), self.config.feed_size))  # the newest dated
        if self._unchanged(entries, path, path.removesuffix("atom.xml")):
            return
        self.write(
            path,
            "atom.xml",
            title=title,
            entries=entries,
            updated=max((a.date for a in entries if a.date), default=dt.date(1970, 1, 1)),
            base=self.config.base_url or "../" * path.count("/"),
        )

    def sitemap(self) -> None:
        """sitemap.xml, or past SITEMAP_PART locations an index of parts, each holding the locations whose
        CRC-32 falls in it: a page added or gone rewrites one part, not a list of the whole site."""
        base = self.config.base_url
        locations = sorted(set(self.pages) | {a.permalink for a in self.archive.articles})
        if len(locations) <= SITEMAP_PART:
            self.write("sitemap.xml", "sitemap.xml", locations=[base + p for p in locations])
            return
        parts: list[list[str]] = [[] for _ in range(-(-len(locations) // SITEMAP_PART))]
        for path in locations:
            parts[zlib.crc32(path.encode("utf-8", "surrogatepass")) % len(parts)].append(base + path)
        names = [f"sitemap-{n}.xml" for n in range(1, len(parts) + 1)]
        for name, part in zip(names, parts, strict=True):
            self.write(name, "sitemap.xml", locations=part)
        self.write("sitemap.xml", "sitemap_index.xml", sitemaps=[base + name for name in names])

    def static(self) -> None:
        """Theme static files, the bundled default first so a site theme can override single files; of the
        search page's stemmers (STEMMERS), those of the languages the archive holds."""
        files: dict[str, Path] = {}
        for theme in reversed(theme_dirs(self.config)):
            source = theme / "static"
            if source.is_dir():
                files.update(
                    {"static/" + f.relative_to(source).as_posix(): f for f in source.rglob("*") if f.is_file()}
                )
        held = {analyzer_language(a.language) for a in self.archive.articles}
        for rel, file in sorted(files.items()):
            if rel.startswith(STEMMERS) and rel.endswith(".js") and rel[len(STEMMERS) : -len(".js")] not in held:
                continue
            key = f"{file}:{file_key(file)}"
            self.keys[rel] = key
            if self.previous.get(rel) != key:
                self.tree.write(rel, file.read_bytes())


SITEMAP_PART = 10_000
"""Locations a sitemap file holds at most on average (the protocol's limit is 50,000 per file)."""
STEMMERS = "static/stemmers/"
"""The Snowball stemmers search.js loads (LANG.js, where LANG is languages.analyzer_language's code)."""


def template_error(exc: jinja2.TemplateError, template: str) -> SiteGenError:
    """A template problem as a SiteGenError naming the template file and line."""
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SiteGenError(f"template error: {exc.message}", exc.filename or template, exc.lineno)
    frames = traceback.extract_tb(exc.__traceback__)
    inside = [f for f in frames if f.filename.endswith((".html", ".xml"))]
    where = inside[-1] if inside else None
    return SiteGenError(
        f"template error: {exc}", where.filename if where else template, where.lineno if where else None
    )


UNDATED = "archive/undated/"


def _outlet_base(key: str) -> str:
    return f"outlets/{key}/"


def _tag_base(tag: Tag) -> str:
    return f"tags/{tag.slug}/"


def _year_base(year: int) -> str:
    return f"archive/{year:04d}/"


def _month_base(year: int, month: int) -> str:
    return f"archive/{year:04d}/{month:02d}/"


def pages_of(count: int, size: int) -> list[tuple[int, int]]:
    """A listing of count articles (newest first) in pages: (start, stop) of the front page, then of the kept
    pages 1, 2, ... Kept pages are counted from the oldest article and hold size articles each, so that
    a page once made keeps its articles, its number and its address as the listing grows (a new article
    changes the front page only, and a new kept page is made when the front page fills); the front page
    holds the rest, the newest: from size to twice size less one articles (all of them when fewer)."""
    kept = max(0, (count - size) // size)
    return [(0, count - kept * size)] + [(count - k * size, count - (k - 1) * size) for k in range(1, kept + 1)]


def _page_path(base: str, number: int) -> str:
    """The front page (0) is the listing's index; kept page k is page/k/."""
    return f"{base}index.html" if number == 0 else f"{base}page/{number}/index.html"


def outlet_line(outlet: Outlet) -> str:
    """Country, kind and domain of an outlet, for provenance and listings."""
    return " · ".join(p for p in (outlet.domain, outlet.country, outlet.kind) if p)
