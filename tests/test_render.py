import xml.etree.ElementTree as ET
from collections import Counter

import jinja2.runtime
import pytest
from linkcheck import broken_links, links_of

from site_gen.build.cache import BuildCache
from site_gen.errors import SiteGenError
from site_gen.render import pages

ATOM = "{http://www.w3.org/2005/Atom}"


def header(date, url, title, *paras):
    return f"date {date} {url}\n{title}\n" + "\n".join(paras) + "\n"


def test_every_internal_link_is_relative_and_resolves(site):
    site.configure(paginate=2)
    for i in range(5):
        site.write(f"a{i}.txt", header(f"2025-0{i + 1}-01", f"https://gazette.example/{i}", f"Story {i}", "Body."))
    site.write("b.md", "---\ntitle: Tagged\ntags: [One, two]\n---\nText\n")
    site.build()
    assert broken_links(site.out) == []
    assert (site.out / "page" / "2" / "index.html").exists() and not (site.out / "page" / "3").exists()
    assert (site.out / "archive" / "2025" / "05" / "index.html").exists()
    assert (site.out / "archive" / "undated" / "index.html").exists()
    assert (site.out / "tags" / "one" / "index.html").exists()


def test_article_text_and_metadata_are_escaped_never_executed(site):
    site.write(
        "x.md",
        (
            "---\ntitle: \"<script>alert(1)</script> {{ 'pw' ~ 'ned' }}\"\ntags: [\"<b>t</b>\"]\n"
            "url: https://gazette.example/x\n---\n"
            "Hello {{ 'pw' ~ 'ned' }} {% if true %}x{% endif %}\n\n<script>alert(2)</script>\n\n"
            "[click](javascript:alert(3))\n"
        ),
    )
    site.write(
        "y.txt",
        header("2025-01-01", "https://gazette.example/y", "<img src=x onerror=alert(4)>", "<script>alert(5)</script>"),
    )
    site.build()
    pages = "".join(p.read_text() for p in site.out.rglob("*.html"))
    assert "<script>" not in pages and "<img src=x" not in pages and "<b>t</b>" not in pages
    assert "javascript:" not in "".join(links_of(pages))
    assert (
        "{{ &#39;pw&#39; ~ &#39;ned&#39; }}" in pages and "pwned" not in pages and "{% if true %}x{% endif %}" in pages
    )
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in pages


def test_markdown_is_rendered(site):
    site.write(
        "m.md",
        "---\ntitle: M\n---\nSome *emphasis* and a [link](https://example.org/).\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
    )
    site.build()
    [page] = [p for p in site.out.rglob("index.html") if "articles" in p.parts]
    html = page.read_text()
    assert "<em>emphasis</em>" in html and '<a href="https://example.org/">link</a>' in html and "<table>" in html


def test_feeds_and_sitemap(site):
    site.configure(base_url="https://archive.example.org/sub/")
    site.write("a.txt", header("2025-01-02", "https://gazette.example/a", "A story", "Body."))
    site.write("b.txt", "Undated\nBody\n")
    site.build()
    feed = ET.parse(site.out / "atom.xml").getroot()
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 1  # undated articles are not in feeds
    link = entries[0].find(f"{ATOM}link").get("href")
    assert link.startswith("https://archive.example.org/sub/articles/")
    outlet_feed = ET.parse(site.out / "outlets" / "gazette-example" / "atom.xml").getroot()
    assert len(outlet_feed.findall(f"{ATOM}entry")) == 1
    locs = [
        e.text
        for e in ET.parse(site.out / "sitemap.xml").getroot().iter("{http://www.sitemaps.org/schemas/sitemap/0.9}loc")
    ]
    assert "https://archive.example.org/sub/index.html" in locs and len(locs) == len(set(locs))
    assert all(loc.startswith("https://archive.example.org/sub/") for loc in locs)


SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"


