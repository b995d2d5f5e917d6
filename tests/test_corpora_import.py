"""End to end on all three shared corpora: import the RT and FakeNewsCorpus tables, label the outlets,
build them together with the BBC files, and check that every row and file is accounted for.

The import and build run once for the module (about a minute); each test checks one promise.
"""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
import sys
from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml
from conftest import corpus

from site_gen.cli import main
from site_gen.urls import canonical_url

pytestmark = pytest.mark.slow
csv.field_size_limit(sys.maxsize)
RT_FOOTER = re.compile(
    r"Autonomous Nonprofit Organization\W*TV[- ]Novosti"
    r"|All rights reserved\s+This website uses cookies"
    r"|Автономная некоммерческая организация\W*ТВ-Новости"
)
IMPORTS = {  # content folder -> (corpus, globs)
    "rt-en": ("rt-thesis-soros", ["clean-csv-eng/*.csv", "clinton-duma.csv"]),
    "rt-ru": ("rt-thesis-soros", ["clean-txt-rus/*.txt", "klinton-nato.txt"]),
    "rt-de": ("rt-thesis-soros", ["clean-txt-ger/*.txt"]),
    "fakenews": ("fakenewscorpus-sample", ["news_sample.csv"]),
}


def sources(name: str) -> list[Path]:
    folder, patterns = IMPORTS[name]
    return [p for pattern in patterns for p in sorted(corpus(folder).glob(pattern))]


def raw_rows(path: Path) -> list[list[str]]:
    """The file's records read independently of site_gen (the stdlib csv module), header excluded."""
    text = path.read_bytes().decode("utf-8", "replace")
    return [r for r in csv.reader(io.StringIO(text), delimiter="*" if text.startswith("date*") else ",") if r][1:]


class Built:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.imports: dict[str, dict] = {}
        self.report: dict = {}


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    root = tmp_path_factory.mktemp("corpora")
    site = Built(root)
    for name in IMPORTS:
        report = root / f"import-{name}.json"
        assert (
            main(["import", *map(str, sources(name)), "-o", str(root / "content" / name), "--report", str(report)]) == 0
        )
        site.imports[name] = json.loads(report.read_text(encoding="utf-8"))
    shutil.copytree(corpus("bbc-fulltext") / "bbc", root / "content" / "bbc")
    settings = {
        "title": "Shared corpora",
        "defaults": [{"path": "bbc/*", "values": {"source": "bbc.co.uk"}}],
        "output_dir": "public",
    }
    (root / "site.yaml").write_text(yaml.safe_dump(settings), encoding="utf-8")
    assert (
        main(
            [
                "sources",
                "import",
                str(corpus("fakenewscorpus-sample") / "websites.csv"),
                "--config",
                str(root / "site.yaml"),
            ]
        )
        == 0
    )
    assert main(["build", str(root), "--report", str(root / "report.json")]) == 0
    site.report = json.loads((root / "report.json").read_text(encoding="utf-8"))
    return site


def articles_by_path(report: dict) -> dict[str, dict]:
    return {path: a for a in report["articles"] for path in a["source_paths"]}


def test_every_row_is_accounted_for_in_the_import_report(built):
    expected = {"rt-en": 2163, "rt-ru": 1065, "rt-de": 742, "fakenews": 250}  # the SOURCE.md counts
    for name, report in built.imports.items():
        rows = report["rows"]
        per_file = Counter(r["file"] for r in rows)
        assert per_file == {str(p): len(raw_rows(p)) for p in sources(name)}, name
        assert len(rows) == report["counts"]["read"] == expected[name]
        counts = report["counts"]
        assert counts["written"] + counts["unchanged"] + counts["duplicate"] + counts["skipped"] == counts["read"]
        for row in rows:
            if row["status"] == "skipped":
                assert any(m["level"] == "error" for m in row["messages"]), row
            else:
                assert (built.root / "content" / name / row["path"]).is_file(), row


def test_every_imported_file_is_in_the_build_report_once(built):
    inputs = built.report["inputs"]
    assert len({e["path"] for e in inputs}) == len(inputs)
    on_disk = sorted(
        p.relative_to(built.root / "content").as_posix() for p in (built.root / "content").rglob("*") if p.is_file()
    )
    assert sorted(e["path"] for e in inputs) == on_disk
    status = {e["path"]: e["status"] for e in inputs}
    for name, report in built.imports.items():
        for row in report["rows"]:
            if row["path"]:
                assert status[f"{name}/{row['path']}"] in ("rendered", "merged")
    assert status["bbc/README.TXT"] == "skipped" and built.report["errors"] == []


