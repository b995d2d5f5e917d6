"""Search: the whoosh index in the cache (terminal, preview server) and the static index in the site.

build.py opens a SearchJob before rendering and calls finish() before committing the output:

    export.py   static index files under OUT/search/ (written into the build's work tree: a fresh
                staging folder, or the shadow copy of the live site, where files are replaced, never
                rewritten in place)
    index.py    the whoosh index under CACHE/search/whoosh/, updated for changed articles only

Both are made from one analysis (terms.py). Work is decided by each article's key (keys.py,
the hash of all its fields): a rebuild where no key changed copies the previous export from
the cache and never opens whoosh; one where a few changed patches the last export's inversion
(snapshot.py) instead of analyzing every article again. For archives big enough, the work runs
in a forked process that overlaps rendering (the archive is inherited, not pickled).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import multiprocessing
import os
import shutil
import signal
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING, Any

from site_gen import parallel
from site_gen.config import SiteConfig
from site_gen.cycles import paused_gc
from site_gen.errors import SiteGenError
from site_gen.model import Archive, Article
from site_gen.output import WorkTree, write_file
from site_gen.search import layout, manifest

if TYPE_CHECKING:  # imported where used: see _index_and_export
    from site_gen.search.inverted import InvertedField
    from site_gen.search.snapshot import Recoded, Snapshot

OUT_FOLDER = "search"
LATE = "the site was published, but the index for site-gen search was not updated: "
SNAPSHOT = "snapshot.pickle"


class SearchJob:
    """The search stage of one build: started before rendering, finished before the output is committed."""

    def __init__(
        self,
        config: SiteConfig,
        archive: Archive,
        tree: WorkTree,
        article_keys: dict[str, str],
        snapshot: Snapshot | None = None,
        before: dict[str, Article] | None = None,
    ) -> None:
        """article_keys: keys.article_keys() of the archive, the digest of everything an article
        could contribute to either index (a change anywhere in an article re-indexes it).
        snapshot: the last export's, when the caller keeps it in memory (else it is read from the cache).
        before: articles by digest that the caller has at hand (the last build's): where the old
        version of a changed article is among them, its postings are found through its terms."""
        self.config = config
        self.kept = snapshot
        self.before = before or {}
        self.articles = layout.order(archive.articles)
        self.digests = {a.id: article_keys[a.id] for a in self.articles}
        self.out = tree.path / OUT_FOLDER
        self.replace = not tree.fresh
        self.cache = config.cache_dir / "search"
        self.key = hashlib.blake2b(
            json.dumps([layout.FORMAT, [self.digests[a.id] for a in self.articles]]).encode(), digest_size=16
        ).hexdigest()
        self.cached_export = _cached_files(self.cache, self.key)
        self.index_plan = manifest.plan(manifest.index_dir(config), self.digests)
        self.process: multiprocessing.process.BaseProcess | None = None
        self.receiver: Any = None
        self.answered = False
        self.made: Snapshot | None = None
        """This export's snapshot, saved after finish() has answered (nobody waits for it)."""
        self.index_later = False
        """The whoosh index is brought up to date after the answer (an update in place, which the
        static export does not need): the site goes live without waiting for it."""
        self.outcome: tuple[str, Recoded | None] = ("same", None)
        """What became of the snapshot: the same (nothing exported), recoded (patched, with the rows
        and files made anew), or saved (made from scratch, or patched from the one saved)."""

    @property
    def rebuilding(self) -> bool:
        """A process of its own builds the whoosh index from scratch (a cold build's longest work)."""
        return self.process is not None and self.index_plan.rebuild

    @property
    def idle(self) -> bool:
        return self.cached_export is not None and self.index_plan.idle

    def __enter__(self) -> SearchJob:
        if not self.idle and self.config.workers > 1 and len(self.articles) >= parallel.MIN_PARALLEL:
            context = multiprocessing.get_context("fork")
            self.receiver, sender = context.Pipe(duplex=False)
            self.process = context.Process(target=self._child, args=(sender,), name="site-gen-search")
            self.process.start()
            assert self.process.pid is not None  # set by start()
            with contextlib.suppress(OSError):  # here as well as in the child: whichever runs first
                os.setpgid(self.process.pid, self.process.pid)
            sender.close()  # so that the receiver sees EOF if the child dies
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        """Once finish() has answered, wait for the whoosh update and the snapshot (a failure of the
        update is raised then, the site being live); before that, a failure stops the work."""
        if self.process is not None:
            if not self.answered and self.process.is_alive():
                # the child leads a process group of its own: its worker pools end with it
                assert self.process.pid is not None  # started in __enter__
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(self.process.pid, signal.SIGTERM)
            late = self._late() if self.answered else {}
            self.process.join()
            if "error" in late and kind is None:
                raise SiteGenError(LATE + late["error"], late["path"])
        elif self.answered:
            try:
                self._keep()
            except SiteGenError as error:
                if kind is None:
                    raise SiteGenError(LATE + error.message, error.path) from error

    def _late(self) -> dict[str, Any]:
        """The search process's last word, after its answer: {} or the error of the whoosh update."""
        try:
            late: dict[str, Any] = self.receiver.recv()
            return late
        except EOFError:
            return {}  # it ended without one: the next build finds the index out of date and updates it

    def finish(self) -> tuple[list[str], list[str]]:
        """Wait until both indexes are done; returns every file of the static index and those whose
        bytes changed (paths from the site's root)."""
        if self.process is None:
            result = self._work()
        else:
            try:
                result = self.receiver.recv()
            except EOFError:
                result = {"error": "the search indexing process ended unexpectedly", "path": None}
        if "error" in result:
            raise SiteGenError(result["error"], result["path"])
        self.answered = True
        self.outcome = result["snapshot"]
        return [f"{OUT_FOLDER}/{rel}" for rel in result["paths"]], [f"{OUT_FOLDER}/{rel}" for rel in result["changed"]]

    def _child(self, sender: Any) -> None:
        os.setpgid(0, 0)  # see __exit__ (a Python SIGTERM handler here deadlocked pool workers)
        parallel.die_with_parent()  # a killed build's search process must not go on writing into the next build's tree
        try:
            result = self._work()
        except SiteGenError as exc:
            result = {"error": exc.message, "path": exc.path}
        except BaseException:
            result = {"error": "building the search index failed:\n" + traceback.format_exc(), "path": None}
        sender.send(result)
        if "error" not in result:  # the parent goes on meanwhile, and waits for this only once its output is live
            os.nice(10)  # behind what shows the new site (the preview server's pages reloading)
            try:
                self._keep(consume=True)
                result = {}
            except SiteGenError as exc:
                result = {"error": exc.message, "path": exc.path}
            except BaseException:
                result = {"error": "updating the search index failed:\n" + traceback.format_exc(), "path": None}
            sender.send(result)
        sender.close()

    def _work(self) -> dict[str, Any]:
        with paused_gc():
            return self._index_and_export()

    def _index_and_export(self) -> dict[str, Any]:
        # Imported here, where the work is done: a build with nothing to index never loads whoosh.
        from site_gen.search.inverted import InvertedField
        from site_gen.search.terms import FIELDS

        if not self.index_plan.rebuild:
            self.index_later = True
            if self.cached_export is not None:
                paths = list(self.cached_export)
                return {
                    "paths": paths,
                    "changed": _copy_files(self.cache / "export", self.out, paths, self.replace),
                    "snapshot": ("same", None),
                }
            return self._export(None)
        # A whoosh build analyzes every article anyway: the export reads that analysis.
        # (An update in a worker beside the export was slower: three busy processes on two cores.)
        shared = {name: InvertedField() for name in FIELDS}
        return self._export(shared if self._update_index(shared) else None)

    def _update_index(self, shared: dict[str, InvertedField] | None) -> bool:
        """index.update(); True when it analyzed every article (into shared, when given)."""
        from site_gen.search import index

        folder = manifest.index_dir(self.config)
        try:
            return index.update(folder, self.articles, self.digests, self.index_plan, shared, self.config.workers)
        except OSError as exc:
            raise SiteGenError(f"cannot write the search index: {exc.strerror or exc}", str(folder)) from exc

    def _export(self, analyzed: dict[str, InvertedField] | None) -> dict[str, Any]:
        """The static index: from the whoosh build's analysis when given, else patched from the snapshot, else from
        scratch."""
        from site_gen.search import export
        from site_gen.search.snapshot import Recoded

        digests = [self.digests[a.id] for a in self.articles]
        patched = None if analyzed else self._patched_snapshot(digests)
        previous, slots = patched if patched else (None, self.articles)
        patched_kept = previous is not None and previous is self.kept
        stats, made = export.export(
            slots,
            self.out,
            previous.fields if previous else analyzed,
            self.config.workers,
            replace=self.replace,
            digests=previous.digests if previous else digests,
            previous=previous,
        )
        self.made = made
        _save_export(self.cache, self.key, self.out, stats.paths, stats.changed)
        recoded = (
            Recoded(
                made.coding,
                {t: made.rows[t] for t in stats.coded},
                {n: made.docs[n] for n in stats.made_docs},
                {n: made.shards[n] for n in stats.made_shards},
                len(made.shards),
                {name: row for name, row in made.tags.items() if previous.tags.get(name) is not row},
                list(made.tags),
            )
            if patched_kept and previous is not None
            else None
        )
        return {
            "paths": stats.paths,
            "changed": stats.changed,
            "snapshot": ("recoded", recoded) if recoded else ("saved", None),
        }

    def snapshot(self) -> Snapshot | None:
        """This export's snapshot, for a caller that keeps it in memory (after leaving the job)."""
        from site_gen.search import snapshot

        if not self.answered:
            return None
        outcome, recoded = self.outcome
        if self.process is None or outcome == "same":
            return self.made or self.kept
        if (
            recoded is not None
            and self.kept is not None
            and self.kept.replay(self.articles, [self.digests[a.id] for a in self.articles], recoded, self.before)
        ):
            return self.kept  # the same patch as the search process made, without reading back what it saved
        return snapshot.load(self.cache / SNAPSHOT) if self.process.exitcode == 0 else None

    def _keep(self, consume: bool = False) -> None:
        """The whoosh update put off until after the answer, and the snapshot saved (consume: by the search
        process, which ends after: the snapshot's postings are let go as they are written)."""
        from site_gen.search import snapshot

        if self.index_later:
            try:
                self._update_index(None)
            except SiteGenError:
                manifest.Manifest.forget(manifest.index_dir(self.config))  # so that the next build rebuilds it
                raise
        if self.made is not None:
            with paused_gc():
                snapshot.save(self.cache / SNAPSHOT, self.made, consume=consume)

    def _patched_snapshot(self, digests: list[str]) -> tuple[Snapshot, list[Article | None]] | None:
        """The last export's snapshot brought up to date, with each slot's article, when it can be
        (see snapshot.py)."""
        from site_gen.search import snapshot

        previous = self.kept or snapshot.load(self.cache / SNAPSHOT)
        slots = previous.patch(self.articles, digests, self.before) if previous is not None else None
        return (previous, slots) if previous is not None and slots is not None else None


def preload(config: SiteConfig) -> Snapshot | None:
    """For a process that builds many times (the preview server): the modules the search process
    uses, imported once here so that each one forked inherits them (0.05 s each time otherwise),
    and the snapshot the last build saved, if any, to keep in memory."""
    from site_gen.search import export, index, snapshot  # noqa: F401

    return snapshot.load(config.cache_dir / "search" / SNAPSHOT)


def _cached_files(cache: Path, key: str) -> dict[str, int] | None:
    """The previous export's files (relative path -> size) when it was made from the same digests and is intact."""
    try:
        stamp = json.loads((cache / "export.json").read_text(encoding="utf-8"))
        if stamp.get("key") != key:
            return None
        files: dict[str, int] = stamp["files"]
        if all((cache / "export" / rel).stat().st_size == size for rel, size in files.items()):
            return files
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        pass
    return None


def _copy_files(source: Path, target: Path, files: list[str], replace: bool = False) -> list[str]:
    """Copy files; returns those whose bytes changed (replace: see export.ExportStats)."""
    return [rel for rel in files if write_file(target, rel, (source / rel).read_bytes(), replace=replace)]


def _link_files(source: Path, target: Path, files: list[str]) -> None:
    """Hard-link files (output files are replaced, never rewritten in place: see output.py), or
    copy them where links cannot be made (another file system)."""
    for rel in files:
        (target / rel).parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source / rel, target / rel)
        except OSError:
            shutil.copyfile(source / rel, target / rel)


