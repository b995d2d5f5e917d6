"""End to end on the real BBC corpus (../shared/corpora/bbc-fulltext, 2,225 articles): every file accounted for."""

import json

import pytest
import yaml

from site_gen.build import build
from site_gen.config import load_config

from conftest import corpus
from linkcheck import broken_links

pytestmark = pytest.mark.slow
CATEGORIES = ["business", "entertainment", "politics", "sport", "tech"]


def test_bbc_corpus_builds_with_every_file_in_the_report(tmp_path):
    bbc = corpus("bbc-fulltext") / "bbc"
    settings = {
        "title": "BBC News 2004-2005",
        "content_dir": str(bbc),
        "defaults": [{"path": "*", "values": {"source": "bbc.co.uk"}}] + [{"path": f"{c}/*", "values": {"tags": [c]}} for c in CATEGORIES],
    }
    (tmp_path / "site.yaml").write_text(yaml.safe_dump(settings))
    result = build(load_config(tmp_path / "site.yaml", cwd=tmp_path), cwd=tmp_path, report_path=tmp_path / "report.json")
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
