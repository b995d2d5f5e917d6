"""Dedupe end to end: real files built into a real site, and the clusters behind it."""

import json
import random
import re
from pathlib import Path

import pytest

from site_gen.build.pipeline import collect_inputs
from site_gen.config import DedupeSettings
from site_gen.dedupe import delta
from site_gen.dedupe.clusters import Memo, find_clusters
from site_gen.dedupe.minhash import MAX_ANCHORED

WORDS = [
    "harbour",
    "council",
    "bridge",
    "ferry",
    "quay",
    "tide",
    "budget",
    "vote",
    "crew",
    "night",
    "market",
    "storm",
    "school",
    "museum",
    "library",
    "road",
]


def paragraphs(seed: int, count: int = 6, words: int = 30) -> list[str]:
    rng = random.Random(seed)
    return [
        " ".join(rng.choice(WORDS) + str(rng.randrange(500)) for _ in range(words)).capitalize() + "."
        for _ in range(count)
    ]


def header(date: str, url: str, title: str, body: list[str]) -> str:
    return f"date {date} {url}\n{title}\n\n" + "\n".join(body) + "\n"


def article_of(report: dict, path: str) -> dict:
    [article] = [a for a in report["articles"] if a["source_paths"][0] == path]
    return article


def test_same_url_copies_merge_and_keep_the_text_only_one_of_them_has(site):
    body = paragraphs(1)
    changed = [*body[:3], "A sentence that only the rescrape carries, word for word.", *body[3:]]
    site.write("a.txt", header("2025-03-14", "https://gazette.example/news/bridge", "Bridge to close", body))
    site.write(
        "b.txt",
        header(
            "2025-03-15",
            "https://www.gazette.example/news/bridge?utm_source=x&fbclid=y#top",
            "Bridge to close (updated)",
            changed,
        ),
    )
    result = site.build(report_path=site.root / "r.json")
    report = json.loads((site.root / "r.json").read_text())
    assert site.entry(result, "a.txt")["status"] == "merged" and site.entry(result, "b.txt")["status"] == "rendered"
    canonical = article_of(report, "b.txt")  # more words: the more complete copy wins
    assert site.entry(result, "a.txt")["article_id"] == canonical["id"] and canonical["source_paths"] == [
        "b.txt",
        "a.txt",
    ]
    [copy] = canonical["duplicates"]
    assert copy["reason"] == "same-url" and 0.8 < copy["score"] < 1 and copy["only_here"] == []
    assert "merged into b.txt (same-url" in site.entry(result, "a.txt")["messages"][0]["message"]
    assert report["stats"]["by_status"]["merged"] == 1 and "1 merged" in result.summary(site.out)
    # The other way round: the shorter copy is canonical only if it has more words; here a's extra paragraph is kept.
    site.write(
        "a.txt",
        header(
            "2025-03-14",
            "https://gazette.example/news/bridge",
            "Bridge to close",
            [*body, "Only a has this closing line about the ferry timetable."],
        ),
    )
    site.build(report_path=site.root / "r.json")
    report = json.loads((site.root / "r.json").read_text())
    page = site.page(article_of(report, "a.txt")["permalink"])
    assert "Paragraphs only in this copy" in page and "A sentence that only the rescrape carries" in page


def test_same_text_under_another_headline_leaves_a_redirect_at_its_own_address(site):
    body = paragraphs(2)
    site.write("first.txt", header("2025-01-22", "https://gazette.example/a", "Council keeps the night buses", body))
    site.write("second.txt", header("2025-01-23", "https://gazette.example/b", "Night buses saved", body))
    result = site.build(report_path=site.root / "r.json")
    report = json.loads((site.root / "r.json").read_text())
    canonical = article_of(report, "first.txt")  # same words: the earlier date wins
    [copy] = canonical["duplicates"]
    assert copy["reason"] == "same-text" and copy["score"] == 1.0 and copy["title"] == "Night buses saved"
    assert copy["permalink"].endswith("/2025/01/night-buses-saved/index.html")
    redirect = site.page(copy["permalink"])
    target = "../" * copy["permalink"].count("/") + canonical["permalink"]
    assert f'<meta http-equiv="refresh" content="0; url={target}">' in redirect
    assert f'<a href="{target}">Council keeps the night buses</a>' in redirect
    assert (
        "<script" not in redirect
        and (site.out / copy["permalink"]).parent.joinpath(target).resolve()
        == (site.out / canonical["permalink"]).resolve()
    )
    assert copy["permalink"] not in (site.out / "sitemap.xml").read_text()
    html = site.page(canonical["permalink"])
    assert (
        "Also archived as" in html
        and "second.txt" in html
        and "https://gazette.example/b" in html
        and "2025-01-23" in html
    )
    assert len(result.archive.articles) == 1


