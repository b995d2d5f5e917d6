"""The watcher over real folders: inotify, the polling fallback, and what it never reports."""

import ctypes
import ctypes.util
import os
import threading
import time

from site_gen.serve.watch import Watcher


class Changes:
    def __init__(self) -> None:
        self.paths: set[str] = set()
        self.event = threading.Event()

    def __call__(self, paths: set[str]) -> None:
        self.paths |= paths
        self.event.set()

    def wait(self, timeout: float = 10) -> set[str]:
        assert self.event.wait(timeout), "no change reported"
        time.sleep(0.3)  # let the rest of a burst arrive
        self.event.clear()
        return self.paths


def started(site, poll=False, log=None):
    site.write("a.txt", "Title\nBody\n")
    config = site.config()
    changes = Changes()
    watcher = Watcher(config, changes, poll=poll, log=log or (lambda line: None))
    watcher.start()
    return watcher, changes, config


def test_atomic_saves_and_config_changes_are_seen(site):
    watcher, changes, _config = started(site)
    try:
        temporary = site.content / ".a.txt.tmp"
        temporary.write_text("Title\nNew body\n")
        os.replace(temporary, site.content / "a.txt")
        assert str(site.content / "a.txt") in changes.wait()
        changes.paths.clear()
        (site.root / "site.yaml").write_text("title: Changed\n")
        assert changes.wait() == {str(site.root / "site.yaml")}
    finally:
        watcher.stop()


def test_output_cache_hidden_and_backup_files_are_never_reported(site):
    watcher, changes, config = started(site)
    try:
        config.output_dir.mkdir()
        (config.output_dir / "index.html").write_text("x")
        (site.root / ".public.staging-1").mkdir()
        config.cache_dir.mkdir()
        (config.cache_dir / "index").write_text("x")
        (site.content / ".hidden.txt").write_text("x")
        (site.content / "a.txt~").write_text("x")
        (site.content / "a.txt.swp").write_text("x")
        time.sleep(1.0)
        assert changes.paths == set()
    finally:
        watcher.stop()


def test_polling_sees_changes(site):
    watcher, changes, _ = started(site, poll=True)
    try:
        assert watcher.kind == "polling"
        time.sleep(0.6)
        site.write("b.txt", "New\nBody\n")
        assert str(site.content / "b.txt") in changes.wait()
    finally:
        watcher.stop()


def test_falls_back_to_polling_when_inotify_cannot_start(site):
    """With every inotify instance of this user taken, inotify fails for real; the watcher says so and polls."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    messages: list[str] = []
    site.write("a.txt", "Title\nBody\n")
    changes = Changes()
    watcher = Watcher(site.config(), changes, log=messages.append)
    taken = []
    try:
        while len(taken) < 10_000:
            fd = libc.inotify_init1(0)
            if fd < 0:
                break
            taken.append(fd)
        watcher.start()
    finally:
        for fd in taken:
            os.close(fd)
    try:
        assert watcher.kind == "polling" and "polling" in messages[0] and "inotify" in messages[0], messages
        time.sleep(0.6)
        site.write("c.txt", "New\nBody\n")
        assert str(site.content / "c.txt") in changes.wait()
    finally:
        watcher.stop()
