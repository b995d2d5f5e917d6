"""Content keys: a short hash of everything a page shows, so an unchanged page is not rendered again.

A page's key is the hash of its template (with every template it extends, includes or imports)
and of its context. The rule that keeps this correct: templates read only their context, the
constant site settings, and pure functions of those (filters and globals such as summary() and once()).
Articles are keyed once per build by pickling their fields, so a listing of fifty articles costs
fifty dictionary look-ups, not fifty serialisations.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import os
import pickle
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from site_gen.model import Article

if TYPE_CHECKING:  # imported where used: file_key() serves builds that render nothing (build/pipeline.py)
    import jinja2

DIGEST = 16


def article_keys(articles: Iterable[Article]) -> dict[str, str]:
    """Article id -> hash of every field of the article (what any page could show of it)."""
    buffer = io.BytesIO()
    pickler = pickle.Pickler(buffer, protocol=5)
    # No memo (the model has no cycles): a plain pickle writes a string shared by two fields once and
    # refers to it the second time, so equal articles read fresh and read from the cache would pickle apart.
    pickler.fast = True
    keys = {}
    for article in articles:
        if type(article.paragraphs) is not list:  # read lazily from the build cache (build/texts.py): as a list,
            article.paragraphs = list(article.paragraphs)  # it pickles as the same article read afresh does
        buffer.seek(0)
        buffer.truncate()
        pickler.dump(article)
        keys[article.id] = hashlib.blake2b(buffer.getbuffer(), digest_size=DIGEST).hexdigest()
    return keys


class ContextHasher:
    """A canonical, length-prefixed encoding of template context values, hashed once per page."""

    def __init__(self, article_keys: dict[str, str]) -> None:
        self.article_keys = article_keys
        self._fields: dict[type, tuple[str, ...]] = {}

    def key(self, *parts: Any) -> str:
        tokens: list[str] = []
        for part in parts:
            self._encode(part, tokens)
        return hashlib.blake2b("".join(tokens).encode("utf-8", "surrogatepass"), digest_size=DIGEST).hexdigest()

    def _encode(self, value: Any, out: list[str]) -> None:
        kind = type(value)
        if kind is str:
            out.append(f"s{len(value)}:")
            out.append(value)
        elif kind is Article:
            out.append("A" + self.article_keys[value.id])
        elif value is None or kind in (int, float, bool, dt.date):
            text = repr(value)
            out.append(f"{kind.__name__}{len(text)}:{text}")
        elif kind is list or kind is tuple:
            # the same tokens as item by item, made in one go for the long lists (a listing's articles, the
            # sitemap's locations: 0.3 s of an everyday build at 100,000 articles went to keying them)
            first = type(value[0]) if value else None
            if first is Article and all(type(item) is Article for item in value):
                keys = self.article_keys
                out.append("[" + "".join(["A" + keys[item.id] for item in value]) + "]")
            elif first is str and all(type(item) is str for item in value):
                out.append("[" + "".join([f"s{len(item)}:{item}" for item in value]) + "]")
            else:
                out.append("[")
                for item in value:
                    self._encode(item, out)
                out.append("]")
        elif kind is dict:
            out.append("{")
            for k in sorted(value, key=repr):
                self._encode(k, out)
                self._encode(value[k], out)
            out.append("}")
        elif hasattr(kind, "__dataclass_fields__"):
            names = self._fields.get(kind) or self._fields.setdefault(kind, tuple(kind.__dataclass_fields__))
            out.append(kind.__name__ + "(")
            for name in names:
                self._encode(getattr(value, name), out)
            out.append(")")
        else:
            raise TypeError(
                f"cannot key a template context value of type {kind.__name__}; pass plain data to templates"
            )


_REFERENCES: dict[tuple[str, str], set[str] | None] = {}
"""(template name, source) -> the names it references (None: computed names, so all), parsed once per process."""


def template_keys(env: jinja2.Environment) -> dict[str, str]:
    """Template name -> hash of its source and of every template it references, transitively."""
    import jinja2
    from jinja2 import meta

    assert isinstance(env.loader, jinja2.FileSystemLoader)
    names = env.loader.list_templates()
    files = {name: env.loader.get_source(env, name)[:2] for name in names}
    sources = {name: source for name, (source, _) in files.items()}
    references: dict[str, set[str]] = {}
    for name, (source, filename) in files.items():
        if (name, source) not in _REFERENCES:  # a syntax error names the template file
            found = set(meta.find_referenced_templates(env.parse(source, name, filename)))
            _REFERENCES[name, source] = None if None in found else {str(n) for n in found}
        referenced = _REFERENCES[name, source]
        references[name] = set(names) if referenced is None else referenced
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


def file_key(path: str | os.PathLike[str]) -> str:
    """Size and modification time of a file: enough to notice an edit without reading it."""
    return stat_key(os.stat(path))


def stat_key(st: os.stat_result) -> str:
    """file_key() of a file already stat'ed."""
    return f"{st.st_size}:{st.st_mtime_ns}"
