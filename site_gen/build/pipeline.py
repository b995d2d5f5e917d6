"""The linear build: discover, read, normalize, tag, assemble, render; each stage timed.

Incremental by default (cache.py): files whose size and mtime are unchanged are not read again,
pages whose content key is unchanged are not rendered again, and when nothing the build reads
has changed it stops after looking. The output is never written in place (output.py): a failed
or interrupted build leaves the last good site where it was.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import resource
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, cast

from site_gen import __version__, parallel, progress
from site_gen.build import reuse
from site_gen.build.cache import BuildCache, BuildState, settings_key
from site_gen.build.report import build_report, entries_from_report, splice_stats, write_report
from site_gen.build.reuse import Changes, LastBuild
from site_gen.config import SiteConfig, theme_dirs
from site_gen.cycles import paused_gc
from site_gen.dedupe.clusters import dedupe, link_copies
from site_gen.errors import SiteGenError
from site_gen.ingest.boilerplate import RecurringParagraph, Tally, strip_recurring
from site_gen.ingest.read import discover, display_path
from site_gen.ingest.sources import Registry, load_registry
from site_gen.ingest.stage import read_one
from site_gen.languages import model_loaded, unload_model
from site_gen.model import Archive, Article, InputEntry, Message
from site_gen.output import Output, WorkTree, check_target
from site_gen.progress import Progress
from site_gen.render.archive import Claims, assemble
from site_gen.render.bodies import Bodies, Parsed
from site_gen.render.keys import article_keys, file_key
from site_gen.render.pages import Renderer
from site_gen.search import SearchJob
from site_gen.search import manifest as search_manifest

PROGRESS_UNITS = {"read": "files", "render": "pages"}  # what a stage's progress counts (parallel.run's items)


@dataclass(slots=True)
class StageTimer:
    """Wall and CPU seconds per stage (workers' CPU included), and this process's peak memory so far; each
    stage is shown on the progress line too (which a terminal sees, never the report)."""

    stages: dict[str, dict[str, float]] = field(default_factory=dict)
    progress: Progress = field(default_factory=Progress)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), _cpu()
        try:
            with self.progress.stage(name, PROGRESS_UNITS.get(name, "")):
                yield
        finally:
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            self.stages[name] = {
                "wall": round(time.perf_counter() - wall, 4),
                "cpu": round(_cpu() - cpu, 4),
                "peak_rss_mb": round(peak, 1),
            }


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(slots=True)
class BuildResult:
    archive: Archive | None
    """None when nothing had changed and the build stopped after looking."""
    inputs: list[InputEntry]
    report: dict[str, Any]
    seconds: float

    @property
    def problems(self) -> int:
        """Inputs that failed or carry a warning: what --strict refuses."""
        return sum(1 for e in self.inputs if e.status == "error" or any(m.level != "info" for m in e.messages))

    def summary(self, output: Path) -> str:
        stats = self.report["stats"]
        counts = {status: stats["by_status"].get(status, 0) for status in ("merged", "skipped", "error")}
        changed = "nothing changed" if stats.get("unchanged") else f"{stats['files_written']:,} files written"
        return (
            f"{stats['articles']:,} articles from {stats['inputs']:,} files "
            f"({counts['merged']:,} merged, {counts['skipped']:,} skipped, {counts['error']:,} errors, "
            f"{self.problems - counts['error']:,} with warnings; {changed}) -> {output / 'index.html'} in "
            f"{self.seconds:.2f} s"
        )


Check = Callable[[BuildResult], None]


def build(
    config: SiteConfig,
    *,
    strict: bool = False,
    report_path: Path | None = None,
    cwd: Path | None = None,
    check: Check | None = None,
    full: bool = False,
    cache: BuildCache | None = None,
    committed: Check | None = None,
    progress: Progress | None = None,
) -> BuildResult:
    """Build the site (incrementally unless full). Raises SiteGenError when the output cannot be
    written, --strict finds problems, or check(result) raises before the new output is swapped in
    (the old one stays). committed(result) is called as soon as the new output is live, before the
    cache is saved (the preview server reloads pages then). progress: the progress line's stages follow the build's.
    """
    with paused_gc():  # see cycles.py
        return _build(config, strict, report_path, cwd, check, full, cache, committed, progress)


def _build(
    config: SiteConfig,
    strict: bool,
    report_path: Path | None,
    cwd: Path | None,
    check: Check | None,
    full: bool,
    cache: BuildCache | None,
    committed: Check | None,
    progress: Progress | None,
) -> BuildResult:
    started = time.perf_counter()
    timer = StageTimer(progress=progress or Progress())
    check_target(config.output_dir, config.content_dir, cwd or Path.cwd())
    registry = load_registry(config)
    cache = cache or BuildCache(config)
    cache.problems.clear()
    with timer("discover"):
        files, skipped = discover(config)
        stats = _file_keys(config, files)
        fingerprint = _fingerprint(config, registry, stats, skipped)
    with Output(config.output_dir) as output:
        state = None if full else cache.load_state()
        live = output.generation()
        if state is not None and live != state.generation:
            state = None  # not the live site's state: build in full
        if (
            state is not None
            and state.fingerprint == fingerprint
            and search_manifest.sound(config)
            and (report_path is None or (state.report_generation == live and cache.has_report()))
        ):
            result = _unchanged(state, timer)
            _accept(result, strict, check)
            _finish(result, started)
            if report_path:  # the last report file, with this build's stats
                write_report(report_path, splice_stats(cache.report(), result.report["stats"]))
            return result
        last = cache.last_build(state) if state is not None else None
        made = _archive(config, registry, cache, files, stats, skipped, timer, last)
        inputs, archive, keys, recurring = made.inputs, made.archive, made.keys, made.recurring
        tree = output.incremental(state.delta) if state is not None else output.fresh()
        kept, cache.snapshot = cache.snapshot, None  # a failed build may have patched it
        # the last build's articles by key (a content hash): the search patch finds the postings of the old versions
        # through their terms
        before = {last.keys[a.id]: a for a in last.archive.articles} if last else {}
        with SearchJob(
            config, archive, tree, keys, kept, before
        ) as search:  # in its own process while pages render, for large archives;
            # it saves its snapshot while the rest of the build goes on (waited for on leaving)
            with timer("render"):
                manifest, rendered, made.page_basis = render_site(
                    config,
                    archive,
                    tree,
                    keys,
                    state.manifest if state is not None else {},
                    made.changes,
                    last.page_basis if last is not None else "",
                    cache.bodies(),
                )
            generation = made.generation = (live or 0) + 1
            made.fingerprint = fingerprint
            cache.save_last_build(made)  # while the search process works
            with timer("search"):
                search_files, search_changed = search.finish()
            tree.written.update(search_changed)
            manifest.update(
                dict.fromkeys(search_files, f"search:{search.key}")
            )  # listed, so stale index files are deleted
            for path in (state.manifest.keys() - manifest.keys()) if state is not None else ():
                tree.delete(path)
            extra: dict[str, Any] = {"pages_rendered": rendered, "boilerplate": [asdict(r) for r in recurring]}
            if cache.problems:
                extra["cache_problems"] = cache.problems
            report = build_report(
                inputs, archive, _stats(inputs, archive, timer, tree, extra), articles=report_path is not None
            )
            result = BuildResult(archive, inputs, report, 0.0)
            _accept(result, strict, check, report_path)
            output.commit(tree, generation)
            if committed:
                committed(result)
            _finish(result, started)
            if report_path:
                cache.save_report(write_report(report_path, report))
            summary = {
                key: value for key, value in report.items() if key != "articles"
            }  # the articles are a large part of memory
            cache.save_state(
                BuildState(
                    fingerprint, generation, manifest, tree.delta(), summary, generation if report_path else None
                )
            )
            cache.save_dedupe_memo()
        if cache.keep_in_memory:
            cache.snapshot = search.snapshot()
    return result


def _archive(
    config: SiteConfig,
    registry: Registry,
    cache: BuildCache,
    files: list[str],
    stats: dict[str, str],
    skipped: list[Any],
    timer: StageTimer,
    last: LastBuild | None,
) -> LastBuild:
    """The archive: the last one with the changed files' articles taken out and put in when it can be
    (reuse.py), else read, boilerplate, dedupe, assemble, keys."""
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
            )
        if reused is not None:
            return reused
    with timer("read"):
        inputs = read_inputs(config, registry, cache, files, stats, skipped)
    tallies: dict[str, Tally] = {}
    with timer("boilerplate"):
        recurring = _strip_recurring(inputs, config, tallies)
    with timer("dedupe"):
        dedupe(inputs, config, memo)
    claims = Claims()
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


def _accept(result: BuildResult, strict: bool, check: Check | None, report_path: Path | None = None) -> None:
    """Refuse to publish (keeping the last good output) when --strict or the caller's check says so."""
    if strict and result.problems:
        if report_path:
            write_report(report_path, result.report)
        raise SiteGenError(
            f"--strict: {result.problems} input file(s) have errors or warnings; the previous output was kept (see "
            "the report)"
        )
    if check:
        check(result)


def _finish(result: BuildResult, started: float) -> None:
    result.seconds = time.perf_counter() - started
    result.report["stats"]["seconds"] = round(result.seconds, 3)


def _unchanged(state: BuildState, timer: StageTimer) -> BuildResult:
    """Nothing the build reads has changed since the last build: its report still holds."""
    report = dict(state.report)
    report["stats"] = {
        **report["stats"],
        "unchanged": True,
        "files_written": 0,
        "bytes_written": 0,
        "stages": timer.stages,
    }
    return BuildResult(None, entries_from_report(report), report, 0.0)


def _fingerprint(config: SiteConfig, registry: Registry, stats: dict[str, str], skipped: list[Any]) -> str:
    """Hash of everything a build reads: settings, registry, content files, skipped paths, theme files."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(__version__.encode())
    for f in dataclasses.fields(config):
        digest.update(f"{f.name}={getattr(config, f.name)!r};".encode("utf-8", "surrogatepass"))
    digest.update(repr(registry.entries).encode("utf-8", "surrogatepass"))
    for path in sorted(stats):
        digest.update(f"{path}\0{stats[path]}\0".encode("utf-8", "surrogatepass"))
    for item in skipped:
        digest.update(f"{item.path}\0{item.message}\0".encode("utf-8", "surrogatepass"))
    for theme in theme_dirs(config):
        for file in sorted(theme.rglob("*")):
            if file.is_file():
                digest.update(f"{file}\0{file_key(file)}\0".encode("utf-8", "surrogatepass"))
    return digest.hexdigest()


def _file_keys(config: SiteConfig, files: list[str]) -> dict[str, str]:
    """file_key() of each content file (joined as strings: Path objects cost 60 ms per 10,000)."""
    root = os.fspath(config.content_dir)
    return {path: file_key(os.path.join(root, path)) for path in files}


def collect_inputs(config: SiteConfig) -> list[InputEntry]:
    """Every input read (through the cache) and rid of boilerplate: what dedupe sees (site-gen dupes)."""
    registry = load_registry(config)
    files, skipped = discover(config)
    stats = _file_keys(config, files)
    inputs = read_inputs(config, registry, BuildCache(config), files, stats, skipped)
    _strip_recurring(inputs, config)
    return inputs


def _rendered(inputs: list[InputEntry]) -> list[Article]:
    return [e.article for e in inputs if e.article is not None and e.status == "rendered"]


def _strip_recurring(
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
    stale = [path for path in files if path not in cached or cached[path][0] != stats[path]]
    fresh = _read_files(config, registry, stale)
    cache.save_inputs(
        settings, ((path, stats[path], entry) for path, entry in zip(stale, fresh)), cached.keys() - stats.keys()
    )
    by_path = dict(zip(stale, fresh))
    inputs.extend(by_path[path] if path in by_path else cached[path][1] for path in files)
    return inputs


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
) -> tuple[dict[str, str], int, str]:
    """Render what changed: article pages in worker processes, everything else here meanwhile.
    keys: keys.article_keys() of the archive. changes: how the archive differs from the one whose
    pages are in the tree, made with Renderer.basis basis (reuse.py): then only the pages that show
    a changed article, or list one that came or went, are keyed again (the others keep their keys).
    bodies: the cache of rendered bodies (none: every Markdown body is parsed). Returns the manifest
    (output path -> content key) of the whole site, how many pages were rendered, and Renderer.basis."""
    # Keying runs here, not in workers: a forked worker touching every article copies the pages
    # they live on (reference counts), which cost more than it saved (measured at 10,000 articles).
    main = Renderer(config, archive, tree, keys, previous, bodies=bodies or Bodies(None))
    articles = archive.articles
    if changes is not None and basis == main.basis:
        present = changes.edited + changes.added
        main.changed = {a.id for a in present}
        main.touched = main.listings(changes.added + changes.removed)
        affected = main.affected(present, changes.removed)
        kept = {a.permalink: previous.get(a.permalink) for a in articles if a.id not in affected}
        if None not in kept.values():
            main.keys.update(cast("dict[str, str]", kept))  # no None: checked above
            articles = [a for a in articles if a.id in affected]
    page_keys, changed = main.key_articles(articles)
    main.keys.update(page_keys)
    changed_ids = set(changed)
    main.redirects()
    changed_articles = [a for a in archive.articles if a.id in changed_ids]
    parsed = []
    for paths, made in parallel.run(_render_chunk, changed_articles, main, config.workers, alongside=main.rest):
        tree.written.update(paths)
        parsed.append(made)
    main.bodies.save(parsed, archive.articles)
    return main.keys, main.rendered + len(changed_articles), main.basis


def _render_chunk(main: Renderer, articles: Sequence[Article]) -> tuple[set[str], Parsed]:
    """Article pages (in a worker): the paths written and the Markdown bodies parsed."""
    before = set(main.tree.written)
    main.render_articles(articles)
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
