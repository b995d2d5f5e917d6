"""Text clean-up that loses nothing the source said (RawDoc -> Article).

Display keeps the source's characters; comparison folds them. Each rule that changes or
removes something adds a Removal, so the page and the build report can say what was done.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from typing import ClassVar

import ftfy
from ftfy.badness import is_bad

from site_gen.config import SiteConfig
from site_gen.ingest.read import MAX_TITLE_LINE
from site_gen.model import Article, Message, RawDoc, Removal
from site_gen.slugs import slugify
from site_gen.urls import canonical_url

SAMPLE_CHARS = 160
MAX_SAMPLES = 20
MANY_PARAGRAPHS = 10_000

# C0/C1 controls except tab and newline, and DEL.
CONTROL_CHARS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
# Invisible characters with no meaning in running text, and bidi overrides (a spoofing vector).
# ZWJ/ZWNJ, LRM/RLM and bidi isolates are kept: scripts, emoji and mixed-direction text need them.
INVISIBLE_CHARS = re.compile("[\u200b\u2060\ufeff\u180e\u00ad\u202a-\u202e]")
BIDI_OVERRIDES = re.compile("[\u202a-\u202e]")
NBSP_CHARS = re.compile("[\u00a0\u2000-\u200a\u202f\u205f\u3000]")
SPACE_RUNS = re.compile(r"[ \t]{2,}|\t")

# The comparison fold: quotes, dashes and apostrophes, so a repeated paragraph matches its first copy.
_FOLD = [
    *((char, "'") for char in "\u2018\u2019\u201a\u201b\u2032\u0060\u00b4"),
    *((char, '"') for char in "\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb\u2039\u203a"),
    *((char, "-") for char in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"),
]
_ASCII_FOLD = [(char, to) for char, to in _FOLD if char.isascii()]  # the backtick
_WORD = re.compile(r"\w")


def fold(text: str) -> str:
    """The form all text is compared in: compatibility forms (NFKC), case, quotes, dashes and apostrophes folded.

    Quotes are folded after NFKC (which maps full-width and small forms to them), except the few
    that NFKC itself would make into something else (an acute accent into a space and a combining
    mark, a double prime into two primes): those before it.
    """
    if text.isascii():  # already NFKC
        return _replace(text, _ASCII_FOLD).lower()
    return _replace(unicodedata.normalize("NFKC", _replace(text, _BEFORE_NFKC)), _FOLD).casefold()


def _replace(text: str, pairs: list[tuple[str, str]]) -> str:
    """Each pair's character replaced: a test and a replace per character are ten times faster than str.translate."""
    for char, to in pairs:
        if char in text:
            text = text.replace(char, to)
    return text


_BEFORE_NFKC = [(char, to) for char, to in _FOLD if _replace(unicodedata.normalize("NFKC", char), _FOLD) != to]


def comparison_key(text: str) -> str:
    """Case-, quote-, dash- and space-insensitive form of a paragraph."""
    return " ".join(fold(text).split())


def normalize(raw: RawDoc, config: SiteConfig) -> Article:
    """Clean title and body; drop the repeated title and repeated paragraphs, recording each change."""
    cleaner = _Cleaner(config.fix_mojibake)
    raw_title = str(raw.meta.get("title") or "")
    title = " ".join(cleaner.clean(raw_title).split())
    body = cleaner.clean(raw.body)
    removed = cleaner.removals()
    paragraphs = split_paragraphs(body, raw.markup)
    keys = [comparison_key(p) for p in paragraphs]
    title_key = comparison_key(title)
    if title_key and _WORD.search(title_key) and title_key in keys:
        # a paragraph that is the headline again (first line, or inside a doubled body) is shown once, as the title
        repeats = [p for p, k in zip(paragraphs, keys) if k == title_key]
        removed.append(
            Removal(
                "title-repeated",
                len(repeats),
                "Paragraphs that repeat the title are shown once, as the title.",
                [sample(p) for p in repeats[:MAX_SAMPLES]],
            )
        )
        paragraphs, keys = [p for p, k in zip(paragraphs, keys) if k != title_key], [k for k in keys if k != title_key]
    if config.repeated_paragraphs:
        paragraphs, repeats = drop_repeated(paragraphs, keys)
        if repeats:
            removed.append(
                Removal(
                    "repeated-paragraph",
                    len(repeats),
                    "Paragraphs that repeat an earlier one (ignoring case, quote style, dashes and spacing) are "
                    "removed; the first copy is kept as written.",
                    [sample(p) for p in repeats[:MAX_SAMPLES]],
                )
            )
    messages = [*raw.messages, *_title_messages(raw_title, title)]
    if len(paragraphs) > MANY_PARAGRAPHS:
        messages.append(
            Message(
                "warning",
                f"{len(paragraphs):,} paragraphs, more than {MANY_PARAGRAPHS:,} in one article: probably several "
                "articles run together or a scraper caught in a loop; kept whole",
            )
        )
    url = raw.meta.get("url")
    identity = f"url:{canonical_url(url)}" if url else f"path:{raw.source.path}"
    return Article(
        id=hashlib.sha256(identity.encode("utf-8", "surrogatepass")).hexdigest()[:16],
        title=title,
        date=raw.meta.get("date"),
        url=url,
        paragraphs=paragraphs,
        markup=raw.markup,
        sources=[raw.source],
        format=raw.format,
        language=str(raw.meta.get("language") or ""),
        tags=list(raw.meta.get("tags") or []),
        removed=removed,
        messages=messages,
        extra=dict(raw.meta.get("extra") or {}),
        requested_slug=str(raw.meta.get("slug") or ""),
        slug=slugify(
            str(raw.meta.get("slug") or "") or title
        ),  # here, in the workers and the read cache; "" if nothing is left
    )


