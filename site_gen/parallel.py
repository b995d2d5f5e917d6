"""Both cores: a forked process pool over chunks of work.

Workers are forked after the shared state (config, registry, archive) is built, so they
inherit it instead of unpickling it; only the chunks and their results cross processes.
Small jobs run in-process, where a pool would cost more than it saves.
"""

from __future__ import annotations

import multiprocessing
from typing import Any, Callable, Sequence, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_PARALLEL = 200
_SHARED: tuple[Callable[[Any, Any], Any], Any] | None = None


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
    alongside: Callable[[], None] | None = None,
    chunks: int | None = None,
) -> list[R]:
    """func(state, chunk) for chunks of items, in order; alongside() runs in this process meanwhile.

    Items are cut into four chunks per job, and small jobs stay in-process, unless chunks says
    how many pieces to make (for work where each chunk has a cost of its own)."""
    if jobs <= 1 or (chunks is None and len(items) < MIN_PARALLEL):
        results = [func(state, chunk) for chunk in chunked(items, 1)] if items else []
        if alongside:
            alongside()
        return results
    global _SHARED
    _SHARED = (func, state)
    try:
        with multiprocessing.get_context("fork").Pool(jobs) as pool:
            pending = pool.map_async(_call, chunked(items, chunks or jobs * 4))
            if alongside:
                alongside()
            return pending.get()
    finally:
        _SHARED = None


def _call(chunk: Sequence[Any]) -> Any:
    assert _SHARED is not None
    func, state = _SHARED
    return func(state, chunk)
