"""Per-build lookups: neighbours in an outlet, same day at other outlets, copies, outlet and archive totals."""

from __future__ import annotations

import datetime as dt

from site_gen.model import Archive, Article, Duplicate, Outlet, SourceFile
from site_gen.render.relations import relate

GAZETTE = Outlet("gazette", "The Gazette", "gazette.example", "GB", "en", "newspaper", known=True)
WIRE = Outlet("wire", "North Wire", "wire.example", "GB", "en", "wire", known=True)
HERALD = Outlet("herald", "Herald", "herald.example", "DE", "de")


def article(id: str, outlet: Outlet, date: str | None, *duplicates: Duplicate, title: str = "") -> Article:
    return Article(
        id=id,
        title=title or f"Story {id}",
        date=dt.date.fromisoformat(date) if date else None,
        url=f"https://{outlet.domain}/{id}",
        paragraphs=["Body."],
        markup="text",
        sources=[SourceFile(f"{id}.txt", "0" * 64, 5, "utf-8")],
        format="header-line",
        language=outlet.language or "en",
        outlet=outlet,
        permalink=f"articles/{outlet.key}/{id}/index.html",
        duplicates=list(duplicates),
    )


def archive(*articles: Article) -> Archive:
    from site_gen.render.archive import sort_key

    ordered = sorted(articles, key=sort_key)
    return Archive(ordered, {a.outlet.key: a.outlet for a in ordered}, {})


def copy_of(other: Article) -> Duplicate:
    return Duplicate(other.sources[0].path, other.url, other.date, "cross-outlet-copy", 0.97, other.permalink)


def merged(path: str) -> Duplicate:
    return Duplicate(path, None, None, "same-text", 1.0)


def test_neighbours_are_the_same_outlets_articles_by_date():
    a, b, c = (
        article("a", GAZETTE, "2025-01-01"),
        article("b", GAZETTE, "2025-02-01"),
        article("c", GAZETTE, "2025-03-01"),
    )
    other = article("x", WIRE, "2025-02-15")
    rel = relate(archive(c, other, a, b))
    assert (rel.around(a).previous, rel.around(a).next) == (None, b)
    assert (rel.around(b).previous, rel.around(b).next) == (a, c)
    assert (rel.around(c).previous, rel.around(c).next) == (b, None)
    assert rel.around(b).dated
    assert (rel.around(other).previous, rel.around(other).next) == (None, None)


def test_each_tags_articles_are_in_archive_order():
    old, new, undated = article("a", GAZETTE, "2024-01-01"), article("b", WIRE, "2025-01-01"), article("c", WIRE, None)
    old.tags, new.tags, undated.tags = ["x", "y"], ["y"], ["y", "z"]
    rel = relate(archive(undated, old, new))
    assert {tag: [a.id for a in items] for tag, items in rel.tagged.items()} == {
        "x": ["a"],
        "y": ["b", "a", "c"],
        "z": ["c"],
    }


def test_undated_articles_chain_among_themselves_in_listing_order():
    dated = article("d", GAZETTE, "2025-01-01")
    u1, u2 = article("u1", GAZETTE, None), article("u2", GAZETTE, None)
    rel = relate(archive(u2, dated, u1))
    assert rel.around(dated).next is None and rel.around(dated).previous is None
    assert (rel.around(u1).previous, rel.around(u1).next, rel.around(u1).dated) == (None, u2, False)
    assert rel.around(u2).previous is u1


def test_same_day_lists_other_outlets_only_and_counts_the_rest():
    mine = article("m", GAZETTE, "2025-03-14")
    also_mine = article("m2", GAZETTE, "2025-03-14")
    others = [article(f"w{i}", WIRE, "2025-03-14", title=f"Wire {i:02d}") for i in range(12)] + [
        article("h", HERALD, "2025-03-14")
    ]
    elsewhere = article("e", WIRE, "2025-03-15")
    rel = relate(archive(mine, also_mine, elsewhere, *others))
    day = rel.same_day(mine, limit=10)
    assert day.total == 13 and len(day.shown) == 10
    assert all(a.outlet.key != "gazette" for a in day.shown)
    assert day.shown[0].outlet is HERALD, "ordered by outlet name, then title"
    assert [a.title for a in day.shown[1:4]] == ["Wire 00", "Wire 01", "Wire 02"]
    assert rel.same_day(elsewhere).total == 0
    assert rel.same_day(article("u", GAZETTE, None)).total == 0


