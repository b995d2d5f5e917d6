import os
from pathlib import Path

import pytest

from site_gen.errors import ConfigError, OutputError
from site_gen.output import MARKER, Delta, Output, check_target, safe_join


def test_refuses_dangerous_output_folders(tmp_path):
    content = tmp_path / "site" / "content"
    content.mkdir(parents=True)
    for target, why in [
        (Path("/"), "file-system root"),
        (Path.home(), "home folder"),
        (tmp_path, "current folder"),
        (content, "contains, the content folder"),
        (tmp_path / "site", "contains, the content folder"),
        (content / "public", "inside the content folder"),
    ]:
        with pytest.raises(OutputError, match=why):
            check_target(target, content, cwd=tmp_path)


def test_refuses_to_replace_a_folder_it_did_not_make(tmp_path):
    (tmp_path / "public").mkdir()
    (tmp_path / "public" / "precious.txt").write_text("keep me")
    with pytest.raises(OutputError, match="not made by site-gen"):
        check_target(tmp_path / "public", tmp_path / "content", cwd=tmp_path / "elsewhere")
    (tmp_path / "public" / MARKER).write_text("{}")
    check_target(tmp_path / "public", tmp_path / "content", cwd=tmp_path / "elsewhere")


@pytest.mark.parametrize("rel", ["../x.html", "/etc/passwd", "a/../../x", "a\x00b", "a\\..\\b", ""])
def test_safe_join_refuses_paths_out_of_the_folder(tmp_path, rel):
    with pytest.raises(OutputError):
        safe_join(tmp_path, rel)


def test_fresh_commit_swaps_and_a_failure_keeps_the_last_good_output(tmp_path):
    target = tmp_path / "public"
    with Output(target) as output:
        tree = output.fresh()
        tree.write("index.html", b"one")
        output.commit(tree, 1)
    assert (target / "index.html").read_text() == "one" and Output(target).generation() == 1
    with pytest.raises(RuntimeError), Output(target) as output:
        tree = output.fresh()
        tree.write("index.html", b"half-written")
        raise RuntimeError("build failed")
    assert (target / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", ".public.shadow", "public"]


def test_incremental_trees_never_touch_live_files_and_replay_the_last_delta(tmp_path):
    target = tmp_path / "public"
    with Output(target) as output:
        tree = output.fresh()
        for name in ("a.html", "b.html", "c/d.html"):
            tree.write(name, name.encode())
        output.commit(tree, 1)
    live_a = (target / "a.html").stat().st_ino
    with Output(target) as output:
        tree = output.incremental(None)  # no delta known: a hard-linked copy
        assert (tree.path / "a.html").stat().st_ino == live_a
        assert tree.write("a.html", b"A2") and not tree.write("b.html", b"b.html")
        tree.delete("c/d.html")
        assert (target / "a.html").read_text() == "a.html"  # the live file was not modified in place
        output.commit(tree, 2)
        delta = tree.delta()
    assert (target / "a.html").read_text() == "A2" and not (target / "c").exists()
    assert delta.written == ["a.html"] and delta.deleted == ["c/d.html"]
    shadow = tmp_path / ".public.shadow"
    assert (shadow / "a.html").read_text() == "a.html"  # one generation behind
    with Output(target) as output:
        tree = output.incremental(delta)  # replays generation 2 onto the shadow
        assert (tree.path / "a.html").read_text() == "A2" and not (tree.path / "c" / "d.html").exists()
        tree.write("b.html", b"B3")
        output.commit(tree, 3)
    assert (target / "a.html").read_text() == "A2" and (target / "b.html").read_text() == "B3"
    assert Output(target).generation() == 3


def test_a_shadow_left_dirty_by_a_killed_build_is_not_trusted(tmp_path):
    target = tmp_path / "public"
    with Output(target) as output:
        tree = output.fresh()
        tree.write("a.html", b"one")
        output.commit(tree, 1)
    with Output(target) as output:
        tree = output.incremental(None)
        tree.write("a.html", b"never committed")
    # the build died before commit: the shadow is marked dirty, so the next build copies again
    with Output(target) as output:
        tree = output.incremental(Delta([], []))
        assert (tree.path / "a.html").read_text() == "one"


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    leftover = tmp_path / ".public.staging-99999"
    leftover.mkdir()
    (leftover / MARKER).write_text("{}")
    with Output(tmp_path / "public") as output:
        output.commit(output.fresh(), 1)
    assert not leftover.exists()


def test_a_second_build_on_the_same_output_is_refused(tmp_path):
    with Output(tmp_path / "public"):
        pid = os.fork()
        if pid == 0:  # a second process tries the same output
            try:
                with Output(tmp_path / "public"):
                    os._exit(0)
            except OutputError as exc:
                os._exit(3 if "another site-gen build" in exc.message else 4)
        _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 3


def files_under(folder: Path) -> set[str]:
    return {p.relative_to(folder).as_posix() for p in folder.rglob("*") if not p.is_dir()}


TRAVERSAL = (
    "---\ntitle: ../../../etc/passwd\nslug: ../../evil\nsource: ../../outlet\n"
    "tags: [../../tag, /abs]\ndate: 2025-01-02\n---\nBody.\n"
)


@pytest.mark.parametrize(
    "permalink, page",
    [
        ("articles/{outlet}/{year}/{month}/{slug}/", "articles/outlet/2025/01/evil/index.html"),
        ("{outlet}/{year}{month}{day}-{slug}.html", "outlet/20250102-evil.html"),
        ("{slug}.html", "evil.html"),
        ("x/{id}/", None),
    ],
)
def test_nothing_is_written_outside_the_output_whatever_slugs_and_permalinks_say(site, permalink, page):
    site.write("traversal.md", TRAVERSAL)
    site.write("undated.txt", "../..\nAn undated article whose title climbs.\n")
    site.configure(permalink=permalink)
    (site.root / "sources.yaml").write_text('climb.example: {name: "../../../name", tags: ["../up"]}\n')
    site.write("registry.txt", "date 2025-01-03 https://climb.example/a\nRegistry outlet\nBody.\n")
    around = site.root.parent
    before = files_under(around)
    result = site.build()
    written = files_under(around) - before
    outside = {
        p
        for p in written
        if not p.startswith(("site/public/", "site/.public.shadow/", "site/.site-gen-cache/"))
        and p not in ("site/site.yaml", "site/.public.lock")
    }
    assert outside == set() and len(written) > 20
    assert all(e["status"] == "rendered" for e in result.report["inputs"])
    if page:
        assert (site.out / page).is_file()
    for article in result.archive.articles:
        assert (site.out / article.permalink).resolve().is_relative_to(site.out)
    assert {o.key for o in result.archive.outlets.values()} == {"outlet", "name", "unknown-source"}


def test_an_outlet_key_that_climbs_is_refused_before_anything_is_written(site):
    site.write("a.txt", "date 2025-01-03 https://climb.example/a\nTitle\nBody.\n")
    (site.root / "sources.yaml").write_text("climb.example: {name: Climb, key: ../x}\n")
    with pytest.raises(ConfigError, match=r"key '\.\./x' must be a URL slug"):
        site.build()
    assert sorted(p.name for p in site.root.iterdir()) == ["content", "site.yaml", "sources.yaml"]
