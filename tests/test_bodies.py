"""Markdown bodies: rendered block by block as markdown-it renders them whole, and the cache of rendered bodies
(a theme change parses no Markdown again, and the site is the same)."""

import random
import sqlite3

import markdown_it
import pytest
from conftest import REPO, corpus
from test_incremental import full_build_of, snapshot

from site_gen import parallel
from site_gen.render import bodies
from site_gen.render.bodies import make_markdown, parser_version, render_markdown


@pytest.fixture
def parsed(monkeypatch):
    """Every Markdown text parsed, in order."""
    texts = []
    render = bodies.render_markdown

    def counted(md, text):
        texts.append(text)
        return render(md, text)

    monkeypatch.setattr(bodies, "render_markdown", counted)
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


# pieces of random texts: marks, block openers and whitespace in every combination markdown-it could tell apart
INLINE = ["<http://a.b>", "<b>", "~~s~~", "a | b", "\n---", "\n===", "\n___", "\n# h", "#x", "[r]", "[r]: /u", "  \n"]
PIECES = [
    [*"ab c\n\n\n  \t\"'-+*_#=>.)1234567890[]():!<&|~`\\\u00a0", "word ", "1. ", "- ", "    ", "```", "]: x"],
    [*"ab c\n\n  \"'.,é1.)-#=", "word ", "\n\n", "\n \n", "*x*", "2) ", "Ü ", "\n\t\n", "x  \n", "\u2028"],
    [
        *"ab c\n",
        "\n\n",
        " *em* ",
        "_u_",
        "__",
        "***",
        "[l](http://x)",
        "![i](y)",
        "`c`",
        "\\",
        "&copy;",
        "&",
        *INLINE,
        "\\\n",
        ">",
        "\r",
    ],
]


@pytest.mark.parametrize("pieces", PIECES, ids=["block-starts", "whitespace", "inline-marks"])
def test_bodies_render_as_markdown_it_renders_them_whole_on_random_texts(pieces):
    md, rng = make_markdown(), random.Random(len(pieces))
    for _ in range(4000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert render_markdown(md, text) == md.render(text), text


def test_bodies_render_as_markdown_it_renders_them_whole_on_real_texts():
    md = make_markdown()
    files = [p for p in (REPO / "content").rglob("*") if p.suffix in (".md", ".txt")]
    assert len(files) > 30
    for path in files:
        text = path.read_text(encoding="utf-8", errors="replace")
        assert render_markdown(md, text) == md.render(text), path


def test_bodies_render_as_markdown_it_renders_them_whole_on_a_corpus():
    md = make_markdown()
    for path in sorted(corpus("bbc-fulltext").rglob("*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        assert render_markdown(md, text) == md.render(text), path


def test_paragraphs_of_prose_skip_the_block_parser(monkeypatch):
    md, blocks = make_markdown(), []
    parse = markdown_it.MarkdownIt.parse
    monkeypatch.setattr(
        markdown_it.MarkdownIt, "parse", lambda self, src, env=None: blocks.append(src) or parse(self, src, env)
    )
    prose = 'A "quoted" word.\nA second line.\n\nSome *emphasis* and a [link](https://example.org/).\n\n## A heading\n'
    assert render_markdown(md, prose) == (
        "<p>A &quot;quoted&quot; word.\nA second line.</p>\n"
        '<p>Some <em>emphasis</em> and a <a href="https://example.org/">link</a>.</p>\n<h2>A heading</h2>\n'
    )
    assert blocks == ["## A heading"]  # the paragraphs were not parsed as blocks
    listed = "Before.\n\n- one\n\n- two\n"
    assert render_markdown(md, listed) == md.render(listed) and blocks[-2:] == [listed, listed]  # a list spans blocks
