"""The source registry (domain -> outlet metadata) and the tag stage.

A bundled registry covers common outlets; the site's own sources.yaml overrides it field by
field. Registrable domains come from the Public Suffix List bundled with publicsuffixlist,
so a build never needs the network.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

from publicsuffixlist import PublicSuffixList

from site_gen.config import SiteConfig, parse_yaml
from site_gen.errors import ConfigError
from site_gen.languages import choose_language, is_valid, normalize_code
from site_gen.model import Article, Message, Outlet
from site_gen.slugs import slugify
from site_gen.urls import host_of, is_ip

ENTRY_FIELDS = {"name", "country", "language", "kind", "tags", "aliases", "key", "boilerplate", "host_languages"}
UNKNOWN = Outlet(key="unknown-source", name="Unknown source", domain=None)


@lru_cache(maxsize=1)
def _psl() -> PublicSuffixList:
    return PublicSuffixList()


@lru_cache(maxsize=65536)
def registrable_domain(host: str) -> str:
    """sputnikglobe.com for www.sputnikglobe.com, bbc.co.uk for news.bbc.co.uk; IPs and bare names as they are."""
    host = host.rstrip(".").lower()
    if not host or is_ip(host):
        return host
    return _psl().privatesuffix(host) or host


@dataclass(slots=True)
class SourceEntry:
    """One outlet as the registry describes it."""

    domain: str
    name: str
    country: str | None = None
    language: str | None = None
    kind: str | None = None
    tags: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    key: str | None = None
    boilerplate: tuple[re.Pattern[str], ...] = ()
    """Regular expressions for text this outlet appends to its articles (footers, prompts); matches are removed."""
    host_languages: dict[str, str] = field(default_factory=dict)
    """Language per host of a multilingual outlet (russian.rt.com: ru), overriding `language`."""


@dataclass(slots=True)
class Registry:
    """Domain and outlet-name lookups over the merged registry."""

    entries: dict[str, SourceEntry] = field(default_factory=dict)
    _outlets: dict[str, Outlet] = field(default_factory=dict)
    _by_name: dict[str, str] = field(default_factory=dict)
    _host_languages: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        used: set[str] = set()
        for domain, entry in sorted(self.entries.items()):
            key = entry.key or slugify(entry.name, fallback=slugify(domain, fallback="outlet"))
            if key in used and not entry.key:
                key = slugify(f"{entry.name} {domain}")
            used.add(key)
            outlet = Outlet(key, entry.name, domain, entry.country, entry.language, entry.kind, entry.tags, known=True)
            for name in (domain, *entry.aliases):
                self._outlets[name] = outlet
            self._by_name.setdefault(entry.name.casefold(), domain)
            self._host_languages.update(entry.host_languages)

    def outlet_for_url(self, url: str) -> Outlet:
        """The registered outlet for the URL's host or registrable domain, else one named after the domain."""
        host = host_of(url)
        outlet = self._outlets.get(host)  # before the domain: parsing the public suffix list costs 0.07 s
        if outlet is not None:
            return outlet
        domain = registrable_domain(host)
        return self._outlets.get(domain) or _unknown_outlet(domain)

    def outlet_named(self, source: str) -> Outlet:
        """A source given in front matter: a domain, a URL or an outlet name."""
        text = source.strip()
        if "://" in text:
            return self.outlet_for_url(text)
        if text.casefold() in self._by_name:
            return self._outlets[self._by_name[text.casefold()]]
        if "." in text and " " not in text:
            return self.outlet_for_url("http://" + text)
        return Outlet(slugify(text, fallback="outlet"), text, None)

    def boilerplate(self, outlet: Outlet) -> tuple[re.Pattern[str], ...]:
        entry = self.entries.get(outlet.domain or "")
        return entry.boilerplate if entry else ()

    def language_for(self, article: Article) -> str | None:
        """The registry's word on an article's language: its host's (multilingual outlets), else its outlet's."""
        if article.url:
            language = self._host_languages.get(host_of(article.url))
            if language:
                return language
        return article.outlet.language if article.outlet else None


def _unknown_outlet(domain: str) -> Outlet:
    return Outlet(slugify(domain, fallback="outlet"), domain, domain)


def load_registry(config: SiteConfig) -> Registry:
    """The bundled registry with the site's own sources.yaml laid over it. Parsed again only when
    that file's text changed (the preview server reads it on every rebuild)."""
    text = None
    if config.sources is not None:
        try:
            text = Path(config.sources).read_text(encoding="utf-8")
        except OSError as exc:
            raise ConfigError([f"cannot read the source registry: {exc.strerror}"], str(config.sources)) from exc
    stamp = (str(config.sources), text)
    if stamp not in _REGISTRIES:
        _REGISTRIES.clear()
        _REGISTRIES[stamp] = _parse_registries(text, str(config.sources))
    return _REGISTRIES[stamp]


