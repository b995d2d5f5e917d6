import datetime as dt

from site_gen.config import SiteConfig
from site_gen.model import Article, Outlet, SourceFile
from site_gen.render.archive import assemble
from site_gen.slugs import slugify

OUTLET = Outlet("gazette", "Gazette", "gazette.example")


def article(i: str, title: str, date=None, tags=(), path=None, slug="") -> Article:
    """As normalize makes it: the natural slug is made when the file is read."""
    return Article(
        i,
        title,
        date,
        None,
        ["p"],
        "text",
        [SourceFile(path or f"{i}.txt", "", 0, "utf-8")],
        "bare",
        outlet=OUTLET,
        tags=list(tags),
        requested_slug=slug,
        slug=slugify(slug or title),
    )


def test_order_is_newest_first_undated_last_and_independent_of_input_order(tmp_path):
    items = [
        article("b", "B", dt.date(2024, 1, 1)),
        article("a", "A"),
        article("c", "C", dt.date(2025, 1, 1)),
        article("d", "D", dt.date(2024, 1, 1)),
    ]
    first = [a.id for a in assemble(list(items), SiteConfig(root=tmp_path)).articles]
    second = [a.id for a in assemble(list(reversed(items)), SiteConfig(root=tmp_path)).articles]
    assert first == second == ["c", "b", "d", "a"]


def test_permalinks_are_unique_and_stable(tmp_path):
    day = dt.date(2025, 3, 14)
    items = [
        article("id1", "Same title", day),
        article("id2", "Same title", day),
        article("id3", "Other", None, slug="My Slug!"),
    ]
    archive = assemble(items, SiteConfig(root=tmp_path))
    links = {a.id: a.permalink for a in archive.articles}
    assert links["id1"] == "articles/gazette/2025/03/same-title/index.html"
    assert links["id2"] == "articles/gazette/2025/03/same-title-id2/index.html"
    assert links["id3"] == "articles/gazette/undated/my-slug/index.html"


def test_tags_merge_case_variants_and_get_collision_free_slugs(tmp_path):
    items = [
        article("1", "a", tags=["Markets", "C++"]),
        article("2", "b", tags=["markets", "C"]),
        article("3", "c", tags=["markets"]),
    ]
    archive = assemble(items, SiteConfig(root=tmp_path))
    assert set(archive.tags) == {"markets", "C++", "C"}
    assert all(a.tags[0] == "markets" for a in archive.articles)
    slugs = sorted(t.slug for t in archive.tags.values())
    assert len(set(slugs)) == 3 and "markets" in slugs and "c" in slugs


def test_duplicate_ids_are_kept_apart(tmp_path):
    archive = assemble(
        [article("x", "One", path="a.txt"), article("x", "Two", path="b.txt")], SiteConfig(root=tmp_path)
    )
    assert len({a.id for a in archive.articles}) == 2


def test_articles_never_take_the_place_of_the_sites_own_pages(site):
    # a custom permalink at the site root: titles "Index", "404", "Tags" would name the home, 404 and tags pages
    site.configure(permalink="{slug}.html")
    for title in ("Index", "404", "Tags", "Plain"):
        site.write(f"{title}.txt", f"{title}\nThe article called {title}.\n")
    result = site.build()
    links = {a.title: a.permalink for a in result.archive.articles}
    assert links["Plain"] == "plain.html" and links["Index"].startswith("index-") and links["404"].startswith("404-")
    assert "Latest articles" in site.page("index.html") and "Page not found" in site.page("404.html")
    for title, link in links.items():
        assert f"The article called {title}." in site.page(link)
    # a merged copy titled "Index" leaves a redirect page where its own page would have been: not on the home page
    body = " ".join(f"word{i}" for i in range(40))
    site.write("long.txt", f"date 2025-01-02 https://gazette.example/a\nLong copy\n{body} and more\n")
    site.write("short.txt", f"date 2025-01-02 https://gazette.example/a?utm_source=x\nIndex\n{body}\n")
    merged = site.build()
    [copy] = [d for a in merged.archive.articles for d in a.duplicates]
    assert copy.permalink.startswith("index-") and 'http-equiv="refresh"' in site.page(copy.permalink)
    assert "Latest articles" in site.page("index.html")
    site.configure(permalink="{slug}/")
    result = site.build()
    assert {a.title: a.permalink for a in result.archive.articles}["Tags"].startswith("tags-")
    assert "The article called" not in site.page("tags/index.html")


def test_articles_of_one_outlet_share_its_object(tmp_path):
    """Each article read in a worker comes back with its own copy of its outlet: the archive keeps one per
    outlet (in memory, and once in the cache's pickles); an outlet that differs keeps its own."""
    items = [article(i, i.upper(), dt.date(2025, 1, 3 - n)) for n, i in enumerate("abc")]  # a is the newest
    items[1].outlet = Outlet("gazette", "Gazette", "gazette.example")  # equal, another object
    items[2].outlet = Outlet("gazette", "Gazette (renamed)", "gazette.example")
    made = assemble(items, SiteConfig(root=tmp_path))
    by_id = {a.id: a for a in made.articles}
    assert by_id["b"].outlet is by_id["a"].outlet is made.outlets["gazette"]
    assert by_id["c"].outlet.name == "Gazette (renamed)"
