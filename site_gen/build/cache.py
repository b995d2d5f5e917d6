"""The build cache beside the config (never deployed): what was read, and what was written.

- inputs.sqlite: per content file, its size and mtime and the InputEntry it became (read,
  normalized, tagged; pickled before the archive-wide stages touch it). A file whose size and
  mtime are unchanged is not read again. Entries are tied to a settings key: any setting that
  could change how files are read invalidates them all.
- archive.pickle: the last build's archive with its entries, keys and boilerplate tallies
  (reuse.LastBuild), so that an edit of article bodies only does not build the archive again.
  Kept in memory instead by the preview server.
- bodies.sqlite: Markdown bodies rendered as HTML, by a hash of the text and the parser
  (render/bodies.py), so that a theme change parses no Markdown again.
- state.bin: the fingerprint of everything the last build read, the generation of the site it
  wrote, every output path with its content key, and what that generation changed (so the next
  incremental build can bring its shadow copy up to date), plus the last report.

A missing, truncated or corrupt cache is reported and rebuilt, never a crash.
"""

from __future__ import annotations

import dataclasses
import hashlib
import marshal
import os
import pickle
import sqlite3
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from site_gen import __version__
from site_gen.config import SiteConfig
from site_gen.model import InputEntry
from site_gen.output import Delta

if TYPE_CHECKING:  # imported where used: a build that finds nothing changed needs none of them (pipeline.py)
    from site_gen.build.reuse import LastBuild
    from site_gen.dedupe.clusters import Memo
    from site_gen.render.bodies import Bodies

STATE_VERSION = 2
"""2: marshalled (state.bin), with the Python version that wrote it (marshal's format is its own)."""
STATE = "state.bin"
STATE_REPORT = "state-report.bin"
"""The state's report, apart: only a build that finds nothing changed reads it (0.19 s of 0.27 at 100,000 files)."""
STATE_WRITER = (STATE_VERSION, __version__, sys.version)
READ_FORMAT = 2
"""What reading, normalizing and tagging make of a file: raised when they make something else of the
same file and settings (2: ASCII text folded like the rest for comparison), so cached entries are read again."""
MAX_KEPT_EDITS = 256
"""Changed files (edited, added or removed) kept beside the last archive kept in full, beyond which it is
kept in full again."""
# Settings that only change how pages look or where they go: they never invalidate what was read.
RENDER_ONLY = {
    "title",
    "description",
    "base_url",
    "output_dir",
    "cache_dir",
    "theme",
    "paginate",
    "feed_size",
    "jobs",
    "permalink",
}


def settings_key(config: SiteConfig, registry_text: str) -> str:
    """Hash of everything that decides how a file is read, normalized and tagged."""
    digest = hashlib.blake2b(digest_size=16)
    digest.update(f"{__version__};{READ_FORMAT};".encode())
    for f in dataclasses.fields(config):
        if f.name not in RENDER_ONLY:
            digest.update(f"{f.name}={getattr(config, f.name)!r};".encode("utf-8", "surrogatepass"))
    digest.update(registry_text.encode("utf-8"))
    return digest.hexdigest()


_UNREADABLE_CACHE = (
    OSError,
    sqlite3.DatabaseError,
    pickle.UnpicklingError,
    EOFError,
    AttributeError,
    ImportError,
    TypeError,
)
"""What reading the read cache raises when it is damaged, or was written by another version."""


@dataclass(slots=True)
class BuildState:
    fingerprint: str
    generation: int
    manifest: dict[str, str]
    delta: Delta
    report: dict[str, Any] = field(default_factory=dict)
    """The last report without its articles section (read from the cache only by load_state_report)."""
    report_generation: int | None = None
    """The generation whose full report file is kept in the cache (report.json), if any."""