def test_a_large_sitemap_is_an_index_of_parts_and_a_new_article_rewrites_one(site, monkeypatch):
    monkeypatch.setattr(pages, "SITEMAP_PART", 8)
    site.configure(base_url="https://archive.example.org/")
    for i in range(12):
        site.write(f"a{i}.txt", header(f"2025-01-{i + 1:02d}", f"https://gazette.example/{i}", f"Story {i}", "Body."))
    site.build()
    index = ET.parse(site.out / "sitemap.xml").getroot()
    assert index.tag == f"{SITEMAP}sitemapindex"
    names = [loc.text.removeprefix("https://archive.example.org/") for loc in index.iter(f"{SITEMAP}loc")]
    assert len(names) >= 3 and names == [f"sitemap-{n}.xml" for n in range(1, len(names) + 1)]

    def parts() -> dict[str, list[str]]:
        return {name: [loc.text for loc in ET.parse(site.out / name).getroot().iter(f"{SITEMAP}loc")] for name in names}

    before = parts()
    locations = [loc for part in before.values() for loc in part]
    assert len(locations) == len(set(locations)) and "https://archive.example.org/index.html" in locations
    assert all(before.values()) and max(map(len, before.values())) <= 16
    pages_before = {p.relative_to(site.out).as_posix() for p in site.out.rglob("*.html")}
    assert {"https://archive.example.org/" + p for p in pages_before} - {"https://archive.example.org/404.html"} <= set(
        locations
    )

    site.write("new.txt", header("2025-01-05", "https://gazette.example/new", "One more", "Body."))
    result = site.build()
    after = parts()
    [permalink] = [a.permalink for a in result.archive.articles if a.title == "One more"]
    [grown] = [name for name in names if after[name] != before[name]]
    assert set(after[grown]) - set(before[grown]) == {"https://archive.example.org/" + permalink}


def test_feed_links_are_relative_to_the_feed_without_base_url(site):
    site.write("a.txt", header("2025-01-02", "https://gazette.example/a", "A story", "Body."))
    site.build()
    feed = ET.parse(site.out / "outlets" / "gazette-example" / "atom.xml").getroot()
    href = feed.find(f"{ATOM}entry").find(f"{ATOM}link").get("href")
    assert href.startswith("../../articles/") and (site.out / "outlets" / "gazette-example" / href).resolve().is_file()


def test_a_site_theme_overrides_single_templates_and_static_files(site):
    theme = site.root / "mytheme"
    (theme / "templates").mkdir(parents=True)
    (theme / "static").mkdir()
    (theme / "templates" / "404.html").write_text(
        '{% extends "base.html" %}{% block content %}<p>Custom lost page</p>{% endblock %}'
    )
    (theme / "static" / "extra.css").write_text("p{}")
    site.configure(theme="mytheme")
    site.write("a.txt", "Title\nBody\n")
    site.build()
    assert "Custom lost page" in site.page("404.html")
    assert (site.out / "static" / "extra.css").exists() and (site.out / "static" / "style.css").exists()


def test_a_template_syntax_error_names_the_template_file_and_line(site):
    templates = site.root / "mytheme" / "templates"
    templates.mkdir(parents=True)
    (templates / "404.html").write_text('{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n')
    site.configure(theme="mytheme")
    site.write("a.txt", "Title\nBody\n")
    with pytest.raises(SiteGenError) as caught:
        site.build()
    assert (caught.value.path, caught.value.line) == (str(templates / "404.html"), 2)
    assert str(caught.value).startswith(f"{templates / '404.html'}:2: template error: ")


def test_provenance_block_shows_source_hash_and_removals(site):
    site.write(
        "a.txt", header("2025-01-02", "https://gazette.example/a", "Title", "Para one.", "Para two.", "Para one.")
    )
    result = site.build()
    article = result.archive.articles[0]
    html = site.page(article.permalink)
    assert article.sources[0].sha256 in html and "a.txt" in html
    assert "repeated-paragraph" in html and html.count("<p>Para one.</p>") == 1


