"""The static index: every file registers its data; decoded, the postings are the analysis and the
statistics whoosh's."""

import itertools

from conftest import Site
from static_index import Bits, decode_postings, load, tag_documents
from whoosh import index as windex
from whoosh.analysis.filters import STOP_WORDS
from whoosh.util.numeric import length_to_byte

from site_gen import parallel
from site_gen.languages import search_language
from site_gen.search import export, index, layout
from site_gen.search.inverted import TF_BITS, TF_MASK, invert
from site_gen.search.terms import term


def test_decoded_index_is_the_analysis_with_whoosh_statistics(archive_site):
    result = archive_site.build()
    files = load(archive_site.out / "search")
    meta = files["meta"]
    articles = layout.order(result.archive.articles)
    assert meta["docs"] == len(articles) == 41
    analyzed = invert(articles)
    postings = {}
    for name, data in files.items():
        if name.startswith("t/"):
            decoded = decode_postings(meta, data)
            number = int(name[2:])
            first = meta["shards"][number]
            following = meta["shards"][number + 1] if number + 1 < len(meta["shards"]) else None
            assert all(
                first.encode("utf-16-be") <= t.encode("utf-16-be")
                and (following is None or t.encode("utf-16-be") < following.encode("utf-16-be"))
                for t in decoded
            )
            postings.update(decoded)
    for f, field in enumerate(meta["fields"]):
        name = field["name"]
        lengths = analyzed[name].lengths
        expected = {
            term: [(p >> TF_BITS, p & TF_MASK, length_to_byte(lengths[p >> TF_BITS])) for p in packed]
            for term, packed in analyzed[name].postings.items()
        }
        assert {t: lists[f] for t, lists in postings.items() if lists[f]} == expected, name
    assert {term("walrus", "en"), "café", term("straße", "en"), "seal", "otter"} <= set(postings)
    ix = windex.open_dir(str(index.index_dir(archive_site.config())))
    with ix.searcher() as searcher:
        assert meta["docs"] == searcher.doc_count_all()
        assert [f["avgfl"] for f in meta["fields"]] == [searcher.avg_field_length(f["name"]) for f in meta["fields"]]
    # documents: the runs give outlet and year, the chunks title and permalink, tags.js the tags
    runs = [(meta["outlets"][o][0], y) for count, o, y in meta["runs"] for _ in range(count)]
    assert runs == [(a.outlet.key, a.date.year if a.date else 0) for a in articles]
    rows = [row for number in range(len(articles) // meta["chunk"] + 1) for row in files.get(f"d/{number}", [])]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        (a.title, a.permalink, a.date.isoformat() if a.date else "") for a in articles
    ]
    for (name, total), chars in zip(meta["tags"], files["tags"]):
        assert tag_documents(meta, chars, total) == [d for d, a in enumerate(articles) if name in a.tags]
    assert [t for t, _ in meta["tags"]] == ["Politics", "Économie"]


def test_export_is_deterministic_in_one_process_or_several(archive_site, tmp_path, monkeypatch):
    archive_site.build()
    first = {
        p.relative_to(archive_site.out).as_posix(): p.read_bytes() for p in (archive_site.out / "search").rglob("*.js")
    }
    result = archive_site.build(full=True)  # reads again (a build that finds nothing changed stops after looking)
    articles = layout.order(result.archive.articles)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)
    stats, _ = export.export(articles, tmp_path / "search", jobs=2)
    forked = {p.relative_to(tmp_path).as_posix(): p.read_bytes() for p in (tmp_path / "search").rglob("*.js")}
    assert forked == first and stats.files == len(first)


