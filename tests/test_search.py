"""The search stage of a build: what it redoes, when it forks, and how it fails."""

import json
import time
from dataclasses import replace

import pytest

from site_gen import parallel
from site_gen.build import stages
from site_gen.errors import SiteGenError
from site_gen.render.keys import article_keys
from site_gen.search import SearchJob, export, index


def write_articles(site, count=12):
    for i in range(count):
        site.write(
            f"{i}.txt",
            f"date 2024-0{i % 9 + 1}-01 https://example.org/{i}\nStory {i}\nWords about harbour number{i}.\n",
        )


def export_files(site):
    return {p.relative_to(site.out).as_posix(): p.read_bytes() for p in (site.out / "search").rglob("*.js")}


def test_a_rebuild_with_nothing_searchable_changed_copies_the_previous_export(site, monkeypatch):
    write_articles(site)
    site.build()
    first = export_files(site)
    stamp = (site.root / ".site-gen-cache" / "search" / "export.json").read_text()
    monkeypatch.setattr(export, "export", lambda *a, **k: pytest.fail("exported again"))
    site.configure(title="A new title")  # the pages change, the search index does not
    site.build()
    assert export_files(site) == first
    assert (site.root / ".site-gen-cache" / "search" / "export.json").read_text() == stamp
    assert "A new title" in site.page("search/index.html")


def test_the_copy_of_the_export_follows_each_build_and_is_made_anew_when_it_does_not_match(site, monkeypatch):
    cache = site.root / ".site-gen-cache" / "search"

    def copy():
        return {p.relative_to(cache / "export").as_posix(): p.read_bytes() for p in (cache / "export").rglob("*.js")}

    write_articles(site)
    site.build()
    folder = (cache / "export").stat().st_ino
    site.write("3.txt", "date 2024-04-01 https://example.org/3\nStory 3\nNow it is about a narwhal.\n")
    site.write("40.txt", "date 2024-05-01 https://example.org/40\nStory 40\nA new one about an octopus.\n")
    (site.content / "5.txt").unlink()
    site.build()
    assert copy() == {rel.removeprefix("search/"): data for rel, data in export_files(site).items()}
    assert (cache / "export").stat().st_ino == folder  # brought up to date, not made again
    stamp = json.loads((cache / "export.json").read_text())
    assert stamp["files"] == {rel: (cache / "export" / rel).stat().st_size for rel in stamp["files"]}
    # a copy that is not the live export's (a file replaced behind its back) is made again in full
    some = next((cache / "export").rglob("*.js"))
    some.unlink()
    some.write_bytes(b"stale")
    site.write("41.txt", "date 2024-05-02 https://example.org/41\nStory 41\nAbout a squid.\n")
    site.build()
    assert copy() == {rel.removeprefix("search/"): data for rel, data in export_files(site).items()}
    assert (cache / "export").stat().st_ino != folder


def test_an_edited_article_is_searchable_after_the_rebuild(site):
    write_articles(site)
    site.build()
    first = export_files(site)
    site.write("3.txt", "date 2024-04-01 https://example.org/3\nStory 3\nNow it is about a narwhal.\n")
    site.build()
    assert export_files(site) != first
    assert any(
        '"narwhal"' in data.decode() for name, data in export_files(site).items() if name.startswith("search/t/")
    )
    assert [r["title"] for r in index.query(site.config(), "narwhal")] == ["Story 3"]


def test_big_archives_index_in_a_process_of_their_own_with_the_same_result(site, monkeypatch):
    write_articles(site, 30)
    site.build()
    alone = export_files(site)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    forked = []
    enter = SearchJob.__enter__

    def spy(job):
        entered = enter(job)
        forked.append(job.process is not None)
        return entered

    monkeypatch.setattr(SearchJob, "__enter__", spy)
    site.configure(jobs=2, cache_dir="other-cache")
    site.build()
    assert forked == [True]
    assert export_files(site) == alone
    assert len(index.query(site.config(), "harbour", limit=100)) == 30


