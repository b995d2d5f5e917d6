"""A rebuild where a few articles changed, came or went patches the last export instead of analyzing
everything: the static index it writes says what a full export says (decoded by permalink: the same
terms, postings, statistics, documents and tags, so search.js gives the same results and scores);
made in full, it is byte for byte a full export."""

import shutil

import pytest
from static_index import view

from site_gen import parallel
from site_gen.search import export, layout, snapshot
from site_gen.search.inverted import invert


def search_files(site) -> dict[str, bytes]:
    folder = site.out / "search"
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.js")}


def spy(monkeypatch) -> dict[str, list]:
    """Record what each export patched and coded."""
    seen: dict[str, list] = {"patched": [], "coded": [], "summarized": []}
    patch, encode, summary = snapshot.Snapshot.patch, export._encode_term, export.summary

    def patched(self, *args):
        slots = patch(self, *args)
        seen["patched"].append(slots is not None)
        return slots

    monkeypatch.setattr(snapshot.Snapshot, "patch", patched)
    monkeypatch.setattr(export, "_encode_term", lambda term, *a: seen["coded"].append(term) or encode(term, *a))
    monkeypatch.setattr(
        export, "summary", lambda article, *a: seen["summarized"].append(article.title) or summary(article, *a)
    )
    return seen


def postings(kept: snapshot.Snapshot, name: str = "body") -> dict:
    """Every term's postings in one field of a snapshot (packed or not)."""
    kept.unpack()
    return kept.fields[name].postings


def full_export(site) -> dict[str, bytes]:
    """The same archive exported from nothing (no whoosh index, export cache or snapshot)."""
    shutil.rmtree(site.config().cache_dir / "search")
    site.build()
    return search_files(site)


def same_as_full_export(site) -> None:
    patched = view(site.out / "search")
    full_export(site)
    assert patched == view(site.out / "search")


def test_one_changed_article_is_patched_into_its_place(archive_site, monkeypatch):
    archive_site.build()
    archive_site.write(
        "7.md",
        archive_site.content.joinpath("7.md").read_text().replace("walrus", "narwhal")
        + "A zeppelin drifts past the seal.\n",
    )
    seen = spy(monkeypatch)
    remove, looked = snapshot._remove, []
    monkeypatch.setattr(
        snapshot,
        "_remove",
        lambda postings, docs, terms: looked.append(terms is not None) or remove(postings, docs, terms),
    )
    result = archive_site.build()
    assert looked == [True, True]  # the old version's terms were at hand (reuse.py): not every list was searched
    vocabulary = set().union(*(f.postings for f in invert(layout.order(result.archive.articles)).values()))
    assert seen["patched"] == [True]
    assert {"narwhal", "zeppelin", "seal"} <= set(seen["coded"]) and len(seen["coded"]) < len(vocabulary) / 2
    assert "Story 7 about café society" in seen["summarized"] and len(seen["summarized"]) <= export.MIN_DOCS_PER_FILE
    assert (
        '"runs":[[' in (archive_site.out / "search" / "meta.js").read_text()
        and "-1,-1" not in (archive_site.out / "search" / "meta.js").read_text()
    )  # the same outlet and year: the same slot
    same_as_full_export(archive_site)


def test_a_term_that_leaves_the_archive_leaves_the_index(archive_site, monkeypatch):
    archive_site.write("undated.txt", "An undated note\nIt mentions a quokka once.\n")
    archive_site.build()
    assert b'"quokka"' in b"".join(search_files(archive_site).values())
    archive_site.write("undated.txt", "An undated note\nIt mentions a walrus once.\n")
    seen = spy(monkeypatch)
    archive_site.build()
    patched = search_files(archive_site)
    assert seen["patched"] == [True] and b'"quokka"' not in b"".join(patched.values())
    same_as_full_export(archive_site)


def test_a_new_article_takes_a_slot_after_the_last(archive_site, monkeypatch):
    archive_site.build()
    before = search_files(archive_site)
    archive_site.write(
        "40.md", "---\ntitle: Story 40\ndate: 2020-01-01\nurl: https://alpha.example/40\n---\nA walrus and a yak.\n"
    )
    seen = spy(monkeypatch)
    archive_site.build()
    after = search_files(archive_site)
    assert seen["patched"] == [True] and sorted(seen["coded"]) == ["40", "stori", "walru", "yak"]
    assert "Story 40" in seen["summarized"] and len(seen["summarized"]) <= export.MIN_DOCS_PER_FILE  # the last file
    meta = view(archive_site.out / "search")["stats"]
    assert meta["docs"] == 42
    changed = {name for name in after if after[name] != before.get(name)}
    assert changed <= {"meta.js", "tags.js", "d/2.js"} | {f"t/{n}.js" for n in range(len(after))}
    assert len([n for n in changed if n.startswith("t/")]) <= 3
    same_as_full_export(archive_site)


