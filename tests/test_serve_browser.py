"""Live reload in headless Chromium against a real `site-gen serve` process."""

import os
import shutil

import pytest
from playwright.sync_api import expect
from preview import Preview

from site_gen.config import bundled_themes

pytestmark = pytest.mark.browser
ARTICLE = "date 2025-01-02 https://gazette.example/a\nA headline\nFirst body.\n"
PAGE = "articles/gazette-example/2025/01/a-headline/index.html"


@pytest.fixture
def live(site):
    site.write("a.txt", ARTICLE)
    site.configure(title="Preview", theme="mytheme")
    shutil.copytree(bundled_themes() / "default" / "static", site.root / "themes" / "mytheme" / "static")
    site.config()  # writes site.yaml
    preview = Preview(site.root)
    yield preview
    assert preview.stop() == 0


def open_live(page, url: str) -> None:
    """Open a page and wait until its live-reload connection is up."""
    page.goto(url)
    page.locator("html[data-site-gen-live=connected]").wait_for(state="attached", timeout=15000)


def body_text(page) -> str:
    return page.locator(".article-body").inner_text()


def test_an_edited_article_shows_without_touching_the_browser(live, site, page):
    open_live(page, live.url + PAGE)
    assert body_text(page) == "First body."
    site.write("a.txt", ARTICLE.replace("First body.", "Edited body."))
    expect(page.locator(".article-body")).to_have_text("Edited body.", timeout=15000)
    assert page.console_errors == []


def test_an_atomic_save_is_seen(live, site, page):
    open_live(page, live.url + PAGE)
    temporary = site.content / ".a.txt.swp-save"
    temporary.write_text(ARTICLE.replace("First body.", "Atomically saved."))
    os.replace(temporary, site.content / "a.txt")
    expect(page.locator(".article-body")).to_have_text("Atomically saved.", timeout=15000)


def test_a_css_change_is_swapped_in_without_a_reload(live, site, page):
    open_live(page, live.url + PAGE)
    page.evaluate("window.stillHere = 'yes'")
    css = site.root / "themes" / "mytheme" / "static" / "style.css"
    css.write_text(css.read_text() + "\nbody { border-top: 7px solid rgb(1, 2, 3); }\n")
    expect(page.locator("body")).to_have_css("border-top-width", "7px", timeout=15000)
    assert page.evaluate("window.stillHere") == "yes"


def test_the_error_overlay_appears_and_clears(live, site, page):
    open_live(page, live.url + PAGE)
    site.write("a.txt", "---\ntitle: broken front matter\n")
    overlay = page.locator("#site-gen-error")
    overlay.wait_for(timeout=15000)
    assert "a.txt:1" in overlay.inner_text() and "never closed" in overlay.inner_text()
    assert body_text(page) == "First body."  # the last good page is still shown
    site.write("a.txt", ARTICLE.replace("First body.", "Fixed body."))
    expect(page.locator(".article-body")).to_have_text("Fixed body.", timeout=15000)
    assert overlay.count() == 0


def test_a_page_opened_after_a_failure_shows_the_error(live, site, page):
    site.write("bad.md", "---\ntitle: unclosed\n")
    live.wait_for("rebuild failed")
    open_live(page, live.url + PAGE)
    page.locator("#site-gen-error").wait_for(timeout=15000)
    assert "bad.md:1" in page.locator("#site-gen-error").inner_text()


def test_a_deleted_article_page_goes_away(live, site, page):
    open_live(page, live.url + PAGE)
    (site.content / "a.txt").unlink()
    expect(page.locator("h1")).to_have_text("Page not found", timeout=15000)
