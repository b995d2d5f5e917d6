"""Find article files, decode their bytes and split them into metadata and body (-> RawDoc).

Three formats (DESIGN.md): the header-line format of scraped articles, YAML front matter,
and bare text. Metadata precedence: config defaults < file path < the file itself.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fnmatch
import hashlib
import os
import re
import stat
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from site_gen.config import SafeLoader, SiteConfig
from site_gen.errors import SiteGenError
from site_gen.ingest.decode import decode
from site_gen.model import Message, RawDoc, SourceFile
from site_gen.slugs import MAX_SLUG, slugify
from site_gen.urls import check_url, encode_unsafe

ARTICLE_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
BACKUP_SUFFIXES = {".swp", ".swo", ".swx", ".bak", ".orig", ".rej", ".tmp", ".part", ".crdownload"}
KNOWN_KEYS = {"title", "date", "url", "source", "tags", "language", "slug", "draft"}
KEY_ALIASES = {"lang": "language", "link": "url", "categories": "tags", "keywords": "tags", "outlet": "source"}
MAX_FILE_BYTES = 64 * 1024 * 1024
MAX_YAML_NODES = 10_000
MAX_TITLE_LINE = 500
"""A title line longer than this is body text that lost its line breaks, not a headline."""
EARLIEST_YEAR, LATEST_YEAR = 1800, 2100
"""Dates outside these years are kept as written but flagged: usually placeholders (0001-01-01, 9999-12-31)."""

HEADER_LINE = re.compile(r"^[ \t]*date[ \t]+(?P<date>\S+)(?:[ \t]+(?P<url>\S+))?[ \t]*$")
PATH_DATE = re.compile(r"(?<!\d)(\d{4})[-/_](\d{1,2})[-/_](\d{1,2})(?!\d)")


@dataclass(slots=True)
class Skipped:
    """A path found in the content folder that is not read as an article, and why."""

    path: str
    level: str
    message: str


def display_path(path: str) -> str:
    """A path safe to print and to put in JSON: undecodable name bytes become U+FFFD."""
    return path.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


def discover(config: SiteConfig) -> tuple[list[str], list[Skipped]]:
    """Every article file under the content folder (sorted), and every path passed over."""
    found: list[str] = []
    skipped: list[Skipped] = []
    root = config.content_dir
    if not root.is_dir():
        raise SiteGenError("the content folder does not exist or is not a folder", str(root))
    seen_dirs = {_dir_key(root)}
    ignore = _Ignore(config.ignore)
    for rel, kind, reason in _walk(root, "", seen_dirs):
        if kind == "file":
            skip = _classify(rel, ignore)
            if skip:
                skipped.append(Skipped(rel, "info", skip))
            else:
                found.append(rel)
        else:
            skipped.append(Skipped(rel, kind, reason))
    return found, skipped


def _dir_key(path: Path) -> tuple[int, int]:
    st = path.stat()
    return st.st_dev, st.st_ino


def _walk(root: Path, rel: str, seen: set[tuple[int, int]]) -> Iterator[tuple[str, str, str]]:
    """Yield (relpath, 'file', '') for files and (relpath, level, reason) for what is passed over."""
    try:
        entries = sorted(os.scandir(root / rel if rel else root), key=lambda e: e.name)
    except OSError as exc:
        yield rel or ".", "error", f"cannot list this folder: {exc.strerror}"
        return
    for entry in entries:
        path = f"{rel}{entry.name}"
        if entry.name.startswith("."):
            what = "folder" if entry.is_dir() else "file"
            yield path, "info", f"hidden {what}, not read"
            continue
        try:
            is_dir = entry.is_dir()
            is_file = entry.is_file()
        except OSError as exc:
            reason = (
                _broken_link_reason(Path(entry.path))
                if entry.is_symlink()
                else f"cannot inspect this path: {exc.strerror}"
            )
            yield path, "error", reason
            continue
        if entry.is_symlink() and not (is_dir or is_file):
            yield path, "error", _broken_link_reason(Path(entry.path))
        elif is_dir:
            key = _dir_key(Path(entry.path))
            if key in seen:
                yield path, "error", "symbolic link loop: this folder was already read, not read again"
                continue
            yield from _walk(root, path + "/", seen | {key})
        elif is_file:
            yield path, "file", ""
        elif os.path.splitext(entry.name)[1].lower() in ARTICLE_SUFFIXES:
            yield path, "error", f"named like an article but it is {_special_kind(entry)}, not a regular file: not read"
        else:
            yield path, "info", f"{_special_kind(entry)}, not a regular file: not read"


def _special_kind(entry: os.DirEntry[str]) -> str:
    """What a path that is neither file nor folder is (opening a pipe would wait forever)."""
    try:
        mode = entry.stat().st_mode
    except OSError:
        return "unreadable"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device"


def _broken_link_reason(path: Path) -> str:
    try:
        path.stat()
    except OSError as exc:
        if exc.errno == 40:  # ELOOP
            return "symbolic link loop: the link points back at itself"
        return f"broken symbolic link to {os.readlink(path)!r}"
    return "symbolic link to something that is neither file nor folder"


class _Ignore:
    """The config's ignore globs as one regular expression (one match per path, not one per glob)."""

    def __init__(self, patterns: list[str]) -> None:
        self.patterns = patterns
        self.any = re.compile("|".join(f"(?:{fnmatch.translate(p)})" for p in patterns)) if patterns else None

    def pattern_for(self, name: str, rel: str) -> str | None:
        if self.any is None or not (self.any.match(name) or self.any.match(rel)):
            return None
        return next(p for p in self.patterns if fnmatch.fnmatchcase(name, p) or fnmatch.fnmatchcase(rel, p))


