"""The ingest stage for one file: read -> normalize -> tag (with the outlet's boilerplate patterns).

The build runs it over every changed file in workers; the search index runs it again on one file to
highlight a result in its source text.
"""

from __future__ import annotations

from site_gen.config import SiteConfig
from site_gen.errors import SiteGenError
from site_gen.ingest.boilerplate import paragraph_keys, strip_patterns
from site_gen.ingest.normalize import normalize
from site_gen.ingest.read import display_path, read_file
from site_gen.ingest.sources import Registry, tag
from site_gen.model import InputEntry, Message


def read_one(config: SiteConfig, registry: Registry, path: str) -> InputEntry:
    """read -> normalize -> tag for one file; a bad file becomes an error entry, never an exception."""
    shown = display_path(path)
    try:
        raw = read_file(config, path)
    except SiteGenError as exc:
        return InputEntry(shown, "error", [Message("error", exc.message, exc.line)])
    if raw.meta.get("draft"):
        return InputEntry(
            shown, "skipped", [*raw.messages, Message("info", "draft: true in the front matter; not published")]
        )
    article = normalize(raw, config)
    tag(article, registry, config, str(raw.meta.get("source") or ""))
    assert article.outlet is not None
    strip_patterns(article, registry.boilerplate(article.outlet))
    return InputEntry(shown, "rendered", article.messages, article, paragraph_keys(article))
