"""The linear build: discover, read, normalize, tag, assemble, render; each stage timed.

The output is written into a staging folder and swapped in only when every page is written,
so a failed or interrupted build leaves the last good site where it was.
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterator, Sequence

from . import parallel
from .archive import assemble
from .config import SiteConfig
from .errors import SiteGenError
from .model import Archive, Article, Message
from .normalize import normalize
from .output import Staging, check_target
from .read import discover, display_path, read_file
from .render import Renderer
from .report import InputEntry, build_report, write_report
from .search import SearchJob
from .sources import Registry, load_registry, tag


@dataclass(slots=True)
class StageTimer:
    """Wall and CPU seconds per stage, workers' CPU included."""

    stages: dict[str, dict[str, float]] = field(default_factory=dict)

    @contextmanager
    def __call__(self, name: str) -> Iterator[None]:
        wall, cpu = time.perf_counter(), _cpu()
        try:
            yield
        finally:
            self.stages[name] = {"wall": round(time.perf_counter() - wall, 4), "cpu": round(_cpu() - cpu, 4)}


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


@dataclass(slots=True)
class BuildResult:
    archive: Archive
    inputs: list[InputEntry]
    report: dict[str, Any]
    seconds: float

    @property
    def problems(self) -> int:
        """Inputs that failed or carry a warning: what --strict refuses."""
        return sum(1 for e in self.inputs if e.status == "error" or any(m.level != "info" for m in e.messages))

    def summary(self, output: Path) -> str:
        counts = {status: sum(1 for e in self.inputs if e.status == status) for status in ("rendered", "merged", "skipped", "error")}
        return (
            f"{len(self.archive.articles):,} articles from {len(self.inputs):,} files "
            f"({counts['merged']:,} merged, {counts['skipped']:,} skipped, {counts['error']:,} errors, "
            f"{self.problems - counts['error']:,} with warnings) -> {output / 'index.html'} in {self.seconds:.2f} s"
        )


def build(config: SiteConfig, *, strict: bool = False, report_path: Path | None = None, cwd: Path | None = None) -> BuildResult:
    """Build the whole site. Raises SiteGenError when the output cannot be written (or --strict finds problems)."""
    started = time.perf_counter()
    timer = StageTimer()
    check_target(config.output_dir, config.content_dir, cwd or Path.cwd())
    registry = load_registry(config)
    with timer("discover"):
        files, skipped = discover(config)
    with timer("read"):
        inputs = [InputEntry(display_path(s.path), "skipped" if s.level == "info" else "error", [Message(s.level, s.message)]) for s in skipped]  # type: ignore[arg-type]
        for chunk in parallel.run(_read_chunk, files, (config, registry), config.workers):
            inputs.extend(chunk)
    with timer("assemble"):
        archive = assemble([e.article for e in inputs if e.article is not None and e.status == "rendered"], config)
    result = BuildResult(archive, inputs, {}, 0.0)
    with Staging(config.output_dir) as staging, SearchJob(config, archive, staging.path) as search:
        with timer("render"):
            files_written, bytes_written = render_site(config, archive, staging.path)
        with timer("search"):
            search_files, search_bytes = search.finish()
        result.report = build_report(inputs, archive, _stats(inputs, archive, timer, files_written + search_files, bytes_written + search_bytes))
        if report_path:
            write_report(report_path, result.report)
        if strict and result.problems:
            raise SiteGenError(f"--strict: {result.problems} input file(s) have errors or warnings; the previous output was kept (see the report)")
        staging.commit()
    result.seconds = time.perf_counter() - started
    result.report["stats"]["seconds"] = round(result.seconds, 3)
    if report_path:
        write_report(report_path, result.report)
    return result


def _read_chunk(state: tuple[SiteConfig, Registry], paths: Sequence[str]) -> list[InputEntry]:
    config, registry = state
    return [read_one(config, registry, path) for path in paths]


def read_one(config: SiteConfig, registry: Registry, path: str) -> InputEntry:
    """read -> normalize -> tag for one file; a bad file becomes an error entry, never an exception."""
    shown = display_path(path)
    try:
        raw = read_file(config, path)
    except SiteGenError as exc:
        return InputEntry(shown, "error", [Message("error", exc.message, exc.line)])
    if raw.meta.get("draft"):
        return InputEntry(shown, "skipped", [*raw.messages, Message("info", "draft: true in the front matter; not published")])
    article = normalize(raw, config)
    tag(article, registry, config, str(raw.meta.get("source") or ""))
    return InputEntry(shown, "rendered", article.messages, article)


def render_site(config: SiteConfig, archive: Archive, out: Path) -> tuple[int, int]:
    """Article pages in worker processes, everything else here meanwhile. Returns (files, bytes)."""
    main = Renderer(config, archive, out)
    counts = parallel.run(_render_chunk, archive.articles, (config, archive, out), config.workers, alongside=main.rest)
    return main.files + sum(c[0] for c in counts), main.bytes + sum(c[1] for c in counts)


def _render_chunk(state: tuple[SiteConfig, Archive, Path], articles: Sequence[Article]) -> tuple[int, int]:
    renderer = Renderer(*state)
    renderer.articles(articles)
    return renderer.files, renderer.bytes


def _stats(inputs: list[InputEntry], archive: Archive, timer: StageTimer, files: int, size: int) -> dict[str, Any]:
    by_status: dict[str, int] = {}
    for entry in inputs:
        by_status[entry.status] = by_status.get(entry.status, 0) + 1
    return {
        "inputs": len(inputs),
        "by_status": by_status,
        "articles": len(archive.articles),
        "outlets": len(archive.outlets),
        "tags": len(archive.tags),
        "files_written": files,
        "bytes_written": size,
        "stages": timer.stages,
    }