def test_pages_give_way_to_a_whoosh_rebuild_in_a_process_of_its_own(site, monkeypatch):
    """A cold build's whoosh index is its longest work: the render workers run niced beside it, not beside an
    update in place (which the site does not wait for)."""
    write_articles(site, 30)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    site.configure(jobs=2)
    niceness = []
    run = parallel.run

    def spy(func, items, state, jobs, **kwargs):
        if func is stages._render_chunk:
            niceness.append(kwargs.get("nice", 0))
        return run(func, items, state, jobs, **kwargs)

    monkeypatch.setattr(parallel, "run", spy)
    site.build()
    site.write("new.txt", "date 2024-05-02 https://example.org/new\nStory new\nAbout a squid.\n")
    site.build()
    assert niceness == [stages.RENDER_NICE, 0]
    assert [r["title"] for r in index.query(site.config(), "squid")] == ["Story new"]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_search_index_that_cannot_be_written_fails_the_build_and_keeps_the_site(site, monkeypatch, jobs):
    write_articles(site, 12)
    site.build()
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    (site.root / "blocked").write_text("a file where the cache folder should be")
    site.configure(cache_dir="blocked", jobs=jobs)
    site.write("new.txt", "New one\nBody.\n")
    with pytest.raises(SiteGenError, match="search index"):
        site.build()
    assert "New one" not in site.page("index.html")


@pytest.mark.parametrize("jobs", [1, 2])
def test_an_edit_goes_live_before_the_whoosh_update_whose_failure_is_reported(site, monkeypatch, jobs):
    """An update in place of the whoosh index is not needed by the static site: it runs after the
    output is live. If it fails, the build says so (the site being published) and the next build updates it."""
    write_articles(site, 12)
    site.configure(jobs=jobs)
    page = next(a.permalink for a in site.build().archive.articles if a.title == "Story 0")
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    site.write("0.txt", site.content.joinpath("0.txt").read_text() + "A cormorant dives.\n")
    update = index.update
    live: list[bool] = []

    def failing(*args, **kwargs):
        live.append("cormorant" in site.page(page))  # seen only in this process (jobs=1)
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(index, "update", failing)
    with pytest.raises(
        SiteGenError,
        match=(
            "site was published, but the index for site-gen search was not updated:"
            " cannot write the search index: No space left"
        ),
    ):
        site.build()
    assert "cormorant" in site.page(page) and live == ([True] if jobs == 1 else [])
    monkeypatch.setattr(index, "update", update)
    site.build()
    assert [hit["title"] for hit in index.query(site.config(), "cormorant")] == ["Story 0"]


def test_the_key_search_decides_by_covers_everything_search_shows(site):
    write_articles(site, 1)
    [article] = site.build().archive.articles
    before = article_keys([article])[article.id]
    changes = (
        lambda a: setattr(a, "title", "Other"),
        lambda a: a.tags.append("new"),
        lambda a: setattr(a, "permalink", "x/index.html"),
        lambda a: a.paragraphs.append("More."),
        lambda a: setattr(a, "language", "de"),
        lambda a: setattr(a, "markup", "markdown"),
        lambda a: setattr(a, "outlet", replace(a.outlet, name="Renamed")),
        lambda a: setattr(a, "sources", [replace(a.sources[0], path="moved.txt")]),
    )
    for change in changes:
        change(article)
        after = article_keys([article])[article.id]
        assert after != before
        before = after


def test_report_counts_the_search_files(site):
    write_articles(site, 3)
    site.build(report_path=site.root / "report.json")
    stats = json.loads((site.root / "report.json").read_text())["stats"]
    assert "search" in stats["stages"]
    assert stats["files_written"] >= len(export_files(site)) + 3


def test_a_failed_render_ends_the_search_process_and_its_workers(site, monkeypatch):
    import os

    from site_gen.build import stages as build_module

    write_articles(site, 30)
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 10)
    started = []
    enter = SearchJob.__enter__

    def spy(job):
        entered = enter(job)
        started.append(job.process.pid)
        return entered

    def broken_render(*args):
        raise SiteGenError("render failed")

    monkeypatch.setattr(SearchJob, "__enter__", spy)
    monkeypatch.setattr(build_module, "render_site", broken_render)
    site.configure(jobs=2)
    with pytest.raises(SiteGenError, match="render failed"):
        site.build()
    [pid] = started
    # the search process and everything it started end: its workers take SIGTERM (or PDEATHSIG) on their own
    # time, a moment later on a loaded machine, so wait for the group to be empty (bounded)
    deadline = time.monotonic() + 10
    with pytest.raises(ProcessLookupError):
        while time.monotonic() < deadline:
            os.killpg(pid, 0)
            time.sleep(0.05)