def test_truncated_copy_is_caught_by_containment_but_a_quoted_sentence_is_not(site):
    body = paragraphs(3, count=8)
    site.write("full.txt", header("2025-02-01", "https://gazette.example/full", "Storm damage", body))
    site.write("cut.txt", header("2025-02-01", "https://gazette.example/cut", "Storm damage (short)", body[:3]))
    site.write(
        "quote.txt",
        header(
            "2025-02-02", "https://gazette.example/quote", "Letters", [body[5][:150], *paragraphs(4, count=1, words=8)]
        ),
    )
    result = site.build(report_path=site.root / "r.json")
    assert (
        site.entry(result, "cut.txt")["status"] == "merged" and site.entry(result, "quote.txt")["status"] == "rendered"
    )
    [copy] = article_of(json.loads((site.root / "r.json").read_text()), "full.txt")["duplicates"]
    assert copy["reason"] == "near-duplicate" and copy["containment"] == 1.0 and copy["score"] < 0.5


def test_teasers_and_excerpts_are_found_however_small_a_part_they_are(site):
    """A tenth of a long story (its first paragraphs, or a run from its middle) has a Jaccard
    similarity of about 0.1 with it, too low for LSH: shared anchors find it."""
    body = paragraphs(21, count=30)  # 900 words
    middle = " ".join(" ".join(body[12:16]).split()[17:110])  # starts inside a paragraph, ends inside another
    site.write("gazette/full.txt", header("2025-05-01", "https://gazette.example/full", "Harbour plan", body))
    site.write("gazette/teaser.txt", header("2025-05-01", "https://gazette.example/t", "Harbour plan", body[:3]))
    site.write("wire/teaser.txt", header("2025-05-02", "https://wire.example/t", "Harbour plan in brief", body[:4]))
    site.write("digest/excerpt.txt", header("2025-05-03", "https://digest.example/e", "From the papers", [middle]))
    site.write("gazette/other.txt", header("2025-05-01", "https://gazette.example/o", "Budget", paragraphs(22)))
    result = site.build(report_path=site.root / "r.json")
    report = json.loads((site.root / "r.json").read_text())
    assert [e["path"] for e in report["inputs"] if e["status"] == "merged"] == ["gazette/teaser.txt"]
    full = article_of(report, "gazette/full.txt")
    by_path = {d["path"]: d for d in full["duplicates"]}
    assert set(by_path) == {"gazette/teaser.txt", "wire/teaser.txt", "digest/excerpt.txt"}
    teaser = by_path["gazette/teaser.txt"]
    assert teaser["reason"] == "near-duplicate" and teaser["containment"] == 1.0 and teaser["score"] < 0.15
    for linked in ("wire/teaser.txt", "digest/excerpt.txt"):
        assert by_path[linked]["reason"] == "cross-outlet-copy" and by_path[linked]["containment"] == 1.0
        [back] = article_of(report, linked)["duplicates"]
        assert back["path"] == "gazette/full.txt" and back["permalink"] == full["permalink"]
    assert article_of(report, "gazette/other.txt")["duplicates"] == [] and len(result.archive.articles) == 4


