"""Typed site configuration from site.yaml; every problem is collected before failing."""

from __future__ import annotations

import difflib
import os
import string
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from site_gen.errors import ConfigError
from site_gen.languages import is_valid, normalize_code

DEFAULT_IGNORE = ["README*", "LICENSE*", "CHANGELOG*", "SOURCE.md", "SOURCES.md"]
PERMALINK_FIELDS = {"outlet", "year", "month", "day", "slug", "id"}


@dataclass(slots=True)
class PathDefaults:
    """Metadata applied to every file whose content-relative path matches a glob (Jekyll-style)."""

    path: str
    values: dict[str, Any]


@dataclass(slots=True)
class BoilerplateSettings:
    """Automatic boilerplate detection: paragraphs recurring across many of one outlet's articles."""

    detect: bool = True
    min_share: float = 0.25
    """A paragraph is boilerplate when at least this share of its outlet's articles carry it ..."""
    min_articles: int = 5
    """... and at least this many (never fewer than 2: a paragraph seen once is never boilerplate)."""


@dataclass(slots=True)
class DedupeSettings:
    """The `dedupe:` section: when two texts count as copies (defaults measured in bench/dedupe_quality.py)."""

    enabled: bool = True
    jaccard: float = 0.7
    """Near-duplicates when this share of the two texts' 3-word shingles is common to both (Jaccard)."""
    containment: float = 0.8
    """... or when this share of the shorter text's shingles is in the longer one (a truncated or extended copy)."""
    min_words: int = 10
    """Texts with fewer words are never compared: captions and placeholders say nothing about identity."""
    containment_min_words: int = 50
    """The shorter text needs this many words for containment to count (a quoted sentence is not a copy)."""


@dataclass(slots=True)
class SiteConfig:
    """Settings for one archive. Paths are absolute once loaded."""

    root: Path
    """Folder of the config file (or the current folder when there is none); relative paths start here."""
    config_path: Path | None = None
    title: str = "News archive"
    description: str = "A searchable archive of news articles."
    base_url: str = ""
    """Absolute URL the site will be hosted at; only feeds and the sitemap use it. Pages link relatively."""
    language: str = "en"
    """Language of articles whose file and outlet do not say."""
    content_dir: Path = Path("content")
    output_dir: Path = Path("public")
    cache_dir: Path = Path(".site-gen-cache")
    theme: str = "default"
    """A theme's name: themes/NAME/ beside the config, else the theme of that name shipped with site-gen
    (or a folder beside the config); its templates/ and static/ files override the default theme's."""
    sources: Path | None = None
    """The site's own source registry; sources.yaml beside the config when present."""
    permalink: str = "articles/{outlet}/{year}/{month}/{slug}/"
    paginate: int = 50
    feed_size: int = 50
    ignore: list[str] = field(default_factory=lambda: list(DEFAULT_IGNORE))
    defaults: list[PathDefaults] = field(default_factory=list)
    jobs: int = 0
    """Worker processes; 0 means one per core."""
    repeated_paragraphs: bool = True
    """Remove paragraphs that repeat an earlier one (the scraper's doubled body)."""
    fix_mojibake: bool = True
    detect_language: bool = True
    """Detect the language of articles whose file and registry entry do not give one."""
    boilerplate: BoilerplateSettings = field(default_factory=BoilerplateSettings)
    dedupe: DedupeSettings = field(default_factory=DedupeSettings)

    @property
    def workers(self) -> int:
        return self.jobs or os.cpu_count() or 1


def _check_type(key: str, value: Any, kind: type | tuple[type, ...], problems: list[str]) -> bool:
    if isinstance(value, bool) and kind is int:
        problems.append(f"'{key}' must be a whole number, not {value!r}")
        return False
    if not isinstance(value, kind):
        names = " or ".join(k.__name__ for k in (kind if isinstance(kind, tuple) else (kind,)))
        problems.append(f"'{key}' must be {names}, not {type(value).__name__} ({value!r})")
        return False
    return True


_STR_KEYS = ("title", "description", "base_url", "language", "theme", "permalink")
_PATH_KEYS = ("content_dir", "output_dir", "cache_dir", "sources")
_INT_KEYS = {"paginate": 1, "feed_size": 1, "jobs": 0}
_BOOL_KEYS = ("repeated_paragraphs", "fix_mojibake", "detect_language")
_ALL_KEYS = (
    set(_STR_KEYS)
    | set(_PATH_KEYS)
    | set(_INT_KEYS)
    | set(_BOOL_KEYS)
    | {"ignore", "defaults", "boilerplate", "dedupe"}
)
_DEDUPE_SHARES = ("jaccard", "containment")
_DEDUPE_COUNTS = ("min_words", "containment_min_words")