def test_rt_footers_are_removed_and_listed(built):
    footer_rows = sum(
        1 for name in ("rt-en", "rt-ru", "rt-de") for p in sources(name) for r in raw_rows(p) if RT_FOOTER.search(r[2])
    )
    assert footer_rows == 1547  # SOURCE.md: 483 English and 1,064 Russian/German rows
    by_path = articles_by_path(built.report)
    inputs = {e["path"]: e for e in built.report["inputs"]}
    checked = 0
    for name in ("rt-en", "rt-ru", "rt-de"):
        for path in sorted((built.root / "content" / name).iterdir()):
            if not RT_FOOTER.search(path.read_text(encoding="utf-8")):
                continue
            rel = f"{name}/{path.name}"
            if inputs[rel]["status"] == "merged":
                continue  # its text is on its canonical article's page, checked as that file
            checked += 1
            article = by_path[rel]
            removed = [r for r in article["removed"] if r["kind"] == "boilerplate"]
            only_footer = any("only of boilerplate" in m["message"] for m in inputs[rel]["messages"])
            assert removed or only_footer, rel
            if removed:
                page = (built.root / "public" / article["permalink"]).read_text(encoding="utf-8")
                body = page.split('<section class="provenance"')[0]
                assert not RT_FOOTER.search(body) and "boilerplate" in page, rel
    assert checked > 500


def test_recurring_paragraphs_of_an_outlet_are_detected(built):
    found = {(b["outlet"], b["text"]) for b in built.report["stats"]["boilerplate"]}
    assert (
        "before-it-s-news",
        "Headline: Bitcoin & Blockchain Searches Exceed Trump! Blockchain Stocks Are Next!",
    ) in found
    assert all(b["articles"] >= 5 for b in built.report["stats"]["boilerplate"])


def test_languages_follow_the_host_and_are_detected_for_unknown_outlets(built):
    by_host: dict[str, Counter] = defaultdict(Counter)
    for a in built.report["articles"]:
        host = (a["url"] or "bbc").split("/")[2] if a["url"] else "bbc"
        by_host[host][a["language"]] += 1
    assert (
        set(by_host["russian.rt.com"]) == {"ru"}
        and set(by_host["de.rt.com"]) == {"de"}
        and set(by_host["www.rt.com"]) == {"en"}
    )
    assert set(by_host["bbc"]) == {"en"}
    fakenews = [a for a in built.report["articles"] if a["source_paths"][0].startswith("fakenews/")]
    assert set(Counter(a["language"] for a in fakenews)) == {"en"} and len(fakenews) > 230  # 250 rows, a few merged
    ru = next(a for a in built.report["articles"] if a["title"].startswith("«Принцип недоверия»"))
    page = (built.root / "public" / ru["permalink"]).read_text(encoding="utf-8")
    assert '<div class="article-body" lang="ru">' in page
    assert ru["permalink"].isascii() and "printsip-nedoveriia" in ru["permalink"]


def test_outlet_labels_become_tags(built):
    beforeitsnews = [a for a in built.report["articles"] if a["outlet"] == "Before It's News"]
    assert len(beforeitsnews) > 140 and all("fake" in a["tags"] for a in beforeitsnews)  # 155 rows, a few merged


def test_duplicates_are_merged(built):
    per_url = Counter(canonical_url(a["url"]) for a in built.report["articles"] if a["url"] and a["outlet"] == "RT")
    assert max(per_url.values()) == 1, per_url.most_common(3)
    assert len(per_url) < 1065 + 1065 + 742  # the keyword files overlap: ~1,065 distinct English URLs of 2,163 rows
    assert sum(1 for e in built.report["inputs"] if e["status"] == "merged") > 500


@pytest.mark.parametrize(
    "query, title_start",
    [
        ("недоверия", "«Принцип недоверия»"),
        ("Bundesregierung", "Die irreführenden Informationen der Bundesregierung"),
        ("Milosevic", "One year since Milosevic"),
    ],
)
def test_known_articles_are_found_by_terminal_search(built, capsys, query, title_start):
    titles = [a["title"] for a in built.report["articles"] if a["title"].startswith(title_start)]
    assert titles
    capsys.readouterr()
    assert main(["search", "--config", str(built.root / "site.yaml"), "--json", query]) == 0
    assert titles[0] in capsys.readouterr().out
