import subprocess
import sys


def run(*args, cwd):
    return subprocess.run(
        [sys.executable, "-m", "site_gen", *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_build_prints_a_summary_and_problems(site):
    site.write("a.txt", "Title\nBody\n")
    site.write("bad.md", "---\ntitle: x\n")
    done = run("build", "content", "-o", "out", "--report", "report.json", cwd=site.root)
    assert done.returncode == 0, done.stderr
    assert "1 articles from 2 files" in done.stdout and "out/index.html" in done.stdout
    assert "error: bad.md:1: front matter opened with '---' is never closed" in done.stderr
    assert (site.root / "out" / "index.html").exists() and (site.root / "report.json").exists()
    strict = run("build", "content", "-o", "out", "--strict", cwd=site.root)
    assert strict.returncode == 1 and "--strict" in strict.stderr


def test_site_folder_with_its_own_config(site):
    site.write("a.txt", "Title\nBody\n")
    (site.root / "site.yaml").write_text("title: My Archive\noutput_dir: built\n")
    done = run("build", str(site.root), cwd=site.root.parent)
    assert done.returncode == 0, done.stderr
    assert "My Archive" in (site.root / "built" / "index.html").read_text()


def test_config_errors_are_listed_and_exit_2(site):
    (site.root / "site.yaml").write_text("titel: x\npaginate: -1\n")
    done = run("build", cwd=site.root)
    assert done.returncode == 2
    assert "did you mean 'title'" in done.stderr and "'paginate' must be at least 1" in done.stderr


def test_refused_output_folder_exits_1(site):
    site.write("a.txt", "Title\nBody\n")
    done = run("build", "content", "-o", "content", cwd=site.root)
    assert done.returncode == 1 and "content folder" in done.stderr


def test_version_and_help(site):
    assert run("--version", cwd=site.root).stdout.startswith("site-gen ")
    assert run(cwd=site.root).returncode == 2


def test_dupes_lists_clusters_without_building(site):
    body = "\n".join(
        f"Paragraph {i} says the swing bridge closes for eleven weeks from Monday for repairs." for i in range(8)
    )
    site.write("a.txt", f"date 2025-03-14 https://gazette.example/bridge\nBridge to close\n\n{body}\n")
    site.write("b.txt", f"date 2025-03-15 https://gazette.example/bridge?utm_source=mail\nBridge to close\n\n{body}\n")
    site.write("c.txt", f"date 2025-03-14 https://wire.example/bridge\nBridge shuts\n\n{body}\n")
    done = run("dupes", "content", cwd=site.root)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "cluster 1: 3 files, 2 page(s)"
    assert any(line.startswith("    merged b.txt") and "same-url: Jaccard 1.00" in line for line in lines)
    assert any(line.startswith("  linked") and "cross-outlet-copy" in line for line in lines)
    assert lines[-1] == "1 clusters: 1 files would be merged, 1 cross-outlet links"
    assert not (site.root / "public").exists()


def test_the_command_line_loads_whoosh_only_to_index_or_search():
    """whoosh costs 0.1 s of start-up: a build that finds its index up to date never needs it."""
    code = (
        "import sys, site_gen.cli, site_gen.build.pipeline, site_gen.serve.server; "
        "print(sorted(m for m in sys.modules if m.startswith('whoosh.') and m != 'whoosh.lang'))"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout.strip()
    assert loaded == "[]"


GC_AFTER = """
import gc, sys
from site_gen import cli
code = cli.main(["build", sys.argv[1], "-q"], one_off=sys.argv[2] == "one-off")
print(code, gc.isenabled())
"""


def test_a_one_off_build_leaves_cyclic_collection_off_and_a_caller_of_main_finds_it_on(site):
    """The console script's process ends after the command: the collection a build would trigger on its way
    out scans everything the build made (0.8 s at 100,000 articles); a program calling main() keeps its own."""
    site.write("a.txt", "date 2025-01-02 https://x.example/a\nTitle\nBody.\n")
    for mode, enabled in (("one-off", "False"), ("library", "True")):
        done = subprocess.run(
            [sys.executable, "-c", GC_AFTER, str(site.root), mode], capture_output=True, text=True, check=True
        )
        assert done.stdout.split()[-2:] == ["0", enabled]
