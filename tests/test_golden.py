"""The golden sample site: its built output must match tests/golden/expected byte for byte.

After an intended change to the output, refresh the expected files and review the diff:

    SITE_GEN_UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
    git diff tests/golden/expected
"""

import difflib
import os
import shutil

from conftest import REPO

from site_gen.build.pipeline import build
from site_gen.config import load_config

GOLDEN = REPO / "tests" / "golden"


def test_golden_site_matches_expected_output(tmp_path):
    root = tmp_path / "golden"
    shutil.copytree(GOLDEN / "site", root)
    config = load_config(root / "site.yaml", cwd=root)
    config.jobs = 1
    build(config, cwd=root)
    built = root / "public"
    expected = GOLDEN / "expected"
    if os.environ.get("SITE_GEN_UPDATE_GOLDEN") == "1":
        shutil.rmtree(expected, ignore_errors=True)
        shutil.copytree(built, expected)
    files = lambda d: sorted(p.relative_to(d).as_posix() for p in d.rglob("*") if p.is_file())  # noqa: E731
    assert files(built) == files(expected), "the set of output files changed (see the docstring to refresh)"
    for rel in files(expected):
        got, want = (built / rel).read_bytes(), (expected / rel).read_bytes()
        if got != want:
            diff = "".join(
                difflib.unified_diff(
                    want.decode(errors="replace").splitlines(True),
                    got.decode(errors="replace").splitlines(True),
                    f"expected/{rel}",
                    f"built/{rel}",
                )
            )
            raise AssertionError(f"{rel} differs from the golden output (see the docstring to refresh):\n{diff[:4000]}")
