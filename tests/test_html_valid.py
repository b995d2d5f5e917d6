"""Every page of the sample build passes the Nu Html Checker with no errors."""

import shutil
import subprocess

from conftest import VNU, require


def test_sample_site_is_valid_html(sample_build):
    require(VNU.is_file(), f"{VNU} is missing (run npm install)")
    require(shutil.which("java") is not None, "java is not installed (the Nu Html Checker needs it)")
    public = sample_build / "public"
    pages = list(public.rglob("*.html"))
    assert len(pages) > 50
    done = subprocess.run(
        ["java", "-jar", str(VNU), "--errors-only", "--skip-non-html", str(public)],
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, f"Nu Html Checker found errors:\n{done.stderr[:5000]}"
