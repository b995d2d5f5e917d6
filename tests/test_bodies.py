"""The cache of rendered Markdown bodies: a theme change parses no Markdown again, and the site is the same."""

import sqlite3

import markdown_it
import pytest
from test_incremental import full_build_of, snapshot

from site_gen import parallel
from site_gen.render import bodies
from site_gen.render.bodies import make_markdown, parser_version


@pytest.fixture
def parsed(monkeypatch):
    """Every Markdown text parsed, in order."""
    texts = []
    render = markdown_it.MarkdownIt.render

    def counted(self, text, env=None):
        texts.append(text)
        return render(self, text, env)

    monkeypatch.setattr(markdown_it.MarkdownIt, "render", counted)
    return texts


def markdown(n: int, body: str = "Some *emphasis* and a [link](https://example.org/).") -> str:
    return f"---\ntitle: Story {n}\ndate: 2025-01-0{n + 1}\nurl: https://gazette.example/{n}\n---\n{body} {n}\n"


def rows(site) -> int:
    with sqlite3.connect(site.config().cache_dir / "bodies.sqlite") as db:
        return db.execute("SELECT COUNT(*) FROM bodies").fetchone()[0]


def test_a_theme_change_parses_no_markdown_again(site, parsed, tmp_path):
    theme = site.root / "mytheme" / "templates"
    theme.mkdir(parents=True)
    site.configure(theme="mytheme")
    for n in range(3):
        site.write(f"{n}.md", markdown(n))
    site.write("plain.txt", "date 2025-01-05 https://gazette.example/p\nPlain\nA plain-text body.\n")
    site.build()
    assert len(parsed) == 3
    parsed.clear()
    (theme / "article.html").write_text(
        '{% extends "base.html" %}{% block content %}<h1>{{ article.title }}</h1>{{ body_html(article) }}{% endblock %}'
    )
    result = site.build()
    assert parsed == [] and result.report["stats"]["pages_rendered"] >= 4  # every article page, none parsed
    page = site.page(result.archive.articles[-1].permalink)
    assert "<p>Some <em>emphasis</em> and a" in page and "Provenance" not in page
    parsed.clear()
    assert snapshot(site.out) == full_build_of(site, tmp_path)  # as a build without the cache makes it
    assert len(parsed) == 3


def test_an_edited_body_is_parsed_again_alone(site, parsed):
    for n in range(3):
        site.write(f"{n}.md", markdown(n))
    site.build()
    parsed.clear()
    site.write("1.md", markdown(1, "A *corrected* body."))
    site.build()
    assert parsed == ["A *corrected* body. 1"]
    assert "<em>corrected</em>" in site.page(site.build(full=True).archive.articles[1].permalink)


def test_the_cache_keeps_about_twice_the_archive(site, monkeypatch):
    monkeypatch.setattr(bodies, "SLACK", 0)
    for n in range(3):
        site.write(f"{n}.md", markdown(n))
    site.build()
    site.write("0.md", markdown(0, "Second version."))
    site.build()
    assert rows(site) == 4  # the old body of 0.md is still there: under the bound
    for version in ("Third", "Fourth", "Fifth"):
        site.write("0.md", markdown(0, f"{version} version."))
        site.build()
    assert rows(site) == 3  # past twice the archive: only the bodies of its articles


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_damaged_cache_is_reported_and_replaced(site, monkeypatch, jobs):
    """With workers too: they find it damaged, the main process reports it."""
    monkeypatch.setattr(parallel, "MIN_PARALLEL", 2)
    site.configure(jobs=jobs)
    for n in range(4):
        site.write(f"{n}.md", markdown(n))
    site.build()
    (site.config().cache_dir / "bodies.sqlite").write_bytes(b"not a database" * 100)
    result = site.build(full=True)
    assert "<em>emphasis</em>" in site.page(result.archive.articles[0].permalink)
    assert [p for p in result.report["stats"]["cache_problems"] if "bodies.sqlite" in p] == [
        f"{site.config().cache_dir / 'bodies.sqlite'}: unusable cache of rendered bodies (file is not a database); "
        "it is made anew"
    ]
    assert rows(site) == 4


def test_the_key_follows_the_parser_settings():
    assert parser_version(make_markdown()) == parser_version(make_markdown())
    assert parser_version(make_markdown()) != parser_version(make_markdown().disable("table"))
