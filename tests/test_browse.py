"""The built sample archive in headless Chromium: from file:// and from a static server under a sub-path."""

import shutil
from collections import deque
from pathlib import Path
from urllib.parse import urldefrag

import pytest

pytestmark = pytest.mark.browser


def crawl(page, start: str, inside: str) -> tuple[set[str], list[str]]:
    """Visit every page reachable from start whose URL begins with inside; return (visited, problems)."""
    seen, queue, problems = {start}, deque([start]), []
    while queue:
        url = queue.popleft()
        response = page.goto(url)
        if response is not None and response.status >= 400:
            problems.append(f"{url}: HTTP {response.status}")
            continue
        if page.evaluate("getComputedStyle(document.querySelector('.site-header')).borderBottomStyle") != "solid":
            problems.append(f"{url}: stylesheet not loaded")
        if page.title() == "" or "ERR_" in page.content()[:2000]:
            problems.append(f"{url}: did not load")
        # getAttribute, not .href: links inside SVG (timeline bars) have no string href property.
        for href in page.eval_on_selector_all(
            "a[href]", "els => els.map(e => new URL(e.getAttribute('href'), document.baseURI).href)"
        ):
            target = urldefrag(href)[0]
            if not target.startswith(inside) or target in seen:
                continue
            if target.endswith(".html"):
                seen.add(target)
                queue.append(target)
            elif target.startswith("file://") and not Path(target[len("file://") :]).exists():
                problems.append(f"{url}: broken link to {target}")
        for href in page.eval_on_selector_all("link[href]", "els => els.map(e => e.href)"):
            if href.startswith("file://") and not Path(href[len("file://") :]).exists():
                problems.append(f"{url}: missing {href}")
    return seen, problems


def test_file_url_browsing_reaches_every_page_without_broken_links(sample_build, page):
    public = sample_build / "public"
    start = (public / "index.html").as_uri()
    visited, problems = crawl(page, start, public.as_uri() + "/")
    missing = [u for u in visited if u.startswith("file://") and not Path(u[len("file://") :]).exists()]
    assert problems == [] and missing == []
    redirects = {
        p.as_uri() for p in public.rglob("*.html") if 'http-equiv="refresh"' in p.read_text()
    }  # merged copies' old addresses
    pages = {p.as_uri() for p in public.rglob("*.html") if p.name != "404.html"} - redirects
    assert pages <= visited, f"pages not reachable by links: {sorted(pages - visited)[:5]}"
    assert page.console_errors == []


def test_hosted_under_a_sub_path(sample_build, page, http_root, tmp_path):
    host = tmp_path / "host"
    shutil.copytree(sample_build / "public", host / "archive" / "2025")
    base = http_root(host, "archive/2025/")
    page.goto(base + "index.html")
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Outlets").click()
    assert page.url == base + "outlets/index.html"
    page.get_by_role("link", name="Sputnik", exact=True).click()
    page.get_by_role("link", name="NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months").click()
    assert page.url.startswith(base + "articles/sputnik/2025/05/")
    assert page.locator("h1").inner_text() == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    assert page.locator(".article-body p").count() == 6
    assert page.evaluate("getComputedStyle(document.body).backgroundColor") != "rgba(0, 0, 0, 0)"
    assert page.console_errors == []


def test_no_request_leaves_the_page(sample_build, page):
    requests = []
    page.on("request", lambda r: requests.append(r.url))
    for rel in ["index.html", "outlets/index.html", "tags/index.html", "archive/index.html"]:
        page.goto((sample_build / "public" / rel).as_uri())
    assert [u for u in requests if not u.startswith("file://")] == []