def _classify(rel: str, ignore: _Ignore) -> str | None:
    """Why a file is skipped (None when it should be read as an article)."""
    name = rel[rel.rfind("/") + 1 :]
    dot = name.rfind(".")  # os.path.splitext's, for a name that does not start with a dot (hidden: passed over)
    suffix = name[dot:].lower() if dot > 0 else ""
    pattern = ignore.pattern_for(name, rel)
    if pattern is not None:
        return f"matches the ignore pattern '{pattern}' in the config, not read"
    if name.endswith("~") or (name.startswith("#") and name.endswith("#")) or suffix in BACKUP_SUFFIXES:
        return "editor backup or temporary file, not read"
    if suffix not in ARTICLE_SUFFIXES:
        return f"not an article file ({suffix or 'no extension'}); articles are {', '.join(sorted(ARTICLE_SUFFIXES))}"
    return None


def read_file(config: SiteConfig, rel: str) -> RawDoc:
    """Read one article file. Raises SiteGenError (with the path) when it cannot be used."""
    path = config.content_dir / rel
    shown = display_path(rel)
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise SiteGenError(f"file is {size:,} bytes, over the {MAX_FILE_BYTES:,}-byte limit for one article", shown)
        data = path.read_bytes()
    except OSError as exc:
        raise SiteGenError(f"cannot read the file: {exc.strerror}", shown) from exc
    text, encoding, messages = decode(data, shown)
    source = SourceFile(shown, hashlib.sha256(data).hexdigest(), len(data), encoding)
    if shown != rel:
        messages.append(
            Message("warning", "the file name is not valid UTF-8; shown with U+FFFD in place of the bad bytes")
        )
    return parse(text, source, config, messages, markdown=os.path.splitext(rel)[1].lower() in MARKDOWN_SUFFIXES)


def parse(
    text: str, source: SourceFile, config: SiteConfig, messages: list[Message], *, markdown: bool = False
) -> RawDoc:
    """Split decoded text into metadata and body, in whichever format it is written."""
    if not text.strip():
        raise SiteGenError("the file is empty (or only white space): nothing to archive", source.path)
    lines = text.split("\n")
    first = next(i for i, line in enumerate(lines) if line.strip())
    if lines[first].rstrip() == "---" and first == 0:
        doc = _parse_yaml(lines, source, messages, markdown)
    elif HEADER_LINE.match(lines[first]):
        doc = _parse_header_line(lines, first, source, messages)
    else:
        doc = _parse_bare(lines, first, source, messages, markdown)
    doc.meta = _merge_meta(config, source.path, doc.meta, messages)
    return doc


def _parse_header_line(lines: list[str], first: int, source: SourceFile, messages: list[Message]) -> RawDoc:
    match = HEADER_LINE.match(lines[first])
    assert match
    meta: dict[str, Any] = {"extra": {}}
    line_no = first + 1
    meta["date"] = _parse_date(match["date"], source.path, line_no, messages)
    if match["url"]:
        meta["url"] = _checked_url(match["url"], line_no, messages)
    title_at = next((i for i in range(first + 1, len(lines)) if lines[i].strip()), None)
    if title_at is None:
        raise SiteGenError("header line found but no title line after it", source.path, line_no)
    body_at = _take_title(meta, lines, title_at, messages)
    return RawDoc(source, "header-line", meta, "\n".join(lines[body_at:]), body_at + 1, "text", messages)


def _parse_bare(lines: list[str], first: int, source: SourceFile, messages: list[Message], markdown: bool) -> RawDoc:
    meta: dict[str, Any] = {"extra": {}}
    body_at = _take_title(meta, lines, first, messages)
    if markdown and meta["title"]:
        meta["title"] = meta["title"].lstrip("#").strip() or meta["title"]
    return RawDoc(
        source, "bare", meta, "\n".join(lines[body_at:]), body_at + 1, "markdown" if markdown else "text", messages
    )


