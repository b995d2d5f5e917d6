"""The whoosh index: queried with filters and snippets, updated in place, never opened needlessly,
rebuilt when damaged."""

import datetime as dt
import shutil

import pytest
from conftest import REPO, Site
from whoosh import index as windex

from site_gen import parallel
from site_gen.errors import SiteGenError
from site_gen.search import index, manifest


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The bundled sample archive built once (jobs=1), with its config and archive."""
    site = Site(tmp_path_factory.mktemp("search-index") / "site")
    shutil.rmtree(site.content)
    shutil.copytree(REPO / "content", site.content)
    shutil.copy2(REPO / "sources.yaml", site.root / "sources.yaml")
    config = site.config()
    from site_gen.build.pipeline import build

    result = build(config, cwd=site.root)
    return config, result.archive


def test_query_ranks_filters_and_highlights(sample):
    config, _ = sample
    results = index.query(config, "swing bridge")
    assert [r["title"] for r in results[:3]].count(
        "Swing Bridge to close for eleven weeks"
    ) == 1  # the re-scrape is merged into it (dedupe)
    first = results[0]
    assert (
        first["permalink"].endswith("/index.html")
        and first["date"] == "2025-03-14"
        and first["outlet_name"] == "The Harbour Gazette"
    )
    assert "<mark>Bridge</mark>" in first["snippet_html"] and "<mark>" not in first["snippet"]
    assert results == sorted(results, key=lambda r: -r["score"])
    assert [r["id"] for r in index.query(config, "bridge", limit=2)] == [
        r["id"] for r in index.query(config, "bridge", limit=50)
    ][:2]
    by_name = index.query(config, "bridge", outlet="north wire")
    assert by_name and {r["outlet"] for r in by_name} == {"north-wire"} == {
        r["outlet"] for r in index.query(config, "bridge", outlet="north-wire")
    }
    assert all("local press" in r["tags"] for r in index.query(config, "bridge", tag="LOCAL PRESS"))
    dated = index.query(
        config, "bridge OR harbour OR storm", date_from=dt.date(2024, 11, 1), date_to=dt.date(2024, 12, 31), limit=50
    )
    assert dated and all("2024-11-01" <= r["date"] <= "2024-12-31" for r in dated)
    phrase = {r["id"] for r in index.query(config, '"swing bridge"', limit=50)}
    words = {r["id"] for r in index.query(config, "swing bridge", limit=50)}
    assert phrase and phrase <= words
    without = {r["id"] for r in index.query(config, "harbour NOT bridge", limit=50)}
    assert without and not without & {r["id"] for r in index.query(config, "bridge", limit=50)}
    assert len(index.query(config, "brid*", limit=50)) >= len(index.query(config, "bridge", limit=50))
    assert index.query(config, "the") == [] and index.query(config, "zzyzx") == []


def test_snippet_falls_back_to_the_summary_when_the_source_is_gone(site):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nHarbour news\nThe harbour froze over.\n")
    site.build()
    (site.content / "a.txt").unlink()
    [result] = index.query(site.config(), "harbour")
    assert result["snippet_html"].startswith("The <mark>harbour</mark> froze over")


def test_no_index_yet_says_what_to_do(site):
    with pytest.raises(SiteGenError, match=r"no search index yet .* run site-gen build"):
        index.query(site.config(), "x")


def test_changed_added_and_removed_articles_update_the_index_in_place(site):
    for i in range(30):
        site.write(
            f"n{i}.txt",
            f"date 2024-01-{i % 28 + 1:02d} https://example.org/{i}\nStory {i}\nPlain words number{i} here.\n",
        )
    site.build()
    folder = index.index_dir(site.config())
    segments = len(windex.open_dir(str(folder))._segments())
    site.write("n1.txt", "date 2024-01-02 https://example.org/1\nStory 1\nNow about a walrus.\n")
    site.write("new.txt", "date 2024-02-01 https://example.org/new\nNew story\nAnother walrus.\n")
    (site.content / "n2.txt").unlink()
    todo = manifest.plan(folder, {})
    assert todo.rebuild is False and len(todo.removed) == 30
    site.build()
    ix = windex.open_dir(str(folder))
    assert len(ix._segments()) == segments + 1 and ix.doc_count() == 30
    config = site.config()
    assert {r["title"] for r in index.query(config, "walrus")} == {"Story 1", "New story"}
    assert index.query(config, "number1") == [] and index.query(config, "number2") == []
    assert [r["title"] for r in index.query(config, "number3")] == ["Story 3"]


def test_an_unchanged_rebuild_never_opens_whoosh(site, monkeypatch):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nA walrus\nBody text.\n")
    site.build()
    folder = index.index_dir(site.config())
    before = {f.name: f.stat().st_mtime_ns for f in folder.parent.rglob("*")}

    def refuse(*args, **kwargs):
        raise AssertionError("whoosh was opened")

    for name in ("open_dir", "create_in", "exists_in"):
        monkeypatch.setattr(windex, name, refuse)
    site.build()
    after = {f.name: f.stat().st_mtime_ns for f in folder.parent.rglob("*")}
    assert after == before
    assert (site.out / "search" / "meta.js").is_file()


@pytest.mark.parametrize("damage", ["delete a segment file", "garble every file", "garble the table of contents"])
def test_a_damaged_index_is_rebuilt(site, damage):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nA walrus\nBody text.\n")
    site.write("b.txt", "date 2024-01-03 https://example.org/b\nA seal\nBody text.\n")
    site.build()
    folder = index.index_dir(site.config())
    files = [f for f in folder.iterdir() if not f.name.endswith("WRITELOCK")]
    if damage == "delete a segment file":
        next(f for f in files if f.suffix == ".trm").unlink()
    else:
        for f in files if damage == "garble every file" else [f for f in files if f.suffix == ".toc"]:
            f.write_bytes(b"\x00garbage" * (f.stat().st_size // 8 + 1))
        site.write(
            "b.txt", "date 2024-01-03 https://example.org/b\nA grey seal\nBody text.\n"
        )  # an in-place update meets the damage
    site.build()
    assert [r["title"] for r in index.query(site.config(), "walrus")] == ["A walrus"]


def test_a_search_that_meets_damage_makes_the_next_build_rebuild(site):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nA walrus\nBody text.\n")
    site.build()
    folder = index.index_dir(site.config())
    for f in folder.iterdir():
        if f.suffix in (".pst", ".trm"):
            f.write_bytes(b"\xff" * f.stat().st_size)  # same sizes: the manifest cannot tell
    with pytest.raises(SiteGenError, match="run site-gen build"):
        index.query(site.config(), "walrus")
    site.build()
    assert [r["title"] for r in index.query(site.config(), "walrus")] == ["A walrus"]


def test_leftovers_of_killed_builds_are_removed(site):
    site.write("a.txt", "date 2024-01-02 https://example.org/a\nA walrus\nBody text.\n")
    folder = index.index_dir(site.config())
    dead = folder.with_name(f"{folder.name}.new-999999999")
    dead.mkdir(parents=True)
    alive = folder.with_name(f"{folder.name}.new-1")  # pid 1 runs: another build may be using it
    alive.mkdir()
    site.build()
    assert not dead.exists() and alive.exists()


def test_each_language_finds_its_inflected_forms(multilingual_site):
    site = multilingual_site
    site.build()
    config = site.config()
    titles = lambda q, **kw: sorted(r["title"] for r in index.query(config, q, **kw))  # noqa: E731
    # Russian: one form finds the others (Сорос, Сороса, Соросом, Соросе); the English and German
    # articles with "Soros" in Latin letters are not Russian forms
    assert titles("Соросу") == ["Москва отвечает", "Сорос и санкции"]
    assert titles("Sanktion") == ["Die Sanktionen der Bundesregierung", "Soros und das Land"]
    assert titles("sanction") == ["Sanctions on Soros foundations"]
    # one query, analyzed in every language: each article matched in its own
    assert titles("Soros") == ["Sanctions on Soros foundations", "Soros und das Land"]
    # German stop words drop "die" for German articles only (in English it is a word); Länder, Land
    assert titles("die Länder") == titles("Land") == ["Die Sanktionen der Bundesregierung", "Soros und das Land"]
    # Ukrainian has no stemmer: words as written; Chinese: character bigrams
    assert titles("санкції") == ["Київ і санкції"] and titles("Києві") == ["Київ і санкції"]
    assert titles("经济") == ["中国经济增长"] and titles("中国经济") == ["中国经济增长"]
    assert titles("经") == []  # one character, like a one-letter word, is no term
    russian = index.query(config, "Соросом")[0]
    assert russian["language"] == "ru" and "<mark>Сороса</mark>" in russian["snippet_html"]
    assert "<mark>经济</mark>" in index.query(config, "经济")[0]["snippet_html"]


def test_a_language_chosen_analyzes_the_query_in_it_alone(multilingual_site):
    site = multilingual_site
    site.build()
    config = site.config()
    assert {r["language"] for r in index.query(config, "Soros")} == {"en", "de"}
    assert [r["language"] for r in index.query(config, "Soros", language="de")] == ["de"]
    assert index.query(config, "Soros", language="de-AT") == index.query(config, "Soros", language="de")
    assert index.query(config, "Soros", language="ru") == []  # "soros" is no form of Сорос
    with pytest.raises(SiteGenError, match="the archive's languages are de, en, ru, uk, zh"):
        index.query(config, "Soros", language="fr")
    # a language's articles score as they would alone: the same query restricted or not
    both = {r["id"]: r["score"] for r in index.query(config, "Soros")}
    assert all(both[r["id"]] == r["score"] for r in index.query(config, "Soros", language="en"))


def test_a_rebuild_writes_segments_of_about_a_batch_each(site, monkeypatch):
    """Parts of at most BATCH articles, so that no segment is small: whoosh's MERGE_SMALL, once updates in place
    add segments of their own, then merges theirs only (small rebuild segments got every segment merged:
    minutes at 100,000 articles)."""
    monkeypatch.setattr(index, "BATCH", 10)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 1)
    for i in range(100):
        site.write(f"n{i}.txt", f"date 2024-01-{i % 28 + 1:02d} https://example.org/{i}\nStory {i}\nWords {i}.\n")
    site.configure(jobs=2)
    site.build()
    ix = windex.open_dir(str(index.index_dir(site.config())))
    sizes = [segment.doc_count_all() for segment in ix._segments()]
    assert sum(sizes) == 100 and all(5 <= size <= 10 for size in sizes), sizes