def test_a_deleted_article_leaves_its_slot_empty_and_a_moved_one_takes_a_new_one(archive_site, monkeypatch):
    archive_site.build()
    (archive_site.content / "12.md").unlink()
    text = archive_site.content.joinpath("13.md").read_text()
    archive_site.write("13.md", text.replace("date: 2020-", "date: 2018-"))  # another year: another run
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == [True]
    meta = (archive_site.out / "search" / "meta.js").read_text()
    assert meta.count(",-1,-1]") == 2
    same_as_full_export(archive_site)


def test_tags_given_taken_and_new_are_patched_into_the_tag_lists(archive_site, monkeypatch):
    archive_site.build()
    text = archive_site.content.joinpath("2.md").read_text()  # tags: [Politics, Économie]
    archive_site.write("2.md", text.replace("tags: [Politics, Économie]", "tags: [Économie, Harbour]"))
    (archive_site.content / "4.md").unlink()  # tags: [Politics]
    archive_site.write(
        "41.md",
        "---\ntitle: Story 41\ndate: 2022-03-01\nurl: https://beta.example/41\n"
        "tags: [Harbour, Politics]\n---\nA yak.\n",
    )
    counted, real = [], export._tag_documents
    monkeypatch.setattr(
        export,
        "_tag_documents",
        lambda slots, old, changed: counted.append(changed is not None) or real(slots, old, changed),
    )
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == [True] and counted == [True]  # from the last lists, not from every slot
    assert len(view(archive_site.out / "search")["tags"]["Harbour"]) == 2
    same_as_full_export(archive_site)


def test_a_damaged_snapshot_means_a_full_export(archive_site, monkeypatch):
    archive_site.build()
    saved = archive_site.config().cache_dir / "search" / "snapshot.pickle"
    saved.write_bytes(saved.read_bytes()[:100])
    assert snapshot.load(saved) is None
    archive_site.write("3.md", archive_site.content.joinpath("3.md").read_text() + "One more line.\n")
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == []
    assert search_files(archive_site) == full_export(archive_site)


def test_slots_that_drift_too_far_from_a_full_export_mean_a_full_export(archive_site, monkeypatch):
    archive_site.build()
    monkeypatch.setattr(snapshot, "MAX_DRIFT", 0.05)  # two of 41
    for n in (41, 42, 43):
        archive_site.write(f"{n}.md", f"---\ntitle: Story {n}\nurl: https://beta.example/{n}\n---\nA walrus.\n")
        seen = spy(monkeypatch)
        archive_site.build()
        assert seen["patched"] == [n < 43]
    assert search_files(archive_site) == full_export(archive_site)


def test_too_many_changes_without_their_old_versions_are_not_patched(archive_site, monkeypatch):
    archive_site.build()
    monkeypatch.setattr(snapshot, "MAX_CHANGED", 2)
    (archive_site.config().cache_dir / "archive.pickle").unlink()  # no last archive: no old versions at hand
    for i in (1, 2, 3):
        archive_site.write(f"{i}.md", archive_site.content.joinpath(f"{i}.md").read_text() + "Edited.\n")
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == [False]
    assert search_files(archive_site) == full_export(archive_site)


