import os
from pathlib import Path

import pytest

from site_gen.errors import OutputError
from site_gen.output import MARKER, Staging, check_target, safe_join, write_file


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


def test_commit_swaps_and_abort_keeps_the_last_good_output(tmp_path):
    target = tmp_path / "public"
    with Staging(target) as staging:
        write_file(staging.path, "index.html", "one")
        staging.commit()
    assert (target / "index.html").read_text() == "one" and (target / MARKER).exists()
    with pytest.raises(RuntimeError):
        with Staging(target) as staging:
            write_file(staging.path, "index.html", "half-written")
            raise RuntimeError("build failed")
    assert (target / "index.html").read_text() == "one"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".public.lock", "public"]


def test_leftovers_of_a_killed_build_are_removed(tmp_path):
    leftover = tmp_path / ".public.staging-99999"
    leftover.mkdir()
    (leftover / MARKER).write_text("{}")
    with Staging(tmp_path / "public") as staging:
        staging.commit()
    assert not leftover.exists()


def test_a_second_build_on_the_same_output_is_refused(tmp_path):
    with Staging(tmp_path / "public"):
        pid = os.fork()
        if pid == 0:  # a second process tries the same output
            try:
                with Staging(tmp_path / "public"):
                    os._exit(0)
            except OutputError as exc:
                os._exit(3 if "another site-gen build" in exc.message else 4)
        _, status = os.waitpid(pid, 0)
    assert os.WEXITSTATUS(status) == 3