def test_file_sizes_follow_the_archive(monkeypatch, archive_site):
    monkeypatch.setattr(export, "MIN_SHARD_CHARS", 200)
    monkeypatch.setattr(export, "MIN_DOCS_PER_FILE", 4)
    archive_site.build()
    files = load(archive_site.out / "search")
    shards = [n for n in files if n.startswith("t/")]
    assert len(shards) == len(files["meta"]["shards"]) > 3
    assert files["meta"]["chunk"] == 4 and len([n for n in files if n.startswith("d/")]) == 11
    # each shard takes terms in order while they fit in the target size: one more would not have fitted
    # ([df, chars] per field for each term: title, then body)
    sizes = [
        [len(t) + numbers[i * 4 + 1] + numbers[i * 4 + 3] + export._TERM_OVERHEAD for i, t in enumerate(terms)]
        for terms, numbers, _ in (files[f"t/{n}"] for n in range(len(shards)))
    ]
    target = max(200, sum(map(sum, sizes)) // export.MAX_SHARDS)
    for shard, following in itertools.pairwise(sizes):
        assert (sum(shard) <= target or len(shard) == 1) and sum(shard) + following[0] > target


def test_long_posting_lists_are_coded_the_same_in_array_operations():
    import random
    from array import array

    rng = random.Random(7)
    lengths = array("I", (rng.choice([0, 1, 5, 40, 300, 5000, 70000]) for _ in range(20_000)))
    coder = export._LengthCoder(lengths)
    for df, top_tf in ((64, 3), (500, 1), (3000, 40), (19_000, 2), (80, 5_000_000)):
        docs = sorted(rng.sample(range(20_000), df))
        packed = array("Q", (d << TF_BITS | rng.randint(1, top_tf) for d in docs))
        k = export.rice_parameter(20_000, df)
        assert export._posting_chars_array(packed, coder, k) == export._to_chars(
            export._posting_bits(packed, coder, k)
        ), (df, top_tf)
    far = array("Q", [d << TF_BITS | 1 for d in [*range(70), 19_999]])
    assert export._posting_chars_array(far, coder, 0) is None  # a gap too long for one 64-bit code


def test_a_code_extended_by_postings_at_its_end_is_the_code_of_the_whole_list(monkeypatch):
    import random
    from array import array

    extended = []
    extend = export._extended
    monkeypatch.setattr(export, "_extended", lambda *a: extended.append(extend(*a)) or extended[-1])
    rng = random.Random(11)
    lengths = array("I", (rng.choice([3, 40, 300, 5000]) for _ in range(30_000)))
    coder = export._LengthCoder(lengths)
    fields = {name: invert([])[name] for name in ("title", "body")}
    for df, extra in ((1, 1), (63, 2), (64, 40), (2000, 3), (9000, 900)):
        docs = sorted(rng.sample(range(30_000), df + extra))
        fields["body"].postings["t"] = array("Q", (d << TF_BITS | rng.randint(1, 9) for d in docs))
        fields["title"].postings["t"] = array("Q", (d << TF_BITS | 1 for d in docs[:3]))
        whole = export._encode_term("t", fields, {"title": coder, "body": coder}, 30_000)
        old = export._encode_term(
            "t",
            {name: type(f)(postings={"t": f.postings["t"][:df]}) for name, f in fields.items()},
            {"title": coder, "body": coder},
            30_000,
        )
        assert export._encode_term("t", fields, {"title": coder, "body": coder}, 30_000, old) == whole, (df, extra)
    assert sum(chars is not None for chars in extended) == 4  # the body's, where the Rice parameter stays


def test_meta_gives_each_documents_language_and_the_site_only_its_stemmers(multilingual_site, tmp_path):
    site = multilingual_site
    result = site.build()
    meta = load(site.out / "search")["meta"]
    codes = [search_language(a.language) for a in layout.order(result.archive.articles)]
    assert meta["languages"] == [["de", "de", 2], ["ru", "ru", 2], ["en", "en", 1], ["uk", "", 1], ["zh", "cjk", 1]]
    bits, decoded = Bits(meta["langruns"]), []
    while len(decoded) < len(codes):
        run, lang = bits.gamma(), bits.read(3)  # five languages: three bits each
        decoded += [meta["languages"][lang][0]] * run
    assert decoded == codes
    assert meta["stemmers"] == ["de", "ru"]
    assert "die" in meta["stop"]["de"] and "и" in meta["stop"]["ru"] and meta["stop"][""] == meta["stop"]["cjk"] == []
    assert meta["stop"]["en"] == sorted(STOP_WORDS)  # English as it always was
    stemmers = site.out / "static" / "stemmers"
    assert sorted(p.name for p in stemmers.iterdir()) == ["LICENSE-orama.txt", "LICENSE-snowball.txt", "de.js", "ru.js"]
    # an English archive: one language, no runs, no stemmer to load
    plain = Site(tmp_path / "english")
    plain.write("a.txt", "A walrus\nThe walrus swims.\n")
    plain.build()
    english = load(plain.out / "search")["meta"]
    assert english["languages"] == [["en", "en", 1]] and english["langruns"] == "" and english["stemmers"] == []
    assert not list((plain.out / "static" / "stemmers").glob("*.js"))
    # a German article leaving takes its stemmer with it
    for rel in ("de/sanktionen.md", "de/soros.md"):
        (site.content / rel).unlink()
    site.build()
    assert sorted(p.name for p in stemmers.glob("*.js")) == ["ru.js"]
