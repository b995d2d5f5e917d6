"""Every kind of page at phone (375 px) and desktop (1280 px) width: screenshots, and no layout overflow."""

from __future__ import annotations

import pytest
from pagechecks import overflow, page_kinds

pytestmark = pytest.mark.browser
WIDTHS = {"phone": 375, "desktop": 1280}


def overflow_problems(browser, public, kinds, width: int, shots) -> list[str]:
    problems = []
    for scheme in ("light", "dark"):
        context = browser.new_context(viewport={"width": width, "height": 900}, color_scheme=scheme)
        page = context.new_page()
        for kind, rel in sorted(kinds.items()):
            page.goto((public / rel).as_uri())
            shot = shots / f"{kind}-{width}-{scheme}.png"
            page.screenshot(path=str(shot), full_page=True)
            state = overflow(page)
            if state:
                problems.append(f"{kind} ({rel}) at {width} px, {scheme}: {state} - see {shot}")
        context.close()
    return problems


@pytest.mark.parametrize("device", sorted(WIDTHS))
def test_no_page_overflows_the_viewport(browser, sample_build, tmp_path, device):
    kinds = page_kinds(sample_build / "public")
    assert len(kinds) >= 11
    assert overflow_problems(browser, sample_build / "public", kinds, WIDTHS[device], tmp_path) == []


def test_overflow_check_fails_on_a_wide_element(browser, sample_build, tmp_path):
    """The check can fail: a page with an unbreakable 2000 px element is reported."""
    public = tmp_path / "public"
    public.mkdir()
    (public / "index.html").write_text(
        '<!DOCTYPE html><meta name="viewport" content="width=device-width">'
        '<body><div><img width="2000" height="10" alt=""></div>'
    )
    problems = overflow_problems(browser, public, {"home": "index.html"}, 375, tmp_path)
    assert len(problems) == 2 and "img" in problems[0]
