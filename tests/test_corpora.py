"""End to end on the real BBC corpus (../shared/corpora/bbc-fulltext, 2,225 articles): every file accounted for."""

import json
import re
from pathlib import Path

import pytest
import yaml
from conftest import corpus, require
from linkcheck import broken_links
from pagechecks import AXE, overflow, page_kinds, serious_violations

from site_gen.build.pipeline import build
from site_gen.config import SiteConfig, load_config

pytestmark = pytest.mark.slow
CATEGORIES = ["business", "entertainment", "politics", "sport", "tech"]


def bbc_config(root: Path) -> SiteConfig:
    """The BBC corpus as a site of its own in root: one outlet, a tag per category."""
    settings = {
        "title": "BBC News 2004-2005",
        "content_dir": str(corpus("bbc-fulltext") / "bbc"),
        "defaults": [{"path": "*", "values": {"source": "bbc.co.uk"}}]
        + [{"path": f"{c}/*", "values": {"tags": [c]}} for c in CATEGORIES],
    }
    (root / "site.yaml").write_text(yaml.safe_dump(settings))
    return load_config(root / "site.yaml", cwd=root)


def test_bbc_corpus_builds_with_every_file_in_the_report(tmp_path):
    bbc = corpus("bbc-fulltext") / "bbc"
    result = build(bbc_config(tmp_path), cwd=tmp_path, report_path=tmp_path / "report.json")
    report = json.loads((tmp_path / "report.json").read_text())
    on_disk = sorted(p.relative_to(bbc).as_posix() for p in bbc.rglob("*") if p.is_file())
    assert len(on_disk) == 2226
    assert sorted(e["path"] for e in report["inputs"]) == on_disk
    statuses = {e["path"]: e["status"] for e in report["inputs"]}
    assert statuses["README.TXT"] == "skipped"
    assert sum(1 for s in statuses.values() if s in ("rendered", "merged")) == 2225
    assert report["errors"] == []
    [pound] = [a for a in result.archive.articles if a.sources[0].path == "sport/199.txt"]
    assert "£" in pound.text and "\ufffd" not in pound.text
    assert {a.outlet.name for a in result.archive.articles} == {"BBC News"}
    assert set(result.archive.tags) == set(CATEGORIES)
    assert broken_links(tmp_path / "public") == []


@pytest.fixture(scope="module")
def bbc_public(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("bbc")
    build(bbc_config(root), cwd=root)
    return root / "public"


def test_bbc_pages_show_the_reading_aids(bbc_public):
    """The BBC files carry no dates: no timelines or same-day lists, but everything else."""
    pages = [p.read_text() for p in sorted((bbc_public / "articles").rglob("index.html"))]
    pages = [p for p in pages if 'http-equiv="refresh"' not in p]  # merged copies leave redirect pages
    n = len(pages)
    assert 2000 < n < 2225  # the corpus's duplicates are merged (tests/test_dedupe_corpora.py)
    outlets = (bbc_public / "outlets" / "index.html").read_text()
    assert re.search(
        rf'<a href="../outlets/bbc-news/index.html">BBC News</a>.*?data-value="{n}">{n:,}</td>', outlets, re.S
    )
    home = (bbc_public / "index.html").read_text()
    assert f"<dt>Articles</dt><dd>{n:,}" in home and "no article carries a date" in home
    assert all('<section class="cite"' in p and "(source SHA-256 " in p and "BBC News. “" in p for p in pages)
    assert sum('class="neighbours"' in p for p in pages) == n
    assert sum('rel="prev"' in p for p in pages) == sum('rel="next"' in p for p in pages) == n - 1
    assert not any('class="timeline"' in p.read_text() for p in bbc_public.rglob("*.html"))


@pytest.mark.browser
def test_bbc_pages_pass_axe_and_fit_phone_and_desktop(browser, bbc_public):
    require(AXE.is_file(), f"{AXE} is missing (run npm ci)")
    kinds = page_kinds(bbc_public)
    assert {"home", "article", "outlet", "outlets", "tag", "tags", "archive", "undated", "404"} <= set(kinds)
    problems = {}
    for scheme in ("light", "dark"):
        for width in (375, 1280):
            context = browser.new_context(
                bypass_csp=True, color_scheme=scheme, viewport={"width": width, "height": 900}
            )
            page = context.new_page()
            for kind, rel in kinds.items():
                page.goto((bbc_public / rel).as_uri())
                found = {"axe": serious_violations(page), "overflow": overflow(page)}
                if found["axe"] or found["overflow"]:
                    problems[f"{kind} {scheme} {width}"] = found
            context.close()
    assert problems == {}