def test_copies_at_two_outlets_keep_their_pages_and_link_each_other(site):
    body = paragraphs(5)
    site.write("gazette/a.txt", header("2025-03-14", "https://gazette.example/bridge", "Bridge to close", body))
    site.write(
        "wire/b.txt",
        header(
            "2025-03-14", "https://wire.example/bridge", "Swing bridge shuts", [*body[:-1], "(Reporting by Wire staff)"]
        ),
    )
    result = site.build(report_path=site.root / "r.json")
    report = json.loads((site.root / "r.json").read_text())
    a, b = article_of(report, "gazette/a.txt"), article_of(report, "wire/b.txt")
    assert {e["status"] for e in report["inputs"]} == {"rendered"} and len(result.archive.articles) == 2
    assert a["duplicates"][0]["reason"] == b["duplicates"][0]["reason"] == "cross-outlet-copy"
    assert a["duplicates"][0]["permalink"] == b["permalink"] and b["duplicates"][0]["permalink"] == a["permalink"]
    page = site.page(a["permalink"])
    href = re.search(r'<a href="([^"]+)">Swing bridge shuts</a>', page).group(1)
    assert (site.out / a["permalink"]).parent.joinpath(href).resolve() == (site.out / b["permalink"]).resolve()


def test_different_stories_stay_apart(site):
    shared = paragraphs(6, count=2)
    site.write(
        "a.txt",
        header(
            "2025-04-01", "https://gazette.example/1", "Wolves appoint new manager", shared + paragraphs(7, count=4)
        ),
    )
    site.write(
        "b.txt",
        header(
            "2025-04-01", "https://gazette.example/2", "Wolves appoint new manager", shared + paragraphs(8, count=4)
        ),
    )
    site.write("c.txt", "Short\nBody\n")
    site.write("d.txt", "Another\nBody\n")  # same text, but two words are not evidence
    result = site.build()
    assert {e.status for e in result.inputs} == {"rendered"} and len(result.archive.articles) == 4


def test_disabled_dedupe_merges_nothing(site):
    body = paragraphs(9)
    site.write("a.txt", header("2025-01-01", "https://gazette.example/a", "A", body))
    site.write("b.txt", header("2025-01-02", "https://gazette.example/b", "B", body))
    site.configure(dedupe={"enabled": False})
    assert {e.status for e in site.build().inputs} == {"rendered"}


def test_canonical_choices_do_not_depend_on_file_order(site):
    rng = random.Random(10)
    bodies = [paragraphs(20 + i) for i in range(6)]
    for i in range(24):
        body = list(bodies[i % 6])
        if i % 4 == 1:
            body = body[:4]
        elif i % 4 == 2:
            body[0] = body[0].replace("e", "a", 3)
        site.write(
            f"{rng.choice('abc')}/{i:02d}.txt",
            header(f"2025-01-{1 + i % 3:02d}", f"https://o{i % 2}.example/{i % 6}/{i}", f"Story {i % 6}", body),
        )
    config = site.config()
    articles = [e.article for e in collect_inputs(config) if e.article]

    def decisions(items):
        return [
            [(p.canonical.sources[0].path, [(a.sources[0].path, link) for a, link in p.merged]) for p in c.pages]
            for c in find_clusters(items, DedupeSettings())
        ]

    expected = decisions(articles)
    assert len(expected) == 6
    for seed in range(3):
        shuffled = list(articles)
        random.Random(seed).shuffle(shuffled)
        assert decisions(shuffled) == expected
    site.build()
    first = {p: p.read_bytes() for p in site.out.rglob("*.html")}
    site.build(full=True)  # read and decide again from scratch
    assert {p: p.read_bytes() for p in site.out.rglob("*.html")} == first


def test_the_sample_shows_every_kind_of_duplicate(sample_build: Path):
    report = json.loads((sample_build / "report.json").read_text())
    reasons = {d["reason"] for a in report["articles"] for d in a["duplicates"]}
    assert reasons == {"same-url", "same-text", "near-duplicate", "cross-outlet-copy"}
    merged = [e for e in report["inputs"] if e["status"] == "merged"]
    ids = {a["id"] for a in report["articles"]}
    assert len(merged) == 3 and all(e["article_id"] in ids for e in merged)
    [bridge] = [
        a
        for a in report["articles"]
        if a["source_paths"][0] == "scraped/harbourgazette/2025-03-14-swing-bridge-to-close.txt"
    ]
    [rescrape] = [d for d in bridge["duplicates"] if d["reason"] == "same-url"]
    assert rescrape["only_here"] == [
        (
            "The bridge, which opened in 1894, last had its mechanism overhauled in 1972."
            " Inspectors found cracks in two of the four drive pinions during a routine survey in March."
        )
    ]


