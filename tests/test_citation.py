"""The "cite this" block: fields, permalink form, retrieval date from the front matter."""

from __future__ import annotations

import datetime as dt

from site_gen.render.citation import cite, retrieval_date


def test_citation_names_outlet_title_date_urls_hash_and_retrieval(site):
    site.configure(base_url="https://archive.example.org/sub/")
    site.write(
        "a.md",
        (
            "---\ntitle: Bridge to close\ndate: 2025-03-14\nurl: https://harbourgazette.example/bridge\n"
            "retrieved: 2025-03-15\n---\nBody\n"
        ),
    )
    [article] = site.build().archive.articles
    c = cite(article, "https://archive.example.org/sub/")
    assert c.permalink == "https://archive.example.org/sub/" + article.permalink
    assert c.text() == (
        "harbourgazette.example. “Bridge to close”. 2025-03-14. https://harbourgazette.example/bridge."
        " Retrieved 2025-03-15. "
        f"Archived copy: https://archive.example.org/sub/{article.permalink}"
        f" (source SHA-256 {article.sources[0].sha256})."
    )
    page = site.page(article.permalink)
    assert f'<p class="cite-text" id="cite-text" data-copy="Copy citation">{c.text()}</p>' in page
    assert '<script src="../../../../../static/cite.js" defer></script>' in page


def test_without_base_url_the_permalink_is_the_path_in_the_site_and_undated_says_so(site):
    site.write("a.txt", "Untitled letter\nBody\n")
    [article] = site.build().archive.articles
    c = cite(article, "")
    assert c.permalink == article.permalink and not c.permalink.startswith(("/", "http"))
    assert c.date == "undated" and c.url is None and c.retrieved is None
    assert "Retrieved" not in c.text() and "undated." in c.text()


def test_retrieval_date_from_common_scraper_keys():
    assert retrieval_date({"scraped_at": "2018-01-25 16:17:44.789555"}) == "2018-01-25"
    assert retrieval_date({"retrieved": dt.date(2024, 5, 1)}) == "2024-05-01"
    assert retrieval_date({"fetched_at": dt.datetime(2024, 5, 1, 23, 59)}) == "2024-05-01"
    assert retrieval_date({"accessed": "spring 2019"}) == "spring 2019"
    assert retrieval_date({"retrieved": "", "crawled_at": "2020-02-02T10:00:00Z"}) == "2020-02-02"
    assert retrieval_date({"author": "x"}) is None


def test_sample_archive_cites_the_scrape_date_of_corpus_articles(sample_build):
    pages = [p.read_text(encoding="utf-8") for p in (sample_build / "public" / "articles").rglob("index.html")]
    pages = [p for p in pages if 'http-equiv="refresh"' not in p]  # redirect pages of merged copies cite nothing
    cited = [p for p in pages if "Retrieved 2018-01-25." in p]
    assert len(cited) == 3
    assert all("Archived copy: https://archive.example.org/articles/" in p for p in pages)