def _title_messages(raw_title: str, title: str) -> list[Message]:
    """Warnings about a title: it is shown on every listing, so what was changed or is odd is said."""
    messages = []
    hidden = len(CONTROL_CHARS.findall(raw_title)) + len(BIDI_OVERRIDES.findall(raw_title))
    if hidden:
        messages.append(
            Message(
                "warning",
                f"the title held {hidden} control character(s) or bidirectional override(s), which can hide or "
                "reverse text; they were removed",
            )
        )
    if not title:
        messages.append(Message("warning", "the article has no title; it is shown as 'Untitled'"))
    elif len(title) > MAX_TITLE_LINE:
        messages.append(
            Message(
                "warning",
                f"the title is {len(title):,} characters long (headlines are rarely over {MAX_TITLE_LINE:,}); it is "
                "shown whole, and the page's address uses its first words",
            )
        )
    return messages


def split_paragraphs(body: str, markup: str) -> list[str]:
    """text: every non-empty line is a paragraph. markdown: blocks between blank lines, fences kept whole."""
    if markup == "text":
        return [line.strip() for line in body.split("\n") if line.strip()]
    blocks: list[str] = []
    current: list[str] = []
    fence: str | None = None
    for line in body.split("\n"):
        stripped = line.lstrip()
        if fence is None and stripped[:3] in ("```", "~~~"):
            fence = stripped[:3]
        elif fence is not None and stripped.startswith(fence):
            fence = None
        if not line.strip() and fence is None:
            if current:
                blocks.append("\n".join(current).strip("\n"))
                current = []
        else:
            current.append(line.rstrip())
    if current:
        blocks.append("\n".join(current).strip("\n"))
    return [b for b in blocks if b.strip()]


def drop_repeated(paragraphs: list[str], keys: list[str] | None = None) -> tuple[list[str], list[str]]:
    """Keep the first copy of each paragraph; return (kept, removed). Text without letters or digits always stays.
    keys: the paragraphs' comparison keys, when the caller has them already."""
    seen: set[str] = set()
    kept: list[str] = []
    removed: list[str] = []
    for paragraph, key in zip(paragraphs, keys if keys is not None else map(comparison_key, paragraphs)):
        if key in seen and _WORD.search(key):
            removed.append(paragraph)
        else:
            seen.add(key)
            kept.append(paragraph)
    return kept, removed


def sample(text: str) -> str:
    """Removed text for review: truncated, with control characters spelled out (\\x9d) so they show and are valid
    HTML."""
    text = text if len(text) <= SAMPLE_CHARS else text[: SAMPLE_CHARS - 1] + "…"
    return CONTROL_CHARS.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


class _Cleaner:
    """Applies the character-level rules to title and body, counting what each rule changed."""

    RULES: ClassVar[list[tuple[str, re.Pattern[str], str, str]]] = [
        ("control-characters", CONTROL_CHARS, "", "Control characters (invisible, never meant as text) were removed."),
        (
            "invisible-characters",
            INVISIBLE_CHARS,
            "",
            "Zero-width spaces, soft hyphens, byte-order marks and bidirectional overrides were removed.",
        ),
        ("non-breaking-spaces", NBSP_CHARS, " ", "Non-breaking and other special spaces were made ordinary spaces."),
    ]

    def __init__(self, fix_mojibake: bool) -> None:
        self.fix_mojibake = fix_mojibake
        self.counts: dict[str, int] = {}
        self.mojibake: list[str] = []

    def clean(self, text: str) -> str:
        """Apply every rule until nothing changes: removing a space can reveal mojibake
        ("\\xa0Ã©") and repairing mojibake can produce a special space, so one pass is not
        always idempotent. Rarely more than one pass, never more than three."""
        for _ in range(3):
            cleaned = self._clean_once(text)
            settled = cleaned == text or not (
                self.fix_mojibake and not cleaned.isascii() and any(is_bad(line) for line in cleaned.split("\n"))
            )
            text = cleaned
            if settled:
                break
        return text

    def _clean_once(self, text: str) -> str:
        if self.fix_mojibake and not text.isascii():
            text = self._repair(text)
        ascii = text.isascii()
        if not ascii:
            text = unicodedata.normalize("NFC", text)
        for kind, pattern, replacement, _ in self.RULES[:1] if ascii else self.RULES:  # the others match no ASCII
            text, n = pattern.subn(replacement, text)
            if n:
                self.counts[kind] = self.counts.get(kind, 0) + n
        return "\n".join(
            SPACE_RUNS.sub(" ", line).strip() if ("  " in line or "\t" in line) else line.strip()
            for line in text.split("\n")
        )

    def _repair(self, text: str) -> str:
        lines = text.split("\n")
        for i, line in enumerate(lines):
            if is_bad(line):
                fixed = ftfy.fix_encoding(line)
                if fixed != line:
                    self.mojibake.append(f"{sample(line)} → {sample(fixed)}")
                    lines[i] = fixed
        return "\n".join(lines)

    def removals(self) -> list[Removal]:
        result = [Removal(kind, self.counts[kind], detail) for kind, _, _, detail in self.RULES if kind in self.counts]
        if self.mojibake:
            result.append(
                Removal(
                    "mojibake",
                    len(self.mojibake),
                    "Text decoded with the wrong encoding by an earlier tool was repaired (ftfy).",
                    self.mojibake[:MAX_SAMPLES],
                )
            )
        return result
