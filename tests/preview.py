"""Run `site-gen serve` as a real process for tests: start, read its URL, stop with Ctrl-C."""

from __future__ import annotations

import contextlib
import http.client
import json
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from urllib.parse import urlsplit


class Preview:
    def __init__(self, site_root: Path, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-m", "site_gen", "serve", str(site_root), "--port", "0", *args],
            cwd=site_root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.lines: queue.Queue[str] = queue.Queue()
        self.log: list[str] = []
        threading.Thread(target=self._read, daemon=True).start()
        self.url = self.wait_for("serving ").split(" at ")[1].split(" ")[0]

    def _read(self) -> None:
        assert self.process.stdout
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def wait_for(self, text: str, timeout: float = 30) -> str:
        """The next output line containing text (earlier lines are kept in self.log)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self.lines.get(timeout=max(0.01, deadline - time.monotonic()))
            except queue.Empty:
                break
            self.log.append(line)
            if text in line:
                return line
        raise AssertionError(f"site-gen serve did not print {text!r} within {timeout} s; output so far: {self.log}")

    def drain(self, seconds: float) -> list[str]:
        """Lines printed during the next `seconds`."""
        end, got = time.monotonic() + seconds, []
        while time.monotonic() < end:
            with contextlib.suppress(queue.Empty):
                got.append(self.lines.get(timeout=max(0.01, end - time.monotonic())))
        self.log += got
        return got

    def stop(self) -> int:
        self.process.send_signal(signal.SIGINT)
        return self.process.wait(timeout=30)


class EventStream:
    """The preview server's Server-Sent Events, read as a page reads them."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        self.conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
        self.conn.request("GET", "/_site-gen/events")
        self.response = self.conn.getresponse()
        assert self.response.getheader("Content-Type") == "text/event-stream"

    def next(self, name: str, until: Callable[[dict], bool] = lambda data: True) -> dict:
        """The data of the next event called name for which until(data) holds."""
        event = None
        while line := self.response.readline():
            text = line.decode().rstrip("\n")
            if text.startswith("event: "):
                event = text[len("event: ") :]
            elif text.startswith("data: ") and event == name:
                data = json.loads(text[len("data: ") :])
                if until(data):
                    return data
        raise AssertionError(f"the event stream closed before a {name!r} event")

    def close(self) -> None:
        self.conn.close()
