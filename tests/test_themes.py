"""Themes: themes/NAME/ beside site.yaml first, then the themes shipped with site-gen; the default theme
lives at the top of the repository and ships in the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile

import pytest
from conftest import REPO

from site_gen.config import bundled_themes, theme_dirs
from site_gen.errors import ConfigError

ARTICLE = "date 2025-05-31 https://outlet.example/2025/05/31/story.html\nA story\nIts body.\n"


def test_the_default_theme_is_the_top_level_themes_folder_in_a_checkout():
    assert bundled_themes() == REPO / "themes"
    assert (REPO / "themes" / "default" / "templates" / "base.html").is_file()


def test_themes_name_beside_site_yaml_comes_first_then_the_default(site):
    own = site.root / "themes" / "mine" / "templates"
    own.mkdir(parents=True)
    (own / "404.html").write_text('{% extends "base.html" %}{% block content %}<p>Mine: not here.</p>{% endblock %}')
    site.configure(theme="mine")
    assert theme_dirs(site.config()) == [site.root / "themes" / "mine", bundled_themes() / "default"]
    site.write("a.txt", ARTICLE)
    site.build()
    assert "Mine: not here." in site.page("404.html")
    assert "A story" in site.page("index.html")  # every other template from the default theme


def test_a_site_default_folder_overrides_single_files_of_the_shipped_default(site):
    own = site.root / "themes" / "default" / "static"
    own.mkdir(parents=True)
    (own / "print.css").write_text("/* the site's own print sheet */")
    site.write("a.txt", ARTICLE)
    site.build()
    assert (site.out / "static" / "print.css").read_text() == "/* the site's own print sheet */"
    assert (site.out / "static" / "style.css").read_bytes() == (
        bundled_themes() / "default/static/style.css"
    ).read_bytes()


def test_a_missing_theme_is_a_config_error_naming_where_it_looked(site):
    site.configure(theme="nowhere")
    with pytest.raises(ConfigError) as caught:
        site.config()
    message = str(caught.value)
    assert "theme 'nowhere' not found" in message
    assert str(site.root / "themes" / "nowhere") in message and str(bundled_themes() / "nowhere") in message


@pytest.mark.slow
def test_a_wheel_ships_the_default_theme_and_builds_the_sample(tmp_path, wheel):
    """A non-editable install: the wheel's site_gen/themes/default, not this checkout's themes/."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    assert {"site_gen/themes/default/templates/base.html", "site_gen/themes/default/static/search.js"} <= names
    target = tmp_path / "installed"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "-q", "--target", target, wheel], check=True)
    site = tmp_path / "sample"
    site.mkdir()
    for name in ("content", "site.yaml", "sources.yaml"):
        os.symlink(REPO / name, site / name)
    env = {**os.environ, "PYTHONPATH": str(target)}
    where = subprocess.run(
        [sys.executable, "-c", "import site_gen.config as c; print(c.__file__, c.bundled_themes())"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=tmp_path,
    ).stdout.split()
    assert where == [str(target / "site_gen" / "config.py"), str(target / "site_gen" / "themes")]
    done = subprocess.run(
        [sys.executable, "-m", "site_gen", "build", "-o", str(tmp_path / "public")],
        env=env,
        capture_output=True,
        text=True,
        cwd=site,
    )
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "public" / "static" / "style.css").read_bytes() == (
        target / "site_gen/themes/default/static/style.css"
    ).read_bytes()
    assert '<dl class="glance">' in (tmp_path / "public" / "index.html").read_text(encoding="utf-8")
