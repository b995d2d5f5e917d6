"""Index terms, computed once and shared by the whoosh index and the static export.

The schema's analyzer is whoosh's StemmingAnalyzer: regex tokens, lower case, stop words and
words under two characters dropped, Porter stems. whoosh runs it as a chain of generators over
Token objects (about 1.5 ms per 600-word article, 15 s per 10,000). This module gives the same
terms from one regex pass and a stem cache (about 0.3 ms per article);
tests/test_search_terms.py checks it term for term against whoosh. search.js mirrors it in the
browser (same pattern, stop words from the export, a port of the same Porter stemmer).
"""

from __future__ import annotations

import re
from collections import Counter

from whoosh.analysis import StemmingAnalyzer
from whoosh.analysis.filters import STOP_WORDS
from whoosh.lang.porter import stem

from site_gen.model import Article
from site_gen.render.excerpts import plain_text

# whoosh.analysis.tokenizers.default_pattern without its capturing group, so findall returns tokens.
PATTERN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
MIN_SIZE = 2
FIELDS = ("title", "body")
"""The analyzed fields, in the order whoosh's MultifieldParser ORs them for each word."""
FIELD_BOOSTS = {"title": 2.0, "body": 1.0}
"""A word in the title counts twice (query-time boosts of the parser; search.js applies the same)."""


def field_text(article: Article, name: str) -> str:
    """The text of an analyzed field: the title, or the body as plain text.

    Asterisks are word characters to whoosh's tokenizer (for wildcards in queries), so an
    indexed "*Markdown*" could never be found; they are spaces here."""
    return (article.title if name == "title" else plain_text(article)).replace("*", " ")


def analyzer() -> StemmingAnalyzer:
    """The analyzer of the whoosh schema's title and body (the one this module reproduces)."""
    return StemmingAnalyzer(minsize=MIN_SIZE)


class _StemCache(dict[str, str]):
    """word -> index term ("" for words the analyzer drops); filled on first sight."""

    def __missing__(self, word: str) -> str:
        term = self[word] = "" if len(word) < MIN_SIZE or word in STOP_WORDS else stem(word)
        return term


_TERMS = _StemCache()


def words(text: str) -> list[str]:
    """Tokens lower-cased, as RegexTokenizer + LowercaseFilter give them."""
    lowered = text.lower()
    # Lower-casing the whole text is the same as lower-casing each token unless a character
    # changes length (İ -> i + combining dot, which is not a word character) or is a sigma,
    # whose final form depends on what follows it.
    if len(lowered) == len(text) and "Σ" not in text:
        return PATTERN.findall(lowered)
    return [word.lower() for word in PATTERN.findall(text)]


def terms(text: str) -> list[str]:
    """Index terms in order (stop words and one-letter words left out)."""
    return list(filter(None, map(_TERMS.__getitem__, words(text))))


def positioned_terms(text: str) -> tuple[list[str], int]:
    """Index terms in order, and the position of the first: whoosh's StopFilter numbers the
    terms after the first consecutively, but the first keeps its place among all the words."""
    mapped = list(map(_TERMS.__getitem__, words(text)))
    first = next((i for i, term in enumerate(mapped) if term), 0)
    return list(filter(None, mapped)), first


def term_counts(text: str) -> Counter[str]:
    """Index term -> frequency: what BM25 needs, without positions."""
    counts = Counter(map(_TERMS.__getitem__, words(text)))
    counts.pop("", None)
    return counts


def term(word: str) -> str:
    """The index term of one lower-cased word ("" when the analyzer drops it)."""
    return _TERMS[word]
