"""A built site is valid: no broken internal links, and no errors from the Nu Html Checker."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import VNU, require
from linkcheck import broken_links


def assert_valid_site(public: Path) -> None:
    assert broken_links(public) == []
    require(VNU.is_file(), f"{VNU} is missing (run npm ci)")
    require(shutil.which("java") is not None, "java is not installed (the Nu Html Checker needs it)")
    done = subprocess.run(
        ["java", "-Xss8m", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(public)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"Nu Html Checker found errors:\n{done.stderr[:5000]}"
