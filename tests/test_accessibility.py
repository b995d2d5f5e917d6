"""Accessibility of one page of every kind in headless Chromium: axe-core in both colour schemes,
plus the checks axe cannot make on its own (landmarks, skip link, heading order, visible focus)."""

from __future__ import annotations

import itertools

import pytest
from conftest import require
from pagechecks import AXE, axe_violations, page_kinds, serious_violations

pytestmark = pytest.mark.browser
KINDS = {"home", "article", "outlet", "outlets", "tag", "tags", "year", "month", "archive", "404", "undated"}
SCHEMES = {"light": "rgb(253, 252, 249)", "dark": "rgb(22, 22, 20)"}
"""Each scheme's page background, to prove the scheme really applied."""


@pytest.fixture(scope="module")
def kinds(sample_build):
    found = page_kinds(sample_build / "public")
    assert set(found) >= KINDS, f"the sample build lacks pages of kind {sorted(KINDS - set(found))}"
    return found


@pytest.mark.parametrize("width", [1280, 375])
@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_axe_finds_no_serious_or_critical_violation_on_any_kind_of_page(browser, sample_build, kinds, scheme, width):
    require(AXE.is_file(), f"{AXE} is missing (run npm ci)")
    # The page CSP allows only the site's own scripts: axe is injected with the CSP bypassed.
    context = browser.new_context(bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 900})
    page = context.new_page()
    found = {}
    for kind, rel in sorted(kinds.items()):
        page.goto((sample_build / "public" / rel).as_uri())
        assert page.evaluate("getComputedStyle(document.body).backgroundColor") == SCHEMES[scheme]
        bad = serious_violations(page)
        if bad:
            found[f"{kind} ({rel})"] = bad
    context.close()
    assert found == {}


def test_axe_sees_a_contrast_problem_when_there_is_one(browser, sample_build, kinds):
    """The check can fail: grey-on-grey text injected into a page is reported as serious."""
    require(AXE.is_file(), f"{AXE} is missing (run npm ci)")
    context = browser.new_context(bypass_csp=True)
    page = context.new_page()
    page.goto((sample_build / "public" / kinds["home"]).as_uri())
    page.evaluate(
        "document.querySelector('main')"
        ".insertAdjacentHTML('beforeend', '<p style=\"color:#bbb;background:#ccc\">faint</p>')"
    )
    assert "color-contrast" in {v["id"] for v in axe_violations(page) if v["impact"] == "serious"}
    context.close()


def test_every_page_has_landmarks_one_h1_and_headings_in_order(page, sample_build, kinds):
    problems = []
    for kind, rel in kinds.items():
        page.goto((sample_build / "public" / rel).as_uri())
        for role, name in [("banner", None), ("navigation", "Main"), ("main", None), ("contentinfo", None)]:
            if page.get_by_role(role, name=name).count() != 1:
                problems.append(f"{kind}: {role} {name or ''} landmark missing or repeated")
        levels = page.eval_on_selector_all("h1, h2, h3, h4, h5, h6", "hs => hs.map(h => Number(h.tagName[1]))")
        if levels.count(1) != 1 or levels[0] != 1:
            problems.append(f"{kind}: expected one h1 first, got {levels}")
        jumps = [(a, b) for a, b in itertools.pairwise(levels) if b > a + 1]
        if jumps:
            problems.append(f"{kind}: heading levels skip {jumps}")
    assert problems == []


def test_skip_link_is_first_visible_when_focused_and_moves_focus_to_main(page, sample_build, kinds):
    page.goto((sample_build / "public" / kinds["article"]).as_uri())
    page.keyboard.press("Tab")
    link = page.locator(":focus")
    assert link.inner_text() == "Skip to content"
    box = link.bounding_box()
    assert box is not None and box["x"] >= 0 and box["y"] >= 0
    page.keyboard.press("Enter")
    assert page.evaluate("location.hash") == "#main"
    page.keyboard.press("Tab")
    assert page.evaluate("document.querySelector('main').contains(document.activeElement)")


FOCUS_STYLE = """() => {
    const el = document.activeElement;
    if (el === document.body) return null;
    const own = getComputedStyle(el);
    const hit = el.querySelector && el.querySelector('.tl-hit');
    return {
        what: el.tagName + ' ' + (el.textContent || el.getAttribute('aria-label') || '').trim().slice(0, 40),
        visible: (own.outlineStyle !== 'none' && parseFloat(own.outlineWidth) >= 2)
            || (hit !== null && getComputedStyle(hit).stroke !== 'none'),
    };
}"""


@pytest.mark.parametrize("scheme", sorted(SCHEMES))
def test_every_focusable_element_shows_where_focus_is(browser, sample_build, kinds, scheme):
    context = browser.new_context(color_scheme=scheme)
    page = context.new_page()
    invisible = []
    for kind in ("home", "article", "outlets", "year"):
        page.goto((sample_build / "public" / kinds[kind]).as_uri())
        seen = 0
        for _ in range(400):
            page.keyboard.press("Tab")
            state = page.evaluate(FOCUS_STYLE)
            if state is None:
                break
            seen += 1
            if not state["visible"]:
                invisible.append(f"{kind}: {state['what']}")
        assert seen > 5, f"{kind}: only {seen} elements took focus"
    context.close()
    assert invisible == []