_REGISTRIES: dict[tuple[str, str | None], Registry] = {}


def _parse_registries(text: str | None, path: str) -> Registry:
    bundled = resources.files("site_gen").joinpath("data/sources.yaml").read_text(encoding="utf-8")
    merged = parse_registry(bundled, "site_gen/data/sources.yaml")
    for domain, values in parse_registry(text, path).items() if text is not None else ():
        merged[domain] = {**merged.get(domain, {}), **values}
    problems: list[str] = []
    entries = {domain: _entry(domain, values, problems) for domain, values in merged.items()}
    if problems:
        raise ConfigError(problems, path if text is not None else "site_gen/data/sources.yaml")
    return Registry(entries)


def parse_registry(text: str, path: str) -> dict[str, dict[str, Any]]:
    data = parse_yaml(text, path) or {}
    if not isinstance(data, dict):
        raise ConfigError(["the source registry must map domains to outlet descriptions"], path)
    problems: list[str] = []
    result: dict[str, dict[str, Any]] = {}
    for domain, values in data.items():
        if not isinstance(values, dict):
            problems.append(f"'{domain}' must map to a description such as {{name: ..., country: ...}}")
            continue
        unknown = set(values) - ENTRY_FIELDS
        if unknown:
            problems.append(f"'{domain}' has unknown field(s) {sorted(unknown)}; known: {sorted(ENTRY_FIELDS)}")
        result[str(domain).lower().removeprefix("www.")] = {k: v for k, v in values.items() if k in ENTRY_FIELDS}
    if problems:
        raise ConfigError(problems, path)
    return result


def _entry(domain: str, values: dict[str, Any], problems: list[str]) -> SourceEntry:
    def strings(key: str) -> tuple[str, ...]:
        value = values.get(key) or ()
        return tuple(str(v) for v in ([value] if isinstance(value, str) else value))

    def optional(key: str) -> str | None:
        return str(values[key]) if values.get(key) is not None else None

    language = optional("language")
    if language is not None and not is_valid(normalize_code(language)):
        problems.append(f"'{domain}': language {language!r} is not a language tag (such as en, de or pt-BR)")
        language = None
    key = optional("key")
    if key is not None and slugify(key) != key:
        # the key is a folder name in the output (outlets/KEY/): '../x' or 'a/b' must never reach a path
        problems.append(
            f"'{domain}': key {key!r} must be a URL slug (lower-case letters, digits and '-'), such as "
            f"{slugify(key, fallback='outlet')!r}"
        )
    return SourceEntry(
        domain=domain,
        name=str(values.get("name") or domain),
        country=optional("country"),
        language=normalize_code(language) if language else None,
        kind=optional("kind"),
        tags=strings("tags"),
        aliases=tuple(a.lower().removeprefix("www.") for a in strings("aliases")),
        key=key,
        boilerplate=tuple(p for p in (_pattern(domain, text, problems) for text in strings("boilerplate")) if p),
        host_languages=_host_languages(domain, values.get("host_languages"), problems),
    )


def _pattern(domain: str, text: str, problems: list[str]) -> re.Pattern[str] | None:
    """A boilerplate regular expression; '.' spans line breaks so a footer pattern can run to the end."""
    try:
        pattern = re.compile(text, re.DOTALL)
    except re.error as exc:
        problems.append(f"'{domain}': boilerplate pattern {text!r} is not a valid regular expression: {exc}")
        return None
    if pattern.fullmatch(""):
        problems.append(
            f"'{domain}': boilerplate pattern {text!r} matches empty text; it must match the words to remove"
        )
        return None
    return pattern


def _host_languages(domain: str, value: Any, problems: list[str]) -> dict[str, str]:
    if value is None:
        return {}
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        problems.append(f"'{domain}': host_languages must map host names to language codes, e.g. {{de.{domain}: de}}")
        return {}
    languages = {str(host).lower().removeprefix("www."): normalize_code(lang) for host, lang in value.items()}
    problems.extend(
        f"'{domain}': host_languages gives {host} the language {lang!r}, which is not a language tag (such as en, de "
        "or pt-BR)"
        for host, lang in languages.items()
        if not is_valid(lang)
    )
    return languages


def tag(article: Article, registry: Registry, config: SiteConfig, declared_source: str = "") -> None:
    """Set the article's outlet, language and tags (front-matter tags, then the outlet's)."""
    if declared_source:
        article.outlet = registry.outlet_named(declared_source)
    elif article.url:
        article.outlet = registry.outlet_for_url(article.url)
    else:
        article.outlet = UNKNOWN
        article.messages.append(Message("info", "no URL and no source given; the outlet is 'Unknown source'"))
    choose_language(article, registry.language_for(article), config.language, config.detect_language)
    seen: set[str] = set()
    tags = []
    for name in [*article.tags, *article.outlet.tags]:
        if name.casefold() not in seen:
            seen.add(name.casefold())
            tags.append(name)
    article.tags = tags
