"""The stages of a build that has work to do: read (or reuse the last archive), boilerplate, dedupe,
assemble, keys, then render with the search indexes made alongside, and go live."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import asdict
from operator import attrgetter
from typing import Any, cast

from site_gen import parallel, progress
from site_gen.build import reuse
from site_gen.build.cache import BuildCache, BuildState, settings_key
from site_gen.build.report import (
    ReportParts,
    article_lines,
    build_report,
    report_file,
    report_parts,
    write_report,
)
from site_gen.build.result import BuildResult, Found, Request, StageTimer, accept, finish
from site_gen.build.reuse import Changes, LastBuild
from site_gen.config import SiteConfig
from site_gen.dedupe.clusters import copies_by_id, dedupe, link_copies
from site_gen.ingest.boilerplate import RecurringParagraph, Tally, strip_recurring
from site_gen.ingest.read import display_path
from site_gen.ingest.sources import Registry
from site_gen.ingest.stage import read_one
from site_gen.languages import model_loaded, unload_model
from site_gen.model import Archive, Article, InputEntry, Message
from site_gen.output import Output, WorkTree
from site_gen.render.archive import Claims, assemble
from site_gen.render.bodies import Bodies, Parsed
from site_gen.render.keys import article_keys
from site_gen.render.pages import Page, Renderer
from site_gen.search import SearchJob

RENDER_NICE = 10
"""The render workers' niceness while the search process builds the whoosh index from scratch. That index is
the longest chain of a cold build: given the cores first, it and the static export end while pages still render,
instead of after (10,000 scraped articles: 0.96 of the wall time)."""


def rebuild(request: Request, found: Found, output: Output, state: BuildState | None, live: int | None) -> BuildResult:
    """Build the archive (from the last one when it can), render what changed while the search process
    works, and make the new output live; state: the live site's (None: build in full), live: its generation."""
    config, cache, timer = request.config, request.cache, request.timer
    last = cache.last_build(state) if state is not None else None
    made = _archive(request, found, last)
    if not cache.keep_in_memory and made.changes is None:
        # A full build saves the dedupe memo now and lets it go: the search process forked below would carry the
        # fingerprints, and it is such a build's largest process (150 MB at 100,000 articles). A build that fails
        # after this leaves a memo newer than the archive kept; the next build then runs the whole pipeline
        # (reuse.py checks the token). One that reused the archive saves it below, while the search process works.
        cache.save_dedupe_memo(release=True)
    tree = output.incremental(state.delta) if state is not None else output.fresh()
    kept, cache.snapshot = cache.snapshot, None  # a failed build may have patched it
    # the last build's articles by key (a content hash): the search patch finds the postings of the old versions
    # through their terms
    before = {last.keys[a.id]: a for a in last.archive.articles} if last else {}
    generation = (live or 0) + 1
    reported = last is not None and state is not None and state.report_generation == live
    parts = ReportParts()

    def meanwhile(basis: str) -> None:
        """The build's own records and its report's parts, while the workers render (in a cold build they end
        last)."""
        nonlocal parts
        made.page_basis, made.generation, made.fingerprint = basis, generation, found.fingerprint
        if not cache.keep_in_memory:  # (kept in memory, it is replaced after rendering: a failed render keeps the last)
            cache.save_last_build(made)
            cache.save_dedupe_memo(release=True)  # (the memo of a full build was saved before)
        lines = None
        if request.report_path:  # each article's line of the report file, some taken from the last one
            previous = last.archive.articles if last is not None and reported else None
            lines = article_lines(made.archive.articles, previous, cache.report() if previous else b"")
        parts = report_parts(made.inputs, lines)

    # the search indexes are made in a process of their own while pages render, for large archives; it saves its
    # snapshot while the rest of the build goes on (waited for on leaving)
    with SearchJob(config, made.archive, tree, made.keys, kept, before) as search:
        with timer("render"):
            manifest, rendered, made.page_basis = render_site(
                config,
                made.archive,
                tree,
                made.keys,
                state.manifest if state is not None else {},
                made.changes,
                last.page_basis if last is not None else "",
                cache.bodies(),
                RENDER_NICE if search.rebuilding else 0,
                meanwhile,
            )
        if cache.keep_in_memory:
            cache.save_last_build(made)
        with timer("search"):
            search_files, search_changed = search.finish()
        tree.written.update(search_changed)
        manifest.update(dict.fromkeys(search_files, f"search:{search.key}"))  # listed, so stale index files are deleted
        for path in (state.manifest.keys() - manifest.keys()) if state is not None else ():
            tree.delete(path)
        result, reported = _go_live(request, made, tree, output, rendered, generation, parts)
        cache.save_state(
            BuildState(
                found.fingerprint,
                generation,
                manifest,
                tree.delta(),
                result.report,
                generation if reported else None,
            )
        )
        cache.save_dedupe_memo()
    if cache.keep_in_memory:
        cache.snapshot = search.snapshot()
    return result


