"""A rebuild where a few articles changed patches the last export instead of analyzing everything:
the static index it writes is byte for byte the one a full export gives."""

import shutil

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
    monkeypatch.setattr(
        snapshot.Snapshot, "patch", lambda self, *a: seen["patched"].append(patch(self, *a)) or seen["patched"][-1]
    )
    monkeypatch.setattr(export, "_encode_term", lambda term, *a: seen["coded"].append(term) or encode(term, *a))
    monkeypatch.setattr(
        export, "summary", lambda article, *a: seen["summarized"].append(article.title) or summary(article, *a)
    )
    return seen


def full_export(site) -> dict[str, bytes]:
    """The same archive exported from nothing (no whoosh index, export cache or snapshot)."""
    shutil.rmtree(site.config().cache_dir / "search")
    site.build()
    return search_files(site)


def test_one_changed_article_is_patched_into_the_same_export(archive_site, monkeypatch):
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
    patched = search_files(archive_site)
    vocabulary = set().union(*(f.postings for f in invert(layout.order(result.archive.articles)).values()))
    assert seen["patched"] == [True]
    assert {"narwhal", "zeppelin", "seal"} <= set(seen["coded"]) and len(seen["coded"]) < len(vocabulary) / 2
    assert "Story 7 about café society" in seen["summarized"] and len(seen["summarized"]) <= export.MIN_DOCS_PER_FILE
    assert patched == full_export(archive_site)


def test_a_term_that_leaves_the_archive_leaves_the_index(archive_site, monkeypatch):
    archive_site.write("undated.txt", "An undated note\nIt mentions a quokka once.\n")
    archive_site.build()
    assert b'"quokka"' in b"".join(search_files(archive_site).values())
    archive_site.write("undated.txt", "An undated note\nIt mentions a walrus once.\n")
    seen = spy(monkeypatch)
    archive_site.build()
    patched = search_files(archive_site)
    assert seen["patched"] == [True] and b'"quokka"' not in b"".join(patched.values())
    assert patched == full_export(archive_site)


def test_a_new_article_exports_everything_again(archive_site, monkeypatch):
    archive_site.build()
    archive_site.write(
        "40.md", "---\ntitle: Story 40\ndate: 2020-01-01\nurl: https://alpha.example/40\n---\nA walrus again.\n"
    )
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == [False]  # the documents were numbered again: nothing to patch
    assert search_files(archive_site) == full_export(archive_site)


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


def test_too_many_changes_are_not_patched(archive_site, monkeypatch):
    archive_site.build()
    monkeypatch.setattr(snapshot, "MAX_CHANGED", 2)
    for i in (1, 2, 3):
        archive_site.write(f"{i}.md", archive_site.content.joinpath(f"{i}.md").read_text() + "Edited.\n")
    seen = spy(monkeypatch)
    archive_site.build()
    assert seen["patched"] == [False]
    assert search_files(archive_site) == full_export(archive_site)


def test_the_search_process_saves_its_snapshot_after_answering(archive_site, monkeypatch):
    """In its own process (large archives), the search stage answers first and saves its snapshot
    while the build commits; the build waits for it before returning, so the next one patches it."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    archive_site.configure(jobs=2)
    archive_site.build()
    saved = archive_site.config().cache_dir / "search" / "snapshot.pickle"
    archive_site.write("5.md", archive_site.content.joinpath("5.md").read_text() + "A pelican lands.\n")
    saved.unlink()
    archive_site.build()
    made = snapshot.load(saved)
    assert made is not None and len(made.digests) == 41 and "pelican" in made.fields["body"].postings
    archive_site.write("5.md", archive_site.content.joinpath("5.md").read_text() + "A heron lands.\n")
    archive_site.build()
    assert "heron" in snapshot.load(saved).fields["body"].postings
    assert search_files(archive_site) == full_export(archive_site)


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
        for name in snapshot.Snapshot.__slots__:
            assert pickle.dumps(getattr(cache.snapshot, name)) == pickle.dumps(getattr(snapshot.load(saved), name)), (
                name
            )
    assert replays == [True, True] and "heron" in cache.snapshot.fields["body"].postings
    assert search_files(archive_site) == full_export(archive_site)


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
            + " ".join(f"{words[i % len(words)]}{i % 50}" for i in range(400 + n))
            + "\n",
        )
    site.build()
    site.write("3.txt", site.content.joinpath("3.txt").read_text() + "A zeppelin drifts over harbour7.\n")
    seen = spy(monkeypatch)
    site.build()
    assert seen["patched"] == [True] and sorted(seen["coded"]) == ["drift", "harbour7", "over", "zeppelin"]
    assert search_files(site) == full_export(site)


def test_an_edited_russian_article_is_patched_with_russian_stems(multilingual_site, monkeypatch):
    site = multilingual_site
    site.build()
    path = site.content / "ru" / "soros.md"
    path.write_text(path.read_text(encoding="utf-8").replace("санкции", "санкциями и выборами"), encoding="utf-8")
    seen = spy(monkeypatch)
    site.build()
    assert seen["patched"] == [True] and {"санкц", "выбор"} <= set(seen["coded"])
    assert search_files(site) == full_export(site)
