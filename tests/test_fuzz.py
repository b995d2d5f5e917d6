"""Property tests for read and normalize (hypothesis). A long campaign: scripts/fuzz.sh."""

import contextlib
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from site_gen.config import SiteConfig
from site_gen.errors import SiteGenError
from site_gen.ingest.decode import decode
from site_gen.ingest.normalize import comparison_key, normalize
from site_gen.ingest.read import parse
from site_gen.model import RawDoc, SourceFile

CONFIG = SiteConfig(root=Path("."))
SOURCE = SourceFile("fuzz.txt", "0" * 64, 0, "utf-8")
# Text that looks like scraped articles: letters, quotes, dashes, odd spaces and controls.
ALPHABET = st.sampled_from(
    [
        *"abcXYZ '\"‘’“”-–—.,:;!?\n\t ",
        "\u00a0",
        "\u200b",
        "\u00ad",
        "\x07",
        "é",
        "Ã©",
        "â€™",
        "---",
        "date ",
        "2025-01-02 ",
        "https://x.example/a",
    ]
)
TEXTISH = st.lists(ALPHABET, max_size=80).map("".join)
PARAGRAPH = st.text(alphabet=st.sampled_from(list("abcdefg XYZ'\"’“”-—.,")), min_size=1, max_size=40).filter(
    lambda p: p.strip()
)
SETTINGS = settings(suppress_health_check=[HealthCheck.too_slow], deadline=None)


@SETTINGS
@given(st.binary(max_size=400))
def test_reading_any_bytes_raises_only_site_gen_errors(data):
    try:
        text, _, messages = decode(data, "fuzz.txt")
        parse(text, SOURCE, CONFIG, messages)
    except SiteGenError:
        pass


@SETTINGS
@given(TEXTISH)
def test_parsing_any_text_raises_only_site_gen_errors(text):
    with contextlib.suppress(SiteGenError):
        parse(text, SOURCE, CONFIG, [])


# Front matter as scrapers and hands write it: known keys with unquoted, often impossible values.
DATEISH = st.builds("{:04d}-{:02d}-{:02d}".format, st.integers(0, 10_000), st.integers(0, 99), st.integers(0, 99))
VALUE = st.one_of(
    DATEISH,
    DATEISH.map(lambda d: d + " 25:61:61"),
    TEXTISH.map(lambda t: t.replace("\n", " ")),
    st.integers().map(str),
    st.sampled_from(["~", "[]", "{}", "yes", "!!binary x", "&a x", "*a", "[a, [b]]", "? x"]),
)
FRONT_MATTER = st.lists(
    st.tuples(st.sampled_from(["title", "date", "url", "slug", "tags", "lang", "draft", "source", "extra"]), VALUE),
    max_size=6,
)


@SETTINGS
@given(FRONT_MATTER, TEXTISH)
def test_front_matter_with_any_values_raises_only_site_gen_errors(pairs, body):
    text = "---\n" + "".join(f"{key}: {value}\n" for key, value in pairs) + "---\n" + body
    try:
        raw = parse(text, SOURCE, CONFIG, [], markdown=True)
        normalize(raw, CONFIG)
    except SiteGenError:
        pass


def _normalized(body: str, title: str = "T") -> list[str]:
    raw = RawDoc(SOURCE, "header-line", {"title": title}, body, 3, "text")
    return normalize(raw, CONFIG).paragraphs


@SETTINGS
@given(TEXTISH, TEXTISH)
@example("\xa0Ã©", "T")  # campaign 1: the non-breaking space hid the mojibake until it was removed
@example("a\na", "a")  # campaign 1: only the first paragraph equal to the title was removed
def test_normalize_is_idempotent(body, title):
    once = _normalized(body, title)
    assert _normalized("\n".join(once), title) == once


@SETTINGS
@given(st.lists(PARAGRAPH, min_size=1, max_size=12), st.randoms())
def test_normalize_keeps_the_first_copy_of_each_paragraph_and_every_unique_one(paragraphs, rnd):
    clean = [" ".join(p.split()) for p in paragraphs]
    source = clean + [p.upper() if rnd.random() < 0.5 else p for p in clean]  # the scraper's doubled body
    kept = _normalized("\n".join(source), title="Unrelated headline 123")
    keys = [comparison_key(p) for p in source]
    worded = [k for k in keys if any(ch.isalnum() for ch in k)]
    # no repeat survives, and each survivor is the first copy, as written
    kept_keys = [comparison_key(p) for p in kept if any(ch.isalnum() for ch in p)]
    assert len(kept_keys) == len(set(kept_keys)) == len(set(worded))
    for paragraph in kept:
        if any(ch.isalnum() for ch in paragraph):
            assert paragraph == source[keys.index(comparison_key(paragraph))]
    # nothing that appears once is dropped, and order is kept
    assert all(source[i] in kept for i, k in enumerate(keys) if keys.count(k) == 1)
    remaining = iter(source)
    assert all(any(p == q for q in remaining) for p in kept)  # kept is a subsequence of the source