class BuildCache:
    """Reads and writes the cache folder. One instance can serve many builds: the preview server
    keeps one with keep_in_memory=True, which holds the read cache in memory after the first load
    (a one-off build does not: at 100,000 articles that is half a gigabyte)."""

    def __init__(self, config: SiteConfig, *, keep_in_memory: bool = False) -> None:
        self.dir = config.cache_dir
        self.keep_in_memory = keep_in_memory
        self.problems: list[str] = []
        """Cache files that were unreadable and are being rebuilt (for the report)."""
        self._memory: dict[str, tuple[str, bytes]] | None = None
        self._memory_settings = ""
        self._dedupe: Memo | None = None
        self._last: LastBuild | None = None
        self.snapshot: Any = None
        """The search export's last snapshot (search/snapshot.py), kept here by the preview server."""

    # --- state.bin: marshal (builtin types only), not JSON, nor pickle: at 100,000 articles pickle took 0.22 s
    # to write it (its memo of every string), marshal 0.03 s; and 0.12 s against 0.09 s to read it
    def load_state(self) -> BuildState | None:
        path = self.dir / STATE
        if not path.exists():
            return None
        try:
            data = marshal.loads(path.read_bytes())
            if data.get("writer") != STATE_WRITER:
                return None
            return BuildState(
                data["fingerprint"],
                int(data["generation"]),
                dict(data["manifest"]),
                Delta(**data["delta"]),
                {},
                data.get("report_generation"),
            )
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError) as exc:
            self.problems.append(f"{path}: unreadable build state ({exc.__class__.__name__}); building from scratch")
            return None

    def load_state_report(self, state: BuildState) -> bool:
        """Fill in the state's report from its file; False when it is missing, unreadable or another build's."""
        try:
            data = marshal.loads((self.dir / STATE_REPORT).read_bytes())
            if data.get("writer") != STATE_WRITER or data.get("build") != [state.fingerprint, state.generation]:
                return False
            state.report = dict(data["report"])
        except (OSError, ValueError, KeyError, TypeError, AttributeError, EOFError):
            return False
        return True

    def save_state(self, state: BuildState) -> None:
        build = [state.fingerprint, state.generation]
        report = {"writer": STATE_WRITER, "build": build, "report": state.report}
        self._atomic_write(self.dir / STATE_REPORT, marshal.dumps(report))
        data = {
            "writer": STATE_WRITER,
            "fingerprint": state.fingerprint,
            "generation": state.generation,
            "manifest": state.manifest,
            "delta": {"written": state.delta.written, "deleted": state.delta.deleted},
            "report_generation": state.report_generation,
        }
        self._atomic_write(self.dir / STATE, marshal.dumps(data))

    # --- archive.pickle and archive-edits.pickle (or memory)
    def last_build(self, state: BuildState) -> LastBuild | None:
        """The LastBuild of the site the state describes, if one was kept."""
        last = self._last if self.keep_in_memory else self._load_last()
        return (
            last
            if last is not None and (last.generation, last.fingerprint) == (state.generation, state.fingerprint)
            else None
        )

    def preload(self) -> None:
        """Read the last build kept in the cache into memory (the preview server, before the first save)."""
        if self.keep_in_memory and self._last is None:
            self._last = self._load_last()

    def _load_last(self) -> LastBuild | None:
        from site_gen.build import reuse

        last = self._load_kept(ARCHIVE)
        edits = self._load_kept(EDITS) if last is not None else None
        return reuse.replay(last, edits) if last is not None and edits is not None else last

    def _load_kept(self, name: str) -> LastBuild | None:
        """archive.pickle: a header (version, base, size of its texts file), then the LastBuild, whose articles
        read their paragraphs from the texts file when first used (texts.py); archive-edits.pickle: the
        version, then a light() LastBuild."""
        from site_gen.build import reuse, texts

        path = self.dir / name
        try:
            handle = open(path, "rb")  # noqa: SIM115  # closed below; a missing texts file must be reported
        except FileNotFoundError:
            return None
        try:
            with handle:
                header = pickle.load(handle)
                if header[0] != (__version__, reuse.FORMAT):
                    return None
                if name != ARCHIVE:
                    last = pickle.load(handle)
                else:
                    with texts.reading(self.dir / _texts_name(header[1]), header[2]):
                        last = pickle.load(handle)
            return last if isinstance(last, reuse.LastBuild) else None
        except Exception as exc:  # truncated or damaged: only a cache
            self.problems.append(f"{path}: unreadable ({exc.__class__.__name__}); building the archive again")
            return None

    def save_last_build(self, last: LastBuild) -> None:
        """Keep it: in memory for the preview server; else only its edits when it was made from the
        kept one by a few, else in full (a few hundred milliseconds at 10,000 articles)."""
        from site_gen.build import reuse

        last.changes = None  # the build's own business: not needed by the next one
        if self.keep_in_memory:
            self._last = last
        elif last.base and len(last.edited) + len(last.removed) <= MAX_KEPT_EDITS:
            self._atomic_write(self.dir / EDITS, [((__version__, reuse.FORMAT),), last.light()])
        else:
            last.base, last.edited, last.removed = os.urandom(8).hex(), {}, set()
            self._save_archive(last)
            with suppress(OSError):
                (self.dir / EDITS).unlink(missing_ok=True)

    def _save_archive(self, last: LastBuild) -> None:
        """archive.pickle and its texts file (see _load_kept); the texts files of earlier ones are deleted (a
        process that has one mapped reads on until it ends)."""
        from site_gen.build import reuse, texts

        articles = list({id(e.article): e.article for e in last.inputs if e.article is not None}.values())
        named = self.dir / _texts_name(last.base)
        temporary = named.with_name(named.name + f".tmp-{os.getpid()}")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle, texts.writing(articles, handle):
                size = handle.tell()
                handle.close()
                os.replace(temporary, named)
                saved = self._atomic_write(self.dir / ARCHIVE, [((__version__, reuse.FORMAT), last.base, size), last])
        except OSError as exc:
            self.problems.append(f"{named}: cannot write the build cache ({exc.strerror or exc})")
            saved = False
        finally:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
        for old in self.dir.glob(_texts_name("*")) if saved else ():
            if old != named:
                with suppress(OSError):
                    old.unlink()

    # --- bodies.sqlite
    def bodies(self) -> Bodies:
        from site_gen.render.bodies import Bodies

        return Bodies(self.dir / "bodies.sqlite", self.problems)

    # --- report.json: a copy of the last report file, so a build that finds nothing changed can give it again
    def report(self) -> bytes:
        """The report file kept (b"" when there is none or it cannot be read)."""
        try:
            return (self.dir / "report.json").read_bytes()
        except OSError:
            return b""

    def has_report(self) -> bool:
        return (self.dir / "report.json").is_file()

    def save_report(self, pieces: list[bytes]) -> bool:
        """Keep a copy of the report file (given in pieces); False when it could not be written (a stale one is
        not kept either)."""
        if self._atomic_write(self.dir / "report.json", pieces, pieces=True):
            return True
        with suppress(OSError):
            (self.dir / "report.json").unlink(missing_ok=True)
        return False

    # --- dedupe.pickle
    def dedupe_memo(self) -> Memo:
        """Fingerprints of texts seen before (an empty memo when there is none or it is unreadable)."""
        from site_gen.dedupe.clusters import Memo

        if self._dedupe is None:
            path = self.dir / "dedupe.pickle"
            self._dedupe = Memo()
            if path.exists():
                try:
                    with open(path, "rb") as handle:  # read as unpickled: no copy of the file in memory (137 MB at
                        kept = pickle.load(handle)  # 100,000 articles)
                    if isinstance(kept, tuple) and kept[0] == Memo.FORMAT and isinstance(kept[1], Memo):
                        self._dedupe = kept[1]
                except (
                    OSError,
                    pickle.UnpicklingError,
                    EOFError,
                    AttributeError,
                    ImportError,
                    TypeError,
                    ValueError,
                ) as exc:
                    self.problems.append(
                        f"{path}: unreadable dedupe memo ({exc.__class__.__name__}); fingerprinting every text again"
                    )
        return self._dedupe

    def save_dedupe_memo(self, release: bool = False) -> None:
        """Write the memo (if one was used); release: let it go after (a later call writes nothing)."""
        if self._dedupe is not None:
            self._atomic_write(self.dir / "dedupe.pickle", (self._dedupe.FORMAT, self._dedupe))
        if release:
            self._dedupe = None

    # --- inputs.sqlite
    def load_inputs(self, settings: str) -> dict[str, tuple[str, InputEntry]]:
        """Path -> (stat key, entry) for entries read under the same settings (new objects each call)."""
        try:
            if self._memory is not None and self._memory_settings == settings:
                return {path: (stat, pickle.loads(blob)) for path, (stat, blob) in self._memory.items()}
            with closing(self._connect()) as db, db:
                rows = db.execute("SELECT path, stat, entry FROM inputs WHERE settings = ?", (settings,))
                if not self.keep_in_memory:
                    return {_from_db(path): (stat, pickle.loads(blob)) for path, stat, blob in rows}
                self._memory, self._memory_settings = (
                    {_from_db(path): (stat, blob) for path, stat, blob in rows},
                    settings,
                )
            return {path: (stat, pickle.loads(blob)) for path, (stat, blob) in self._memory.items()}
        except _UNREADABLE_CACHE as exc:
            self.problems.append(
                f"{self.dir / 'inputs.sqlite'}: unreadable read cache ({exc}); reading every file again"
            )
            self._reset_inputs()
            return {}

    def recall_inputs(self, settings: str, paths: list[str]) -> dict[str, tuple[str, InputEntry]]:
        """load_inputs() of these paths only (those found): read by key, not the whole cache."""
        if self._memory is not None and self._memory_settings == settings:
            held = self._memory
            return {p: (held[p][0], pickle.loads(held[p][1])) for p in paths if p in held}
        found: dict[str, tuple[str, InputEntry]] = {}
        try:
            with closing(self._connect()) as db:
                for path in paths:
                    for stat, blob in db.execute(
                        "SELECT stat, entry FROM inputs WHERE path = ? AND settings = ?", (_to_db(path), settings)
                    ):
                        found[path] = (stat, pickle.loads(blob))
        except _UNREADABLE_CACHE:
            return {}  # the caller reads the files instead
        return found

    def save_inputs(self, settings: str, fresh: Iterable[tuple[str, str, InputEntry]], gone: Iterable[str]) -> None:
        """Store newly read entries (pickled now, before the archive-wide stages change them) and drop vanished
        paths."""
        gone = list(gone)
        memory = self._memory if self._memory is not None and self._memory_settings == settings else None
        if memory is not None:
            for path in gone:
                memory.pop(path, None)

        def rows() -> Iterator[tuple[str | bytes, str, str, bytes]]:  # one at a time: a cold build stores every article
            for path, stat, entry in fresh:
                blob = pickle.dumps(entry, protocol=5)
                if memory is not None:
                    memory[path] = (stat, blob)
                yield _to_db(path), stat, settings, blob

        try:
            with closing(self._connect()) as db, db:
                db.execute("DELETE FROM inputs WHERE settings != ?", (settings,))
                db.executemany("DELETE FROM inputs WHERE path = ?", [(_to_db(p),) for p in gone])
                db.executemany("INSERT OR REPLACE INTO inputs VALUES (?, ?, ?, ?)", rows())
        except (OSError, sqlite3.DatabaseError) as exc:
            self.problems.append(
                f"{self.dir / 'inputs.sqlite'}: cannot update the read cache ({exc}); it will be rebuilt"
            )
            self._reset_inputs()

    def _connect(self) -> sqlite3.Connection:
        self.dir.mkdir(parents=True, exist_ok=True)
        db = sqlite3.connect(self.dir / "inputs.sqlite", timeout=30)
        db.execute("CREATE TABLE IF NOT EXISTS inputs (path TEXT PRIMARY KEY, stat TEXT, settings TEXT, entry BLOB)")
        return db

    def _reset_inputs(self) -> None:
        self._memory = None
        for suffix in ("", "-journal", "-wal", "-shm"):
            with suppress(OSError):
                (self.dir / f"inputs.sqlite{suffix}").unlink(missing_ok=True)

    def _atomic_write(self, path: Path, data: bytes | object, *, pieces: bool = False) -> bool:
        """Write a cache file (bytes, or a list of bytes with pieces, or an object pickled straight into it, or a
        list of objects pickled one after the other); a cache that cannot be written is reported, never fatal
        (the next build reads more): False then."""
        temporary = path.with_name(path.name + f".tmp-{os.getpid()}")
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            with open(temporary, "wb") as handle:
                if isinstance(data, bytes):
                    handle.write(data)
                elif pieces and isinstance(data, list):
                    handle.writelines(data)
                elif isinstance(data, list):  # pickles one after the other (see _load_kept)
                    for item in data:
                        pickle.dump(item, handle, protocol=5)
                else:  # straight into the file: no copy of a large archive's pickle in memory
                    pickle.dump(data, handle, protocol=5)
            os.replace(temporary, path)
        except OSError as exc:
            with suppress(OSError):
                temporary.unlink(missing_ok=True)
            self.problems.append(f"{path}: cannot write the build cache ({exc.strerror or exc})")
            return False
        return True


ARCHIVE = "archive.pickle"
EDITS = "archive-edits.pickle"


def _texts_name(base: str) -> str:
    return f"archive-texts-{base}.bin"


def _to_db(path: str) -> str | bytes:
    """A content path as SQLite can store it: text, or its raw bytes when the file name is not valid UTF-8."""
    try:
        path.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(path)
    return path


def _from_db(path: str | bytes) -> str:
    return path if isinstance(path, str) else os.fsdecode(path)
