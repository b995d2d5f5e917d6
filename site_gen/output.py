"""The output folder: refuse dangerous targets, write aside, swap in atomically, one build at a time."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import json
import os
import shutil
from pathlib import Path, PurePosixPath

from .errors import OutputError

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
        raise OutputError("refusing an output folder inside the content folder (it would be read as content next time)", str(target))
    if target.exists() and not target.is_dir():
        raise OutputError("the output path exists and is not a folder", str(target))
    if target.is_dir() and any(target.iterdir()) and not (target / MARKER).is_file():
        raise OutputError(f"the output folder is not empty and was not made by site-gen (no {MARKER} file); refusing to replace it", str(target))


def safe_join(root: Path, rel: str) -> Path:
    """root/rel, refusing anything that would land outside root."""
    parts = PurePosixPath(rel).parts
    if not parts or PurePosixPath(rel).is_absolute() or any(p in ("..", ".", "") or "\x00" in p or "\\" in p for p in parts):
        raise OutputError(f"refusing to write outside the output folder: {rel!r}")
    return root.joinpath(*parts)


class Staging:
    """A build's private copy of the output, swapped in by commit() or thrown away by abort()."""

    def __init__(self, target: Path) -> None:
        self.target = target
        self.path = target.parent / f".{target.name}.staging-{os.getpid()}"
        self._lock_fd: int | None = None

    def __enter__(self) -> "Staging":
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self._lock()
        self._remove_leftovers()
        self.path.mkdir()
        (self.path / MARKER).write_text(json.dumps({"generator": "site-gen"}) + "\n", encoding="utf-8")
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.path.exists():
            shutil.rmtree(self.path, ignore_errors=True)
        self._unlock()

    def commit(self) -> None:
        """Make the staging folder the output, in one step where the kernel allows it."""
        if not self.target.exists():
            os.rename(self.path, self.target)
            return
        if not _exchange(self.path, self.target):
            old = self.target.parent / f".{self.target.name}.old-{os.getpid()}"
            os.rename(self.target, old)
            os.rename(self.path, self.target)
            self.path = old
        shutil.rmtree(self.path, ignore_errors=True)

    def _lock(self) -> None:
        lock_path = self.target.parent / f".{self.target.name}.lock"
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            os.close(fd)
            if exc.errno in (errno.EWOULDBLOCK, errno.EACCES):
                raise OutputError(f"another site-gen build is writing this output folder (lock {lock_path.name}); try again when it has finished", str(self.target)) from exc
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


def _exchange(a: Path, b: Path) -> bool:
    """renameat2(RENAME_EXCHANGE): swap two folders atomically (Linux); False where unsupported."""
    libc_name = ctypes.util.find_library("c")
    if not libc_name:
        return False
    libc = ctypes.CDLL(libc_name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    result = renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
    return result == 0


def write_file(root: Path, rel: str, data: str | bytes) -> int:
    """Write one output file under root; returns the bytes written."""
    path = safe_join(root, rel)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(payload)
    except OSError as exc:
        raise OutputError(f"cannot write {rel}: {exc.strerror}", str(path)) from exc
    return len(payload)