def test_the_search_process_saves_its_snapshot_after_answering(archive_site, monkeypatch):
    """In its own process (large archives), the search stage answers first and saves its snapshot
    while the build commits; the build waits for it before returning, so the next one patches it. It
    gives the memory of the postings it packs back as it goes (here after each term)."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    monkeypatch.setattr(snapshot, "GIVE_BACK", 1)
    archive_site.configure(jobs=2)
    archive_site.build()
    saved = archive_site.config().cache_dir / "search" / "snapshot.pickle"
    archive_site.write("5.md", archive_site.content.joinpath("5.md").read_text() + "A pelican lands.\n")
    saved.unlink()
    archive_site.build()
    made = snapshot.load(saved)
    assert made is not None and len(made.digests) == 41 and "pelican" in postings(made)
    archive_site.write("5.md", archive_site.content.joinpath("5.md").read_text() + "A heron lands.\n")
    archive_site.build()
    assert "heron" in postings(snapshot.load(saved))
    same_as_full_export(archive_site)


def test_the_preview_server_replays_the_search_processs_patch_in_memory(archive_site, monkeypatch):
    """The preview server keeps the snapshot in memory: the search process it forks patches its
    copy and sends back only the rows and files it made; replaying them gives what was saved."""
    import pickle

    from site_gen.build.cache import BuildCache
    from site_gen.build.pipeline import build

    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    archive_site.configure(jobs=2)
    config = archive_site.config()
    cache = BuildCache(config, keep_in_memory=True)
    build(config, cwd=archive_site.root, cache=cache)
    saved = config.cache_dir / "search" / "snapshot.pickle"
    cache.snapshot = snapshot.load(saved)
    replays = []
    replay = snapshot.Snapshot.replay
    monkeypatch.setattr(snapshot.Snapshot, "replay", lambda self, *a: replays.append(replay(self, *a)) or replays[-1])
    for word in ("pelican", "heron"):
        archive_site.write(
            "5.md", archive_site.content.joinpath("5.md").read_text().replace("walrus", word) + f"A {word} lands.\n"
        )
        build(config, cwd=archive_site.root, cache=cache)
        loaded = snapshot.load(saved)
        for name in set(snapshot.Snapshot.__slots__) - {"fields", "packed"}:
            assert pickle.dumps(getattr(cache.snapshot, name)) == pickle.dumps(getattr(loaded, name)), name
        for name in cache.snapshot.fields:
            assert postings(cache.snapshot, name) == postings(loaded, name)
            assert cache.snapshot.fields[name].lengths == loaded.fields[name].lengths
    assert replays == [True, True] and "heron" in postings(cache.snapshot)
    same_as_full_export(archive_site)


def test_an_added_sentence_codes_only_the_rows_of_its_words(site, monkeypatch):
    """A row codes each posting's document, frequency and field-length byte: a long article that
    gains a sentence keeps its byte, so only the rows of the words whose frequency changed are coded."""
    words = [
        "harbour",
        "council",
        "budget",
        "ferry",
        "timetable",
        "winter",
        "storm",
        "bridge",
        "repair",
        "school",
        "library",
        "market",
        "river",
    ]
    for n in range(6):
        site.write(
            f"{n}.txt",
            f"date 2025-01-0{n + 1} https://gazette.example/{n}\nStory {n}\n"
            + " ".join(f"{words[i % len(words)]}{n}x{i % 50}" for i in range(400 + n))
            + "\n",
        )
    site.build()
    site.write("3.txt", site.content.joinpath("3.txt").read_text() + "A zeppelin drifts over harbour7.\n")
    seen = spy(monkeypatch)
    site.build()
    assert seen["patched"] == [True] and sorted(seen["coded"]) == ["drift", "harbour7", "over", "zeppelin"]
    same_as_full_export(site)


@pytest.mark.browser
def test_search_js_finds_in_a_patched_index_what_it_finds_in_a_full_one(archive_site, page, tmp_path):
    """Results, scores and facet counts in Chromium, from file://, after new, deleted and moved articles."""
    archive_site.build()
    (archive_site.content / "12.md").unlink()
    archive_site.write(
        "13.md", archive_site.content.joinpath("13.md").read_text().replace("date: 2020-", "date: 2018-")
    )
    archive_site.write(
        "50.md", "---\ntitle: A walrus story\nurl: https://delta.example/50\ntags: [Politics]\n---\nOtter.\n"
    )
    archive_site.build()
    assert ",-1,-1]" in (archive_site.out / "search" / "meta.js").read_text()
    patched = archive_site.out.rename(tmp_path / "patched")
    full_export(archive_site)
    queries = ["walrus", "café society", "otter OR seal", "numb*", "walrus NOT otter", "straße"]
    found = {}
    for name, site in (("patched", patched), ("full", archive_site.out)):
        page.goto((site / "search" / "index.html").as_uri())
        found[name] = page.evaluate(
            """qs => Promise.all(qs.map(q => SiteGenSearch.query(q, {filters: {tag: 0}}).then(r =>
                   SiteGenSearch.documents(r.matches.map(m => m.doc)).then(docs => [
                     docs.map((d, i) => [d.permalink, r.matches[i].score, d.outletKey]).sort(),
                     [...r.facets.outlets.entries()].map(([o, c]) => [r.index.meta.outlets[o][0], c]).sort(),
                     [...r.facets.years.entries()].sort(), r.shown.length]))))""",
            queries,
        )
    assert found["patched"] == found["full"]
    assert all(results[0] for results in found["full"]) and page.console_errors == []


def test_an_edited_russian_article_is_patched_with_russian_stems(multilingual_site, monkeypatch):
    site = multilingual_site
    site.build()
    path = site.content / "ru" / "soros.md"
    path.write_text(path.read_text(encoding="utf-8").replace("санкции", "санкциями и выборами"), encoding="utf-8")
    seen = spy(monkeypatch)
    site.build()
    assert seen["patched"] == [True] and {"санкц", "выбор"} <= set(seen["coded"])
    same_as_full_export(site)
