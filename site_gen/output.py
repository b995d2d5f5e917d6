"""The output folder: refuse dangerous targets, write aside, swap in atomically, one build at a time.

A build never writes into the live output. A full build writes a fresh staging folder; an
incremental build writes into a shadow folder that holds the previous generation of the site
(hard links to the live files, brought up to date with the last build's changes), replacing
files by rename so a live file is never modified in place. Either folder is then exchanged
with the live one in one renameat2(RENAME_EXCHANGE) call, so readers see the old site or the
new one, and a build killed at any moment leaves the last good site where it was.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from types import TracebackType

from site_gen.errors import OutputError

MARKER = ".site-gen-output"
_RENAME_EXCHANGE = 2
_AT_FDCWD = -100


def check_target(target: Path, content_dir: Path, cwd: Path) -> None:
    """Refuse output folders whose replacement would destroy something that is not ours."""
    target, content_dir = target.resolve(), content_dir.resolve()
    reasons = {
        Path("/"): "the file-system root",
        Path.home().resolve(): "your home folder",
        cwd.resolve(): "the current folder",
    }
    if target in reasons:
        raise OutputError(f"refusing to use {reasons[target]} as the output folder", str(target))
    if target == content_dir or target in content_dir.parents:
        raise OutputError("refusing an output folder that is, or contains, the content folder", str(target))
    if content_dir in target.parents:
        raise OutputError(
            "refusing an output folder inside the content folder (it would be read as content next time)", str(target)
        )
    if target.exists() and not target.is_dir():
        raise OutputError("the output path exists and is not a folder", str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(
            f"the output folder is not empty and was not made by site-gen (no {MARKER} file); refusing to replace it",
            str(target),
        )


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that would land outside root."""
    parts = PurePosixPath(rel).parts
    if (
        not parts
        or PurePosixPath(rel).is_absolute()
        or any(p in ("..", ".", "") or "\x00" in p or "\\" in p for p in parts)
    ):
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    return root.joinpath(*parts)


def write_file(root: Path, rel: str, data: bytes, *, replace: bool = False) -> bool:
    """Write one file under root; True when its bytes changed.

    replace=True compares with what is there and writes beside it and renames over it, so a
    file hard-linked into the live output is never modified in place and unchanged files keep
    their modification time.
    """
    path = safe_join(root, rel)
    try:
        if replace:
            try:
                if path.stat().st_size == len(data) and path.read_bytes() == data:
                    return False
            except FileNotFoundError:
                pass
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary = path.with_name(f".{path.name}.site-gen-tmp")
            temporary.write_bytes(data)
            os.replace(temporary, path)
        else:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    except OSError as exc:
        raise OutputError(f"cannot write {rel}: {exc.strerror}", str(path)) from exc
    return True


@dataclass(slots=True)
class Delta:
    """What one generation changed relative to the one before."""

    written: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)


@dataclass(slots=True)
class WorkTree:
    """The folder a build writes into, and what it changed there."""

    path: Path
    fresh: bool
    """True: an empty staging folder. False: a shadow holding the current site."""
    written: set[str] = field(default_factory=set)
    deleted: set[str] = field(default_factory=set)

    def write(self, rel: str, data: bytes) -> bool:
        changed = write_file(self.path, rel, data, replace=not self.fresh)
        if changed:
            self.written.add(rel)
        return changed

    def delete(self, rel: str) -> None:
        path = safe_join(self.path, rel)
        try:
            path.unlink()
        except FileNotFoundError:
            return
        self.deleted.add(rel)
        for parent in path.parents:  # drop folders the deletion emptied, up to the root
            if parent == self.path:
                break
            try:
                parent.rmdir()
            except OSError:
                break

    def delta(self) -> Delta:
        return Delta(sorted(self.written), sorted(self.deleted))