@pytest.mark.browser
def test_a_redirect_page_leads_to_the_canonical_page_from_disk_and_under_a_sub_path(
    sample_build: Path, page, http_root
):
    report = json.loads((sample_build / "report.json").read_text())
    [(canonical, copy)] = [(a, d) for a in report["articles"] for d in a["duplicates"] if d["reason"] == "same-text"]
    public = sample_build / "public"
    for base in (public.as_uri() + "/", http_root(sample_build, "public/")):
        page.goto(base + copy["permalink"])
        page.wait_for_url(base + canonical["permalink"])
        assert page.locator("h1").inner_text() == canonical["title"]
        assert "Also archived as" in page.content()
    assert page.console_errors == []


def test_the_memo_gives_the_same_decisions_and_follows_changed_texts(site):
    body = paragraphs(12)
    site.write("a.txt", header("2025-01-01", "https://gazette.example/a", "A", body))
    site.write("b.txt", header("2025-01-02", "https://gazette.example/b", "B", body[:-1]))
    site.write("c.txt", header("2025-01-03", "https://gazette.example/c", "C", paragraphs(15)))
    articles = [e.article for e in collect_inputs(site.config()) if e.article]
    memo = Memo()

    def decisions():
        return [
            [(p.canonical.sources[0].path, sorted(a.sources[0].path for a, _ in p.merged)) for p in c.pages]
            for c in find_clusters(articles, DedupeSettings(), memo=memo)
        ]

    first = decisions()
    assert first == [[("a.txt", ["b.txt"])]] and len(memo.hashes) == 3 and memo.measured
    assert decisions() == first  # every fingerprint and measurement from the memo
    old = set(memo.hashes)
    articles[2].paragraphs = body  # c now carries a's text
    assert decisions() == [[("a.txt", ["b.txt", "c.txt"])]]
    assert (
        len(old - set(memo.hashes)) == 1 and len(memo.hashes) == 3
    )  # c's old text is forgotten; a and c now share one


def test_an_edited_text_that_becomes_a_teaser_or_joins_a_crowded_anchor_is_not_alone(site):
    """The delta (the reuse of the last archive after an edit) checks the memo's anchors too."""
    long, shared = paragraphs(30, count=30), paragraphs(32, count=3)
    site.write("long.txt", header("2025-01-01", "https://gazette.example/long", "Long", long))
    site.write("x.txt", header("2025-01-02", "https://gazette.example/x", "X", paragraphs(31)))
    for n in range(MAX_ANCHORED):  # one passage quoted by many articles of their own
        site.write(
            f"crowd/{n}.txt", header("2025-01-03", f"https://o{n}.example/c", "C", [*shared, *paragraphs(100 + n)])
        )
    articles = {e.article.sources[0].path: e.article for e in collect_inputs(site.config()) if e.article}
    settings, memo = DedupeSettings(), Memo()
    find_clusters(list(articles.values()), settings, memo=memo)
    x = articles["x.txt"]

    def alone_with(body: list[str]) -> bool:  # joins nothing: then its row follows the edit
        x.paragraphs = body
        found = delta.joins(memo, ["x.txt"], [x], settings, lambda path: articles[path].paragraphs)
        if found is None or found.any:
            return False
        delta.splice(memo, ["x.txt"], [x], found.prints)
        return True

    assert not alone_with(long[:3])  # a tenth of long.txt: Jaccard 0.1, no LSH candidate
    assert alone_with(paragraphs(33))
    assert not alone_with([*shared, *paragraphs(34, count=12)])  # would join the crowded anchors' chain
    assert alone_with(paragraphs(35))
