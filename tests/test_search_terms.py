"""terms.py gives exactly the terms of whoosh's analyzers (StemmingAnalyzer for English, Snowball stems and stop
words for the other stemmed languages, words as they are or bigrams for the rest), in order, faster; and the
inversion (inverted.py) their positions."""

import pickle
from collections import Counter

import pytest
from conftest import CORPORA, REPO
from hypothesis import given, settings
from hypothesis import strategies as st
from whoosh import fields as wf
from whoosh.filedb.filestore import RamStorage
from whoosh.formats import Positions

from site_gen.languages import STEMMED
from site_gen.model import Article, SourceFile
from site_gen.search import terms
from site_gen.search.inverted import invert

KEYS = [*sorted(STEMMED), "", terms.BIGRAMS]
ALPHABETS = {
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюяАБВСЁЯ",
    "de": "abcdeghilmnorstuäöüßÄÖÜ",
    "tr": "abcçdegğhıiİjklmnoöprsştuüvyz",
    "ar": "ابتثجحخدذرزسشصضطظعغفقكلمنهوي",
    "": "абвгіїєґabc",
    terms.BIGRAMS: "中国经济増長東京にいくカタナabc",
}


def whoosh_terms(text: str, key: str = "en") -> list[str]:
    return [t.text for t in terms.analyzer(key)(text)]


def test_terms_match_whoosh_on_the_sample_archive():
    files = [p for p in (REPO / "content").rglob("*") if p.suffix in (".txt", ".md")]
    assert len(files) > 20
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert terms.terms(text, "en") == whoosh_terms(text), path
        assert terms.term_counts(text, "en") == Counter(whoosh_terms(text)), path


def test_tricky_words():
    text = "U.S. e-mail İstanbul ΟΔΟΣ’Α naïve cafe\u0301 x.y.z 3.14 a.. I a *star* Running runs ran RUNNER"
    assert terms.terms(text, "en") == whoosh_terms(text)
    assert (
        terms.terms("the and of", "en") == []
        and terms.term("runs", "en") == "run"
        and terms.term("running", "en") == whoosh_terms("running")[0]
        and terms.term("a", "en") == ""
    )


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("abcdeyisAEIOUSY .*-'’\n\tİΣσςßĲǅ\u0301\u0307éü1²Ⅻ_٣")), max_size=80))
def test_any_text_gives_whoosh_terms(text):
    assert terms.terms(text, "en") == whoosh_terms(text)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_any_unicode_gives_whoosh_terms(text):
    assert terms.terms(text, "en") == whoosh_terms(text)


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=150, deadline=None)
@given(data=st.data())
def test_every_analysis_is_its_whoosh_analyzer(key, data):
    letters = ALPHABETS.get(key, "abcdefghijklmnopqrstuvwxyzäéñøåõ")
    text = data.draw(st.text(alphabet=st.sampled_from(list(letters + " .-'\n*İΣ\u0301")), max_size=80))
    assert terms.terms(text, key) == whoosh_terms(text, key)
    text = text.replace("*", " ")  # (as field_text gives it to the inversion)
    assert positions(text, key) == sorted((t.pos, t.text) for t in terms.analyzer(key)(text, positions=True))


def test_languages_are_analyzed_with_their_stemmer_and_stop_words():
    assert terms.terms("Соросом и Сороса не было в России", "ru") == ["сорос", "сорос", "росс"]
    assert terms.terms("Die Sanktionen gegen die Länder und das Land", "de") == ["sanktion", "land", "land"]
    assert terms.terms("the sanctions", "en") == ["sanction"]  # whoosh's Porter stemmer, as always
    assert terms.terms("Киевом и Киев", "") == ["киевом", "киев"]  # unstemmed: words as they are (no stop words)
    assert [terms.analysis_key(c) for c in ("en-GB", "ru", "de-AT", "tr", "uk", "zh-Hant", "ja", "")] == [
        "en",
        "ru",
        "de",
        "tr",
        "",
        terms.BIGRAMS,
        terms.BIGRAMS,
        "",
    ]
    # snowballstemmer 2.2.0, not whoosh's Russian stemmer (which stems Latin-letter words and ё differently)
    assert terms.term("ёлками", "ru") == "елк" and terms.term("soros", "ru") == "soros"


def test_chinese_and_japanese_are_cut_into_bigrams():
    text = "中国经济增长。東京に行く iPhone手机 中 A"
    assert terms.terms(text, terms.BIGRAMS) == [
        "中国",
        "国经",
        "经济",
        "济增",
        "增长",
        "東京",
        "京に",
        "に行",
        "行く",
        "iphone",
        "手机",
    ]  # a lone character, like a one-letter word, is left out
    assert terms.terms(text, terms.BIGRAMS) == whoosh_terms(text, terms.BIGRAMS)
    tokens = [(t.text, t.startchar, t.endchar) for t in terms.analyzer(terms.BIGRAMS)(text, chars=True)]
    assert tokens[:2] == [("中国", 0, 2), ("国经", 1, 3)]  # each bigram where it stands (for highlighting)
    # in the other languages a run of ideographs stays one word
    assert terms.terms("中国经济", "en") == ["中国经济"]


def test_an_index_with_language_analyzers_pickles_and_parses():
    for key in KEYS:
        analyzer = pickle.loads(pickle.dumps(terms.analyzer(key)))
        assert [t.text for t in analyzer("Сорос Sanktionen 中国经济")] == whoosh_terms("Сорос Sanktionen 中国经济", key)
    ix = RamStorage().create_index(wf.Schema(body=wf.TEXT(analyzer=terms.analyzer("ru"))))
    assert ix.schema["body"].analyzer == terms.analyzer("ru")


@pytest.mark.parametrize("language", ["ru", "de"])
def test_terms_match_whoosh_on_the_rt_corpus(language):
    folder = CORPORA / "rt-thesis-soros" / {"ru": "clean-txt-rus", "de": "clean-txt-ger"}[language]
    if not folder.is_dir():
        pytest.skip(f"shared corpus not found at {folder}")
    text = "\n".join(p.read_text(encoding="utf-8", errors="replace") for p in sorted(folder.glob("*.txt"))[:3])
    assert len(text) > 100_000
    assert terms.terms(text, language) == whoosh_terms(text, language)


LANGUAGES = {**{key: key for key in KEYS if key and key != terms.BIGRAMS}, "": "xx", terms.BIGRAMS: "zh"}


def positions(text: str, key: str) -> list[tuple[int, str]]:
    """(position, term) of each term of a text, from its inversion with positions (as an article's body)."""
    source = SourceFile("a.txt", "", 0, "utf-8")
    article = Article("a", "", None, None, [text], "text", [source], "bare", language=LANGUAGES[key])
    assert terms.article_key(article) == key
    field = invert([article], positions=True)["body"]
    assert field.positions is not None
    decode = Positions().decode_positions
    return sorted((p, term) for term, encoded in field.positions.items() for e in encoded for p in decode(e))


def test_positions_are_whoosh_positions():
    for text in [
        "The city budget, explained",
        "a an the walrus of the sea",
        "walrus",
        "",
        "the of",
        "the walrus walrus",
    ]:
        assert positions(text, "en") == [(t.pos, t.text) for t in terms.analyzer("en")(text, positions=True)]
