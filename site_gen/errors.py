"""Errors that name the file (and line) they are about."""

from __future__ import annotations

# What __reduce__ returns: the class and its constructor's arguments.
_Reduced = tuple[type["SiteGenError"], tuple[object, ...]]


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
        where = self.path or ""
        if where and self.line:
            where = f"{where}:{self.line}"
        return f"{where}: {self.message}" if where else self.message


class ConfigError(SiteGenError):
    """The configuration is wrong; carries every problem found, not just the first."""

    def __init__(self, problems: list[str], path: str | None = None) -> None:
        self.problems = problems
        super().__init__("; ".join(problems), path)

    def __reduce__(self) -> _Reduced:
        return (ConfigError, (self.problems, self.path))


class OutputError(SiteGenError):
    """The output folder cannot be written safely."""

    def __reduce__(self) -> _Reduced:
        return (OutputError, (self.message, self.path, self.line))
