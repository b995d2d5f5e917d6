"""URL slugs: readable (transliterated), safe as one path segment on every file system, stable."""

from __future__ import annotations

import hashlib

from slugify import slugify as _slugify

MAX_SLUG = 80
# Names Windows refuses as files whatever the extension; a slug must never be one of them.
WINDOWS_RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)), *(f"lpt{i}" for i in range(10))}


def slugify(text: str, *, fallback: str = "", max_length: int = MAX_SLUG) -> str:
    """Lower-case ASCII words joined by '-'; non-Latin text is transliterated. Never empty when fallback is given."""
    slug = _slugify(text, max_length=max_length, word_boundary=True, save_order=True) or fallback
    if slug in WINDOWS_RESERVED:
        slug += "-1"
    return slug


def short_hash(text: str, length: int = 6) -> str:
    """A few hex digits of SHA-256: stable suffixes that tell colliding slugs apart."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:length]
