"""Edits of article bodies reuse the last build's archive, and give exactly what the whole pipeline gives."""

import json

import pytest
from test_incremental import full_build_of, snapshot

from site_gen.build.cache import BuildCache
from site_gen.build.pipeline import build

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


@pytest.fixture
def archive(site):
    """Twelve articles of two outlets with a recurring footer (and a line one article short of
    recurring), a merged copy and a cross-outlet copy."""
    site.configure(boilerplate={"min_share": 0.5, "min_articles": 3})
    for n in range(10):
        site.write(
            f"{n}.txt",
            header(n, body(n, READ_MORE if n < 3 else ""), "gazette.example" if n < 8 else "courier.example"),
        )
    site.write("copy-of-1.txt", header(1, body(1)))  # same URL: merged into 1
    site.write("syndicated-2.txt", header(2, body(2), "courier.example"))  # same text, other outlet: linked
    return site


def stages(result) -> set[str]:
    return set(result.report["stats"]["stages"])


def same_as_full_build(site, tmp_path, result) -> None:
    """The site and report of result are what a full build of the same content gives."""
    config = site.config()
    config.output_dir, config.cache_dir = tmp_path / "full", tmp_path / "full-cache"
    full = build(config, cwd=site.root, full=True, report_path=tmp_path / "full.json")
    assert snapshot(site.out) == full_build_of(site, tmp_path)
    mine, theirs = json.loads((tmp_path / "mine.json").read_text()), json.loads((tmp_path / "full.json").read_text())
    for report in (mine, theirs):
        report.pop("stats")
    assert mine == theirs
    assert full.archive is not None and result.archive is not None


def build_with_report(site, tmp_path, **kwargs):
    return build(site.config(), cwd=site.root, report_path=tmp_path / "mine.json", **kwargs)


def test_a_body_edit_reuses_the_archive_and_matches_a_full_build(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.write("5.txt", header(5, body(5, "A correction was added to this story.\n")))
    result = build_with_report(archive, tmp_path)
    assert "reuse" in stages(result) and "dedupe" not in stages(result)
    assert (
        "A correction was added"
        in (archive.out / next(a.permalink for a in result.archive.articles if a.url.endswith("/5"))).read_text()
    )
    same_as_full_build(archive, tmp_path, result)


@pytest.mark.parametrize(
    "path, text, why",
    [
        ("5.txt", header(5, body(5), title="A new headline"), "title changed: the slug and listings follow it"),
        ("5.txt", header(5, body(3)), "now the same text as article 3"),
        (
            "5.txt",
            header(5, body(5).replace("Subscribe to the Gazette newsletter today.\n", "")),
            "drops the recurring footer",
        ),
        ("5.txt", header(5, body(5, READ_MORE)), "a fourth of eight gazette articles with a line: it recurs now"),
        ("copy-of-1.txt", header(1, body(1, "More.\n")), "a copy merged into article 1"),
        ("2.txt", header(2, body(2, "More.\n")), "linked to its syndicated copy"),
        (
            "9.txt",
            header(9, body(9, READ_MORE), "courier.example"),
            "no change to the archive but the body: the line is the only one at courier",
        ),
    ],
)
def test_edits_that_touch_more_than_a_body_match_a_full_build(archive, tmp_path, path, text, why):
    build_with_report(archive, tmp_path)
    archive.write(path, text)
    result = build_with_report(archive, tmp_path)
    same_as_full_build(archive, tmp_path, result)
    reused = "reuse" in stages(result) and "dedupe" not in stages(result)
    assert reused == why.startswith("no change"), why


def test_a_new_file_or_a_changed_setting_builds_the_archive_again(archive, tmp_path):
    build_with_report(archive, tmp_path)
    archive.write("10.txt", header(10, body(10)))
    assert "dedupe" in stages(build_with_report(archive, tmp_path))
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


def test_the_preview_servers_cache_keeps_the_archive_in_memory_across_edits(archive, tmp_path):
    config = archive.config()
    cache = BuildCache(config, keep_in_memory=True)
    build(config, cwd=archive.root, cache=cache)
    for round in range(3):
        archive.write("4.txt", header(4, body(4, f"Update number {round}.\n")))
        archive.write("6.txt", header(6, body(6, f"Second update {round}.\n")))
        result = build(config, cwd=archive.root, cache=cache, report_path=tmp_path / "mine.json")
        assert "reuse" in stages(result) and "read" not in stages(result)
    assert not (config.cache_dir / "archive.pickle").exists()
    same_as_full_build(archive, tmp_path, result)


def test_after_an_edit_only_the_edits_are_kept_beside_the_archive(archive, tmp_path):
    build_with_report(archive, tmp_path)
    cache = archive.config().cache_dir
    kept = (cache / "archive.pickle").read_bytes()
    for round in range(3):
        archive.write("4.txt", header(4, body(4, f"Update number {round}.\n")))
        archive.write(f"{5 + round}.txt", header(5 + round, body(5 + round, f"One more line for story {5 + round}.\n")))
        result = build_with_report(archive, tmp_path)
        assert "reuse" in stages(result) and "read" not in stages(result)
        assert (cache / "archive.pickle").read_bytes() == kept
        assert len((cache / "archive-edits.pickle").read_bytes()) < len(kept) / 2
    same_as_full_build(archive, tmp_path, result)
    archive.write("10.txt", header(10, body(10)))  # a new file: the archive is built and kept in full again
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


def test_after_a_body_edit_only_the_pages_showing_it_are_keyed_again(archive, tmp_path, monkeypatch):
    from site_gen.render.pages import Renderer

    build_with_report(archive, tmp_path)
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
    archive.write("5.txt", header(5, body(5, "A correction.\n")))
    result = build_with_report(archive, tmp_path)
    # listings and feeds without article 5 keep their keys; those with it are keyed again
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
    assert "dedupe" in stages(result)
    same_as_full_build(archive, tmp_path, result)


@pytest.mark.parametrize("edited_becomes", ["a teaser", "a holder"])
def test_an_edit_that_makes_a_teaser_of_another_article_goes_through_dedupe(archive, tmp_path, edited_becomes):
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
    assert "dedupe" in stages(result)
    same_as_full_build(archive, tmp_path, result)
    [entry] = [e for e in json.loads((tmp_path / "mine.json").read_text())["inputs"] if e["path"] == merged]
    assert entry["status"] == "merged" and f"merged into {into}" in " ".join(m["message"] for m in entry["messages"])