def _take_title(meta: dict[str, Any], lines: list[str], at: int, messages: list[Message]) -> int:
    """The line at `at` is the title, unless it is far too long for a headline (a body scraped onto
    one line): then it stays in the body and the article is untitled. Returns where the body starts."""
    title = lines[at].strip()
    if len(title) > MAX_TITLE_LINE:
        messages.append(
            Message(
                "warning",
                f"line {at + 1} is {len(title):,} characters long, too long for a headline (over "
                f"{MAX_TITLE_LINE:,}); it is kept as the first paragraph and the article is untitled",
                at + 1,
            )
        )
        meta["title"] = ""
        return at
    meta["title"] = title
    return at + 1


def _parse_yaml(lines: list[str], source: SourceFile, messages: list[Message], markdown: bool) -> RawDoc:
    end = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if end is None:
        raise SiteGenError("front matter opened with '---' is never closed (add a '---' line after it)", source.path, 1)
    data, key_lines = _load_yaml("\n".join(lines[1:end]), source.path)
    meta = _front_matter_meta(data, source.path, messages, key_lines)
    # .md bodies are Markdown; .txt bodies (what `site-gen import` writes) are plain text, one paragraph per line.
    return RawDoc(
        source, "yaml", meta, "\n".join(lines[end + 1 :]), end + 2, "markdown" if markdown else "text", messages
    )


def _load_yaml(text: str, path: str) -> tuple[dict[str, Any], dict[str, int]]:
    """safe_load with line numbers in errors and a bound on alias expansion (no YAML bombs).
    Also returns the file line of each top-level key, for messages about its value."""
    try:
        if "*" in text and "&" in text:  # only aliases can make a small text expand: count the nodes first
            node = yaml.compose(text, Loader=_Loader)
            if node is not None:
                _check_yaml_size(node, path)
        data = yaml.load(text, Loader=_Loader)  # a SafeLoader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 2 if mark else 1
        problem = exc.problem or exc.context or "invalid YAML"
        if isinstance(exc, yaml.constructor.ConstructorError) and "tag" in str(problem):
            problem = f"{problem} (only plain YAML values are allowed in front matter)"
        elif exc.context and exc.context_mark and exc.problem_mark and exc.context_mark.line != exc.problem_mark.line:
            problem = f"{problem} ({exc.context} that starts on line {exc.context_mark.line + 2})"
        raise SiteGenError(f"invalid front matter: {problem}", path, line) from exc
    except yaml.YAMLError as exc:
        raise SiteGenError(f"invalid front matter: {exc}", path, 1) from exc
    if data is None:
        return {}, {}
    if not isinstance(data, dict):
        raise SiteGenError(f"front matter must be a mapping of keys to values, not a {type(data).__name__}", path, 2)
    return data, _key_lines(text)


_TOP_LEVEL_KEY = re.compile(r"""^(?:"([^"]+)"|'([^']+)'|([^\s#"'][^:#]*?))[ \t]*:(?:[ \t]|$)""", re.M)


def _key_lines(text: str) -> dict[str, int]:
    """The file line of each top-level key of block-style front matter (for messages about its value;
    found by a line scan, since composing every front matter into nodes would double the YAML cost)."""
    lines: dict[str, int] = {}
    for match in _TOP_LEVEL_KEY.finditer(text):
        key = next(group for group in match.groups() if group is not None)
        lines.setdefault(key, text.count("\n", 0, match.start()) + 2)
    return lines


class _Loader(SafeLoader):  # type: ignore[misc,valid-type]  # a base chosen at run time (the C loader if built)
    """The safe loader, except that a timestamp that is no real date (2025-13-45) stays text
    instead of raising ValueError, so _parse_date reports it and the rest of the front matter is kept."""


