from pathlib import Path

from conftest import REPO

from site_gen.config import SiteConfig
from site_gen.ingest.normalize import comparison_key, drop_repeated, normalize, split_paragraphs
from site_gen.ingest.read import parse
from site_gen.model import RawDoc, SourceFile

SAMPLE = REPO / "content" / "000_9a66afeb63694e66.txt"


def raw(body: str, title: str = "Title", markup: str = "text", **meta) -> RawDoc:
    return RawDoc(SourceFile("a.txt", "0" * 64, 1, "utf-8"), "header-line", {"title": title, **meta}, body, 3, markup)  # type: ignore[arg-type]


def config() -> SiteConfig:
    return SiteConfig(root=Path("."))


def test_sample_article_keeps_each_of_its_six_paragraphs_once_as_first_written():
    text = SAMPLE.read_text(encoding="utf-8")
    doc = parse(text, SourceFile("s.txt", "", 0, "utf-8"), config(), [])
    article = normalize(doc, config())
    assert article.title == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    assert len(article.paragraphs) == 6
    assert len({comparison_key(p) for p in article.paragraphs}) == 6
    # the first copy's straight apostrophe, not the second copy's curly one
    assert "it seems unlikely they'll even be able" in article.paragraphs[3]
    assert not any("\u2019" in p for p in article.paragraphs)
    [repeats] = [r for r in article.removed if r.kind == "repeated-paragraph"]
    assert repeats.count == 5 and len(repeats.samples) == 5


def test_comparison_key_folds_case_quotes_dashes_and_space():
    assert comparison_key("“It’s  ok” – he SAID") == comparison_key('"it\'s ok" - he said')
    assert comparison_key("a b") != comparison_key("a c")


def test_ascii_and_non_ascii_copies_of_a_paragraph_get_one_key():
    """One fold for all text: an ASCII paragraph is folded like its copy with other characters."""
    ascii_copy = "He called it a `burden to Britain' - 5\" of rain, 3' high."
    assert ascii_copy.isascii()
    for other in (
        "He called it a \u2018burden to Britain\u2019 \u2014 5\u2033 of rain, 3\u2032 high.",  # curly, dash, primes
        "He called it a \u00b4burden to Britain\u00b4 \u2013 5\u201d of rain, 3\u00b4 high.",  # acute accents
        "He called it a \uff40burden to Britain\u2019 \ufe58 5\u201c of rain, 3\u2019 high.",  # full-width, small
    ):
        assert comparison_key(other) == comparison_key(ascii_copy), other
    assert comparison_key("a `b'") != comparison_key("a 'b' c")
    article = normalize(raw(f"{ascii_copy}\nMore.\n{ascii_copy.replace('`', chr(0x2018))}"), config())
    assert article.paragraphs == [ascii_copy, "More."]  # the doubled body's curly copy goes, the first stays


def test_repeats_are_removed_but_unique_and_symbol_only_paragraphs_stay():
    kept, removed = drop_repeated(["One.", "***", "Two.", "one.", "***", "Three."])
    assert kept == ["One.", "***", "Two.", "***", "Three."] and removed == ["one."]


def test_title_repeated_as_first_paragraph_is_removed_and_recorded():
    article = normalize(raw("My Title\nBody text.", title="My title"), config())
    assert article.paragraphs == ["Body text."]
    assert [r.kind for r in article.removed] == ["title-repeated"]


def test_invisible_control_and_space_characters_are_counted():
    body = "a\u00a0b\u200bc\u00add\x07e\u202ef  g\u200dh"
    article = normalize(raw(body), config())
    assert article.paragraphs == ["a bcdef g\u200dh"]  # ZWJ kept (emoji and scripts need it)
    kinds = {r.kind: r.count for r in article.removed}
    assert kinds == {"control-characters": 1, "invisible-characters": 3, "non-breaking-spaces": 1}


def test_mojibake_is_repaired_and_the_original_kept_for_review():
    broken = "The caf\u00c3\u00a9 is open \u00e2\u20ac\u201d say \u00e2\u20ac\u0153hi\u00e2\u20ac\x9d"
    article = normalize(raw(broken), config())
    assert article.paragraphs == ["The café is open — say “hi”"]
    [moj] = [r for r in article.removed if r.kind == "mojibake"]
    assert "\\x9d" in moj.samples[0]  # control characters spelled out in the sample


def test_repeated_paragraph_removal_can_be_turned_off():
    cfg = config()
    cfg.repeated_paragraphs = False
    assert normalize(raw("Same.\nSame."), cfg).paragraphs == ["Same.", "Same."]


def test_markdown_blocks_keep_fenced_code_whole():
    body = "Intro\n\n```\ncode\n\nmore code\n```\n\nOutro\n"
    assert split_paragraphs(body, "markdown") == ["Intro", "```\ncode\n\nmore code\n```", "Outro"]
    assert split_paragraphs("a\n\nb\nc\n", "text") == ["a", "b", "c"]


def test_article_id_is_stable_and_shared_by_equivalent_urls():
    a = normalize(raw("x", url="https://www.Example.com/a?utm_source=x#frag"), config())
    b = normalize(raw("y", url="http://example.com/a"), config())
    assert a.id == b.id and len(a.id) == 16


def test_titles_that_lose_hidden_characters_are_empty_or_overlong_get_warnings():
    def warnings(title: str) -> list[str]:
        return [m.message for m in normalize(raw("Body.", title=title), config()).messages if m.level == "warning"]

    assert warnings("Null\x00byte") == [
        (
            "the title held 1 control character(s) or bidirectional override(s),"
            " which can hide or reverse text; they were removed"
        )
    ]
    assert (
        len(warnings("Invoice \u202egpj.exe")) == 1 and warnings("שלום \u200f עולם") == []
    )  # marks stay, overrides go
    assert warnings("") == ["the article has no title; it is shown as 'Untitled'"]
    assert warnings("\x07") == [warnings("\x07")[0], "the article has no title; it is shown as 'Untitled'"]
    [long] = warnings("x" * 501)
    assert long.startswith("the title is 501 characters long") and warnings("x" * 500) == []
    assert normalize(raw("Body.", title="x" * 10_000), config()).title == "x" * 10_000  # kept whole


def test_an_article_of_more_than_ten_thousand_paragraphs_is_kept_whole_with_a_warning():
    article = normalize(raw("\n".join(f"Paragraph {i}." for i in range(10_001))), config())
    assert len(article.paragraphs) == 10_001
    assert [m.message for m in article.messages] == [
        (
            "10,001 paragraphs, more than 10,000 in one article:"
            " probably several articles run together or a scraper caught in a loop; kept whole"
        )
    ]
