"""Checks run on one built page of every kind: which pages, axe-core, layout overflow.

Where a site has many pages of a kind, the one showing the most of the theme's parts is taken
(an outlet with a timeline, an article with neighbours and same-day links), so the checks see them.
Used by the accessibility and layout tests, the corpus tests and scripts/screenshots.py.
"""

from __future__ import annotations

from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
AXE = REPO / "node_modules" / "axe-core" / "axe.min.js"

PARTS = (
    'class="timeline"',
    'class="same-day"',
    'class="neighbours"',
    'class="copies"',
    "<details>",
    "<table>",
    'class="pager"',
)


def page_kinds(public: Path) -> dict[str, str]:
    """Kind -> path relative to the site root, for every kind the site has (search only when built)."""
    kinds = {
        "home": "index.html",
        "article": richest(public, "articles/**/*.html"),
        "outlet": richest(public, "outlets/*/index.html"),
        "outlets": "outlets/index.html",
        "tag": richest(public, "tags/*/index.html"),
        "tags": "tags/index.html",
        "year": richest(public, "archive/[0-9][0-9][0-9][0-9]/index.html"),
        "month": richest(public, "archive/[0-9][0-9][0-9][0-9]/[0-9][0-9]/index.html"),
        "archive": "archive/index.html",
        "undated": "archive/undated/index.html",
        "404": "404.html",
        "search": "search/index.html",
    }
    return {kind: path for kind, path in kinds.items() if path and (public / path).is_file()}


def richest(public: Path, pattern: str) -> str | None:
    """The first page (by path) matching pattern that shows the most theme parts."""
    best, best_score = None, -1
    for page in sorted(public.glob(pattern)):
        html = page.read_text(encoding="utf-8")
        score = sum(part in html for part in PARTS)
        if score > best_score:
            best, best_score = page.relative_to(public).as_posix(), score
    return best


def axe_violations(page) -> list[dict]:
    """axe-core's violations on the loaded page (its context must bypass the page CSP to inject axe)."""
    page.add_script_tag(path=str(AXE))
    return page.evaluate(
        """async () => (await axe.run(document, {resultTypes: ['violations']})).violations.map(v => ({
            id: v.id, impact: v.impact, help: v.help,
            nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' + n.failureSummary)}))"""
    )


def serious_violations(page) -> list[dict]:
    return [v for v in axe_violations(page) if v["impact"] in ("serious", "critical")]


# Elements reaching past the right edge of the viewport, unless a scrolling ancestor that fits holds them.
_OVERFLOW = """() => {
    const width = document.documentElement.clientWidth;
    const clipped = el => {
        for (let a = el.parentElement; a; a = a.parentElement) {
            const o = getComputedStyle(a).overflowX;
            if (o === 'auto' || o === 'scroll' || o === 'hidden' || o === 'clip')
                return a.getBoundingClientRect().right <= width + 1;
        }
        return false;
    };
    const wide = [];
    for (const el of document.body.querySelectorAll('*')) {
        const box = el.getBoundingClientRect();
        if (box.width > 0 && box.right > width + 1 && !clipped(el)) {
            const name = typeof el.className === 'string' && el.className ? '.' + el.className.split(' ')[0] : '';
            wide.push(el.tagName.toLowerCase() + name + ' right=' + Math.round(box.right));
        }
    }
    return {scrollWidth: document.documentElement.scrollWidth, width, wide: wide.slice(0, 5)};
}"""


def overflow(page) -> dict | None:
    """What sticks out of the viewport sideways on the loaded page, or None when nothing does."""
    state = page.evaluate(_OVERFLOW)
    return state if state["scrollWidth"] > state["width"] or state["wide"] else None
