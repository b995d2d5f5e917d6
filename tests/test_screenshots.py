"""scripts/screenshots.py, which makes the README's screenshots, run for real on the sample build."""

from __future__ import annotations

import shutil
import struct
import subprocess
import sys

import pytest
from conftest import REPO

pytestmark = pytest.mark.browser
SCRIPT = REPO / "scripts" / "screenshots.py"


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{path} is not a PNG"
    return struct.unpack(">II", data[16:24])


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True, timeout=300, check=True)


def test_readme_shots_are_small_desktop_pngs(browser, sample_build, tmp_path):
    run("--site", str(sample_build / "public"), "--out", str(tmp_path))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["article.png", "home.png", "search.png"]
    assert png_size(tmp_path / "home.png") == (1280, 860) and png_size(tmp_path / "article.png") == (1280, 1560)
    assert all(shot.stat().st_size < 400_000 for shot in tmp_path.iterdir())


def test_search_is_skipped_when_the_site_has_no_search_page(browser, sample_build, tmp_path):
    site = tmp_path / "public"
    shutil.copytree(sample_build / "public", site)
    shutil.rmtree(site / "search")
    done = run("--site", str(site), "--out", str(tmp_path / "shots"))
    assert sorted(p.name for p in (tmp_path / "shots").iterdir()) == ["article.png", "home.png"]
    assert "skipping search:" in done.stderr and "search/index.html does not exist" in done.stderr


def test_readme_shows_the_committed_screenshots():
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for name in ("home.png", "article.png", "search.png"):
        assert f"](docs/screenshots/{name})" in readme
        assert png_size(REPO / "docs" / "screenshots" / name)[0] == 1280