class Output:
    """The live output folder and the one build allowed to write it at a time."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.staging = target.parent / f".{target.name}.staging-{os.getpid()}"
        self.shadow = target.parent / f".{target.name}.shadow"
        self._lock_fd: int | None = None

    def __enter__(self) -> Output:
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        self._remove_leftovers()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self.staging.exists():
            shutil.rmtree(self.staging, ignore_errors=True)
        self._unlock()

    def generation(self) -> int | None:
        """The live site's generation, from its marker; None when there is no usable live site."""
        return _generation(self.target)

    def fresh(self) -> WorkTree:
        self.staging.mkdir()
        _write_marker(self.staging, -1)
        return WorkTree(self.staging, fresh=True)

    def incremental(self, last: Delta | None) -> WorkTree:
        """The shadow, made equal to the live site: it is already (made after a full build), or it is
        one generation behind and the last delta is replayed, or it is copied afresh (hard links)."""
        live = self.generation()
        assert live is not None
        shadow = _generation(self.shadow)
        if shadow != live and (last is None or shadow != live - 1 or not self._replay(last)):
            shutil.rmtree(self.shadow, ignore_errors=True)
            _link_tree(self.target, self.shadow)
        _write_marker(self.shadow, -1)  # dirty until committed: a killed build's shadow is never trusted
        return WorkTree(self.shadow, fresh=False)

    def commit(self, tree: WorkTree, generation: int) -> None:
        """Swap the finished tree in. A fresh build's old site is deleted and the shadow becomes a
        copy of the new one; an incremental build's old site becomes the next shadow (one generation behind)."""
        _write_marker(tree.path, generation)
        if not self.target.exists():
            os.rename(tree.path, self.target)
        elif not _exchange(tree.path, self.target):
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            os.rename(self.target, old)
            os.rename(tree.path, self.target)
            os.rename(old, tree.path)
        if tree.fresh:  # the next incremental build starts from an exact copy, made now rather than then
            shutil.rmtree(tree.path, ignore_errors=True)
            shutil.rmtree(self.shadow, ignore_errors=True)
            _link_tree(self.target, self.shadow)
            _write_marker(self.shadow, generation)

    def _replay(self, delta: Delta) -> bool:
        """Apply the live site's last changes to the shadow through hard links; False if anything is off."""
        try:
            for rel in delta.written:
                source, target = safe_join(self.target, rel), safe_join(self.shadow, rel)
                target.parent.mkdir(parents=True, exist_ok=True)
                temporary = target.with_name(f".{target.name}.site-gen-tmp")
                if temporary.exists():
                    temporary.unlink()
                os.link(source, temporary)
                os.replace(temporary, target)
            for rel in delta.deleted:
                safe_join(self.shadow, rel).unlink(missing_ok=True)
        except OSError:
            return False
        return True

    def _lock(self) -> None:
        lock_path = self.target.parent / f".{self.target.name}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            # A POSIX record lock belongs to this process alone: worker processes forked from it
            # do not hold it, so it goes away the moment the build dies, however it dies.
            fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise OutputError(
                    f"another site-gen build is writing this output folder (lock {lock_path.name}); try again when "
                    "it has finished",
                    str(self.target),
                ) from exc
            raise
        self._lock_fd = fd

    def _unlock(self) -> None:
        if self._lock_fd is not None:
            os.close(self._lock_fd)
            self._lock_fd = None

    def _remove_leftovers(self) -> None:
        """Staging and old folders of builds that were killed; ours by name and marker."""
        for pattern in (f".{self.target.name}.staging-*", f".{self.target.name}.old-*"):
            for leftover in self.target.parent.glob(pattern):
                if (leftover / MARKER).is_file() or not any(leftover.iterdir()):
                    shutil.rmtree(leftover, ignore_errors=True)


def _write_marker(folder: Path, generation: int) -> None:
    """Replace (never rewrite in place: a shadow's marker starts as a hard link to the live one)."""
    write_file(
        folder, MARKER, (json.dumps({"generator": "site-gen", "generation": generation}) + "\n").encode(), replace=True
    )


def _generation(folder: Path) -> int | None:
    try:
        value = json.loads((folder / MARKER).read_text(encoding="utf-8")).get("generation")
    except (OSError, ValueError, AttributeError):
        return None
    return value if isinstance(value, int) and value >= 0 else None


def _link_tree(source: Path, target: Path) -> None:
    """A copy of source made of hard links (files are shared until one side replaces them)."""
    target.mkdir()
    with os.scandir(source) as entries:
        for entry in entries:
            destination = target / entry.name
            if entry.is_dir(follow_symlinks=False):
                _link_tree(Path(entry.path), destination)
            else:
                os.link(entry.path, destination)


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders atomically (Linux); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    status: int = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return status == 0
