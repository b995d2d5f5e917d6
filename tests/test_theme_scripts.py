"""The theme's scripts and print stylesheet in headless Chromium: sortable outlets table, copy button,
timeline links, print. Each enhancement is checked with JavaScript off as well: nothing is lost."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


def outlets_column(page, index: int) -> list[str]:
    return page.eval_on_selector_all("table.outlets tbody tr", f"rows => rows.map(r => r.cells[{index}].dataset.value)")


def test_outlets_table_sorts_by_any_column_and_says_how(page, sample_build):
    page.goto((sample_build / "public" / "outlets" / "index.html").as_uri())
    names = outlets_column(page, 0)
    assert names == sorted(names, key=str.casefold)
    articles = page.get_by_role("button", name="Articles")
    articles.click()
    counts = [int(v) for v in outlets_column(page, 4)]
    assert counts == sorted(counts, reverse=True) and counts[0] > counts[-1]
    assert page.locator("th[aria-sort]").count() == 1
    assert page.locator("th", has=articles).get_attribute("aria-sort") == "descending"
    articles.click()
    assert [int(v) for v in outlets_column(page, 4)] == sorted(counts)
    page.get_by_role("button", name="First").click()
    firsts = outlets_column(page, 5)
    dated = [d for d in firsts if d]
    assert dated == sorted(dated) and firsts[len(dated) :] == [""] * (len(firsts) - len(dated)), (
        "undated outlets go last"
    )
    assert (
        page.locator("caption").inner_text() == "Outlets and their articles in this archive, sorted by First, ascending"
    )
    outlet = page.get_by_role("button", name="Outlet")
    outlet.click()
    assert outlets_column(page, 0) == names
    outlet.click()
    assert outlets_column(page, 0) == names[::-1]
    assert page.console_errors == []


def test_outlets_table_is_complete_without_javascript(browser, sample_build):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((sample_build / "public" / "outlets" / "index.html").as_uri())
    assert page.locator("table.outlets button").count() == 0
    assert page.locator("th[aria-sort=ascending]").inner_text() == "Outlet"
    rows = page.locator("table.outlets tbody tr")
    assert rows.count() == 12
    page.get_by_role("link", name="North Wire").click()
    assert page.url.endswith("/outlets/north-wire/index.html")
    context.close()


def article_page(public, outlet: str = "north-wire"):
    """The sample's March 2025 article of the outlet (a day with articles from two outlets)."""
    return sorted(public.glob(f"articles/{outlet}/2025/03/*swing-bridge*/index.html"))[0]


def test_copy_button_copies_the_citation(browser, sample_build, http_root):
    base = http_root(sample_build / "public")
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    page.goto(base + article_page(sample_build / "public").relative_to(sample_build / "public").as_posix())
    text = page.locator(".cite-text").inner_text()
    assert text.startswith("North Wire. “") and "SHA-256" in text
    page.get_by_role("button", name="Copy citation").click()
    page.get_by_role("status").filter(has_text="Copied").wait_for()
    assert page.evaluate("navigator.clipboard.readText()") == text
    context.close()


def test_without_clipboard_api_the_copy_button_selects_the_text(browser, sample_build):
    context = browser.new_context()
    context.add_init_script("Object.defineProperty(navigator, 'clipboard', {value: undefined})")
    page = context.new_page()
    page.goto(article_page(sample_build / "public").as_uri())
    page.get_by_role("button", name="Copy citation").click()
    assert page.evaluate("getSelection().toString()") == page.locator(".cite-text").inner_text()
    assert page.get_by_role("status").inner_text() != ""
    context.close()


def test_citation_is_there_to_select_without_javascript(browser, sample_build):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(article_page(sample_build / "public").as_uri())
    cite = page.locator(".cite-text")
    assert cite.is_visible() and "Archived copy: https://archive.example.org/articles/north-wire/" in cite.inner_text()
    assert page.get_by_role("button", name="Copy citation").count() == 0  # the copy button is made by the script
    assert cite.evaluate("el => getComputedStyle(el).userSelect") == "all"
    cite.click()
    assert page.evaluate("getSelection().toString()") == cite.inner_text()
    context.close()


def test_timeline_bars_lead_to_month_pages(page, sample_build):
    page.goto((sample_build / "public" / "index.html").as_uri())
    bar = page.get_by_role("link", name="March 2025: 3 articles")
    bar.click()
    assert page.url.endswith("/archive/2025/03/index.html")
    assert page.locator("ol.items > li").count() == 3
    assert page.console_errors == []


def test_print_shows_the_article_and_its_provenance_only(page, sample_build):
    page.goto(article_page(sample_build / "public", "the-harbour-gazette").as_uri())
    page.emulate_media(media="print")
    for hidden in (".site-header", ".site-footer", ".neighbours", ".same-day", ".copy-actions"):
        assert not page.locator(hidden).is_visible(), hidden
    for shown in ("h1", ".article-body", ".provenance", ".cite-text"):
        assert page.locator(shown).first.is_visible(), shown
    # What normalization removed is printed even though it is folded away on screen.
    sample = page.locator(".provenance details li").first
    assert sample.evaluate("el => el.checkVisibility()")
    page.emulate_media(media="screen")
    assert not sample.evaluate("el => el.checkVisibility()")
    pdf = page.pdf()
    assert pdf.startswith(b"%PDF") and len(pdf) > 10_000
