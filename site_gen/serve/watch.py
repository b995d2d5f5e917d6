"""Watch what a build reads (content, theme, config, source registry) and report changed paths.

Folders are watched rather than files, so editors' atomic saves (write a temporary file, rename
it over the original) are seen as a move onto the real name. The output and cache folders, and
the staging folders build() makes beside the output, are never reported: no rebuild loops.
inotify is used where it works; where it is unavailable or its limits are reached, polling.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer
from watchdog.observers.api import BaseObserver
from watchdog.observers.polling import PollingObserver

from site_gen.config import SiteConfig, theme_dirs

POLL_SECONDS = 0.5
EDITOR_NOISE = ("~", ".swp", ".swx", ".swo", ".tmp", ".part", ".kate-swp")


class _Handler(FileSystemEventHandler):
    def __init__(self, accept: Callable[[str], bool], notify: Callable[[set[str]], None]) -> None:
        self.accept = accept
        self.notify = notify

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write") or (event.is_directory and event.event_type == "modified"):
            return  # reads, and a folder's mtime changing because a file in it changed
        paths = {os.fsdecode(p) for p in (event.src_path, getattr(event, "dest_path", "")) if p}
        wanted = {p for p in paths if self.accept(p)}
        if wanted:
            self.notify(wanted)


class Watcher:
    """One observer over every folder a build reads; calls notify(paths) for relevant changes."""

    def __init__(
        self,
        config: SiteConfig,
        notify: Callable[[set[str]], None],
        *,
        poll: bool = False,
        log: Callable[[str], None] = print,
    ) -> None:
        self.config = config
        self.notify = notify
        self.log = log
        self.kind = "polling" if poll else "inotify"
        self.observer: Any = None

    def _targets(self) -> list[tuple[Path, bool, Callable[[str], bool]]]:
        """(folder, recursive, filter) for content, themes, and the config's own folder (its files only)."""
        config_files = {str(p) for p in (self.config.config_path, self.config.sources) if p}
        targets: list[tuple[Path, bool, Callable[[str], bool]]] = [
            (d, True, self._is_source) for d in (self.config.content_dir, *theme_dirs(self.config)) if d.is_dir()
        ]
        folders = {Path(p).parent for p in config_files}
        targets += [(folder, False, lambda p: p in config_files) for folder in sorted(folders)]
        return targets

    def _is_source(self, path: str) -> bool:
        name = os.path.basename(path)
        if name.startswith(".") or name.endswith(EDITOR_NOISE) or (name.startswith("#") and name.endswith("#")):
            return False
        resolved = Path(path)
        return not any(resolved.is_relative_to(d) for d in (self.config.output_dir, self.config.cache_dir))

    def _observer(self, poll: bool) -> BaseObserver:
        observer = PollingObserver(timeout=POLL_SECONDS) if poll else Observer()
        for folder, recursive, accept in self._targets():
            observer.schedule(_Handler(accept, self.notify), str(folder), recursive=recursive)
        return observer

    def start(self) -> None:
        """Start watching; inotify failures (no instances or watches left) fall back to polling, said in the log."""
        try:
            self.observer = self._observer(self.kind == "polling")
            self.observer.start()
        except OSError as exc:
            if self.kind == "polling":
                raise
            if self.observer is not None:
                self.observer.stop()
            self.log(
                f"site-gen serve: cannot watch with inotify ({exc.strerror or exc}); polling every {POLL_SECONDS} s "
                "instead"
            )
            self.kind = "polling"
            self.start()

    def stop(self) -> None:
        if self.observer is not None:
            self.observer.stop()
            self.observer.join(timeout=5)
