"""The search page in headless Chromium, from a static server on 127.0.0.1 and from file://."""

import re
import time

import pytest
from preview import Preview

pytestmark = pytest.mark.browser

NORTH = "Port Ellery's swing bridge to shut for repairs"


@pytest.fixture(params=["http", "file"])
def base(request, sample_build, http_root):
    public = sample_build / "public"
    return http_root(public) if request.param == "http" else public.as_uri() + "/"


def wait_for(page, expression, timeout=10):
    """Poll with evaluate(): Playwright's wait_for_function compiles a string, which the page's CSP forbids."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"timed out waiting for {expression}"
        time.sleep(0.01)


def status_is(page, text):
    wait_for(page, f"document.getElementById('search-status').textContent === {text!r}")


def results(page):
    return page.eval_on_selector_all("#search-results .item-title a", "els => els.map(e => e.textContent)")


def options(page, select):
    return page.eval_on_selector_all(f"#search-{select} option", "els => els.map(e => e.textContent)")


def test_type_filter_and_follow_a_result(page, base):
    page.goto(base + "search/index.html")
    wait_for(page, "/Type to search/.test(document.getElementById('search-status').textContent)")
    page.type("#search-q", "swing bridge ")
    status_is(page, "3 results.")  # the Gazette's re-scrape of its story is merged into it (dedupe)
    assert NORTH in results(page) and len(results(page)) == 3
    assert page.locator("#search-results mark").count() >= 8  # title and summary words highlighted
    assert options(page, "outlet") == ["All outlets", "North Wire (1)", "The Harbour Gazette (2)"]
    assert options(page, "year") == ["All years", "2025 (3)"]
    page.select_option("#search-outlet", "north-wire")
    status_is(page, "1 result.")
    assert results(page) == [NORTH] and "outlet=north-wire" in page.url and "q=swing+bridge" in page.url
    page.select_option("#search-outlet", "")
    page.focus("#search-tag")  # the tag filter loads its data, then shows counts
    wait_for(page, "[...document.querySelectorAll('#search-tag option')].some(o => /\\(2\\)/.test(o.textContent))")
    assert "local press (2)" in options(page, "tag") and "Council (1)" in options(page, "tag")
    page.select_option("#search-tag", "Council")
    status_is(page, "1 result.")
    assert results(page) == ["The city budget, explained in five charts' worth of numbers"]
    page.select_option("#search-tag", "")
    status_is(page, "3 results.")
    page.get_by_role("link", name=NORTH).click()
    assert re.search(r"articles/north-wire/2025/03/[^/]+/index\.html$", page.url)
    assert page.locator("h1").inner_text() == NORTH
    assert page.console_errors == []


def test_keyboard_prefix_and_the_url(page, base):
    page.goto(base + "search/index.html?q=ferry")
    wait_for(page, "document.querySelectorAll('#search-results li').length > 0")
    assert page.input_value("#search-q") == "ferry" and any("ferry" in t.lower() for t in results(page))
    page.locator("h1").click()
    page.keyboard.press("/")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("Control+A")
    page.keyboard.type("swin")  # no space yet: the last word is a prefix
    status_is(page, "3 results.")
    page.keyboard.press("ArrowDown")
    first = page.evaluate("document.activeElement.textContent")
    page.keyboard.press("ArrowDown")
    assert page.evaluate("document.activeElement.textContent") == results(page)[1]
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.textContent") == first == results(page)[0]
    page.keyboard.press("ArrowUp")
    assert page.evaluate("document.activeElement.id") == "search-q"
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/articles/.*/index\.html$"))
    assert page.locator("h1").inner_text() == first
    assert page.console_errors == []


def test_no_results_and_the_header_box(page, base):
    page.goto(base + "index.html")
    page.fill("#site-search-q", "zzyzx walrus")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r".*/search/index\.html\?q=zzyzx\+walrus$"))
    wait_for(page, "/No results/.test(document.getElementById('search-status').textContent)")
    assert page.inner_text("#search-status") == "No results for “zzyzx walrus”. Try fewer or other words."
    assert results(page) == [] and page.locator("#search-more").is_hidden()
    assert page.console_errors == []


def test_loading_state_until_the_index_arrives(page, sample_build, http_root):
    held = []
    page.route("**/search/meta.js", lambda route: held.append(route))
    page.goto(
        http_root(sample_build / "public") + "search/index.html?q=bridge", wait_until="domcontentloaded"
    )  # held meta.js delays "load"
    wait_for(page, "document.getElementById('search-status').classList.contains('is-loading')")
    assert page.inner_text("#search-status").startswith("Loading the search index")
    assert held, "meta.js was not requested"
    held[0].continue_()
    wait_for(page, "document.querySelectorAll('#search-results li').length > 0")
    assert page.console_errors == []


def test_a_missing_index_says_so(page, sample_build, tmp_path):
    import shutil

    public = tmp_path / "public"
    shutil.copytree(sample_build / "public", public)
    (public / "search" / "meta.js").unlink()
    page.goto((public / "search" / "index.html").as_uri() + "?q=bridge")
    wait_for(page, "/could not be loaded/.test(document.getElementById('search-status').textContent)")
    assert "search/meta.js" in page.inner_text("#search-status")
    assert page.console_errors == ["Failed to load resource: net::ERR_FILE_NOT_FOUND"]  # the missing file, nothing else


def test_more_results_in_pages_of_ten(page, sample_build):
    page.goto((sample_build / "public" / "search" / "index.html").as_uri() + "?q=said")
    status_is(page, "13 results, showing 10.")
    assert len(results(page)) == 10 and page.locator("#search-more").is_visible()
    page.click("#search-more")
    status_is(page, "13 results.")
    assert len(results(page)) == 13 and page.locator("#search-more").is_hidden()
    assert page.console_errors == []


@pytest.fixture(params=["file", "serve"])
def multilingual(request, multilingual_site):
    """The search page of a five-language archive, from disk or from site-gen serve."""
    site = multilingual_site
    if request.param == "file":
        site.build()
        yield site.out.as_uri() + "/"
        return
    site.config()  # writes site.yaml
    preview = Preview(site.root)
    yield preview.url
    assert preview.stop() == 0


def test_every_language_finds_its_forms_and_the_language_filter_picks_one(page, multilingual):
    page.goto(multilingual + "search/index.html?q=Soros")
    status_is(page, "2 results.")
    assert sorted(results(page)) == ["Sanctions on Soros foundations", "Soros und das Land"]
    assert options(page, "lang") == ["All languages", "German (de) (1)", "English (en) (1)"]
    page.select_option("#search-lang", "de")
    status_is(page, "1 result.")
    assert results(page) == ["Soros und das Land"] and "lang=de" in page.url
    page.select_option("#search-lang", "")
    page.fill("#search-q", "Соросу")  # Russian: a form the texts do not have finds the others
    page.keyboard.press("Enter")
    status_is(page, "2 results.")
    marked = page.eval_on_selector_all("#search-results mark", "els => els.map(e => e.textContent)")
    assert {"Сорос", "Сороса", "Соросом", "Соросе"} <= set(marked)
    page.fill("#search-q", "Sanktion")  # German
    page.keyboard.press("Enter")
    status_is(page, "2 results.")
    page.fill("#search-q", "sanction")  # English, as always
    page.keyboard.press("Enter")
    status_is(page, "1 result.")
    page.fill("#search-q", "经济")  # Chinese: character bigrams, marked where they stand
    page.keyboard.press("Enter")
    status_is(page, "1 result.")
    assert page.eval_on_selector_all("#search-results mark", "els => els.map(e => e.textContent)") == ["经济"] * 2
    loaded = page.evaluate("[...document.scripts].map(s => s.src).filter(s => s.includes('/stemmers/'))")
    assert sorted(s.rsplit("/", 1)[1] for s in loaded) == ["de.js", "ru.js"]
    assert page.console_errors == []
