"""Progress of a long command on a terminal: one line (stage, done/total, rate, time left) redrawn in place.

Shown only when the stream is a terminal, and only once the command has run DELAY seconds
(SITE_GEN_PROGRESS_DELAY, default 2), so quick builds print nothing but their summary; --quiet and the
preview server make none. The line is drawn with tqdm (rate smoothing, time left, width, redrawing
in place) by a thread of this module, which also keeps the elapsed time moving through stages that
count nothing (a wait for the search process); the line is cleared when its stage ends.

Stages report through the module functions expect() and advance(), to the one Progress active in
this process: parallel.run() reports each chunk as it comes back from its worker, so stages that run
in forked workers count without a progress object passed through every function. Forked processes
inherit the active Progress but never draw (it belongs to the process that made it).
"""

from __future__ import annotations

import functools
import os
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from types import TracebackType
from typing import Any, TextIO, TypeVar

DELAY_VARIABLE = "SITE_GEN_PROGRESS_DELAY"
DEFAULT_DELAY = 2.0
TICK = 0.2
COUNTED = "site-gen: {desc} {done}/{todo}{unit}, {per_second}{unit}/s, {remaining} left"
UNCOUNTED = "site-gen: {desc}, {elapsed}"

T = TypeVar("T")

_active: Progress | None = None


class Progress:
    """The progress line of one command. Without a terminal stream it does nothing (and costs nothing)."""

    def __init__(self, stream: TextIO | None = None, delay: float | None = None) -> None:
        self.stream = stream if stream is not None and _is_terminal(stream) else None
        self.delay = _delay() if delay is None else delay
        self.started = time.monotonic()
        self.pid = os.getpid()
        self._lock = threading.Lock()
        self._stage: _Stage | None = None
        self._stop = threading.Event()
        self._ticker: threading.Thread | None = None

    def __enter__(self) -> Progress:
        global _active
        if self.stream is not None:
            _active = self
            self._ticker = threading.Thread(target=self._tick, name="site-gen-progress", daemon=True)
            self._ticker.start()
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        global _active
        if self._ticker is not None:
            self._stop.set()
            self._ticker.join()
            _active = None

    @contextmanager
    def stage(self, name: str, unit: str = "") -> Iterator[None]:
        """Count and show this stage (unit: what its items are, e.g. "files") while the block runs."""
        if self.stream is None:
            yield
            return
        with self._lock:
            self._stage = _Stage(name, f" {unit}" if unit else "")
        try:
            yield
        finally:
            with self._lock:
                stage, self._stage = self._stage, None
                if stage is not None and stage.line is not None:
                    stage.line.close()  # clears the line

    def _mine(self) -> _Stage | None:
        return self._stage if os.getpid() == self.pid else None

    def _tick(self) -> None:
        assert self.stream is not None  # the ticker runs only on a terminal
        while not self._stop.wait(TICK):
            if time.monotonic() - self.started >= self.delay:
                with self._lock:
                    if self._stage is not None:
                        self._stage.draw(self.stream)


class _Stage:
    """A stage's counts (written by any thread of the process) and its line once shown (drawn by the ticker)."""

    def __init__(self, name: str, unit: str) -> None:
        self.name, self.unit = name, unit
        self.done = self.total = 0
        self.line: Any = None  # a tqdm bar

    def draw(self, stream: TextIO) -> None:
        done, total = self.done, self.total
        form = COUNTED if total else UNCOUNTED
        if self.line is None:
            self.line = _bar(self.name, self.unit, done, total, form, stream)
            return
        self.line.total, self.line.bar_format = total or None, form
        if done > self.line.n:
            self.line.update(done - self.line.n)
        else:
            self.line.refresh()  # the elapsed time and time left move on


def _bar(name: str, unit: str, done: int, total: int, form: str, stream: TextIO) -> Any:
    Line = _line_class()
    return Line(
        total=total or None,
        initial=done,
        desc=name,
        unit=unit,
        bar_format=form,
        file=stream,
        leave=False,
        ncols=_columns(stream) or 80,  # a terminal that says 0 (size unknown) still gets a line
        nrows=2,  # tqdm hides a line beyond the screen's last rows: this one is always the first
        miniters=1,
        mininterval=0,
    )


@functools.cache
def _line_class() -> Any:
    """tqdm's bar as this module draws it; tqdm is imported only on a terminal, after the delay."""
    from tqdm import tqdm

    class Line(tqdm):  # type: ignore[type-arg]  # tqdm is generic only in its stubs
        monitor_interval = 0  # no monitor thread: the ticker redraws
        _lock = threading.RLock()  # drawn under Progress's lock anyway; no cross-process semaphore

        @property
        def format_dict(self) -> dict[str, Any]:
            """tqdm's fields, and whole numbers with thousands separators (tqdm's own are 1.85k or 638.12)."""
            fields = super().format_dict
            rate = fields["rate"]
            return {
                **fields,
                "done": f"{fields['n']:,}",
                "todo": f"{fields['total'] or 0:,}",
                "per_second": f"{rate:,.0f}" if rate else "?",
            }

    return Line


def on_stderr(quiet: bool) -> Progress:
    """A command's progress line: on stderr, unless --quiet."""
    return Progress(None if quiet else sys.stderr)


QUIET_HELP = "no progress line (shown on a terminal when the command runs over 2 s)"


def expect(count: int) -> None:
    """count more items for the current stage to do."""
    stage = _active._mine() if _active is not None else None
    if stage is not None:
        stage.total += count


def advance(count: int) -> None:
    """count more items of the current stage done."""
    stage = _active._mine() if _active is not None else None
    if stage is not None:
        stage.done += count


def counted(result: T, count: int = 1) -> T:
    """result, once advance(count) is done: for the items a comprehension makes."""
    advance(count)
    return result


def _delay() -> float:
    value = os.environ.get(DELAY_VARIABLE, "")
    try:
        return float(value) if value else DEFAULT_DELAY
    except ValueError:
        return DEFAULT_DELAY


def _columns(stream: TextIO) -> int:
    try:
        return os.get_terminal_size(stream.fileno()).columns
    except (AttributeError, OSError, ValueError):  # not a file, not a terminal, or closed
        return 0


def _is_terminal(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (AttributeError, ValueError):  # no such method, or closed
        return False