def _timestamp(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> Any:
    try:
        return yaml.constructor.SafeConstructor.construct_yaml_timestamp(loader, node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp)


def _check_yaml_size(root: yaml.Node, path: str) -> None:
    """Count nodes as they would be expanded, so aliases cannot blow up memory later."""
    count = 0
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        count += 1
        if count > MAX_YAML_NODES:
            raise SiteGenError(
                f"front matter expands to more than {MAX_YAML_NODES:,} values (YAML aliases?); refused",
                path,
                root.start_mark.line + 2,
            )
        if isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                stack.extend((key, value))


def _front_matter_meta(
    data: dict[str, Any], path: str, messages: list[Message], key_lines: dict[str, int] | None = None
) -> dict[str, Any]:
    meta: dict[str, Any] = {"extra": {}}
    for raw_key, value in data.items():
        key = KEY_ALIASES.get(str(raw_key).lower(), str(raw_key).lower())
        line = (key_lines or {}).get(str(raw_key))
        if key not in KNOWN_KEYS:
            meta["extra"][str(raw_key)] = value
        elif key == "tags":
            meta["tags"] = meta.get("tags", []) + _tag_list(value, messages)
        elif key == "date":
            meta["date"] = _parse_date(value, path, line, messages)
        elif key == "url":
            meta["url"] = _checked_url(str(value), line, messages) if value else None
        elif key == "slug" and value is not None:
            meta["slug"] = _checked_slug(str(value).strip(), line, messages)
        elif key == "draft":
            meta["draft"] = value is True or str(value).lower() in ("true", "yes", "1")
        elif value is not None:
            meta[key] = str(value).strip()
    return meta


def _tag_list(value: Any, messages: list[Message]) -> list[str]:
    items = value.split(",") if isinstance(value, str) else value if isinstance(value, list) else [value]
    tags = []
    for item in items:
        if isinstance(item, (dict, list)):
            messages.append(Message("warning", f"tag {item!r} is not a single value; ignored"))
            continue
        tag = " ".join(str(item).split())
        if tag:
            tags.append(tag[:100])
    return tags


def _parse_date(value: Any, path: str, line: int | None, messages: list[Message]) -> dt.date | None:
    if isinstance(value, dt.date):
        return _plausible(value.date() if isinstance(value, dt.datetime) else value, line, messages)
    text = str(value).strip()
    match = re.fullmatch(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[T ][0-9:.+\-Z ]*)?", text)
    if match:
        try:
            return _plausible(dt.date(int(match[1]), int(match[2]), int(match[3])), line, messages)
        except ValueError as exc:
            messages.append(
                Message("warning", f"date {text!r} is impossible ({exc}); the article is treated as undated", line)
            )
            return None
    messages.append(
        Message("warning", f"date {text!r} is not in YYYY-MM-DD form; the article is treated as undated", line)
    )
    return None


def _plausible(date: dt.date, line: int | None, messages: list[Message]) -> dt.date:
    """Keep what the source says, but flag a year no news archive holds: usually a scraper's placeholder."""
    if not EARLIEST_YEAR <= date.year < LATEST_YEAR:
        messages.append(
            Message(
                "warning",
                f"date {date.isoformat()} is outside the years {EARLIEST_YEAR}-{LATEST_YEAR - 1}, probably a "
                "placeholder; it is kept as the source says, so check it",
                line,
            )
        )
    return date


def _checked_slug(value: str, line: int | None, messages: list[Message]) -> str:
    """A slug asked for in front matter is one path segment of the page's address; anything else is replaced, with a
    warning."""
    usable = slugify(value)
    if usable != value:
        instead = f"'{usable}' is used instead" if usable else "the page's address is made from the title instead"
        messages.append(
            Message(
                "warning",
                f"slug {value[:200]!r} is not a safe single part of a URL (lower-case letters, digits and '-' only, "
                f"at most {MAX_SLUG} characters, no reserved names); {instead}",
                line,
            )
        )
    return usable


def _checked_url(value: str, line: int | None, messages: list[Message]) -> str | None:
    problem = check_url(value)
    if problem:
        messages.append(
            Message(
                "warning", f"URL {value[:200]!r} {problem}; it is not linked and the outlet comes from elsewhere", line
            )
        )
        return None
    url = encode_unsafe(value.strip())
    if url != value.strip():
        messages.append(
            Message(
                "info", f"characters a link cannot hold as they are were percent-encoded in the URL: {url[:200]}", line
            )
        )
    return url


def _merge_meta(config: SiteConfig, path: str, file_meta: dict[str, Any], messages: list[Message]) -> dict[str, Any]:
    """defaults < path < file, as DESIGN.md documents."""
    meta: dict[str, Any] = {"extra": {}}
    for rule in config.defaults:
        if fnmatch.fnmatch(path, rule.path):
            defaults = _front_matter_meta(rule.values, str(config.config_path), messages)
            meta.update({k: v for k, v in defaults.items() if k != "extra"})
            meta["extra"].update(defaults["extra"])
    found = PATH_DATE.search(path)
    if found:
        with contextlib.suppress(ValueError):  # not a real day (2024/02/30): the path gives no date
            meta["date"] = dt.date(int(found[1]), int(found[2]), int(found[3]))
    for key, value in file_meta.items():
        if key == "extra":
            meta["extra"].update(value)
        elif key == "tags":
            meta["tags"] = meta.get("tags", []) + value
        elif key == "date" and value is None and "date" in meta:
            continue
        else:
            meta[key] = value
    if meta.get("date") is None:
        meta["date"] = None
        if not any("date" in m.message for m in messages):
            messages.append(
                Message("info", "no date in the file, its name or its path; the article is listed as undated")
            )
    return meta
