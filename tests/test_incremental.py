"""Incremental builds give exactly the site a full build gives, while writing only what changed."""

import json
import os
import shutil

from conftest import REPO

from site_gen.build.pipeline import build
from site_gen.config import load_config


def header(n: int, body: str = "Body.", outlet: str = "gazette.example") -> str:
    return f"date 2025-0{1 + n % 9}-1{n % 10} https://{outlet}/{n}\nStory number {n}\n{body}\n"


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".site-gen-output"
    }


def inodes(folder):
    return {p.relative_to(folder).as_posix(): p.stat().st_ino for p in folder.rglob("*") if p.is_file()}


def full_build_of(site, tmp_path):
    config = site.config()
    config.output_dir = tmp_path / "full"
    config.cache_dir = tmp_path / "full-cache"
    build(config, cwd=site.root, full=True)
    return snapshot(config.output_dir)


def test_nothing_changed_means_nothing_read_or_written(site):
    for n in range(5):
        site.write(f"{n}.txt", header(n))
    first = site.build()
    assert first.report["stats"]["files_written"] > 20
    before = inodes(site.out)
    second = site.build()
    assert second.report["stats"]["unchanged"] is True and second.archive is None
    assert inodes(site.out) == before
    assert "nothing changed" in second.summary(site.out)
    assert [e["path"] for e in second.report["inputs"]] == [e["path"] for e in first.report["inputs"]]


def test_touched_but_unchanged_files_render_nothing(tmp_path):
    """Articles read again must key like the cached ones. A plain pickle did not: the sample's merged
    copies share strings between fields, which a pickle writes once when read fresh but twice after a
    round trip through the cache."""
    site = tmp_path / "sample"
    for name in ("content", "site.yaml", "sources.yaml"):
        (shutil.copytree if (REPO / name).is_dir() else shutil.copy2)(REPO / name, site / name)
    config = load_config(site / "site.yaml", cwd=site)
    build(config, cwd=site)
    for path in (site / "content").rglob("*.txt"):
        os.utime(path)  # a new mtime, the same bytes: every file is read again
    stats = build(config, cwd=site).report["stats"]
    assert stats["pages_rendered"] == 0 and stats["files_written"] == 0


def test_one_edit_rewrites_its_page_and_the_listings_that_show_it(site, tmp_path):
    for n in range(6):
        site.write(f"{n}.txt", header(n, outlet="gazette.example" if n < 3 else "wire.example"))
    site.build()
    before = snapshot(site.out)
    site.write("4.txt", header(4, "A corrected body.", "wire.example"))
    result = site.build()
    after = snapshot(site.out)
    changed = {path for path in after if after[path] != before.get(path)}
    assert result.report["stats"]["incremental"] is True
    article = next(a.permalink for a in result.archive.articles if a.title == "Story number 4")
    assert article in changed and "index.html" in changed and "outlets/wire-example/index.html" in changed
    assert "outlets/gazette-example/index.html" not in changed
    assert not any(p.startswith("articles/gazette-example/") for p in changed)
    assert set(json.loads(json.dumps(result.report["stats"]))) >= {"files_written", "files_deleted"}
    assert after == full_build_of(site, tmp_path)


def test_additions_deletions_and_renames_match_a_full_build(site, tmp_path):
    for n in range(4):
        site.write(f"{n}.txt", header(n))
    site.build()
    site.write("new.txt", header(7, "Brand new."))
    (site.content / "1.txt").unlink()
    (site.content / "2.txt").rename(site.content / "two.txt")
    result = site.build()
    assert result.report["stats"]["files_deleted"] >= 1
    assert snapshot(site.out) == full_build_of(site, tmp_path)
    assert not any("Story number 1" in (site.out / p).read_text() for p in snapshot(site.out) if p.endswith(".html"))


def test_a_template_change_rebuilds_only_what_uses_it(site, tmp_path):
    theme = site.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    site.configure(theme="mytheme")
    for n in range(3):
        site.write(f"{n}.txt", header(n))
    result = site.build()
    article = result.archive.articles[0].permalink
    before = inodes(site.out)
    (theme / "tags.html").write_text('{% extends "base.html" %}{% block content %}<h1>All tags</h1>{% endblock %}')
    site.build()
    after = inodes(site.out)
    assert after["tags/index.html"] != before["tags/index.html"]
    assert after[article] == before[article] and after["index.html"] == before["index.html"]
    assert snapshot(site.out) == full_build_of(site, tmp_path)


def test_a_config_change_rebuilds_every_page_that_shows_it(site, tmp_path):
    site.write("a.txt", header(1))
    site.build()
    site.configure(title="Renamed Archive")
    result = site.build()
    assert all(
        "Renamed Archive" in (site.out / p).read_text() for p in ["index.html", result.archive.articles[0].permalink]
    )
    assert snapshot(site.out) == full_build_of(site, tmp_path)


def test_a_corrupt_cache_is_reported_and_rebuilt(site, tmp_path):
    site.write("a.txt", header(1))
    config = site.config()
    site.build()
    (config.cache_dir / "state.bin").write_bytes((config.cache_dir / "state.bin").read_bytes()[:100])  # truncated
    (config.cache_dir / "inputs.sqlite").write_bytes(b"this is not a database" * 100)
    result = site.build()
    problems = result.report["stats"]["cache_problems"]
    assert len(problems) == 2 and "state.bin" in problems[0] and "inputs.sqlite" in problems[1]
    assert snapshot(site.out) == full_build_of(site, tmp_path)
    assert site.build().report["stats"]["unchanged"] is True  # and the cache works again


def test_an_output_changed_behind_our_back_gets_a_full_build(site):
    site.write("a.txt", header(1))
    site.build()
    (site.out / ".site-gen-output").write_text('{"generator": "site-gen", "generation": 99}')
    result = site.build()
    assert result.report["stats"]["incremental"] is False and result.archive is not None


def test_a_report_asked_of_an_unchanged_build_is_complete(site):
    for n in range(3):
        site.write(f"{n}.txt", header(n))
    site.build()
    asked = site.build(report_path=site.root / "r1.json")  # no report was kept: this one reads the cache
    assert asked.archive is not None and len(json.loads((site.root / "r1.json").read_text())["articles"]) == 3
    again = site.build(report_path=site.root / "r2.json")  # now the kept report is given again
    report = json.loads((site.root / "r2.json").read_text())
    assert again.archive is None and report["stats"]["unchanged"] is True
    assert report["articles"] == json.loads((site.root / "r1.json").read_text())["articles"]


def test_a_file_name_that_is_not_utf8_is_cached_read_once_and_forgotten_when_gone(site):
    name = os.fsdecode(b"caf\xe9.txt")  # Latin-1 bytes in the name: a str with a surrogate
    site.write(name, "A caf\u00e9\nBody.\n")
    site.write("b.txt", header(2))
    first = site.build()
    assert site.entry(first, "caf\ufffd.txt")["status"] == "rendered"
    site.write("b.txt", header(2, "Changed."))
    second = site.build()  # the Latin-1 name comes from the cache, not read again
    assert second.report["stats"]["incremental"] is True and site.entry(second, "caf\ufffd.txt")["status"] == "rendered"
    (site.content / name).unlink()
    third = site.build()
    assert [e["path"] for e in third.report["inputs"]] == ["b.txt"]
