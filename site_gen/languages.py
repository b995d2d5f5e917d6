"""Article languages: tidy codes, offline detection, and which search stemmer suits a language.

Precedence (applied in sources.tag): the file's own `language`; else the registry (the host's
language for a multilingual outlet, then the outlet's); else detected from the text; else the
site's `language`. Detection uses py3langid (offline, 97 languages; chosen by measuring it on
the shared corpora, see docs/performance.md). Its model costs about a second and ~100 MB to
load, so it is loaded lazily, once per process, and only when an article needs it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from site_gen.model import Article, Message

DETECT_CHARS = 400
"""Characters of title and body the detector reads: 100% right on the corpora from 300 on (bench/languages.py)."""
MIN_LETTERS = 40
"""Shorter text is not detected (too little evidence); the site's default applies."""
MIN_CONFIDENCE = 0.6
"""Normalized probability below which a detection is not trusted."""
NOT_LANGUAGES = {"und", "zxx", "mul"}

_NAMES = {
    "english": "en",
    "russian": "ru",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "spanish": "es",
    "italian": "it",
    "portuguese": "pt",
    "ukrainian": "uk",
    "arabic": "ar",
    "chinese": "zh",
    "dutch": "nl",
    "polish": "pl",
    "turkish": "tr",
    "русский": "ru",
    "français": "fr",
    "español": "es",
}
_ISO639_2 = {
    "eng": "en",
    "rus": "ru",
    "deu": "de",
    "ger": "de",
    "fra": "fr",
    "fre": "fr",
    "spa": "es",
    "ita": "it",
    "por": "pt",
    "ukr": "uk",
    "ara": "ar",
    "zho": "zh",
    "chi": "zh",
    "nld": "nl",
    "dut": "nl",
    "pol": "pl",
    "tur": "tr",
}
_SUBTAG = re.compile(r"^[A-Za-z0-9]{1,8}$")


def normalize_code(value: str) -> str:
    """A BCP 47-style tag: 'en_US' -> 'en-US', 'English' -> 'en', 'rus' -> 'ru'. Unknown forms stay as given."""
    parts = value.strip().replace("_", "-").split("-")
    if not all(_SUBTAG.match(p) for p in parts):
        return value.strip()
    first = parts[0].lower()
    first = _NAMES.get(first, _ISO639_2.get(first, first))
    rest = [p.upper() if len(p) == 2 else p.title() if len(p) == 4 else p.lower() for p in parts[1:]]
    return "-".join([first, *rest])


def is_valid(code: str) -> bool:
    """A tag the IANA language subtag registry knows: what a page's lang attribute may hold
    (the Nu Html Checker refuses 'klingon', 'xx' and 'en-EN'). The languages the search index knows need no
    look-up: langcodes takes 0.1 s to import, at the start of every build that checks the site's language."""
    if code in STEMMED or code in UNSPACED:
        return True
    import langcodes

    return langcodes.tag_is_valid(code)


def primary(code: str) -> str:
    """The language subtag alone: 'de' for 'de-AT'."""
    return code.split("-", 1)[0].lower()


STEMMED = frozenset(("ar", "da", "de", "en", "es", "fi", "fr", "hu", "it", "nl", "no", "pt", "ro", "ru", "sv", "tr"))
"""Languages the search index stems: whoosh.lang's, English by whoosh's Porter stemmer, the others
by Snowball's (search/stemmers.py; the browser runs the same algorithms)."""
UNSPACED = frozenset(("ja", "zh"))
"""Languages written without spaces between words: the search index cuts them into character bigrams."""


@lru_cache(maxsize=256)
def analyzer_language(code: str) -> str | None:
    """The language whose stemmer suits text in `code`, or None: index it unstemmed.

    The search index calls this per article, so Russian and German text is stemmed by the
    Russian and German Snowball stemmers, and languages without one are never mangled by
    the English stemmer.
    """
    lang = search_language(code)
    return lang if lang in STEMMED else None


@lru_cache(maxsize=256)
def search_language(code: str) -> str:
    """The language the search index files an article under (its facet): the primary subtag ("und" for none)."""
    return (primary(normalize_code(code)) if code else "") or "und"


@dataclass(slots=True, frozen=True)
class Detection:
    code: str
    confidence: float


def detect(text: str) -> Detection | None:
    """The language of a text, or None when there is too little of it or the detector is unsure."""
    sample = text[:DETECT_CHARS]
    if sum(ch.isalpha() for ch in sample) < MIN_LETTERS:
        return None
    # Lower-cased: Title Case headlines (common in scraped English) halve the model's confidence.
    code, confidence = _identifier().classify(sample.lower())
    if code in NOT_LANGUAGES or confidence < MIN_CONFIDENCE:
        return None
    return Detection(code, round(float(confidence), 3))


@lru_cache(maxsize=1)
def _identifier() -> Any:
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def model_loaded() -> bool:
    return _identifier.cache_info().currsize > 0


def unload_model() -> None:
    """Let the detector's model go (about 100 MB), for a process that forks others that do not need it."""
    _identifier.cache_clear()


def choose_language(article: Article, registry_language: str | None, default: str, detect_missing: bool) -> None:
    """Set article.language by the documented precedence; a detected language is noted on the article."""
    if article.language:
        code = normalize_code(article.language)
        if is_valid(code):
            article.language = code
            return
        article.messages.append(
            Message(
                "warning",
                f"language {article.language[:100]!r} is not a language tag (such as en, de or pt-BR); the outlet's, "
                "the detected or the site's language is used instead",
            )
        )
    if registry_language:
        article.language = registry_language
        return
    found = detect(_opening(article)) if detect_missing else None
    if found is None:
        article.language = default
        return
    article.language = found.code
    article.messages.append(
        Message("info", f"language detected from the text: {found.code} (confidence {found.confidence:.2f})")
    )


def _opening(article: Article) -> str:
    """Title and the start of the body, just long enough for the detector."""
    parts = [article.title]
    size = len(article.title)
    for paragraph in article.paragraphs:
        if size >= DETECT_CHARS:
            break
        parts.append(paragraph[:DETECT_CHARS])
        size += len(parts[-1])
    return "\n".join(parts)
