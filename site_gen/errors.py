"""Errors that name the file (and line) they are about, and the one form every problem is shown in."""

from __future__ import annotations

# What __reduce__ returns: the class and its constructor's arguments.
_Reduced = tuple[type["SiteGenError"], tuple[object, ...]]


def located(path: str | None, line: int | None, message: str) -> str:
    """`path:line: message` (or `path: message`, or the message alone): how a problem reads in the
    terminal, in the preview server's log and in its pages, so that editors can jump to it."""
    where = f"{path}:{line}" if path and line else path or ""
    return f"{where}: {message}" if where else message


def os_error(exc: OSError) -> str:
    """A disk or permission problem met outside the places that name their file, as `path: message`."""
    return located(str(exc.filename) if exc.filename else None, None, exc.strerror or str(exc))


class SiteGenError(Exception):
    """A problem with one input, the configuration or the output, phrased for the user."""

    def __init__(self, message: str, path: str | None = None, line: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line

    def __reduce__(self) -> _Reduced:  # keep path and line when raised in a worker process
        return (SiteGenError, (self.message, self.path, self.line))

    def __str__(self) -> str:
        return located(self.path, self.line, self.message)


class ConfigError(SiteGenError):
    """The configuration is wrong; carries every problem found, not just the first (line: where in
    the file, when one place is to blame, as for a YAML syntax error)."""

    def __init__(self, problems: list[str], path: str | None = None, line: int | None = None) -> None:
        self.problems = problems
        super().__init__("; ".join(problems), path, line)

    def __reduce__(self) -> _Reduced:
        return (ConfigError, (self.problems, self.path, self.line))

    def located_problems(self) -> list[str]:
        """Each problem as `path:line: problem`."""
        return [located(self.path, self.line, problem) for problem in self.problems]


class OutputError(SiteGenError):
    """The output folder cannot be written safely."""

    def __reduce__(self) -> _Reduced:
        return (OutputError, (self.message, self.path, self.line))
