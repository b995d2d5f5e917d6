"""Faults: a build killed at any moment, a write error, a second build at once. The last good site survives."""

import fcntl
import os
import resource
import signal
import struct
import subprocess
import sys
import time

import pytest

from site_gen.build.pipeline import build

OUTLETS = [
    "reuters.com",
    "apnews.com",
    "bbc.co.uk",
    "theguardian.com",
    "nytimes.com",
    "cnn.com",
    "npr.org",
]  # registered, with a language
ARTICLE = (
    "date 2025-{m:02d}-{d:02d} https://www.{o}/{n}\nStory {n} about the harbour\n"
    + "Paragraph {n} of text that fills the page. " * 30
    + "\n"
)


def fill(site, count: int, marker: str = "") -> None:
    site.config()  # writes site.yaml, so the build commands below find it
    for n in range(count):
        site.write(f"{n % 7}/{n}.txt", ARTICLE.format(m=1 + n % 12, d=1 + n % 28, o=OUTLETS[n % 7], n=n) + marker)


def snapshot(folder):
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in folder.rglob("*")
        if p.is_file() and p.name != ".site-gen-output"
    }


def start_build(site, **extra):
    return subprocess.Popen(
        [sys.executable, "-m", "site_gen", "build", str(site.root), "-j", "2"],
        cwd=site.root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        **extra,
    )


@pytest.mark.parametrize("delay", [0.05, 0.2, 0.4, 0.7, 1.0, 1.5, 2.2])
def test_a_build_killed_at_any_moment_leaves_the_last_good_site(site, delay):
    fill(site, 300)
    site.build()
    good = snapshot(site.out)
    fill(site, 300, marker="Edited after the first build.\n")
    process = start_build(site)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    after = snapshot(site.out)
    assert after == good or all(
        "Edited after the first build." in after[p].decode() for p in after if p.startswith("articles/")
    ), "the output is neither the old site nor the new one"
    result = site.build()  # the next build succeeds and is complete
    assert result.report["stats"]["articles"] == 300
    assert all(
        "Edited after the first build." in (site.out / a.permalink).read_text()
        for a in (result.archive.articles if result.archive else [])
    )
    config = site.config()
    config.output_dir, config.cache_dir = site.root / "check", site.root / "check-cache"
    build(config, cwd=site.root, full=True)
    assert snapshot(site.out) == snapshot(site.root / "check")


def test_a_write_error_is_clear_and_keeps_the_last_good_site(site):
    """A file-size limit makes the kernel refuse writes (EFBIG), as a full disk would (ENOSPC)."""
    fill(site, 20)
    site.build()
    good = snapshot(site.out)
    site.write("big.txt", "date 2025-01-01 https://www.reuters.com/big\nA long one\n" + "word " * 100_000 + "\n")

    def limit():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))

    process = start_build(site, preexec_fn=limit)
    _, stderr = process.communicate(timeout=120)
    assert process.returncode == 1
    assert "cannot write" in stderr.decode() and "File too large" in stderr.decode()
    assert snapshot(site.out) == good
    assert [p.name for p in site.root.iterdir() if ".staging-" in p.name] == []
    site.build()  # and once there is room again, the build goes through
    assert "A long one" in (site.out / "index.html").read_text()


def test_two_builds_at_once_the_second_refuses_with_a_message(site):
    fill(site, 3000)  # a build long enough to be raced by a second process starting up
    first = start_build(site)
    lock = site.root / ".public.lock"
    while not lock.exists() or not _locked(lock):  # wait until the first build holds the lock
        assert first.poll() is None, "the first build ended before it could be raced"
        time.sleep(0.005)
    second = subprocess.run(
        [sys.executable, "-m", "site_gen", "build", str(site.root)],
        cwd=site.root,
        capture_output=True,
        text=True,
        timeout=120,
    )
    first.wait(timeout=120)
    assert first.returncode == 0
    assert second.returncode == 1 and "another site-gen build is writing this output folder" in second.stderr


def _locked(path) -> bool:
    """Whether another process holds a write lock on path (F_GETLK asks without taking it)."""
    query = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, 0, 0, 0)  # struct flock on Linux x86-64/arm64
    with open(path, "r+") as handle:
        answer = fcntl.fcntl(handle, fcntl.F_GETLK, query)
    return struct.unpack("hhqqi4x", answer)[0] != fcntl.F_UNLCK
