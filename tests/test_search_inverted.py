"""The shared inversion: the same in one process or several, and whoosh's positions."""

from site_gen import parallel
from site_gen.search import layout
from site_gen.search.inverted import documents, frequencies, invert


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
