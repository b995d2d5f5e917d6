"""Index terms, computed once and shared by the whoosh index and the static export.

Each article is analyzed in its own language (languages.analyzer_language): regex tokens, lower
case, the language's stop words and words under two characters dropped, the language's stem
(English: whoosh's StemmingAnalyzer with its Porter stemmer, as always; the others: Snowball,
stemmers.py). Languages written without spaces (languages.UNSPACED: Chinese, Japanese) are cut
into overlapping character bigrams instead; other languages without a stemmer keep their words
as they are. whoosh would run such an analyzer as a chain of generators over Token objects
(about 1.5 ms per 600-word article, 15 s per 10,000); this module gives the same terms from one
regex pass and a stem cache per analysis (about 0.3 ms per article). analyzer(key) builds the
whoosh analyzer itself: queries are parsed with it, and tests/test_search_terms.py checks this
module against it term for term. search.js mirrors it in the browser (same pattern, stop words
from the export, a port of the Porter stemmer, the vendored Snowball stemmers).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from whoosh.analysis import Filter, LowercaseFilter, RegexTokenizer, StemFilter, StemmingAnalyzer, StopFilter
from whoosh.lang.porter import stem as porter

from site_gen.languages import UNSPACED, analyzer_language, search_language
from site_gen.model import Article
from site_gen.render.excerpts import plain_text
from site_gen.search.stemmers import Snowball, stop_words

# whoosh.analysis.tokenizers.default_pattern without its capturing group, so findall returns tokens.
PATTERN = re.compile(r"[\w\*]+(?:\.?[\w\*]+)*")
UNSPACED_CHARS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f\U00020000-\U0003134f"
"""Kana and CJK ideographs: runs of them are cut into bigrams in the unspaced languages."""
UNSPACED_PATTERN = re.compile(
    rf"(?:[^\W{UNSPACED_CHARS}]|\*)+(?:\.?(?:[^\W{UNSPACED_CHARS}]|\*)+)*|[{UNSPACED_CHARS}]+"
)
"""PATTERN, with a run of kana and ideographs a token of its own (then cut into bigrams)."""
_RUN = re.compile(f"[{UNSPACED_CHARS}]")
BIGRAMS = "cjk"
"""The analysis key of the unspaced languages."""
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


@lru_cache(maxsize=256)
def analysis_key(language: str) -> str:
    """How text in a language (a tag) is analyzed: its stemmer's language ("en", "ru", ...), BIGRAMS for
    the unspaced languages, "" for words kept as they are."""
    return analyzer_language(language) or (BIGRAMS if search_language(language) in UNSPACED else "")


def article_key(article: Article) -> str:
    return analysis_key(article.language)


def stemmer(key: str) -> Callable[[str], str] | None:
    """The stem function of an analysis (None: words are kept)."""
    if key == "en":
        stem: Callable[[str], str] = porter
        return stem
    return Snowball(key) if analyzer_language(key) else None


def stop_list(key: str) -> frozenset[str]:
    return stop_words(key) if analyzer_language(key) else frozenset()


def analyzer(key: str) -> Any:
    """The whoosh analyzer of an analysis, which this module reproduces (and the query parser uses)."""
    if key == "en":
        return StemmingAnalyzer(minsize=MIN_SIZE)
    if key == BIGRAMS:
        return (
            RegexTokenizer(UNSPACED_PATTERN) | LowercaseFilter() | Bigrams() | StopFilter(stoplist=(), minsize=MIN_SIZE)
        )
    chain = RegexTokenizer() | LowercaseFilter() | StopFilter(stoplist=stop_list(key), minsize=MIN_SIZE)
    stem = stemmer(key)
    return chain | StemFilter(stemfn=stem) if stem else chain


class Bigrams(Filter):  # type: ignore[misc]  # whoosh is untyped: Filter is Any
    """Runs of kana and ideographs as overlapping two-character tokens (a lone character stays one,
    and is dropped as words under two characters are); positions numbered again."""

    def __call__(self, tokens: Iterator[Any]) -> Iterator[Any]:
        pos = None
        for t in tokens:
            if pos is None and t.positions:
                pos = t.pos
            text = t.text
            parts = (
                [(i, text[i : i + 2]) for i in range(len(text) - 1)]
                if _RUN.match(text) and len(text) > 1
                else [(0, text)]
            )
            start = t.startchar if t.chars else 0
            for offset, part in parts:
                t.text = part
                if t.chars:
                    t.startchar, t.endchar = start + offset, start + offset + len(part)
                if pos is not None:
                    t.pos = pos
                    pos += 1
                yield t


@dataclass(frozen=True, slots=True)
class _Analysis:
    stop: frozenset[str]
    stem: Callable[[str], str] | None


class _StemCache(dict[str, str]):
    """word -> index term ("" for words the analyzer drops); filled on first sight."""

    def __init__(self, key: str) -> None:
        super().__init__()
        self.analysis = _Analysis(stop_list(key), stemmer(key))

    def __missing__(self, word: str) -> str:
        stem = self.analysis.stem
        dropped = len(word) < MIN_SIZE or word in self.analysis.stop
        term = self[word] = "" if dropped else stem(word) if stem else word
        return term


class _Caches(dict[str, _StemCache]):
    def __missing__(self, key: str) -> _StemCache:
        cache = self[key] = _StemCache(key)
        return cache


_TERMS = _Caches()


def words(text: str, key: str = "") -> list[str]:
    """Tokens lower-cased, as RegexTokenizer + LowercaseFilter give them (unspaced runs as bigrams for BIGRAMS)."""
    if key == BIGRAMS:
        return [part for word in UNSPACED_PATTERN.findall(text) for part in _bigrams(word.lower())]
    lowered = text.lower()
    # Lower-casing the whole text is the same as lower-casing each token unless a character
    # changes length (İ -> i + combining dot, which is not a word character) or is a sigma,
    # whose final form depends on what follows it.
    if len(lowered) == len(text) and "Σ" not in text:
        return PATTERN.findall(lowered)
    return [word.lower() for word in PATTERN.findall(text)]


def _bigrams(word: str) -> list[str]:
    if len(word) > 1 and _RUN.match(word):
        return [word[i : i + 2] for i in range(len(word) - 1)]
    return [word]


def terms(text: str, key: str) -> list[str]:
    """Index terms in order (stop words and one-letter words left out)."""
    return list(filter(None, map(_TERMS[key].__getitem__, words(text, key))))


def term_counts(text: str, key: str) -> Counter[str]:
    """Index term -> frequency: what BM25 needs, without positions."""
    counts = Counter(map(_TERMS[key].__getitem__, words(text, key)))
    counts.pop("", None)
    return counts


def term(word: str, key: str) -> str:
    """The index term of one lower-cased word ("" when the analyzer drops it)."""
    return _TERMS[key][word]