def _go_live(
    request: Request,
    made: LastBuild,
    tree: WorkTree,
    output: Output,
    rendered: int,
    generation: int,
    parts: ReportParts,
) -> tuple[BuildResult, bool]:
    """The report (of these parts); the new output made live unless --strict or the caller's check refuses it;
    and whether the cache keeps a copy of the report file."""
    cache, report_path = request.cache, request.report_path
    extra: dict[str, Any] = {"pages_rendered": rendered, "boilerplate": [asdict(r) for r in made.recurring]}
    if cache.problems:
        extra["cache_problems"] = cache.problems
    stats = _stats(made.inputs, made.archive, request.timer, tree, extra)
    result = BuildResult(made.archive, made.inputs, build_report(parts, stats), 0.0)

    def write() -> list[bytes]:  # the report file, with the articles section
        assert report_path is not None
        pieces = report_file(parts, stats)
        write_report(report_path, pieces)
        return pieces

    accept(result, request.strict, request.check, write if report_path else None)  # refused: not kept in the cache
    output.commit(tree, generation)
    if request.committed:
        request.committed(result)
    finish(result, request.started)
    return result, bool(report_path) and cache.save_report(write())


def _archive(request: Request, found: Found, last: LastBuild | None) -> LastBuild:
    """The archive: the last one with the changed files' articles taken out and put in when it can be
    (reuse.py), else read, boilerplate, dedupe, assemble, keys."""
    config, registry, cache, timer = request.config, request.registry, request.cache, request.timer
    files, stats, skipped = found.files, found.stats, found.skipped
    settings = settings_key(config, repr(registry.entries))
    memo = cache.dedupe_memo()
    if last is not None:
        with timer("reuse"):
            reused = reuse.apply(
                last,
                config,
                memo,
                settings,
                files,
                stats,
                skipped,
                lambda paths: _read_files(config, registry, paths),
                lambda rows, gone: cache.save_inputs(settings, rows, gone),
                lambda paths: _recall(request, settings, stats, paths),
            )
        if reused is not None:
            return reused
    with timer("read"):
        inputs = read_inputs(config, registry, cache, files, stats, skipped)
    tallies: dict[str, Tally] = {}
    with timer("boilerplate"):
        recurring = strip_boilerplate(inputs, config, tallies)
    with timer("dedupe"):
        clusters = dedupe(inputs, config, memo)
    claims = Claims(copies=copies_by_id(clusters))
    with timer("assemble"):
        archive = assemble(_rendered(inputs), config, claims)
        claims.contested |= link_copies(archive)
    with timer("keys"):
        keys = article_keys(archive.articles)
    return LastBuild(
        0,
        "",
        settings,
        config.permalink,
        skipped,
        stats,
        inputs,
        archive,
        keys,
        recurring,
        tallies,
        memo.token,
        claims,
    )


def _recall(request: Request, settings: str, stats: dict[str, str], paths: list[str]) -> list[InputEntry]:
    """The entries of unchanged files as read, from the read cache by path (read again when not there)."""
    found = request.cache.recall_inputs(settings, paths)
    return _cached_or_read(request.config, request.registry, found, stats, paths)[0]


def _rendered(inputs: list[InputEntry]) -> list[Article]:
    return [e.article for e in inputs if e.article is not None and e.status == "rendered"]


def strip_boilerplate(
    inputs: list[InputEntry], config: SiteConfig, tallies: dict[str, Tally] | None = None
) -> list[RecurringParagraph]:
    entries = [e for e in inputs if e.article is not None and e.status == "rendered"]
    return strip_recurring(
        [e.article for e in entries if e.article is not None],
        [e.paragraph_keys for e in entries],
        config.boilerplate,
        tallies,
    )


def read_inputs(
    config: SiteConfig,
    registry: Registry,
    cache: BuildCache,
    files: list[str],
    stats: dict[str, str],
    skipped: list[Any],
) -> list[InputEntry]:
    """Every path's entry: skipped ones, cached ones whose file is unchanged, and the rest read now (in workers)."""
    inputs = [
        InputEntry(display_path(s.path), "skipped" if s.level == "info" else "error", [Message(s.level, s.message)])
        for s in skipped
    ]
    settings = settings_key(config, repr(registry.entries))
    cached = cache.load_inputs(settings)
    entries, read = _cached_or_read(config, registry, cached, stats, files)
    cache.save_inputs(
        settings, ((path, stats[path], entry) for path, entry in read.items()), cached.keys() - stats.keys()
    )
    inputs.extend(entries)
    return inputs


def _cached_or_read(
    config: SiteConfig,
    registry: Registry,
    cached: dict[str, tuple[str, InputEntry]],
    stats: dict[str, str],
    paths: list[str],
) -> tuple[list[InputEntry], dict[str, InputEntry]]:
    """Each path's entry: the cached one when its file is unchanged (the same file key), else read now; and
    the ones read."""
    stale = [path for path in paths if path not in cached or cached[path][0] != stats[path]]
    read = dict(zip(stale, _read_files(config, registry, stale)))
    return [read[path] if path in read else cached[path][1] for path in paths], read


