import json
import os
import re
import subprocess
import sys

import pytest
from conftest import REPO

from site_gen.errors import SiteGenError
from site_gen.render import pages as render


def test_sample_archive_shows_the_sample_article_as_required(sample_build):
    report = json.loads((sample_build / "report.json").read_text())
    [article] = [a for a in report["articles"] if a["source_paths"] == ["000_9a66afeb63694e66.txt"]]
    assert article["title"] == "NATO Staff Prepared Ukrainian Invasion of Kursk Region for 6 Months"
    assert article["date"] == "2025-05-31" and article["outlet"] == "Sputnik"
    html = (sample_build / "public" / article["permalink"]).read_text()
    body = html.split('class="article-body"')[1].split("</div>")[0]
    paragraphs = re.findall(r"<p>(.*?)</p>", body, re.S)
    assert len(paragraphs) == 6 and len(set(paragraphs)) == 6
    assert "it seems unlikely they&#39;ll even" in body  # as the first copy wrote it
    assert ">2025-05-31<" in html and ">Sputnik<" in html


def test_every_sample_file_is_in_the_report_exactly_once(sample_build):
    report = json.loads((sample_build / "report.json").read_text())
    paths = [e["path"] for e in report["inputs"]]
    on_disk = sorted(p.relative_to(REPO / "content").as_posix() for p in (REPO / "content").rglob("*") if p.is_file())
    assert sorted(paths) == on_disk and len(paths) == len(set(paths))
    statuses = {e["path"]: e["status"] for e in report["inputs"]}
    assert statuses["problems/unclosed-front-matter.md"] == "error"
    assert statuses["reports/2025-06-10-draft-opinion.md"] == "skipped"
    assert sum(1 for s in statuses.values() if s == "rendered") >= 31
    assert {e["path"] for e in report["errors"]} == {p for p, s in statuses.items() if s == "error"}


def test_bad_files_do_not_stop_the_build_and_strict_keeps_the_last_output(site):
    site.write("good.txt", "Good\nBody\n")
    first = site.build()
    assert first.problems == 0
    site.write("bad.md", "---\ntitle: never closed\n")
    result = site.build()
    assert site.entry(result, "bad.md")["status"] == "error" and len(result.archive.articles) == 1
    site.write("good.txt", "Changed\nBody\n")
    with pytest.raises(SiteGenError, match="--strict"):
        site.build(strict=True, report_path=site.root / "r.json")
    assert "Good" in site.page("index.html")  # the last good output is still there
    assert json.loads((site.root / "r.json").read_text())["errors"][0]["line"] == 1


def test_a_failing_build_leaves_the_previous_output(site, monkeypatch):
    site.write("a.txt", "First title\nBody\n")
    site.build()

    def explode(self):
        raise OSError("disk full")

    monkeypatch.setattr(render.Renderer, "rest", explode)
    site.write("a.txt", "Second title\nBody\n")
    with pytest.raises(OSError):
        site.build()
    assert "First title" in site.page("index.html")
    assert [p.name for p in site.root.iterdir() if p.name.startswith(".public.staging")] == []


def test_stats_and_summary(site):
    site.write("a.txt", "A\nBody\n")
    site.write("b.jpg", b"\xff\xd8\xff")
    result = site.build()
    stats = result.report["stats"]
    assert stats["by_status"] == {"skipped": 1, "rendered": 1} and stats["files_written"] > 5
    assert set(stats["stages"]) >= {"discover", "read", "assemble", "render"}
    assert "1 articles from 2 files" in result.summary(site.out)


def test_builds_are_deterministic(site):
    for i in range(3):
        site.write(f"{i}.txt", f"date 2025-01-0{i + 1} https://x.example/{i}\nT{i}\nBody {i}\n")
    site.build()
    first = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    site.build()
    second = {p.relative_to(site.out): p.read_bytes() for p in site.out.rglob("*") if p.is_file()}
    assert first == second


def test_read_workers_inherit_the_language_model_instead_of_loading_it(site, monkeypatch, tmp_path):
    """The first file is read before the workers start: its language needs detecting, so the model is
    loaded once, in the build's own process, and let go after reading."""
    from py3langid.langid import LanguageIdentifier

    from site_gen import languages, parallel

    loads = tmp_path / "loads"
    load = LanguageIdentifier.from_model_file.__func__

    def counted(cls, *args, **kwargs):
        with open(loads, "a") as log:
            log.write(f"{os.getpid()}\n")
        return load(cls, *args, **kwargs)

    monkeypatch.setattr(LanguageIdentifier, "from_model_file", classmethod(counted))
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 4)
    languages.unload_model()
    texts = {
        "en": "The council will meet on Tuesday to discuss the new budget for the schools of the town.",
        "de": "Der Stadtrat trifft sich am Dienstag, um den neuen Haushalt für die Schulen zu besprechen.",
    }
    for i in range(12):
        lang = "de" if i % 3 else "en"
        site.write(f"{i}.md", f"---\ntitle: Story {i}\nurl: https://unknown{i}.example/{i}\n---\n{texts[lang]}\n")
    site.configure(jobs=2)
    result = site.build()
    assert loads.read_text().split() == [str(os.getpid())]
    assert not languages.model_loaded()
    assert {a.title: a.language for a in result.archive.articles} == {
        f"Story {i}": "de" if i % 3 else "en" for i in range(12)
    }


LOOK = (
    "import sys\n"
    "from site_gen.cli import main\n"
    "assert main(['build', sys.argv[1], '-q']) == 0\n"
    "print(*sorted(set(sys.modules) | {name.split('.')[0] for name in sys.modules}))\n"
)
STAGES = {"numpy", "whoosh", "jinja2", "markdown_it", "ftfy", "site_gen.build.stages"}


def test_a_build_that_finds_nothing_changed_imports_none_of_the_stages(site):
    """The everyday no-op build stops after looking, before the stages and their libraries are imported
    (0.2 s of a 0.35 s build at 10,000 articles); a build with something to do imports them."""
    for i in range(3):
        site.write(f"{i}.md", f"---\ntitle: T{i}\ndate: 2025-01-0{i + 1}\ntags: [a]\n---\nBody *{i}*.\n")
    site.build()
    looked = subprocess.run([sys.executable, "-c", LOOK, str(site.root)], capture_output=True, text=True, check=True)
    assert "nothing changed" in looked.stdout
    assert STAGES.isdisjoint(looked.stdout.split())
    site.write("3.md", "---\ntitle: T3\ndate: 2025-01-04\n---\nNew.\n")
    built = subprocess.run([sys.executable, "-c", LOOK, str(site.root)], capture_output=True, text=True, check=True)
    assert "nothing changed" not in built.stdout
    assert set(built.stdout.split()) >= STAGES - {"whoosh"}  # whoosh: imported in the search process
