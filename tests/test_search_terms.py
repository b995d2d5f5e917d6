"""terms.py gives exactly the terms of whoosh's StemmingAnalyzer, in order, faster."""

from collections import Counter

from conftest import REPO
from hypothesis import given, settings
from hypothesis import strategies as st

from site_gen.search import terms

ANALYZER = terms.analyzer()


def whoosh_terms(text: str) -> list[str]:
    return [t.text for t in ANALYZER(text)]


def test_terms_match_whoosh_on_the_sample_archive():
    files = [p for p in (REPO / "content").rglob("*") if p.suffix in (".txt", ".md")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert terms.terms(text) == whoosh_terms(text), path
        assert terms.term_counts(text) == Counter(whoosh_terms(text)), path


def test_tricky_words():
    text = "U.S. e-mail İstanbul ΟΔΟΣ’Α naïve cafe\u0301 x.y.z 3.14 a.. I a *star* Running runs ran RUNNER"
    assert terms.terms(text) == whoosh_terms(text)
    assert (
        terms.terms("the and of") == []
        and terms.term("runs") == "run"
        and terms.term("running") == whoosh_terms("running")[0]
        and terms.term("a") == ""
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeyisAEIOUSY .*-'’\n\tİΣσςßĲǅ\u0301\u0307éü1²Ⅻ_٣")), max_size=80))
def test_any_text_gives_whoosh_terms(text):
    assert terms.terms(text) == whoosh_terms(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_gives_whoosh_terms(text):
    assert terms.terms(text) == whoosh_terms(text)


def test_positions_are_whoosh_positions():
    for text in ["The city budget, explained", "a an the walrus of the sea", "walrus", "", "the of"]:
        stream, first = terms.positioned_terms(text)
        assert [(first + i, t) for i, t in enumerate(stream)] == [
            (t.pos, t.text) for t in ANALYZER(text, positions=True)
        ]
