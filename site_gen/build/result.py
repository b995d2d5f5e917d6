"""What every build returns, and what its stages share: the request, the stage timer, the result."""

from __future__ import annotations

import os
import resource
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_gen.build.cache import BuildCache
from site_gen.config import SiteConfig
from site_gen.errors import SiteGenError
from site_gen.ingest.sources import Registry
from site_gen.model import Archive, InputEntry
from site_gen.progress import Progress

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


@dataclass(slots=True)
class Request:
    """One build as asked for: its settings and cache, and what to check before and after going live."""

    config: SiteConfig
    registry: Registry
    cache: BuildCache
    timer: StageTimer
    started: float
    strict: bool = False
    report_path: Path | None = None
    check: Check | None = None
    committed: Check | None = None


@dataclass(slots=True)
class Found:
    """What discover found: the content files with their stat keys, what it skipped, and the fingerprint of
    everything the build reads."""

    files: list[str]
    stats: dict[str, str]
    skipped: list[Any]
    fingerprint: str


def accept(result: BuildResult, strict: bool, check: Check | None, write: Callable[[], object] | None = None) -> None:
    """Refuse to publish (keeping the last good output) when --strict or the caller's check says so; write:
    writes the report file (refused by --strict, the build still gives its report)."""
    if strict and result.problems:
        if write:
            write()
        raise SiteGenError(
            f"--strict: {result.problems} input file(s) have errors or warnings; the previous output was kept (see "
            "the report)"
        )
    if check:
        check(result)


def finish(result: BuildResult, started: float) -> None:
    result.seconds = time.perf_counter() - started
    result.report["stats"]["seconds"] = round(result.seconds, 3)
