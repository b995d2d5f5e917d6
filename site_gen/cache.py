"""The build cache beside the config (never deployed): what was read, and what was written.

- inputs.sqlite: per content file, its size and mtime and the InputEntry it became (read,
  normalized, tagged; pickled before the archive-wide stages touch it). A file whose size and
  mtime are unchanged is not read again. Entries are tied to a settings key: any setting that
  could change how files are read invalidates them all.
- state.json: the fingerprint of everything the last build read, the generation of the site it
  wrote, every output path with its content key, and what that generation changed (so the next
  incremental build can bring its shadow copy up to date), plus the last report.

A missing, truncated or corrupt cache is reported and rebuilt, never a crash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
import pickle
import sqlite3
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable

from . import __version__
from .config import SiteConfig
from .output import Delta
from .report import InputEntry

STATE_VERSION = 1
# Settings that only change how pages look or where they go: they never invalidate what was read.
RENDER_ONLY = {"title", "description", "base_url", "output_dir", "cache_dir", "theme", "paginate", "feed_size", "jobs", "permalink"}


def settings_key(config: SiteConfig, registry_text: str) -> str:
    """Hash of everything that decides how a file is read, normalized and tagged."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(__version__.encode())
    for f in dataclasses.fields(config):
        if f.name not in RENDER_ONLY:
            digest.update(f"{f.name}={getattr(config, f.name)!r};".encode("utf-8", "surrogatepass"))
    digest.update(registry_text.encode("utf-8"))
    return digest.hexdigest()


@dataclass(slots=True)
class BuildState:
    fingerprint: str
    generation: int
    manifest: dict[str, str]
    delta: Delta
    report: dict[str, Any] = field(default_factory=dict)


class BuildCache:
    """Reads and writes the cache folder. One instance can serve many builds (the preview
    server keeps one), holding the read cache in memory after the first load."""

    def __init__(self, config: SiteConfig) -> None:
        self.dir = config.cache_dir
        self.problems: list[str] = []
        """Cache files that were unreadable and are being rebuilt (for the report)."""
        self._memory: dict[str, tuple[str, bytes]] | None = None
        self._memory_settings = ""

    # --- state.json
    def load_state(self) -> BuildState | None:
        path = self.dir / "state.json"
        if not path.exists():
            return None
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            if data.get("version") != STATE_VERSION or data.get("site_gen") != __version__:
                return None
            return BuildState(data["fingerprint"], int(data["generation"]), dict(data["manifest"]), Delta(**data["delta"]), data.get("report", {}))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            self.problems.append(f"{path}: unreadable build state ({exc.__class__.__name__}); building from scratch")
            return None

    def save_state(self, state: BuildState) -> None:
        data = {"version": STATE_VERSION, "site_gen": __version__, **dataclasses.asdict(state)}
        self._atomic_write(self.dir / "state.json", json.dumps(data, ensure_ascii=False).encode("utf-8"))

    def forget_state(self) -> None:
        (self.dir / "state.json").unlink(missing_ok=True)

    # --- inputs.sqlite
    def load_inputs(self, settings: str) -> dict[str, tuple[str, InputEntry]]:
        """Path -> (stat key, entry) for entries read under the same settings (new objects each call)."""
        try:
            if self._memory is None or self._memory_settings != settings:
                with closing(self._connect()) as db, db:
                    rows = db.execute("SELECT path, stat, entry FROM inputs WHERE settings = ?", (settings,)).fetchall()
                self._memory, self._memory_settings = {_from_db(path): (stat, blob) for path, stat, blob in rows}, settings
            return {path: (stat, pickle.loads(blob)) for path, (stat, blob) in self._memory.items()}
        except (sqlite3.DatabaseError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError) as exc:
            self.problems.append(f"{self.dir / 'inputs.sqlite'}: unreadable read cache ({exc}); reading every file again")
            self._reset_inputs()
            return {}

    def save_inputs(self, settings: str, fresh: Iterable[tuple[str, str, InputEntry]], gone: Iterable[str]) -> None:
        """Store newly read entries (pickled now, before the archive-wide stages change them) and drop vanished paths."""
        rows = [(_to_db(path), stat, settings, pickle.dumps(entry, protocol=5)) for path, stat, entry in fresh]
        gone = list(gone)
        if self._memory is not None and self._memory_settings == settings:
            for path in gone:
                self._memory.pop(path, None)
            self._memory.update({_from_db(path): (stat, blob) for path, stat, _, blob in rows})
        if not rows and not gone:
            return
        try:
            with closing(self._connect()) as db, db:
                db.execute("DELETE FROM inputs WHERE settings != ?", (settings,))
                db.executemany("DELETE FROM inputs WHERE path = ?", [(_to_db(p),) for p in gone])
                db.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?)", rows)
        except sqlite3.DatabaseError as exc:
            self.problems.append(f"{self.dir / 'inputs.sqlite'}: cannot update the read cache ({exc}); it will be rebuilt")
            self._reset_inputs()

    def _connect(self) -> sqlite3.Connection:
        self.dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.dir / "inputs.sqlite", timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, stat TEXT, settings TEXT, entry BLOB)")
        return db

    def _reset_inputs(self) -> None:
        self._memory = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            (self.dir / f"inputs.sqlite{suffix}").unlink(missing_ok=True)

    def _atomic_write(self, path: Path, data: bytes) -> None:
        self.dir.mkdir(parents=True, exist_ok=True)
        temporary = path.with_name(path.name + f".tmp-{os.getpid()}")
        temporary.write_bytes(data)
        os.replace(temporary, path)


def _to_db(path: str) -> str | bytes:
    """A content path as SQLite can store it: text, or its raw bytes when the file name is not valid UTF-8."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def _from_db(path: str | bytes) -> str:
    return path if isinstance(path, str) else os.fsdecode(path)
