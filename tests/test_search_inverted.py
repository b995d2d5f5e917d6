"""The shared inversion: the same in one process or several, and whoosh's positions."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_search_terms import ALPHABETS, KEYS
from whoosh.formats import Positions

from site_gen import parallel
from site_gen.model import Article, SourceFile
from site_gen.search import inverted, layout, terms
from site_gen.search.inverted import documents, frequencies, invert
from site_gen.search.terms import field_text


def test_parts_inverted_in_workers_join_into_the_whole(site, monkeypatch):
    for i in range(30):
        site.write(
            f"{i}.txt",
            f"date 2024-01-{i % 28 + 1:02d} https://example.org/{i}\nStory {i}\n"
            + "walrus " * (i % 5 + 1)
            + f"seal number{i % 7}\n",
        )
    articles = layout.order(site.build().archive.articles)
    whole = invert(articles)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)
    joined = invert(articles, jobs=3)
    for name in whole:
        assert joined[name].postings == whole[name].postings and joined[name].lengths == whole[name].lengths
    walrus = whole["body"].postings["walru"]
    assert list(frequencies(walrus)) == [
        d % 5 + 1 for d in (int(articles[i].title.split()[1]) for i in documents(walrus))
    ]
    with_positions = invert(articles[:3], positions=True)
    assert with_positions["body"].postings == invert(articles[:3])["body"].postings
    assert all(len(v) == len(with_positions["body"].postings[t]) for t, v in with_positions["body"].positions.items())


def test_positions_are_whoosh_own_across_parts_and_in_long_texts(site, monkeypatch):
    for i in range(7):
        words = " ".join(f"walrus{i}x{j % (i + 5)} the seal" for j in range(400 + 150 * i))  # past 1,024 positions
        site.write(f"{i}.txt", f"date 2024-01-0{i + 1} https://example.org/{i}\nThe story {i}\n{words}\n")
    site.write("empty.md", "---\ntitle: The\n---\n")
    articles = layout.order(site.build().archive.articles)
    assert len(articles) == 8
    monkeypatch.setattr(inverted, "SUBBATCH", 3)
    analyzed = invert(articles, positions=True)
    for name, field in analyzed.items():
        assert field.positions is not None and len(field.lengths) == len(articles)
        for docnum, article in enumerate(articles):
            analyzer = terms.analyzer(terms.article_key(article))
            want = {t: v for t, _, _, v in Positions().word_values(field_text(article, name), analyzer)}
            got = {
                term: field.positions[term][list(documents(packed)).index(docnum)]
                for term, packed in field.postings.items()
                if docnum in documents(packed)
            }
            assert got == want, (name, article.title)
            assert field.lengths[docnum] == sum(Positions().decode_frequency(v) for v in want.values())


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


@pytest.mark.parametrize("key", KEYS)
@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_positions_in_every_analysis_are_its_whoosh_analyzers(key, data):
    letters = ALPHABETS.get(key, "abcdefghijklmnopqrstuvwxyzäéñøåõ")
    text = data.draw(st.text(alphabet=st.sampled_from(list(letters + " .-'\nİΣ\u0301")), max_size=80))
    assert positions(text, key) == sorted((t.pos, t.text) for t in terms.analyzer(key)(text, positions=True))
