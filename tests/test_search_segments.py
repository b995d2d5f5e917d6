"""Segments written through whoosh's codec hold what SegmentWriter.add_document would write."""

from whoosh import index as windex
from whoosh.scoring import BM25F

from site_gen.search import index, layout
from site_gen.search.terms import field_text

QUERIES = [
    "walrus",
    "walrus seal",
    "seal OR otter",
    "wal*",
    "walrus NOT otter",
    '"grey seal"',
    "title:story",
    "the",
    "café",
]


def test_codec_segments_are_what_add_document_writes(site, tmp_path):
    for i in range(25):
        tags = f"\ntags: [{'Politics' if i % 2 else 'Économie'}]" if i % 3 else ""
        body = " ".join(["The walrus", "a grey seal", "otter" * (i % 2), "café", str(i), "*emphasis*"] * (i % 4 + 1))
        site.write(
            f"{i}.md",
            (
                f"---\ntitle: The story {i} of the walrus\ndate: 202{i % 4}-0{i % 9 + 1}-0{i % 7 + 1}\n"
                f"url: https://n{i % 3}.example/{i}{tags}\n---\n{body}\n\nMore: the seal.\n"
            ),
        )
    site.write("undated.txt", "The undated walrus\nNo date, no URL.\n")
    articles = layout.order(site.build().archive.articles)
    reference = windex.create_in(str(tmp_path), index.schema())
    writer = reference.writer()
    for article in articles:
        writer.add_document(body=field_text(article, "body"), **index.document(article))
    writer.commit()
    ours = windex.open_dir(str(index.index_dir(site.config())))
    with reference.searcher(weighting=BM25F()) as want, ours.searcher(weighting=BM25F()) as got:
        assert got.doc_count_all() == want.doc_count_all() == len(articles)
        ids = lambda s: {d: f["id"] for d, f in enumerate(s.all_stored_fields())}  # noqa: E731
        want_ids, got_ids = ids(want), ids(got)
        for name in ("title", "body", "id", "outlet", "tags", "language", "date"):
            assert list(got.lexicon(name)) == list(want.lexicon(name)), name
            assert got.field_length(name) == want.field_length(name), name
            for term in want.lexicon(name):
                assert postings(got, name, term, got_ids) == postings(want, name, term, want_ids), (name, term)
                assert got.term_info(name, term).max_weight() == want.term_info(name, term).max_weight()
        assert sorted(got.all_stored_fields(), key=lambda f: f["id"]) == sorted(
            want.all_stored_fields(), key=lambda f: f["id"]
        )
        for text in QUERIES:
            q = index.combine(index.parse(text, ["en"]))
            scores = lambda s, q=q: sorted((round(h.score, 9), h["id"]) for h in s.search(q, limit=None))  # noqa: E731
            assert scores(got) == scores(want), text


def postings(searcher, name, term, ids):
    """(article id, weight, positions, field length) of each posting."""
    m = searcher.postings(name, term)
    out = []
    while m.is_active():
        positions = m.value_as("positions") if m.supports("positions") else None
        out.append((ids[m.id()], m.weight(), positions, searcher.doc_field_length(m.id(), name)))
        m.next()
    return sorted(out)
