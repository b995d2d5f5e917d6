"""The shared inversion: the same in one process or several, and whoosh's positions."""

from whoosh.formats import Positions

from site_gen import parallel
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