def _read_files(config: SiteConfig, registry: Registry, paths: list[str]) -> list[InputEntry]:
    """read_one() of every path, in workers when there are many. The first file is read here: when it needs
    the language detector (no language from its file or the registry), the workers inherit the model loaded
    instead of each loading it (0.7 s of CPU and 100 MB per worker); it is let go after, so that the search
    process forked next does not carry it."""
    if config.workers <= 1 or len(paths) < parallel.MIN_PARALLEL:
        return _read_chunk((config, registry), paths)
    had_model = model_loaded()
    progress.expect(len(paths))
    first = progress.counted(read_one(config, registry, paths[0]))
    rest = parallel.run(_read_chunk, paths[1:], (config, registry), config.workers, expected=True)
    if not had_model:
        unload_model()
    return [first, *(entry for chunk in rest for entry in chunk)]


def _read_chunk(state: tuple[SiteConfig, Registry], paths: Sequence[str]) -> list[InputEntry]:
    config, registry = state
    return [read_one(config, registry, path) for path in paths]


def render_site(
    config: SiteConfig,
    archive: Archive,
    tree: WorkTree,
    keys: dict[str, str],
    previous: dict[str, str],
    changes: Changes | None = None,
    basis: str = "",
    bodies: Bodies | None = None,
    nice: int = 0,
    meanwhile: Callable[[str], object] | None = None,
) -> tuple[dict[str, str], int, str]:
    """Render what changed: every page keyed here, those whose key changed rendered in worker processes.
    keys: keys.article_keys() of the archive. changes: how the archive differs from the one whose
    pages are in the tree, made with Renderer.basis basis (reuse.py): then only the pages that show
    a changed article, or list one that came or went, are keyed again (the others keep their keys).
    bodies: the cache of rendered bodies (none: every Markdown body is parsed). nice: the render workers'
    niceness (parallel.run). meanwhile: the caller's work while they render, given Renderer.basis. Returns the manifest
    (output path -> content key) of the whole site, how many pages were rendered, and Renderer.basis."""
    # Keying runs here, not in workers: a forked worker touching every article copies the pages
    # they live on (reference counts), which cost more than it saved (measured at 10,000 articles).
    main = Renderer(config, archive, tree, keys, previous, bodies=bodies or Bodies(None))
    articles = archive.articles
    if changes is not None and basis == main.basis:
        present = changes.edited + changes.added
        main.changed = {a.id for a in present}
        main.touched = main.listings(changes.added + changes.removed)
        main.showing = main.listings(present)
        affected = main.affected(present, changes.removed)
        shown = [a for a in articles if a.id in affected]
        # every page's last key in one go (C loops: 0.1 s at 100,000 articles as a comprehension), less the shown
        permalinks = list(map(attrgetter("permalink"), articles))
        kept = dict(zip(permalinks, map(previous.get, permalinks)))
        for article in shown:
            kept.pop(article.permalink, None)
        if None not in kept.values():
            main.keys.update(cast("dict[str, str]", kept))  # no None: checked above
            articles = shown
    page_keys, changed = main.key_articles(articles)
    main.keys.update(page_keys)
    changed_ids = set(changed)
    # Every other page is keyed here too, and those that changed are rendered in the workers with the
    # articles: an everyday build's changes are mostly listings (one new article moves every page of
    # its listings), which both cores then share.
    main.deferred = []
    main.redirects()
    main.rest()
    pages: list[Page | Article] = [a for a in archive.articles if a.id in changed_ids]
    pages += main.deferred
    parsed = []
    along = (lambda: meanwhile(main.basis)) if meanwhile is not None else None
    for paths, made in parallel.run(_render_chunk, pages, main, config.workers, nice=nice, meanwhile=along):
        tree.written.update(paths)
        parsed.append(made)
    main.bodies.save(parsed, archive.articles)
    return main.keys, main.rendered + len(changed_ids), main.basis


def _render_chunk(main: Renderer, pages: Sequence[Page | Article]) -> tuple[set[str], Parsed]:
    """Pages (in a worker): the paths written and the Markdown bodies parsed."""
    before = set(main.tree.written)
    main.render_pages(pages)
    return main.tree.written - before, main.bodies.handover()


def _stats(
    inputs: list[InputEntry], archive: Archive, timer: StageTimer, tree: WorkTree, extra: dict[str, Any]
) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for entry in inputs:
        by_status[entry.status] = by_status.get(entry.status, 0) + 1
    return {
        "inputs": len(inputs),
        "by_status": by_status,
        "articles": len(archive.articles),
        "outlets": len(archive.outlets),
        "tags": len(archive.tags),
        "files_written": len(tree.written),
        "files_deleted": len(tree.deleted),
        "incremental": not tree.fresh,
        "stages": timer.stages,
        **extra,
    }
