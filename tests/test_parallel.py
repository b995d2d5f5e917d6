import os
import pty
import time

from conftest import drain

from site_gen import parallel, progress


def double_all(state, chunk):
    return [state * x for x in chunk]


def test_chunks_cover_items_in_order():
    items = list(range(10))
    assert [x for c in parallel.chunked(items, 3) for x in c] == items
    assert len(parallel.chunked(items, 3)) == 3 and parallel.chunked([], 3) == []


def test_run_in_worker_processes_keeps_order_in_chunks_per_job(monkeypatch):
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(parallel, "CHUNKS_PER_JOB", 4)
    results = parallel.run(double_all, list(range(100)), 2, jobs=2)
    assert [x for chunk in results for x in chunk] == [2 * x for x in range(100)]
    assert len(results) == 8


def test_small_jobs_run_in_process():
    assert parallel.run(double_all, [1, 2], 3, jobs=4) == [[3, 6]]


def test_chunks_sets_the_pieces_even_for_few_items():
    results = parallel.run(double_all, [1, 2, 3], 2, jobs=2, chunks=2)
    assert results == [[2, 4], [6]]


def niceness(state, chunk):
    return os.nice(0)


def test_workers_can_give_way_to_other_processes():
    base = os.nice(0)
    assert parallel.run(niceness, [1, 2], None, jobs=2, chunks=2, nice=5) == [min(base + 5, 19)] * 2
    assert parallel.run(niceness, [1, 2], None, jobs=2, chunks=2) == [base] * 2
    assert os.nice(0) == base  # the caller's own share is unchanged


def wait_for(flag, chunk):
    deadline = time.monotonic() + 20
    while not os.path.exists(flag) and time.monotonic() < deadline:
        time.sleep(0.01)
    return os.path.exists(flag)


def test_the_callers_own_work_runs_while_the_workers_do(tmp_path):
    flag = tmp_path / "flag"
    assert parallel.run(wait_for, [1, 2], str(flag), jobs=2, chunks=2, meanwhile=flag.touch) == [True, True]
    calls = []
    assert parallel.run(double_all, [1, 2], 3, jobs=1, meanwhile=lambda: calls.append(1)) == [[3, 6]] and calls == [1]


def fail_on_two(state, chunk):
    if 2 in chunk:
        raise ValueError("two")
    return list(chunk)


def test_a_worker_error_reaches_the_caller():
    import pytest

    with pytest.raises(ValueError, match="two"):
        parallel.run(fail_on_two, [1, 2, 3, 4], None, jobs=2, chunks=2)
    assert parallel.run(fail_on_two, [3, 4, 5], None, jobs=2, chunks=3) == [[3], [4], [5]]


def count_in_worker(state, chunk):
    progress.advance(1000)  # a forked worker's count: the parent's line must not see it
    return len(chunk)


def test_chunks_count_for_the_progress_line_as_they_come_back():
    master, slave = pty.openpty()
    with os.fdopen(slave, "w") as terminal, progress.Progress(terminal, delay=0) as shown:
        with shown.stage("render", "pages"):
            assert sum(parallel.run(count_in_worker, range(1000), None, jobs=2)) == 1000
            time.sleep(progress.TICK * 2.5)
        with shown.stage("read", "files"):  # in-process, in pieces
            assert parallel.run(double_all, list(range(600)), 1, jobs=1) == [
                list(range(i, i + 200)) for i in (0, 200, 400)
            ]
            time.sleep(progress.TICK * 2.5)
    got = drain(master)
    assert "site-gen: render 1,000/1,000 pages, " in got and "site-gen: read 600/600 files, " in got
    assert "2,000" not in got and "1,600" not in got
