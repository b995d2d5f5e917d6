"""New, deleted, renamed and edited files reuse the last archive, and give what the whole pipeline gives."""

import json

import pytest
from conftest import corpus
from static_index import view
from test_incremental import snapshot

from site_gen.build.cache import BuildCache
from site_gen.build.pipeline import build
from site_gen.dedupe import delta, minhash
from site_gen.render.pages import pages_of
from site_gen.search.index import query

READ_MORE = "Read more stories at the Gazette.\n"
WORDS = [
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


def body(n: int, extra: str = "") -> str:
    """A body of its own for article n (texts of different n share no three-word run)."""
    words = [WORDS[(n * 7 + i * (n % 5 + 1)) % len(WORDS)] + str(n * 100 + i) for i in range(60)]
    return (
        " ".join(words[:30]) + ".\n" + " ".join(words[30:]) + ".\nSubscribe to the Gazette newsletter today.\n" + extra
    )


def long_body(seed: int) -> str:
    """A story of 20 paragraphs of 30 words of its own (sharing no three-word run with body())."""
    return "".join(
        " ".join(f"{WORDS[(i + k * seed) % len(WORDS)]}{seed * 1000 + i * 30 + k}" for k in range(30)) + ".\n"
        for i in range(20)
    )


def header(n: int, text: str, outlet: str = "gazette.example", title: str = "") -> str:
    return f"date 2025-0{1 + n % 9}-1{n % 10} https://{outlet}/{n}\n{title or f'Story number {n}'}\n{text}"


def tagged(n: int, title: str = "", date: str = "", tags: str = "[Harbour, Ferries]", source: str = "") -> str:
    """A YAML article of its own text (of harbour.example unless source says otherwise)."""
    front = (
        f"title: {title or f'Tagged story {n}'}\ndate: {date or f'2025-0{1 + n % 9}-2{n % 10}'}\n"
        f"url: https://harbour.example/tagged/{n}\ntags: {tags}\n" + (f"source: {source}\n" if source else "")
    )
    return f"---\n{front}---\n{body(n)}"


@pytest.fixture
def archive(site):
    """Fifteen articles of three outlets with a recurring footer (and a line one article short of
    recurring), tags, a merged copy and a cross-outlet copy; listings of four to a page and feeds of
    three, so that articles coming and going move others to other pages and feeds."""
    site.configure(boilerplate={"min_share": 0.5, "min_articles": 3}, paginate=4, feed_size=3)
    for n in range(10):
        site.write(
            f"{n}.txt",
            header(n, body(n, READ_MORE if n < 3 else ""), "gazette.example" if n < 8 else "courier.example"),
        )
    for n in (30, 31, 32):
        site.write(f"tagged/{n}.md", tagged(n))
    site.write("copy-of-1.txt", header(1, body(1)))  # same URL: merged into 1
    site.write("syndicated-2.txt", header(2, body(2), "courier.example"))  # same text, other outlet: linked
    return site


def stages(result) -> set[str]:
    return set(result.report["stats"]["stages"])


def reused(result) -> bool:
    return "reuse" in stages(result) and "dedupe" not in stages(result)


QUERIES = ["harbour", "story number", "subscribe gazette", "ferry OR bridge", "council*", "tagged NOT courier"]


def same_as_full_build(site, tmp_path, result, *, whoosh_scores: bool = False) -> None:
    """The site and report of result are what a full build of the same content gives: byte for byte
    but the static search index, which says the same (decoded by permalink), and the whoosh index,
    which finds the same (with the same scores when no document was deleted: whoosh counts deleted
    documents until it merges their segment)."""
    config = site.config()
    config.output_dir, config.cache_dir = tmp_path / "full", tmp_path / "full-cache"
    full = build(config, cwd=site.root, full=True, report_path=tmp_path / "full.json")
    mine, theirs = snapshot(site.out), snapshot(config.output_dir)
    assert {p: b for p, b in mine.items() if not p.startswith("search/")} == {
        p: b for p, b in theirs.items() if not p.startswith("search/")
    }
    assert view(site.out / "search") == view(config.output_dir / "search")
    found, wanted = hits(site.config()), hits(config)
    assert {q: set(r) for q, r in found.items()} == {q: set(r) for q, r in wanted.items()}
    if whoosh_scores:
        assert found == wanted
    mine, theirs = json.loads((tmp_path / "mine.json").read_text()), json.loads((tmp_path / "full.json").read_text())
    for report in (mine, theirs):
        report.pop("stats")
    assert mine == theirs
    assert full.archive is not None and result.archive is not None


def hits(config) -> dict[str, dict[str, float]]:
    """site-gen search's results for each query: permalink -> score."""
    return {q: {r["permalink"]: r["score"] for r in query(config, q, limit=1000, snippets=False)} for q in QUERIES}


def build_with_report(site, tmp_path, **kwargs):
    return build(site.config(), cwd=site.root, report_path=tmp_path / "mine.json", **kwargs)


def test_a_body_edit_reuses_the_archive_and_matches_a_full_build(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.write("5.txt", header(5, body(5, "A correction was added to this story.\n")))
    result = build_with_report(archive, tmp_path)
    assert reused(result)
    assert (
        "A correction was added"
        in (archive.out / next(a.permalink for a in result.archive.articles if a.url.endswith("/5"))).read_text()
    )
    same_as_full_build(archive, tmp_path, result)


def rename(site, old: str, new: str) -> None:
    (site.content / old).rename(site.content / new)


def delete(site, path: str) -> None:
    (site.content / path).unlink()


CHANGES = {
    "a new file": lambda s: s.write("10.txt", header(10, body(10))),
    "a new file of a new outlet, with a date of its own": lambda s: s.write(
        "wire/1.txt", "date 2024-12-31 https://wire.example/1\nA wire story\n" + body(11)
    ),
    "three new files, one with new tags and one undated": lambda s: [
        s.write("tagged/33.md", tagged(33, tags="[Harbour, Weather]")),
        s.write("tagged/34.md", tagged(34, tags="[Ferries]")),
        s.write("undated.txt", "An undated note\n" + body(12)),
    ],
    "a deleted file": lambda s: delete(s, "6.txt"),
    "a deleted file with tags": lambda s: delete(s, "tagged/31.md"),
    "a renamed file": lambda s: rename(s, "7.txt", "seven.txt"),
    "a new title": lambda s: s.write("5.txt", header(5, body(5), title="A new headline")),
    "a new date": lambda s: s.write("tagged/30.md", tagged(30, date="2024-11-05")),
    "new tags": lambda s: s.write("tagged/32.md", tagged(32, tags="[Ferries, Weather]")),
    "the last article of a tag gone": lambda s: [
        s.write("tagged/32.md", tagged(32, tags="[Harbour]")),
        s.write("tagged/31.md", tagged(31, tags="[Harbour]")),
        s.write("tagged/30.md", tagged(30, tags="[Harbour]")),
    ],
    "another outlet": lambda s: s.write("tagged/31.md", tagged(31, source="gazette.example")),
    "another language": lambda s: s.write("tagged/31.md", tagged(31).replace("tags:", "language: de\ntags:")),
    "drops the recurring footer": lambda s: s.write(
        "5.txt", header(5, body(5).replace("Subscribe to the Gazette newsletter today.\n", ""))
    ),
    "a new article with the recurring footer": lambda s: s.write("zz.txt", header(13, body(13))),
    "a deleted file and a new one of the same day": lambda s: (
        delete(s, "4.txt") or s.write("four.txt", header(4, body(14), title="Another story that day"))
    ),
}


ADDITIONS = {name for name in CHANGES if name.startswith(("a new file", "three new", "a new article"))}
JOINS = {
    # copies of kept articles or of each other: their groups are decided again, from the files as read
    "a new copy of article 4, with a headline of its own": lambda s: s.write("new-copy.txt", header(40, body(4))),
    "a new file of an archived URL": lambda s: s.write("again-3.txt", header(3, body(41))),
    "an edit that gives article 5 the text of article 3": lambda s: s.write("5.txt", header(5, body(3))),
    "a longer re-scrape of article 1, which has a merged copy": lambda s: s.write(
        "again-1.txt", header(1, body(1, "An update to this story.\n"))
    ),
    "a copy of article 2 at a third outlet": lambda s: s.write("herald-2.txt", header(2, body(2), "herald.example")),
    "two new copies of each other at two outlets": lambda s: [
        s.write("n1.txt", header(50, body(50))),
        s.write("n2.txt", header(51, body(50), "courier.example")),
    ],
    "a copy and a new file of its own": lambda s: [
        s.write("new-copy.txt", header(40, body(4))),
        s.write("10.txt", header(10, body(10))),
    ],
}
REGROUPED = {
    # edits and deletions of files that have copies or are one: their groups are decided again
    "a copy merged into article 1": lambda s: s.write("copy-of-1.txt", header(1, body(1, "More.\n"))),
    "a merged copy deleted": lambda s: delete(s, "copy-of-1.txt"),
    "linked to its syndicated copy": lambda s: s.write("2.txt", header(2, body(2, "More.\n"))),
    "an article with copies deleted": lambda s: delete(s, "2.txt"),
    "article 1 edited, which has a merged copy": lambda s: s.write(
        "1.txt", header(1, body(1, READ_MORE + "A correction.\n"))
    ),
    "a merged copy renamed": lambda s: rename(s, "copy-of-1.txt", "1-again.txt"),
}
CHANGES.update(JOINS)
CHANGES.update(REGROUPED)


@pytest.mark.parametrize("change", CHANGES)
def test_files_added_deleted_renamed_or_edited_reuse_the_archive_and_match_a_full_build(archive, tmp_path, change):
    first = build_with_report(archive, tmp_path)
    CHANGES[change](archive)
    result = build_with_report(archive, tmp_path)
    assert reused(result), change
    same_as_full_build(archive, tmp_path, result, whoosh_scores=change in ADDITIONS)
    if change in JOINS:  # more files are copies than before: joined as the whole pipeline joins them
        assert len(copies(result)) > len(copies(first))


def copies(result) -> set[str]:
    return {d.path for a in result.archive.articles for d in a.duplicates}


FALLBACKS = {
    "a copy whose redirect asks for a page's permalink": lambda s: s.write(
        "copy-4.txt", f"date 2025-06-15 https://gazette.example/copy-4\nStory number 5\n{body(4)}"
    ),
    "a new file of an archived URL at another outlet": lambda s: s.write(
        "tagged/again-30.md", tagged(30, source="gazette.example").replace(body(30), body(43))
    ),
    "a fourth of eight gazette articles with a line: it recurs now": lambda s: s.write(
        "5.txt", header(5, body(5, READ_MORE))
    ),
    "a new article before the example of the recurring footer": lambda s: s.write("-first.txt", header(42, body(42))),
    "the example of the recurring footer deleted": lambda s: delete(s, "0.txt"),
    "a title and date taken": lambda s: s.write("same.txt", header(14, body(43), title="Story number 5")),
    "a tag spelled anew": lambda s: [s.write(f"tagged/{n}.md", tagged(n, tags="[harbour]")) for n in (44, 45, 46, 47)],
}


@pytest.mark.parametrize("change", FALLBACKS)
def test_changes_that_touch_what_was_decided_between_articles_build_it_again_and_match_a_full_build(
    archive, tmp_path, change
):
    build_with_report(archive, tmp_path)
    FALLBACKS[change](archive)
    result = build_with_report(archive, tmp_path)
    assert "dedupe" in stages(result), change
    same_as_full_build(archive, tmp_path, result)


def test_a_changed_setting_builds_the_archive_again(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.configure(boilerplate={"min_share": 0.5, "min_articles": 4})
    result = build_with_report(archive, tmp_path)
    assert "dedupe" in stages(result)
    same_as_full_build(archive, tmp_path, result)


def test_a_damaged_archive_cache_is_reported_and_built_again(archive, tmp_path):
    build_with_report(archive, tmp_path)
    (archive.config().cache_dir / "archive.pickle").write_bytes(b"not a pickle")
    archive.write("5.txt", header(5, body(5, "Another line.\n")))
    result = build_with_report(archive, tmp_path)
    assert "dedupe" in stages(result)
    assert any("archive.pickle" in problem for problem in result.report["stats"]["cache_problems"])
    same_as_full_build(archive, tmp_path, result)


@pytest.mark.parametrize("damage", ["missing", "truncated"])
def test_a_damaged_texts_file_is_reported_and_the_archive_built_again(archive, tmp_path, damage):
    """The paragraphs of the kept archive are in a texts file beside it (build/texts.py): without it whole,
    the archive is not used (never a build that fails on the first article it shows)."""
    build_with_report(archive, tmp_path)
    [kept] = archive.config().cache_dir.glob("archive-texts-*.bin")
    if damage == "missing":
        kept.unlink()
    else:
        kept.write_bytes(kept.read_bytes()[:-10])
    archive.write("5.txt", header(5, body(5, "Another line.\n")))
    result = build_with_report(archive, tmp_path)
    assert "dedupe" in stages(result)
    assert any("archive.pickle" in problem for problem in result.report["stats"]["cache_problems"])
    same_as_full_build(archive, tmp_path, result)
    assert len(list(archive.config().cache_dir.glob("archive-texts-*.bin"))) == 1  # the new one alone


def test_the_preview_servers_cache_keeps_the_archive_in_memory_across_changes(archive, tmp_path):
    config = archive.config()
    cache = BuildCache(config, keep_in_memory=True)
    build(config, cwd=archive.root, cache=cache)
    for round in range(3):
        archive.write("4.txt", header(4, body(4, f"Update number {round}.\n")))
        archive.write(f"new-{round}.txt", header(20 + round, body(20 + round)))
        if round:
            delete(archive, f"new-{round - 1}.txt")
        result = build(config, cwd=archive.root, cache=cache, report_path=tmp_path / "mine.json")
        assert reused(result) and "read" not in stages(result)
    assert not (config.cache_dir / "archive.pickle").exists()
    same_as_full_build(archive, tmp_path, result)


def test_after_changes_only_the_changes_are_kept_beside_the_archive(archive, tmp_path):
    build_with_report(archive, tmp_path)
    cache = archive.config().cache_dir
    kept = (cache / "archive.pickle").read_bytes()
    changes = [
        lambda: archive.write("4.txt", header(4, body(4, "Update.\n"))),
        lambda: archive.write("10.txt", header(10, body(10))),
        lambda: delete(archive, "6.txt"),
        lambda: rename(archive, "10.txt", "ten.txt"),
        lambda: archive.write("4.txt", header(4, body(4), title="Story four, retitled")),
    ]
    for change in changes:  # each build reads the last one back from the kept archive and its changes
        change()
        result = build_with_report(archive, tmp_path)
        assert reused(result) and "read" not in stages(result)
        assert (cache / "archive.pickle").read_bytes() == kept
        assert len((cache / "archive-edits.pickle").read_bytes()) < len(kept) / 2
    same_as_full_build(archive, tmp_path, result)
    archive.configure(boilerplate={"min_share": 0.5, "min_articles": 4})  # the archive is built and kept in full again
    assert "dedupe" in stages(build_with_report(archive, tmp_path))
    assert (cache / "archive.pickle").read_bytes() != kept and not (cache / "archive-edits.pickle").exists()


def test_a_new_permalink_pattern_assembles_the_archive_again(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.configure(permalink="{outlet}/{slug}.html")
    result = build_with_report(archive, tmp_path)
    assert "assemble" in stages(result) and all(
        a.permalink.endswith(".html") and a.permalink.count("/") == 1 for a in result.archive.articles
    )
    same_as_full_build(archive, tmp_path, result)


def spy(monkeypatch) -> tuple[list[str], list[str]]:
    """The URLs of the articles whose pages are keyed, and the other pages written through Renderer.write."""
    from site_gen.render.pages import Renderer

    keyed: list[str] = []
    key_articles = Renderer.key_articles
    monkeypatch.setattr(
        Renderer,
        "key_articles",
        lambda self, articles: key_articles(self, keyed.extend(a.url for a in articles) or articles),
    )
    written: list[str] = []
    write = Renderer.write
    monkeypatch.setattr(
        Renderer, "write", lambda self, path, *a, **k: written.append(path) or write(self, path, *a, **k)
    )
    return keyed, written


def test_after_a_body_edit_only_the_pages_showing_it_are_keyed_again(archive, tmp_path, monkeypatch):
    build_with_report(archive, tmp_path)
    keyed, written = spy(monkeypatch)
    archive.write("5.txt", header(5, body(5, "A correction.\n")))
    result = build_with_report(archive, tmp_path)
    # listings and feeds without article 5 keep their keys; those with it are keyed again
    index = next(i for i, a in enumerate(result.archive.articles) if a.url.endswith("/5"))
    listed = pages_of(len(result.archive.articles), 4)
    page = next(number for number, (start, stop) in enumerate(listed) if start <= index < stop)
    assert page == 0 and len(listed) == 3  # on the home page's front page: its kept pages do not show it
    assert not {"page/1/index.html", "page/2/index.html"} & set(written)
    assert {
        "index.html",
        "outlets/gazette-example/index.html",
        "outlets/gazette-example/atom.xml",
        "archive/2025/06/index.html",
    } <= set(written)
    assert not {
        "outlets/courier-example/index.html",
        "outlets/courier-example/atom.xml",
        "archive/2025/01/index.html",
    } & set(written)
    by_url = {a.url: a for a in result.archive.articles}
    five = by_url["https://gazette.example/5"]
    around = {a.url for a in result.archive.articles if a.outlet == five.outlet and a.date} - {five.url}
    assert (
        "https://gazette.example/5" in keyed
        and len(keyed) < len(by_url) - 2
        and set(keyed) <= around | {five.url} | {a.url for a in result.archive.articles if a.date == five.date}
    )
    same_as_full_build(archive, tmp_path, result)
    keyed.clear()  # a new site title is on every page: every article page is keyed again
    archive.write("5.txt", header(5, body(5, "A second correction.\n")))
    archive.configure(title="The Gazette archive")
    result = build_with_report(archive, tmp_path)
    assert "reuse" in stages(result) and sorted(keyed) == sorted(by_url)
    same_as_full_build(archive, tmp_path, result)


def test_two_edits_that_become_copies_of_each_other_match_a_full_build(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.write("5.txt", header(5, body(20)))
    archive.write("6.txt", header(6, body(20, "Plus one line of its own.\n")))  # near the new 5, not the old
    result = build_with_report(archive, tmp_path)
    assert reused(result)  # the two decided on their own: a group of their own
    same_as_full_build(archive, tmp_path, result)


def test_after_a_new_or_deleted_file_only_the_pages_showing_it_are_keyed_again(archive, tmp_path, monkeypatch):
    build_with_report(archive, tmp_path)
    keyed, written = spy(monkeypatch)
    archive.write("10.txt", header(10, body(10)))  # gazette, 2025-02-10
    result = build_with_report(archive, tmp_path)
    assert reused(result)
    assert {"index.html", "outlets/gazette-example/index.html", "archive/2025/02/index.html"} <= set(written)
    assert not {"outlets/courier-example/index.html", "archive/2025/01/index.html"} & set(written)
    ten = next(a for a in result.archive.articles if a.url.endswith("/10"))
    around = result.archive.articles  # its gazette neighbours by date, and the articles of its day
    neighbours = [a for a in around if a.outlet == ten.outlet and a.date][::-1]
    at = neighbours.index(ten)
    expected = {a.url for a in neighbours[max(at - 1, 0) : at + 2]} | {a.url for a in around if a.date == ten.date}
    assert set(keyed) == expected
    same_as_full_build(archive, tmp_path, result)
    keyed.clear()
    written.clear()
    delete(archive, "10.txt")  # its neighbours meet again
    result = build_with_report(archive, tmp_path)
    assert reused(result) and set(keyed) == expected - {ten.url}
    assert "archive/2025/02/index.html" in written and "outlets/courier-example/index.html" not in written
    same_as_full_build(archive, tmp_path, result)


@pytest.mark.parametrize("edited_becomes", ["a teaser", "a holder"])
def test_an_edit_that_makes_a_teaser_of_another_article_is_seen_as_a_copy(archive, tmp_path, edited_becomes):
    """The memo keeps the anchors: a body edit that makes an article the first tenth of another
    one, or makes it hold another whole (a Jaccard similarity of about 0.1: no LSH candidate),
    is seen as a new copy, and the build merges them as the whole pipeline does."""
    archive.write("long.txt", header(30, long_body(31)))
    build_with_report(archive, tmp_path)
    footer = "Subscribe to the Gazette newsletter today.\n"
    if edited_becomes == "a teaser":  # the first two paragraphs of long.txt
        archive.write("5.txt", header(5, "".join(long_body(31).splitlines(keepends=True)[:2]) + footer))
        merged, into = "5.txt", "long.txt"
    else:  # article 6's body inside a long text of its own
        archive.write("5.txt", header(5, long_body(32) + body(6)))
        merged, into = "6.txt", "5.txt"
    result = build_with_report(archive, tmp_path)
    assert reused(result)
    same_as_full_build(archive, tmp_path, result)
    [entry] = [e for e in json.loads((tmp_path / "mine.json").read_text())["inputs"] if e["path"] == merged]
    assert entry["status"] == "merged" and f"merged into {into}" in " ".join(m["message"] for m in entry["messages"])


def test_articles_of_a_real_corpus_added_to_it_join_their_copies_as_a_whole_build_does(site, tmp_path):
    """BBC News business articles (others' text, with their own repeated stories): one file in eight held
    back, then added to the built archive. Several are copies of archived ones; their groups are decided again."""
    files = sorted(p for p in (corpus("bbc-fulltext") / "bbc" / "business").rglob("*.txt"))
    held = files[5::8]
    for path in files:
        if path not in held:
            site.write(str(path.relative_to(corpus("bbc-fulltext"))), path.read_bytes())
    first = build_with_report(site, tmp_path)
    for path in held:
        site.write(str(path.relative_to(corpus("bbc-fulltext"))), path.read_bytes())
    result = build_with_report(site, tmp_path)
    assert reused(result)
    assert result.report["stats"]["by_status"]["merged"] > first.report["stats"]["by_status"]["merged"]
    same_as_full_build(site, tmp_path, result)


@pytest.mark.parametrize("limit", [1, 2])
@pytest.mark.parametrize("change", [*JOINS, *REGROUPED])
def test_copies_in_chained_buckets_reuse_the_archive_and_match_a_full_build(
    archive, tmp_path, monkeypatch, change, limit
):
    """With MAX_BUCKET at 1 or 2, a text and its copies fill band buckets past the limit, which the whole
    dedupe chains (each member paired with the next in path order only): the delta pairs a new text with its
    chain neighbours, checks the pairs it comes between, and decides a group on its own when the chains join
    whatever the group alone pairs. A text taken out of a chained bucket (at 1, every copy's) makes a pair of
    its neighbours: the whole pipeline runs."""
    monkeypatch.setattr(minhash, "MAX_BUCKET", limit)
    monkeypatch.setattr(delta, "MAX_BUCKET", limit)
    build_with_report(archive, tmp_path)
    CHANGES[change](archive)
    result = build_with_report(archive, tmp_path)
    assert reused(result) == (limit == 2 or change in JOINS), change
    same_as_full_build(archive, tmp_path, result)


@pytest.mark.parametrize("change", [*JOINS, *REGROUPED])
def test_a_build_after_a_regrouping_one_replays_its_changes_and_matches_a_full_build(archive, tmp_path, change):
    """The cache keeps a regrouping build's changed entries beside the last full archive (LastBuild.light):
    the next build replays them (a merged copy's entry holds its page, pickled with it)."""
    build_with_report(archive, tmp_path)
    CHANGES[change](archive)
    build_with_report(archive, tmp_path)
    archive.write("later.txt", header(60, body(60)))
    result = build_with_report(archive, tmp_path)
    assert reused(result)
    same_as_full_build(archive, tmp_path, result)
