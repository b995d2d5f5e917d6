"""site-gen search in a terminal: ranked results with snippets, filters, JSON, and clear failures."""

import json
import subprocess
import sys


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "site_gen", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def make_site(site):
    site.write(
        "a.txt",
        (
            "date 2024-03-01 https://harbour.example/a\nSwing bridge closes\n"
            "The swing bridge will close for repairs. Traders worry.\n"
        ),
    )
    site.write(
        "b.txt", "date 2023-05-02 https://north.example/b\nBridge works begin\nWork on the bridge begins today.\n"
    )
    site.write("c.txt", "date 2024-06-03 https://north.example/c\nFerry news\nA night ferry starts.\n")
    (site.root / "site.yaml").write_text("jobs: 1\n")
    assert run("build", cwd=site.root).returncode == 0


def test_results_with_date_outlet_permalink_and_highlighted_snippet(site):
    make_site(site)
    done = run("search", "bridge", cwd=site.root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0].strip().startswith("1. ") and "bridge" in lines[0].lower()
    assert (
        "2024-03-01 · harbour.example · articles/harbour-example/2024/03/swing-bridge-closes/index.html" in done.stdout
    )
    assert "[bridge]" in done.stdout  # highlighted; no colour when the output is not a terminal
    assert "Ferry" not in done.stdout


def test_filters_limit_and_json(site):
    make_site(site)
    as_json = lambda *args: json.loads(run("search", *args, "--json", cwd=site.root).stdout)  # noqa: E731
    assert [r["title"] for r in as_json("bridge", "--outlet", "north.example")] == ["Bridge works begin"]
    assert [r["title"] for r in as_json("bridge", "--from", "2024")] == ["Swing bridge closes"]
    assert [r["title"] for r in as_json("bridge", "--to", "2023-12")] == ["Bridge works begin"]
    assert len(as_json("bridge OR ferry", "--limit", "2")) == 2
    [result] = as_json('"swing bridge"')
    assert set(result) >= {
        "rank",
        "score",
        "id",
        "title",
        "date",
        "outlet",
        "outlet_name",
        "tags",
        "permalink",
        "snippet",
        "snippet_html",
    }
    assert "<mark>swing</mark> <mark>bridge</mark>" in result["snippet_html"]
    assert as_json("brid*") and as_json("bridge NOT swing")[0]["title"] == "Bridge works begin"


def test_config_and_source_like_build(site):
    make_site(site)
    assert "Swing bridge closes" in run("search", "swing", str(site.root), cwd=site.root.parent).stdout
    assert (
        "Swing bridge closes"
        in run("search", "swing", "--config", str(site.root / "site.yaml"), cwd=site.root.parent).stdout
    )


def test_no_index_no_results_and_bad_dates(site):
    (site.root / "site.yaml").write_text("jobs: 1\n")
    missing = run("search", "bridge", cwd=site.root)
    assert missing.returncode == 1 and "no search index yet" in missing.stderr and "site-gen build" in missing.stderr
    make_site(site)
    none = run("search", "walrus", cwd=site.root)
    assert none.returncode == 0 and "No results for 'walrus'" in none.stdout
    bad = run("search", "bridge", "--from", "last week", cwd=site.root)
    assert bad.returncode == 2 and "is not a date" in bad.stderr


def test_inflected_forms_and_a_chosen_language(multilingual_site):
    site = multilingual_site
    site.config()  # writes site.yaml
    assert run("build", cwd=site.root).returncode == 0
    done = run("search", "Соросом", cwd=site.root)
    assert done.returncode == 0, done.stderr
    assert "Сорос и санкции" in done.stdout and "[Сороса]" in done.stdout
    found = json.loads(run("search", "--json", "Soros", cwd=site.root).stdout)
    assert {r["language"] for r in found} == {"en", "de"}
    german = json.loads(run("search", "--json", "--lang", "de", "Soros", cwd=site.root).stdout)
    assert [r["title"] for r in german] == ["Soros und das Land"]
    missing = run("search", "--lang", "fr", "Soros", cwd=site.root)
    assert missing.returncode != 0 and "no article is in language 'fr'" in missing.stderr
