"""Preview server: serve what `site-gen build` makes, watch the sources, rebuild, reload open pages.

Standard-library threading HTTP server + watchdog + Server-Sent Events. Pages get a small
script injected as they are served (never in the built files) that listens for: reload (a
rebuild succeeded), css (only stylesheets changed: swapped without a reload), problems (the
files with errors or warnings, for the panel), build-error (an error of the site itself stopped
the rebuild: an overlay names file and line; the last good site stays served) and build-ok.
A file in error never stops the preview: it is left out as `site-gen build` leaves it out, and
the page it made before it broke is still served (problems.LastGoodPages). The output folder is
swapped in atomically by build(), so a request sees either the old site or the new one, never
half of each. site.yaml is read again for every rebuild.
"""

from __future__ import annotations

import json
import mimetypes
import os
import queue
import sys
import threading
import time
import webbrowser
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from site_gen.build.cache import BuildCache
from site_gen.build.pipeline import BuildResult, build
from site_gen.build.report import entries_from_report
from site_gen.config import SiteConfig, load_config
from site_gen.errors import ConfigError, SiteGenError
from site_gen.render.pages import compile_templates
from site_gen.search import preload as search_preload
from site_gen.serve.problems import LastGoodPages, error_page, file_problems, panel, site_errors
from site_gen.serve.watch import Watcher

LIVE_PREFIX = "/_site-gen/"
LIVE_SCRIPT = '<script src="/_site-gen/live.js?build={}" defer></script>'
HEARTBEAT = 15.0
RELOAD_GRACE = 0.5
"""Longest wait, after telling pages to reload, before the rebuild goes on with its bookkeeping."""
TYPES = {
    ".html": "text/html; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".js": "text/javascript; charset=utf-8",
    ".xml": "application/xml; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".txt": "text/plain; charset=utf-8",
    ".woff2": "font/woff2",
}
FEEDS = {"atom.xml": "application/atom+xml; charset=utf-8"}
PageEvent = tuple[str, dict[str, Any]]
"""(name, data) of a server-sent event, queued for one page."""


@dataclass
class Events:
    """Fan-out of server-sent events to every open page; remembers the files with problems and a
    failed build for pages opened later."""

    clients: set[queue.Queue[PageEvent]] = field(default_factory=set)
    error: dict[str, Any] | None = None
    """The error that stopped the last build (site_errors), until a build succeeds."""
    problems: dict[str, Any] | None = None
    """The files with errors or warnings in the last build that went live (problems.panel)."""
    generation: int = 0
    """Counts successful builds; served pages carry it, so a page that missed an event reloads on connect."""
    closed: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)
    subscriptions: int = 0
    joined: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.joined = threading.Condition(self.lock)

    def subscribe(self) -> queue.Queue[PageEvent]:
        q: queue.Queue[PageEvent] = queue.Queue()
        with self.lock:
            self.subscriptions += 1
            self.joined.notify_all()
            self.clients.add(q)
            q.put(("hello", {"build": self.generation}))
            if self.problems is not None:
                q.put(("problems", self.problems))
            if self.error is not None:
                q.put(("build-error", self.error))
        return q

    def unsubscribe(self, q: queue.Queue[PageEvent]) -> None:
        with self.lock:
            self.clients.discard(q)

    def publish(self, name: str, data: dict[str, Any]) -> int:
        """Send an event to every open page; returns how many there were."""
        with self.lock:
            if name == "problems":
                self.problems = data
            else:  # an error until a build succeeds (reload, css, build-ok)
                self.error = data if name == "build-error" else None
            if name in ("reload", "css"):
                self.generation += 1
            for q in self.clients:
                q.put((name, data))
            return len(self.clients)

    def reload(self, data: dict[str, Any], timeout: float = RELOAD_GRACE) -> None:
        """Tell open pages to reload, and wait until they are back (each opens its event stream
        again once loaded), for at most timeout: the server's threads share one interpreter, and
        the rest of the build (saving its caches) would otherwise slow the pages' requests."""
        with self.lock:
            before = self.subscriptions
        pages = self.publish("reload", data)
        with self.lock:
            self.joined.wait_for(lambda: self.subscriptions - before >= pages or self.closed.is_set(), timeout=timeout)


