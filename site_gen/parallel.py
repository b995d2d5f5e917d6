"""Both cores: a forked process pool over chunks of work.

Workers are forked after the shared state (config, registry, archive) and the items are built,
so they inherit both instead of unpickling them: only chunk boundaries go to the workers, and
only results come back. Small jobs run in-process, where a pool would cost more than it saves.
Each chunk done counts for the progress line (progress.py) as it comes back.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
from collections.abc import Callable, Sequence
from typing import Any, TypeVar

from site_gen import progress

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 200
CHUNKS_PER_JOB = 16
"""Enough for the progress line to move every few seconds on a long stage (at four, a 100,000-article
build's render stage moved by a quarter every 25 s), few enough that a chunk's cost stays negligible."""
_PR_SET_PDEATHSIG = 1
_SHARED: tuple[Callable[[Any, Any], Any], Any, Sequence[Any]] | None = None


def chunked(items: Sequence[T], count: int) -> list[Sequence[T]]:
    """Split items into about count contiguous chunks, in order."""
    size = max(1, -(-len(items) // max(1, count)))
    return [items[i : i + size] for i in range(0, len(items), size)]


def run(
    func: Callable[[Any, Sequence[T]], R],
    items: Sequence[T],
    state: Any,
    jobs: int,
    *,
    chunks: int | None = None,
    expected: bool = False,
    nice: int = 0,
    meanwhile: Callable[[], object] | None = None,
) -> list[R]:
    """func(state, chunk) for chunks of items, in order.

    Items are cut into CHUNKS_PER_JOB chunks per job, and small jobs stay in-process, unless chunks says
    how many pieces to make (for work where each chunk has a cost of its own). expected: the caller has
    already told the progress line of these items. nice: added to the workers' niceness, for work that
    should give way to another process's (the caller's own share is unchanged when it runs in-process).
    meanwhile: the caller's own work, done once the chunks are handed out (after them, in-process)."""
    if not expected:
        progress.expect(len(items))
    if jobs <= 1 or (chunks is None and len(items) < MIN_PARALLEL):
        # in pieces of MIN_PARALLEL items, so that the progress line moves (one piece when each has a cost of its own)
        pieces = chunked(items, 1 if chunks else max(1, len(items) // MIN_PARALLEL))
        results = [progress.counted(func(state, piece), len(piece)) for piece in pieces]
        if meanwhile is not None:
            meanwhile()
        return results
    global _SHARED
    _SHARED = (func, state, items)
    size = max(1, -(-len(items) // (chunks or jobs * CHUNKS_PER_JOB)))
    try:
        with multiprocessing.get_context("fork").Pool(jobs, initializer=_start_worker, initargs=(nice,)) as pool:
            pending = [
                pool.apply_async(_call, ((i, i + size),), callback=_done(min(size, len(items) - i)))
                for i in range(0, len(items), size)
            ]
            if meanwhile is not None:
                meanwhile()
            return [result.get() for result in pending]
    finally:
        _SHARED = None


def _done(count: int) -> Callable[[Any], None]:
    """A pool callback (run in the pool's result thread as a chunk comes back) counting its items done."""
    return lambda _: progress.advance(count)


def die_with_parent() -> None:
    """A worker (or search process) outliving a killed build could go on writing into the next build's folder
    (Linux)."""
    # The process's own symbols, libc's among them: ctypes.util.find_library would run ldconfig in a
    # child process, which a search process killed meanwhile left behind in its process group.
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() == 1:  # the parent died before prctl took effect
        os._exit(1)


def _start_worker(nice: int) -> None:
    die_with_parent()
    if nice:
        os.nice(nice)


def _call(bounds: tuple[int, int]) -> Any:
    assert _SHARED is not None
    func, state, items = _SHARED
    return func(state, items[bounds[0] : bounds[1]])