def test_copies_are_cross_outlet_duplicates_with_a_page():
    theirs = article("t", WIRE, "2025-03-14")
    mine = article(
        "m",
        GAZETTE,
        "2025-03-14",
        copy_of(theirs),
        merged("m-rescrape.txt"),
        Duplicate("gone.txt", None, None, "cross-outlet-copy", 0.9),
    )
    rel = relate(archive(mine, theirs))
    [copy] = rel.copies(mine)
    assert copy.article is theirs and copy.duplicate.score == 0.97
    assert rel.copies(theirs) == []


def test_outlet_summaries_and_totals():
    theirs = article("t", WIRE, "2024-12-31")
    rows = [
        article("a", GAZETTE, "2025-01-05", merged("a2.txt"), merged("a3.txt"), copy_of(theirs)),
        article("b", GAZETTE, "2025-06-01"),
        article("u", GAZETTE, None),
        theirs,
        article("h", HERALD, None),
    ]
    rel = relate(archive(*rows))
    summaries = {s.outlet.key: s for s in rel.outlets}
    assert [s.outlet.name for s in rel.outlets] == ["Herald", "North Wire", "The Gazette"]
    gazette = summaries["gazette"]
    assert (gazette.articles, gazette.first, gazette.last, gazette.merged) == (
        3,
        dt.date(2025, 1, 5),
        dt.date(2025, 6, 1),
        2,
    )
    assert (summaries["herald"].first, summaries["herald"].last) == (None, None)
    t = rel.totals
    assert (t.articles, t.outlets, t.languages, t.countries, t.undated, t.merged) == (5, 3, 2, 2, 2, 2)
    assert (t.first, t.last, t.months) == (dt.date(2024, 12, 31), dt.date(2025, 6, 1), 7)


def test_article_pages_show_neighbours_same_day_and_copies(site):
    site.write("g1.txt", "date 2025-03-13 https://harbourgazette.example/one\nGazette one\nBody.\n")
    site.write("g2.txt", "date 2025-03-14 https://harbourgazette.example/two\nGazette two\nBody.\n")
    site.write("g3.txt", "date 2025-03-20 https://harbourgazette.example/three\nGazette three\nBody.\n")
    site.write("w1.txt", "date 2025-03-14 https://northwire.example/one\nWire one\nBody.\n")
    result = site.build()
    page = site.page(next(a.permalink for a in result.archive.articles if a.title == "Gazette two"))
    assert 'aria-label="More from harbourgazette.example"' in page
    assert 'rel="prev" href="../../../../../articles/harbourgazette-example/2025/03/gazette-one/index.html"' in page
    assert 'rel="next" href="../../../../../articles/harbourgazette-example/2025/03/gazette-three/index.html"' in page
    assert "Same day, other outlets" in page and "Wire one" in page
    assert "Copies of this text" not in page
    first = site.page(next(a.permalink for a in result.archive.articles if a.title == "Gazette one"))
    assert 'rel="prev"' not in first and "Same day, other outlets" not in first


def test_copies_of_this_text_are_linked_when_dedupe_records_them(site):
    """Until the dedupe stage fills Article.duplicates, give one article a copy and render it for real."""
    from site_gen.output import WorkTree
    from site_gen.render.keys import article_keys
    from site_gen.render.pages import Renderer

    site.write("g.txt", "date 2025-03-14 https://harbourgazette.example/bridge\nBridge to close\nBody.\n")
    site.write("w.txt", "date 2025-03-14 https://northwire.example/bridge\nBridge to shut\nBody.\n")
    result = site.build()
    gazette, wire = sorted(result.archive.articles, key=lambda a: a.outlet.key)
    gazette.duplicates = [copy_of(wire)]
    Renderer(
        site.config(), result.archive, WorkTree(site.out, fresh=False), article_keys(result.archive.articles)
    ).render_articles([gazette])
    page = site.page(gazette.permalink)
    assert "Copies of this text" in page
    assert f'<a href="../../../../../{wire.permalink}">Bridge to shut</a> · northwire.example' in page
    assert "similarity 0.97" in page