@dataclass
class Rebuilder:
    """Debounced, single-flight rebuilds: a burst of saves gives one build once changes settle."""

    load: Callable[[], SiteConfig]
    """Reads site.yaml (with the command line's overrides): called for every rebuild."""
    events: Events
    settle: float = 0.03
    log: Callable[[str], None] = lambda line: print(line, flush=True)
    moved: Callable[[SiteConfig], None] = lambda config: None
    """Called when a rebuild reads a site.yaml whose folders or theme differ (the watcher follows)."""
    config: SiteConfig = field(init=False)
    cache: BuildCache = field(init=False)
    """Kept in memory across rebuilds: the read cache, the last archive and the search snapshot."""
    pages: LastGoodPages = field(default_factory=LastGoodPages)
    _problems: dict[str, Any] = field(default_factory=dict)
    """The panel of the build going live (problems.panel)."""
    _logged: set[str] = field(default_factory=set)
    """The problems of the last build that went live, as printed."""
    _pending: set[str] = field(default_factory=set)
    _wake: threading.Event = field(default_factory=threading.Event)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    builds: int = 0

    def __post_init__(self) -> None:
        try:
            self.config = self.load()
        except ConfigError as exc:  # watch where site.yaml is: the first rebuild reports the error
            self.config = _stand_in(exc)
        self.cache = BuildCache(self.config, keep_in_memory=True)

    def changed(self, paths: set[str]) -> None:
        with self._lock:
            self._pending |= paths
        self._wake.set()

    def run(self) -> None:
        try:  # read and compiled now rather than on the first save
            self.cache.preload()
            snapshot = search_preload(self.config)
            self.cache.snapshot = self.cache.snapshot or snapshot
            compile_templates(self.config)
        except Exception:  # only a head start: whatever failed here, the rebuild that meets it reports
            pass
        while not self.events.closed.is_set():
            if not self._wake.wait(timeout=0.5):
                continue
            while True:  # settle: wait until no new change arrives for `settle` seconds
                self._wake.clear()
                if not self._wake.wait(timeout=self.settle):
                    break
            with self._lock:
                paths, self._pending = self._pending, set()
            if paths and not self.events.closed.is_set():
                self.rebuild(paths)

    def rebuild(self, paths: set[str], label: str = "rebuilt") -> None:
        started = time.perf_counter()
        only_css = all(p.endswith(".css") for p in paths)

        def live(result: BuildResult) -> None:
            """Tell open pages as soon as the new site is in place; when no file changed, only clear errors."""
            stats = result.report["stats"]
            changed = stats.get("files_written", 0) or stats.get("files_deleted", 0)
            data = {"seconds": round(time.perf_counter() - started, 3)}
            if result.archive is not None:
                self.pages.learn(result.inputs)
            self.events.publish("problems", self._problems)
            if changed and not only_css:
                self.events.reload(data)
            else:
                self.events.publish("css" if changed else "build-ok", data)

        try:
            self.reconfigure()
            result = build(self.config, check=self.going_live, cache=self.cache, committed=live)
        except Exception as exc:  # every failure goes to the page, the server keeps going
            payload = site_errors(exc)
            if self.events.problems is None:  # the first build: the panel lists those of the site still served
                self.events.publish("problems", self.last_problems())
            self.events.publish("build-error", payload)
            for error in payload["errors"]:
                self.log(f"site-gen serve: rebuild failed: {error['text']}")
            return
        self.builds += 1
        if result.archive is None:  # nothing the build reads had changed
            live(result)
        self.log(
            f"site-gen serve: {label} in {time.perf_counter() - started:.2f} s ({len(paths)} change(s)); "
            f"{result.summary(self.config.output_dir)}"
        )

    def last_problems(self) -> dict[str, Any]:
        """The problems of the last build kept in the cache (file_problems)."""
        state = self.cache.load_state()
        found = state is not None and self.cache.load_state_report(state)
        return panel(file_problems(entries_from_report(state.report) if state and found else (), ()))

    def reconfigure(self) -> None:
        """Read site.yaml again; the watcher and the cache follow folders and a theme that moved."""
        config = self.load()
        if _places(config) != _places(self.config):
            self.moved(config)
            if config.cache_dir != self.config.cache_dir:
                self.cache = BuildCache(config, keep_in_memory=True)
        self.config = config

    def going_live(self, result: BuildResult) -> None:
        """build(check=...): the new site is complete and about to replace the one served."""
        self.pages.hold(result.inputs, self.config.output_dir)
        items = file_problems(result.inputs, self.pages.broken)
        for item in items:  # the log names each problem once, not at every rebuild
            if item["text"] not in self._logged:
                self.log(f"site-gen serve: {item['level']}: {item['text']}")
        self._logged = {item["text"] for item in items}
        self._problems = panel(items)


