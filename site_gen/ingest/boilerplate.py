"""Boilerplate removal: the outlet's registry patterns, and paragraphs that recur across its articles.

Patterns run per article while tagging (in the workers). Recurring paragraphs can only be found
with every article of an outlet at hand, so that is a whole-archive step after tag: one pass
counts a hash of each paragraph's comparison key per outlet (each article counted once, copies
of the same URL once), a second removes the paragraphs over the thresholds in `site.yaml`.
Both record a Removal of kind "boilerplate" with samples; a body is never emptied.
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field

from site_gen.config import BoilerplateSettings
from site_gen.ingest.normalize import MAX_SAMPLES, comparison_key, sample
from site_gen.model import Article, Message, Removal

MAX_RECURRING_CHARS = 2000
"""Longer paragraphs are never taken for recurring boilerplate (and are not hashed: keeps the step cheap)."""
_WORD = re.compile(r"\w")
_SPACES = re.compile(r"[ \t]{2,}")
PATTERN_DETAIL = (
    "Text matching this outlet's boilerplate patterns in the source registry (copyright footers, newsletter prompts) "
    "was removed."
)


@dataclass(slots=True)
class RecurringParagraph:
    """A paragraph found in many of one outlet's articles and removed from them, for the build report."""

    outlet: str
    text: str
    articles: int
    """Distinct articles (by id) that carried it."""
    outlet_articles: int


def strip_patterns(article: Article, patterns: Sequence[re.Pattern[str]]) -> None:
    """Remove what the outlet's patterns match from each paragraph; drop paragraphs left without words."""
    if not patterns:
        return
    removed: list[str] = []
    kept: list[str] = []
    for paragraph in article.paragraphs:
        text = paragraph
        for pattern in patterns:
            if pattern.search(text):
                removed.extend(m.group() for m in pattern.finditer(text))
                text = _SPACES.sub(" ", pattern.sub(" ", text)).strip()
        if _WORD.search(text):
            kept.append(text)
    if removed:
        _apply(article, kept, removed, PATTERN_DETAIL)


def paragraph_keys(article: Article) -> list[int]:
    """One stable 64-bit hash per paragraph: of its comparison key for short paragraphs with words, -1 for
    the others. Computed when the file is read and cached with it (comparison keys are the costly part)."""
    return [
        int.from_bytes(
            hashlib.blake2b(comparison_key(p).encode("utf-8", "surrogatepass"), digest_size=8).digest(), "little"
        )
        >> 1
        if len(p) <= MAX_RECURRING_CHARS and _WORD.search(p)
        else -1
        for p in article.paragraphs
    ]


@dataclass(slots=True)
class Tally:
    """What decided one outlet's recurring paragraphs, kept so that a rebuild that adds, removes or
    edits a few articles can be checked against it without counting again (build/reuse.py)."""

    settings: BoilerplateSettings
    total: int
    """Distinct articles (by id) of the outlet."""
    counts: dict[int, int]
    """Articles carrying each paragraph key, for keys carried by two or more: exact from a full count
    and for recurring keys, an upper bound for the others after add() and remove() (a key not here is
    carried by at most one)."""
    examples: dict[int, tuple[str, str]] = field(default_factory=dict)
    """Recurring key -> source path and sample of the first paragraph removed for it: the report's example."""

    @property
    def threshold(self) -> int:
        return max(self.settings.min_articles, 2, math.ceil(self.settings.min_share * self.total))

    @property
    def recurring(self) -> set[int]:
        threshold = self.threshold
        return {key for key, n in self.counts.items() if n >= threshold}

    def add(self, keys: list[int], carried: set[int] | None = None) -> None:
        """Count one more article carrying these paragraph keys: of an id not counted yet, or of one whose
        counted files carried these (the outlet counts an id's articles once, with all of their keys)."""
        if carried is None:
            self.total += 1
        for key in set(keys) - {-1} - (carried or set()):
            self.counts[key] = self.counts.get(key, 1) + 1

    def remove(self, keys: list[int], carried: set[int] | None = None) -> None:
        """Count one article out: of an id no other counted article has, or (carried: the keys of the staying
        files of its id) of one that stays counted."""
        if carried is None:
            self.total -= 1
        for key in set(keys) - {-1} - (carried or set()):
            if self.counts.get(key, 1) <= 2:
                self.counts.pop(key, None)
            else:
                self.counts[key] -= 1

    def report(self, outlet: str) -> list[RecurringParagraph]:
        return [
            RecurringParagraph(outlet, text, self.counts[key], self.total) for key, (_, text) in self.examples.items()
        ]

    def strip(self, article: Article, keys: list[int], recurring: set[int]) -> list[tuple[int, str]]:
        """Remove the recurring paragraphs (self.recurring) from one article; returns (key, paragraph) of each
        removed."""
        kept, removed = [], []
        for paragraph, key in zip(article.paragraphs, keys):
            if key in recurring:
                removed.append((key, paragraph))
            else:
                kept.append(paragraph)
        if removed:
            # The rule, not the counts: an article's page must not change with the size of its outlet.
            detail = (
                f"Paragraphs found in at least {self.settings.min_share:.0%} of this outlet's articles, and in at "
                f"least {max(self.settings.min_articles, 2):,} of them (boilerplate detection), were removed."
            )
            _apply(article, kept, [p for _, p in removed], detail)
        return removed


def strip_recurring(
    articles: list[Article],
    keys: list[list[int]],
    settings: BoilerplateSettings,
    tallies: dict[str, Tally] | None = None,
) -> list[RecurringParagraph]:
    """Find and remove paragraphs recurring across a large share of one outlet's articles.
    keys: paragraph_keys() of each article, in the same order; tallies, when given, gets each outlet's Tally."""
    if not settings.detect:
        return []
    by_outlet: dict[str, list[tuple[Article, list[int]]]] = defaultdict(list)
    for article, article_keys in zip(articles, keys):
        by_outlet[article.outlet.key if article.outlet else ""].append((article, article_keys))
    found: list[RecurringParagraph] = []
    for outlet, pairs in sorted(by_outlet.items()):
        tally = _tally(pairs, settings)
        if tallies is not None:
            tallies[outlet] = tally
        recurring = tally.recurring
        for article, article_keys in pairs if recurring else ():
            for key, paragraph in tally.strip(article, article_keys, recurring):
                if key not in tally.examples:
                    tally.examples[key] = (article.sources[0].path, sample(paragraph))
        found.extend(tally.report(outlet))
    return found


def _tally(pairs: list[tuple[Article, list[int]]], settings: BoilerplateSettings) -> Tally:
    keys_by_id: dict[str, set[int]] = defaultdict(set)
    for article, keys in pairs:
        keys_by_id[article.id].update(k for k in keys if k != -1)
    counts = Counter(key for keys in keys_by_id.values() for key in keys)
    return Tally(settings, len(keys_by_id), {key: n for key, n in counts.items() if n >= 2})


def _apply(article: Article, kept: list[str], removed: list[str], detail: str) -> None:
    if not any(_WORD.search(p) for p in kept):
        article.messages.append(Message("warning", "the body consists only of boilerplate; it was kept as it is"))
        return
    article.paragraphs = kept
    article.removed.append(Removal("boilerplate", len(removed), detail, [sample(p) for p in removed[:MAX_SAMPLES]]))