def test_an_articles_summary_and_entries_are_made_once_per_build(site, monkeypatch):
    """Each article is listed on the home page, its outlet's, its tags', its year's and its month's pages
    and in their feeds: its summary is made once, and its list entry once per page depth."""
    summaries, macros = Counter(), Counter()
    summary = pages.summary
    monkeypatch.setattr(
        pages, "summary", lambda article, chars: summaries.update([article.id]) or summary(article, chars)
    )
    invoke = jinja2.runtime.Macro._invoke

    def counted(self, arguments, autoescape):
        if self.name in ("article_item", "feed_entry"):
            macros.update([(self.name, arguments[0].id, arguments[1])])
        return invoke(self, arguments, autoescape)

    monkeypatch.setattr(jinja2.runtime.Macro, "_invoke", counted)
    for i in range(3):
        site.write(
            f"a{i}.md",
            f"---\ntitle: T{i}\ndate: 2025-01-0{i + 1}\nurl: https://gazette.example/{i}\n"
            f"tags: [red, blue]\n---\nBody {i} with *emphasis*.\n",
        )
    result = site.build()
    ids = {a.id for a in result.archive.articles}
    assert summaries == Counter(ids)
    entries = {key: n for key, n in macros.items() if key[0] == "article_item"}
    assert set(entries.values()) == {1} and {(a, root) for _, a, root in entries} == {
        (a, root) for a in ids for root in ("", "../../", "../../../")
    }
    listed = [p for p in site.out.rglob("index.html") if p.read_text().count('<li class="item">') == 3]
    assert len(listed) == 6  # home, outlet, two tags, year, month: 18 entries from 9 made
    feeds = {key: n for key, n in macros.items() if key[0] == "feed_entry"}
    assert set(feeds.values()) == {1} and len(feeds) == 2 * len(ids)  # site feed; outlet and tag feeds


def test_pages_of_keeps_full_pages_from_the_oldest_and_the_rest_on_the_front_page():
    assert pages.pages_of(0, 3) == [(0, 0)]
    assert pages.pages_of(5, 3) == [(0, 5)]  # fewer than twice a page: one page
    assert pages.pages_of(6, 3) == [(0, 3), (3, 6)]
    assert pages.pages_of(8, 3) == [(0, 5), (5, 8)]
    assert pages.pages_of(9, 3) == [(0, 3), (6, 9), (3, 6)]
    for count in range(40):
        made = pages.pages_of(count, 4)
        shown = sorted(i for start, stop in made for i in range(start, stop))
        assert shown == list(range(count))  # every article once
        assert all(stop - start == 4 for start, stop in made[1:])
        assert 4 <= made[0][1] < 8 or (count < 8 and made == [(0, count)])


def test_a_new_article_changes_the_front_pages_of_its_listings_not_the_pages_kept(site):
    """Kept pages are counted from the oldest: a page's address and articles stay as the archive grows,
    so a link to page 2 of a listing still shows what it showed, and a new article rewrites little."""
    site.configure(paginate=2)
    for i in range(6):
        site.write(f"a{i}.txt", header(f"2025-01-{i + 1:02d}", f"https://gazette.example/{i}", f"Story {i}", "Body."))
    site.build()
    names = ("page/1/index.html", "page/2/index.html")
    kept = {p: site.page(p) for p in names}
    inodes = {p: (site.out / p).stat().st_ino for p in names}
    keys = {p: BuildCache(site.config()).load_state().manifest[p] for p in names}
    assert "Story 0" in kept["page/1/index.html"] and "Story 1" in kept["page/1/index.html"]
    assert "Page 2, counted from the oldest" in kept["page/2/index.html"]
    assert 'rel="prev" href="../../index.html"' in kept["page/2/index.html"]  # newer: the front page
    assert 'rel="next" href="page/2/index.html"' in site.page("index.html")
    site.write("a6.txt", header("2025-01-07", "https://gazette.example/6", "Story 6", "Body."))
    site.build()
    assert {p: site.page(p) for p in names} == kept
    assert {p: (site.out / p).stat().st_ino for p in names} == inodes  # not even written again
    state = BuildCache(site.config()).load_state()
    assert {p: state.manifest[p] for p in names} == keys  # nor rendered again (the home page's totals changed)
    assert "Story 6" in site.page("index.html") and not (site.out / "page" / "3").exists()
    site.write("a7.txt", header("2025-01-08", "https://gazette.example/7", "Story 7", "Body."))
    site.build()  # the front page would hold twice a page: a third kept page is made, and page 2 links to it
    assert "Story 4" in site.page("page/3/index.html") and "Story 5" in site.page("page/3/index.html")
    assert 'rel="prev" href="../../page/3/index.html"' in site.page("page/2/index.html")
    assert site.page("page/1/index.html") == kept["page/1/index.html"]
    assert broken_links(site.out) == []