def load_config(path: Path | None, *, cwd: Path | None = None) -> SiteConfig:
    """Load site.yaml (or defaults when path is None) and resolve its paths."""
    cwd = cwd or Path.cwd()
    data: dict[str, Any] = {}
    root = cwd
    if path is not None:
        path = path if path.is_absolute() else cwd / path
        root = path.parent
        data = _read_yaml_mapping(path)
    config = SiteConfig(root=root, config_path=path)
    problems = _apply(config, data)
    if problems:
        raise ConfigError(problems, str(path) if path else None)
    _resolve_paths(config)
    return config


def find_config(cwd: Path) -> Path | None:
    """site.yaml in the current folder, when there is one."""
    candidate = cwd / "site.yaml"
    return candidate if candidate.is_file() else None


SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
"""libyaml's safe loader where PyYAML has it: ten times faster (every build reads the source registry)."""


def parse_yaml(text: str, path: str) -> Any:
    """YAML text as data; a syntax error becomes a ConfigError naming the file and line."""
    try:
        return yaml.load(text, Loader=SafeLoader)  # a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError(
            [f"invalid YAML: {getattr(exc, 'problem', exc)}"], path, mark.line + 1 if mark else None
        ) from exc


def _read_yaml_mapping(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError([f"cannot read the config file: {exc.strerror}"], str(path)) from exc
    data = parse_yaml(text, str(path))
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError([f"the config must be a mapping of settings, not {type(data).__name__}"], str(path))
    return data


def _apply(config: SiteConfig, data: dict[str, Any]) -> list[str]:
    problems: list[str] = []
    for key, value in data.items():
        if key not in _ALL_KEYS:
            hint = difflib.get_close_matches(str(key), sorted(_ALL_KEYS), n=1)
            problems.append(f"unknown setting '{key}'" + (f" (did you mean '{hint[0]}'?)" if hint else ""))
        elif key in _STR_KEYS:
            if _check_type(key, value, str, problems):
                setattr(config, key, value)
        elif key in _PATH_KEYS:
            if _check_type(key, value, str, problems):
                setattr(config, key, Path(value))
        elif key in _INT_KEYS:
            if _check_type(key, value, int, problems):
                if value < _INT_KEYS[key]:
                    problems.append(f"'{key}' must be at least {_INT_KEYS[key]}, not {value}")
                else:
                    setattr(config, key, value)
        elif key in _BOOL_KEYS:
            if _check_type(key, value, bool, problems):
                setattr(config, key, value)
        elif key == "ignore":
            if _check_type(key, value, list, problems) and all(_check_type(key, v, str, problems) for v in value):
                config.ignore = list(value)
        elif key == "defaults":
            config.defaults = _parse_defaults(value, problems)
        elif key == "boilerplate":
            config.boilerplate = _parse_boilerplate(value, problems)
        elif key == "dedupe":
            config.dedupe = _parse_dedupe(value, problems)
    problems.extend(_check_permalink(config.permalink))
    problems.extend(_check_theme(config))
    if not is_valid(normalize_code(config.language)):
        problems.append(
            f"'language' must be a language tag such as en, de or pt-BR, not {config.language!r} (it is every page's "
            "lang attribute)"
        )
    return problems


def _parse_defaults(value: Any, problems: list[str]) -> list[PathDefaults]:
    if not isinstance(value, list):
        problems.append("'defaults' must be a list of {path: GLOB, values: {...}}")
        return []
    result = []
    for i, item in enumerate(value, 1):
        if (
            not isinstance(item, dict)
            or not isinstance(item.get("path"), str)
            or not isinstance(item.get("values"), dict)
        ):
            problems.append(f"'defaults' entry {i} must have 'path' (a glob) and 'values' (a mapping)")
            continue
        result.append(PathDefaults(item["path"], dict(item["values"])))
    return result


def _parse_boilerplate(value: Any, problems: list[str]) -> BoilerplateSettings:
    settings = BoilerplateSettings()
    if not isinstance(value, dict):
        problems.append("'boilerplate' must be a mapping such as {detect: true, min_share: 0.25, min_articles: 5}")
        return settings
    for key, item in value.items():
        name = f"boilerplate.{key}"
        if key == "detect" and _check_type(name, item, bool, problems):
            settings.detect = item
        elif key == "min_share" and _check_type(name, item, (int, float), problems):
            if isinstance(item, bool) or not 0 < item <= 1:
                problems.append(
                    f"'{name}' must be a share between 0 and 1 (0.25 means a quarter of the outlet's articles), not "
                    f"{item!r}"
                )
            else:
                settings.min_share = float(item)
        elif key == "min_articles" and _check_type(name, item, int, problems):
            if item < 2:
                problems.append(f"'{name}' must be at least 2: a paragraph seen in one article is never boilerplate")
            else:
                settings.min_articles = item
        elif key not in ("detect", "min_share", "min_articles"):
            problems.append(f"unknown setting '{name}'; known: detect, min_share, min_articles")
    return settings


def _parse_dedupe(value: Any, problems: list[str]) -> DedupeSettings:
    settings = DedupeSettings()
    if not _check_type("dedupe", value, dict, problems):
        return settings
    known = ("enabled", *_DEDUPE_SHARES, *_DEDUPE_COUNTS)
    for key, item in value.items():
        name = f"dedupe.{key}"
        if key not in known:
            hint = difflib.get_close_matches(str(key), known, n=1)
            problems.append(f"unknown setting '{name}'" + (f" (did you mean 'dedupe.{hint[0]}'?)" if hint else ""))
        elif key == "enabled":
            if _check_type(name, item, bool, problems):
                settings.enabled = item
        elif key in _DEDUPE_SHARES:
            if isinstance(item, bool) or not isinstance(item, (int, float)) or not 0 < item <= 1:
                problems.append(f"'{name}' must be a number above 0 and at most 1, not {item!r}")
            else:
                setattr(settings, key, float(item))
        elif _check_type(name, item, int, problems):
            if item < 1:
                problems.append(f"'{name}' must be at least 1, not {item}")
            else:
                setattr(settings, key, item)
    return settings


def bundled_themes() -> Path:
    """The themes shipped with site-gen: site_gen/themes/ once installed, themes/ at the top of a checkout."""
    package = Path(__file__).resolve().parent
    installed = package / "themes"
    return installed if installed.is_dir() else package.parent / "themes"


def _theme_candidates(config: SiteConfig) -> list[Path]:
    """Where a theme named in site.yaml is looked for, in order."""
    return [config.root / "themes" / config.theme, config.root / config.theme, bundled_themes() / config.theme]


def theme_dirs(config: SiteConfig) -> list[Path]:
    """Theme folders, most specific first: the site's own (themes/NAME beside the config, or a folder
    NAME there), the bundled theme of that name, then the bundled default. A file in an earlier folder
    overrides the same file in a later one."""
    folders: list[Path] = []
    for folder in [*_theme_candidates(config), bundled_themes() / "default"]:
        if folder.is_dir() and folder.resolve() not in {f.resolve() for f in folders}:
            folders.append(folder)
    return folders


def _check_theme(config: SiteConfig) -> list[str]:
    candidates = _theme_candidates(config)
    if any(folder.is_dir() for folder in candidates):
        return []
    looked = ", ".join(str(folder) for folder in candidates)
    return [
        f"theme {config.theme!r} not found: looked in {looked} (copy a template of themes/default into "
        f"themes/{config.theme}/templates/ to start one)"
    ]


def _check_permalink(pattern: str) -> list[str]:
    problems = []
    if not (pattern.endswith("/") or pattern.endswith(".html")):
        problems.append(f"'permalink' must end with '/' or '.html', not {pattern!r}")
    if (
        pattern.startswith("/")
        or {".", ".."} & set(pattern.split("/"))
        or any(ch == "\\" or ord(ch) < 32 for ch in pattern)
    ):
        problems.append(
            f"'permalink' must be a relative path inside the site, with '/' between folders, not {pattern!r}"
        )
    try:
        fields = [
            (name, spec, conversion)
            for _, name, spec, conversion in string.Formatter().parse(pattern)
            if name is not None
        ]
    except ValueError as exc:
        return [*problems, f"'permalink' {pattern!r} cannot be read: {exc} (write fields as {{slug}})"]
    if any(spec or conversion for _, spec, conversion in fields):
        # a format spec can pad a field with dots or slashes ({month:.>2} gives '..' for undated articles)
        problems.append(
            f"'permalink' fields take no format spec or conversion (write {{year}}, not {{year:>6}} or {{slug!r}}): "
            f"{pattern!r}"
        )
    names = {name for name, _, _ in fields}
    unknown = names - PERMALINK_FIELDS
    if unknown:
        problems.append(f"'permalink' uses unknown field(s) {sorted(unknown)}; known: {sorted(PERMALINK_FIELDS)}")
    if "slug" not in names and "id" not in names:
        problems.append("'permalink' must contain {slug} or {id} so that every article gets its own page")
    return problems


def _resolve_paths(config: SiteConfig) -> None:
    for key in ("content_dir", "output_dir", "cache_dir"):
        value: Path = getattr(config, key)
        setattr(config, key, (config.root / value).resolve() if not value.is_absolute() else value)
    if config.sources is not None:
        config.sources = (config.root / config.sources).resolve()
    elif (config.root / "sources.yaml").is_file():
        config.sources = (config.root / "sources.yaml").resolve()
