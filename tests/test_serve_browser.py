"""Live reload in headless Chromium against a real `site-gen serve` process."""

import os
import shutil
from pathlib import Path

import pytest
from conftest import REPO
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


BROKEN_TEMPLATE = '{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n'


def test_the_error_overlay_appears_and_clears(live, site, page):
    open_live(page, live.url + PAGE)
    template = site.root / "themes" / "mytheme" / "templates" / "article.html"
    template.parent.mkdir()
    template.write_text(BROKEN_TEMPLATE)
    overlay = page.locator("#site-gen-error")
    overlay.wait_for(timeout=15000)
    assert f"{template}:2: template error: " in overlay.inner_text()
    assert body_text(page) == "First body."  # the last good page is still shown
    template.unlink()
    site.write("a.txt", ARTICLE.replace("First body.", "Fixed body."))
    expect(page.locator(".article-body")).to_have_text("Fixed body.", timeout=15000)
    assert overlay.count() == 0


def test_a_page_opened_after_a_failure_shows_the_error(live, site, page):
    template = site.root / "themes" / "mytheme" / "templates" / "base.html"
    template.parent.mkdir()
    template.write_text("<!DOCTYPE html>\n{{ }}\n")
    live.wait_for("rebuild failed")
    open_live(page, live.url + PAGE)
    page.locator("#site-gen-error").wait_for(timeout=15000)
    assert f"{template}:2: template error: " in page.locator("#site-gen-error").inner_text()


def test_a_deleted_article_page_goes_away(live, site, page):
    open_live(page, live.url + PAGE)
    (site.content / "a.txt").unlink()
    expect(page.locator("h1")).to_have_text("Page not found", timeout=15000)


# The bundled sample archive (the repository's own content/, with its two broken files), as a
# new user previews it.
SAMPLE_PAGE = "articles/sputnik/2025/05/nato-staff-prepared-ukrainian-invasion-of-kursk-region-for-6-months/index.html"
BROKEN = ["problems/screenshot-saved-as-text.txt", "problems/unclosed-front-matter.md"]


def sample(root, *, template: str | None = None) -> Preview:
    """A copy of the sample site in root, served; its own themes/default/templates/ (watched) holds template."""
    for name in ("content", "site.yaml", "sources.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    (root / "themes" / "default" / "templates").mkdir(parents=True)
    if template:
        (root / "themes" / "default" / "templates" / "article.html").write_text(template)
    return Preview(root)


@pytest.fixture
def sample_live(tmp_path):
    preview = sample(tmp_path)
    yield preview
    assert preview.stop() == 0


def panel_errors(page) -> list[str]:
    return page.locator("#site-gen-problems li.site-gen-error code").all_inner_texts()


def test_the_sample_archive_shows_with_its_broken_files_in_a_panel_that_covers_nothing(sample_live, page):
    open_live(page, sample_live.url + SAMPLE_PAGE)
    assert page.locator("h1").inner_text() == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    panel = page.locator("#site-gen-problems")
    panel.wait_for(timeout=15000)
    assert [text.split(":")[0] for text in panel_errors(page)] == BROKEN
    assert "problems/unclosed-front-matter.md:1: front matter opened with '---' is never closed" in panel.inner_text()
    assert panel.locator("li.site-gen-warning").count() == 4
    # in the page's flow above the text, not over it
    assert panel.evaluate("p => getComputedStyle(p).position") in ("static", "relative")
    assert panel.bounding_box()["y"] + panel.bounding_box()["height"] <= page.locator("h1").bounding_box()["y"]
    page.keyboard.press("Tab")  # the first stop of the keyboard
    assert page.evaluate("document.activeElement.textContent") == "Dismiss"
    page.keyboard.press("Enter")
    assert panel.count() == 0
    page.reload()
    page.locator("html[data-site-gen-live=connected]").wait_for(state="attached", timeout=15000)
    page.wait_for_timeout(500)  # the problems event has arrived by then
    assert panel.count() == 0  # dismissed until the list changes
    assert page.console_errors == []
    assert b"site-gen-problems" not in (sample_live_output(sample_live) / SAMPLE_PAGE).read_bytes()


def sample_live_output(preview: Preview):
    return Path(preview.log[-1].split("serving ")[1].split(" at ")[0])


def test_fixing_a_file_takes_it_off_the_panel_and_breaking_one_keeps_its_page(sample_live, tmp_path, page):
    open_live(page, sample_live.url + SAMPLE_PAGE)
    page.locator("#site-gen-problems").wait_for(timeout=15000)
    unclosed = tmp_path / "content" / BROKEN[1]
    unclosed.write_text(unclosed.read_text().replace("\n\n", "\n---\n", 1))
    expect(page.locator("#site-gen-problems li.site-gen-error")).to_have_count(1, timeout=15000)
    assert panel_errors(page)[0].startswith(BROKEN[0] + ": ")
    sample_file = tmp_path / "content" / "000_9a66afeb63694e66.txt"
    sample_file.write_text("---\ntitle: broken in a save\n")
    kept = page.locator("#site-gen-problems li.site-gen-error", has_text="000_9a66afeb63694e66.txt:1:")
    kept.wait_for(timeout=15000)
    assert "its last good page is still served" in kept.inner_text()
    assert page.locator("h1").inner_text() == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    assert "it seems unlikely they'll even" in page.locator(".article-body").inner_text()


def test_a_broken_template_shows_the_overlay_with_the_last_good_site_served(sample_live, tmp_path, page):
    open_live(page, sample_live.url + SAMPLE_PAGE)
    template = tmp_path / "themes" / "default" / "templates" / "article.html"
    template.write_text(BROKEN_TEMPLATE)
    overlay = page.locator("#site-gen-error")
    overlay.wait_for(timeout=15000)
    assert f"{template}:2: template error: " in overlay.inner_text()
    page.reload()  # still the last good site, with the overlay and the panel
    page.locator("#site-gen-error").wait_for(timeout=15000)
    assert page.locator("h1").inner_text() == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    assert [text.split(":")[0] for text in panel_errors(page)] == BROKEN
    template.unlink()
    expect(overlay).to_have_count(0, timeout=15000)


def test_a_first_build_with_a_broken_template_answers_with_a_page_that_explains(tmp_path, page):
    preview = sample(tmp_path, template=BROKEN_TEMPLATE)
    try:
        template = tmp_path / "themes" / "default" / "templates" / "article.html"
        for path in ("", SAMPLE_PAGE, "tags/"):
            open_live(page, preview.url + path)
            assert page.locator("h1").inner_text() == "site-gen cannot build this site yet"
            assert page.locator("#site-gen-error-list").inner_text().startswith(f"{template}:2: template error: ")
            assert "What to do" in page.locator("main").inner_text()
        template.unlink()  # the page reloads by itself once the site builds
        expect(page.locator("h1")).to_have_text("Tags", timeout=30000)
        assert [text.split(":")[0] for text in panel_errors(page)] == BROKEN
    finally:
        assert preview.stop() == 0
