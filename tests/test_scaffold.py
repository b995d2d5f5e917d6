"""`site-gen new DIR`: a site to start from that builds with --strict and serves its example articles."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
import yaml
from conftest import REPO
from preview import Preview

from site_gen.config import SiteConfig
from site_gen.scaffold import new_site

TEMPLATE = REPO / "site_gen" / "data" / "new"


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "site_gen", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_new_then_build_strict_renders_one_example_of_each_input_format(tmp_path):
    made = run("new", "archive", cwd=tmp_path)
    assert made.returncode == 0, made.stderr
    assert "cd archive && site-gen serve" in made.stdout
    site = tmp_path / "archive"
    assert sorted(p.relative_to(site).as_posix() for p in site.rglob("*") if p.is_file()) == [
        ".gitignore",
        "content/2025-03-14-swing-bridge-reopens.txt",
        "content/2025-04-02-council-budget.md",
        "content/README.md",
        "content/notes/2025-05-01-market-day.txt",
        "site.yaml",
        "sources.yaml",
    ]
    built = run("build", "--strict", "--report", "report.json", cwd=site)
    assert built.returncode == 0, built.stderr
    assert built.stderr == ""  # not one warning
    report = json.loads((site / "report.json").read_text())
    formats = {a["source_paths"][0]: a for a in report["articles"]}
    assert set(formats) == {
        "2025-03-14-swing-bridge-reopens.txt",
        "2025-04-02-council-budget.md",
        "notes/2025-05-01-market-day.txt",
    }
    assert {a["date"] for a in formats.values()} == {"2025-03-14", "2025-04-02", "2025-05-01"}
    assert formats["2025-03-14-swing-bridge-reopens.txt"]["outlet"] == "The Example Gazette"  # from sources.yaml
    assert any(r["kind"] == "boilerplate" for r in formats["2025-03-14-swing-bridge-reopens.txt"]["removed"])
    assert formats["2025-04-02-council-budget.md"]["tags"] == ["council", "budget", "local press"]
    assert [e["status"] for e in report["inputs"] if e["path"] == "README.md"] == ["skipped"]


def test_the_gitignore_keeps_output_cache_and_build_folders_out_of_git(tmp_path):
    site = tmp_path / "archive"
    written = sorted(p.relative_to(site).as_posix() for p in new_site(site))
    assert run("build", cwd=site).returncode == 0
    assert {p.name for p in site.iterdir()} > {"public", ".site-gen-cache", ".public.lock"}
    subprocess.run(["git", "init", "-q"], cwd=site, check=True)
    listed = subprocess.run(
        ["git", "status", "--porcelain", "--untracked-files=all"], cwd=site, capture_output=True, text=True, check=True
    ).stdout
    assert sorted(line[3:] for line in listed.splitlines()) == written


def test_every_setting_is_in_the_commented_site_yaml_with_its_default():
    defaults = SiteConfig(root=Path("."))
    shown = {}
    for line in (TEMPLATE / "site.yaml").read_text().splitlines():
        if match := re.match(r"(?:# )?([a-z_]+):(.*)$", line):
            shown[match[1]] = yaml.safe_load(match[2])
    for f in dataclasses.fields(SiteConfig):
        if f.name in ("root", "config_path"):
            continue
        assert f.name in shown, f"site.yaml of site-gen new does not show {f.name}"
        if f.name in ("title", "description", "base_url", "sources", "defaults"):  # set, or an example
            continue
        default = getattr(defaults, f.name)
        expected = dataclasses.asdict(default) if dataclasses.is_dataclass(default) else default
        assert shown[f.name] == (str(expected) if isinstance(expected, Path) else expected), f.name


@pytest.mark.parametrize("kind", ["a non-empty folder", "a file"])
def test_new_refuses_a_non_empty_folder_or_a_file_and_says_why(tmp_path, kind):
    target = tmp_path / "mine"
    if kind == "a file":
        target.write_text("keep me")
    else:
        target.mkdir()
        (target / "notes.txt").write_text("keep me")
    done = run("new", str(target), cwd=tmp_path)
    assert done.returncode == 1
    reason = "is not empty (it holds notes.txt)" if kind == "a non-empty folder" else "is a file"
    assert f"site-gen: error: {target}: {reason}" in done.stderr
    assert "nothing in it is overwritten" in done.stderr or "new or empty folder" in done.stderr
    kept = target / "notes.txt" if kind == "a non-empty folder" else target
    assert kept.read_text() == "keep me" and not (tmp_path / "mine" / "site.yaml").exists()


def test_new_makes_missing_parent_folders_and_accepts_an_empty_one(tmp_path):
    (tmp_path / "empty").mkdir()
    assert (tmp_path / "empty" / "site.yaml") in new_site(tmp_path / "empty")
    assert (tmp_path / "a" / "b" / ".gitignore") in new_site(tmp_path / "a" / "b")


@pytest.mark.browser
def test_new_site_serves_its_example_articles(tmp_path, page):
    new_site(tmp_path / "archive")
    preview = Preview(tmp_path / "archive")
    try:
        page.goto(preview.url)
        page.locator("html[data-site-gen-live=connected]").wait_for(state="attached", timeout=15000)
        titles = page.locator("main h2 a, main h3 a").all_inner_texts()
        for title in (
            "Swing bridge reopens after eleven weeks of repairs",
            "Council agrees next year's budget",
            "Market day moves to the harbour",
        ):
            assert title in titles
            page.get_by_role("link", name=title).first.click()
            assert page.locator("h1").inner_text() == title
            page.go_back()
        page.wait_for_timeout(300)
        assert page.locator("#site-gen-problems").count() == 0  # nothing to list
        assert page.console_errors == []
    finally:
        assert preview.stop() == 0


@pytest.mark.slow
def test_the_wheel_ships_every_file_of_the_new_site(wheel):
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if name.startswith("site_gen/data/new/")}
    files = {"site_gen/" + p.relative_to(REPO / "site_gen").as_posix() for p in TEMPLATE.rglob("*") if p.is_file()}
    assert shipped == files and "site_gen/data/new/gitignore" in shipped