def _save_export(cache: Path, key: str, out: Path, paths: list[str], changed: list[str]) -> None:
    """Keep a copy of the export for rebuilds where nothing searchable changed: the last copy with the files
    that changed linked in, when it holds the same files as the rest (at 100,000 articles, linking all 4,500
    files again took 0.2 s of every build), else a copy made anew."""
    manifest.remove_leftovers(cache / "export")
    sizes = _update_copy(cache, out, paths, changed)
    if sizes is None:
        sizes = _fresh_copy(cache, out, paths)
    if sizes is not None:
        with contextlib.suppress(OSError):  # only a cache: the next build exports again
            (cache / "export.json").write_text(json.dumps({"key": key, "files": sizes}), encoding="utf-8")


def _update_copy(cache: Path, out: Path, paths: list[str], changed: list[str]) -> dict[str, int] | None:
    """The sizes of the files of the copy brought up to date, or None when it does not hold the export's
    unchanged files (they are hard links: the same inodes), every file changed (a full build), or it cannot be
    updated."""
    folder, source = os.fspath(cache / "export") + "/", os.fspath(out) + "/"
    made = set(changed)
    if len(made) == len(paths):
        return None
    try:
        sizes: dict[str, int] = json.loads((cache / "export.json").read_text(encoding="utf-8"))["files"]
        if any(
            rel not in sizes or not os.path.samefile(source + rel, folder + rel) for rel in paths if rel not in made
        ):
            return None
        (cache / "export.json").unlink()  # no longer a copy of any export until it is done
        for rel in sizes.keys() - set(paths):
            os.unlink(folder + rel)
        for rel in changed:
            os.makedirs(os.path.dirname(folder + rel), exist_ok=True)
            os.link(source + rel, folder + rel + ".new")
            os.replace(folder + rel + ".new", folder + rel)
            sizes[rel] = os.stat(folder + rel).st_size
        return {rel: sizes[rel] for rel in paths}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None


def _fresh_copy(cache: Path, out: Path, paths: list[str]) -> dict[str, int] | None:
    """The copy made anew (hard links); the sizes of its files, or None when it cannot be made."""
    (cache / "export.json").unlink(missing_ok=True)
    fresh = cache / f"export.new-{os.getpid()}"
    try:
        _link_files(out, fresh, paths)
        shutil.rmtree(cache / "export", ignore_errors=True)
        os.rename(fresh, cache / "export")
        return {rel: (cache / "export" / rel).stat().st_size for rel in paths}
    except OSError:
        shutil.rmtree(fresh, ignore_errors=True)  # only a cache: the next build exports again
        return None