def _places(config: SiteConfig) -> tuple[object, ...]:
    """What the server and the watcher are pointed at."""
    return (config.config_path, config.sources, config.content_dir, config.output_dir, config.cache_dir, config.theme)


def _stand_in(exc: ConfigError) -> SiteConfig:
    """A configuration for a site.yaml that cannot be read yet: the defaults in its folder, watching it."""
    path = Path(exc.path) if exc.path else None
    config = load_config(None, cwd=path.parent if path else Path.cwd())
    config.config_path = path
    return config


def resolve(root: Path, url_path: str) -> Path | None:
    """The file under root that a URL path names, or None for anything outside root (.., symlinks out)."""
    path = unquote(url_path)
    if "\x00" in path or "\\" in path:
        return None
    segments = [s for s in path.split("/") if s]
    if any(s in ("..", ".") for s in segments):
        return None
    real_root = os.path.realpath(root)
    candidate = os.path.realpath(os.path.join(real_root, *segments))
    if candidate != real_root and not candidate.startswith(real_root + os.sep):
        return None
    if os.path.isdir(candidate):
        candidate = os.path.join(candidate, "index.html")
    return Path(candidate) if os.path.isfile(candidate) else None


def make_handler(
    site: Rebuilder, events: Events, search: Callable[[SiteConfig, dict[str, list[str]]], Any] | None
) -> type:
    class Handler(BaseHTTPRequestHandler):
        server_version = "site-gen"
        timeout = 30  # idle connections are closed instead of holding a thread forever

        def log_message(self, format: str, *args: Any) -> None:  # signature of the base class
            pass

        def do_HEAD(self) -> None:
            self.do_GET(head=True)

        def do_GET(self, head: bool = False) -> None:
            url = urlsplit(self.path)
            if url.path == LIVE_PREFIX + "events":
                return self.event_stream()
            if url.path in (LIVE_PREFIX + "live.js", LIVE_PREFIX + "live.css"):
                name = url.path.rsplit("/", 1)[1]
                return self.send(
                    200,
                    resources.files("site_gen").joinpath(f"data/{name}").read_bytes(),
                    TYPES[Path(name).suffix],
                    head,
                )
            if url.path == "/_search":
                return self.search(url.query, head)
            root = site.config.output_dir
            file = resolve(root, url.path)
            if file is None:
                return self.not_found(root, url.path, head)
            if file.name == "index.html" and not url.path.endswith(("/", "index.html")):
                return self.redirect(
                    url.path + "/" + (f"?{url.query}" if url.query else "")
                )  # relative links need the slash
            self.send(200, file.read_bytes(), self.content_type(file), head)

        def content_type(self, file: Path) -> str:
            return (
                FEEDS.get(file.name)
                or TYPES.get(file.suffix)
                or mimetypes.guess_type(file.name)[0]
                or "application/octet-stream"
            )

        def send(self, status: int, body: bytes, content_type: str, head: bool = False) -> None:
            if content_type.startswith("text/html"):
                body = inject(body, events.generation)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.send_header("X-Content-Type-Options", "nosniff")
            self.end_headers()
            if not head:
                self.wfile.write(body)

        def redirect(self, location: str) -> None:
            self.send_response(HTTPStatus.MOVED_PERMANENTLY)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def not_found(self, root: Path, url_path: str, head: bool) -> None:
            """The last good page of a file broken since; the error page while no site could be built; else 404."""
            kept = site.pages.page(_site_path(url_path))
            if kept is not None:
                return self.send(200, kept, TYPES[".html"], head)
            error, page = events.error, root / "404.html"
            if error is not None and not (root / "index.html").is_file():
                return self.send(500, error_page(error), TYPES[".html"], head)
            if page.is_file():
                return self.send(404, page.read_bytes(), TYPES[".html"], head)
            self.send(
                404,
                b"<!DOCTYPE html><html lang=en><title>Not found</title><p>No site has been built yet.</p></html>",
                TYPES[".html"],
                head,
            )

        def search(self, query: str, head: bool) -> None:
            if search is None:
                return self.send(501, b'{"error": "search is not available"}', TYPES[".json"], head)
            try:
                results = search(site.config, parse_qs(query))
            except SiteGenError as exc:
                return self.send(400, json.dumps({"error": str(exc)}).encode(), TYPES[".json"], head)
            self.send(200, json.dumps(results, ensure_ascii=False).encode(), TYPES[".json"], head)

        def event_stream(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            q = events.subscribe()
            try:
                self.wfile.write(b"retry: 500\n\n")
                self.wfile.flush()
                while not events.closed.is_set():
                    try:
                        name, data = q.get(timeout=HEARTBEAT)
                        message = f"event: {name}\ndata: {json.dumps(data)}\n\n"
                    except queue.Empty:
                        message = ": keep-alive\n\n"
                    self.wfile.write(message.encode())
                    self.wfile.flush()
            except OSError:
                pass  # the page went away
            finally:
                events.unsubscribe(q)

    return Handler


def inject(html: bytes, generation: int) -> bytes:
    """Add the live-reload script, stamped with the build it belongs to, before </head> (else at the end)."""
    script = LIVE_SCRIPT.format(generation).encode()
    marker = html.rfind(b"</head>")
    if marker == -1:
        return html + script
    return html[:marker] + script + html[marker:]


def _site_path(url_path: str) -> str:
    """The file a URL path names in the site: articles/x/ -> articles/x/index.html."""
    path = unquote(url_path).lstrip("/")
    return path + "index.html" if path == "" or path.endswith("/") else path


class Server(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def serve(
    load: Callable[[], SiteConfig],
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    open_browser: bool = False,
    poll: bool = False,
    search: Callable[[SiteConfig, dict[str, list[str]]], Any] | None = None,
    ready: Callable[[str], None] | None = None,
) -> int:
    """Build, serve and watch until interrupted; load() reads the site's configuration (again for
    every rebuild). Returns the exit code."""
    events = Events()
    rebuilder = Rebuilder(load, events)
    rebuilder.rebuild({"(start)"}, "built")
    server = Server((host, port), make_handler(rebuilder, events, search))
    url = f"http://{host if ':' not in host else f'[{host}]'}:{server.server_address[1]}/"
    watcher = Watcher(rebuilder.config, rebuilder.changed, poll=poll, log=rebuilder.log)

    def moved(config: SiteConfig) -> None:
        nonlocal watcher
        watcher.stop()
        watcher = Watcher(config, rebuilder.changed, poll=poll, log=rebuilder.log)
        watcher.start()

    rebuilder.moved = moved
    threads = [
        threading.Thread(target=rebuilder.run, daemon=True),
        threading.Thread(target=server.serve_forever, daemon=True),
    ]
    for thread in threads:
        thread.start()
    watcher.start()
    try:  # from the moment the URL is printed, Ctrl-C is a clean stop
        print(
            f"site-gen serve: serving {rebuilder.config.output_dir} at {url} "
            f"(watching with {watcher.kind}; Ctrl-C to stop)",
            flush=True,
        )
        if ready:
            ready(url)
        if open_browser:
            webbrowser.open(url)
        while True:  # short sleeps: a Ctrl-C that the kernel hands to a busy thread is seen at the next wake-up
            time.sleep(0.25)
    except KeyboardInterrupt:
        print("\nsite-gen serve: stopped", file=sys.stderr)
    finally:
        events.closed.set()
        watcher.stop()
        server.shutdown()
        server.server_close()
    return 0
