#!/usr/bin/env python3
"""Screenshots of the built site in headless Chromium, for the README (and for reviewing the theme).

    scripts/screenshots.py                      # builds the sample archive, writes docs/screenshots/*.png
    scripts/screenshots.py --site public        # shoots an already built site instead
    scripts/screenshots.py --review /tmp/shots  # every page kind, light and dark, phone and desktop

Uses Debian's /usr/bin/chromium through Playwright (never a downloaded browser). The README shots
are the home page, an article and the search page; search is skipped, with a note, when the site
has no search/index.html.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "tests"))

from pagechecks import page_kinds  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
README_SHOTS = {"home": ("home.png", 860), "article": ("article.png", 1560), "search": ("search.png", 860)}
"""Kind of page -> file name and height; all are 1280 px wide. The article is shot down to its provenance."""
SEARCH_QUERY = "?q=bridge"
"""The search shot shows results for a query the sample archive answers."""
WIDTHS = {"phone": 375, "desktop": 1280}


def build_sample(into: Path) -> Path:
    """Build the bundled sample archive (site.yaml, content/) into a throw-away folder."""
    from site_gen.build.pipeline import build
    from site_gen.config import load_config

    config = load_config(REPO / "site.yaml", cwd=REPO)
    config.output_dir = into / "public"
    build(config, cwd=into)
    return config.output_dir


def shoot(browser, url: str, target: Path, *, width: int, height: int, scheme: str, full_page: bool) -> None:
    context = browser.new_context(viewport={"width": width, "height": height}, color_scheme=scheme)
    page = context.new_page()
    page.goto(url)
    page.wait_for_load_state("networkidle")
    page.screenshot(path=str(target), full_page=full_page, animations="disabled", caret="hide")
    context.close()


def readme_shots(browser, public: Path, out: Path) -> list[Path]:
    kinds = page_kinds(public)
    written = []
    out.mkdir(parents=True, exist_ok=True)
    for kind, (name, height) in README_SHOTS.items():
        if kind not in kinds:
            print(f"skipping {kind}: {public / 'search/index.html'} does not exist in this build", file=sys.stderr)
            continue
        target = out / name
        url = (public / kinds[kind]).as_uri() + (SEARCH_QUERY if kind == "search" else "")
        shoot(browser, url, target, width=1280, height=height, scheme="light", full_page=False)
        written.append(target)
    return written


def review_shots(browser, public: Path, out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for kind, rel in page_kinds(public).items():
        for device, width in WIDTHS.items():
            for scheme in ("light", "dark"):
                target = out / f"{kind}-{device}-{scheme}.png"
                shoot(browser, (public / rel).as_uri(), target, width=width, height=900, scheme=scheme, full_page=True)
                written.append(target)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", type=Path, help="a built site folder (default: build the sample archive)")
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots", help="where the README shots go")
    parser.add_argument(
        "--review", type=Path, help="instead, shoot every page kind in both schemes at both widths into this folder"
    )
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as tmp, sync_playwright() as p:
        public = args.site.resolve() if args.site else build_sample(Path(tmp))
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        written = review_shots(browser, public, args.review) if args.review else readme_shots(browser, public, args.out)
        browser.close()
    for path in written:
        print(f"{path} ({path.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
