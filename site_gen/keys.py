"""Content keys: a short hash of everything a page shows, so an unchanged page is not rendered again.

A page's key is the hash of its template (with every template it extends, includes or imports)
and of its context. The rule that keeps this correct: templates read only their context, the
constant site settings, and pure functions of those (filters and globals such as summary()).
Articles are keyed once per build by pickling their fields, so a listing of fifty articles costs
fifty dictionary look-ups, not fifty serialisations.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import pickle
from pathlib import Path
from typing import Any, Iterable

import jinja2
from jinja2 import meta

from .model import Article

DIGEST = 16


def article_keys(articles: Iterable[Article]) -> dict[str, str]:
    """Article id -> hash of every field of the article (what any page could show of it)."""
    return {a.id: hashlib.blake2b(pickle.dumps(a, protocol=5), digest_size=DIGEST).hexdigest() for a in articles}


class ContextHasher:
    """Feeds a canonical encoding of template context values into a hash."""

    def __init__(self, article_keys: dict[str, str]) -> None:
        self.article_keys = article_keys

    def key(self, *parts: Any) -> str:
        digest = hashlib.blake2b(digest_size=DIGEST)
        for part in parts:
            self._feed(digest, part)
        return digest.hexdigest()

    def _feed(self, digest: Any, value: Any) -> None:
        update = digest.update
        if isinstance(value, Article):
            update(b"A" + self.article_keys[value.id].encode())
        elif value is None or isinstance(value, (str, int, float, bool, dt.date)):
            update(f"{type(value).__name__}:{value!r};".encode("utf-8", "surrogatepass"))
        elif isinstance(value, dict):
            update(b"{")
            for k in sorted(value, key=repr):
                self._feed(digest, k)
                self._feed(digest, value[k])
            update(b"}")
        elif isinstance(value, (list, tuple)):
            update(b"[")
            for item in value:
                self._feed(digest, item)
            update(b"]")
        elif dataclasses.is_dataclass(value):
            update(type(value).__name__.encode() + b"(")
            for f in dataclasses.fields(value):
                self._feed(digest, getattr(value, f.name))
            update(b")")
        else:
            raise TypeError(f"cannot key a template context value of type {type(value).__name__}; pass plain data to templates")


def template_keys(env: jinja2.Environment) -> dict[str, str]:
    """Template name -> hash of its source and of every template it references, transitively."""
    assert isinstance(env.loader, jinja2.FileSystemLoader)
    names = env.loader.list_templates()
    sources = {name: env.loader.get_source(env, name)[0] for name in names}
    references: dict[str, set[str]] = {}
    for name, source in sources.items():
        found = set(meta.find_referenced_templates(env.parse(source)))
        references[name] = set(names) if None in found else {str(n) for n in found}
    keys = {}
    for name in names:
        closure, stack = set(), [name]
        while stack:
            current = stack.pop()
            if current not in closure and current in sources:
                closure.add(current)
                stack.extend(references[current])
        digest = hashlib.blake2b(digest_size=DIGEST)
        for member in sorted(closure):
            digest.update(member.encode() + b"\0" + sources[member].encode() + b"\0")
        keys[name] = digest.hexdigest()
    return keys


def file_key(path: Path) -> str:
    """Size and modification time of a file: enough to notice an edit without reading it."""
    st = path.stat()
    return f"{st.st_size}:{st.st_mtime_ns}"
