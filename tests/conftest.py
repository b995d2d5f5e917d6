"""Shared fixtures: throw-away sites on disk, a static HTTP server on 127.0.0.1, headless Chromium."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml
from hypothesis import settings

from site_gen.build.pipeline import BuildResult, build
from site_gen.config import SiteConfig, load_config

settings.register_profile("campaign", max_examples=20_000, deadline=None)  # scripts/fuzz.sh

REPO = Path(__file__).resolve().parent.parent
CORPORA = Path(os.environ.get("SITE_GEN_CORPORA", REPO.parent / "shared" / "corpora"))
IN_CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
VNU = REPO / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"


def require(available: bool, reason: str) -> None:
    """Skip locally, but fail in CI, when a tool or data set the test needs is missing."""
    if not available:
        if IN_CI:
            pytest.fail(f"{reason}; CI must provide it")
        pytest.skip(reason)


def drain(master: int) -> str:
    """Everything a pseudo-terminal's master end got, until every writer has closed the other end."""
    got = bytearray()
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: every writer has closed the terminal
            break
        if not data:
            break
        got += data
    os.close(master)
    return got.decode()


def corpus(name: str) -> Path:
    """A shared corpus folder, or a clean skip that says where it was looked for."""
    path = CORPORA / name
    if not path.is_dir():
        pytest.skip(f"shared corpus {name} not found at {path} (set SITE_GEN_CORPORA to its folder)")
    return path


class Site:
    """A site folder in tmp: write content files, configure, build, read pages."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.content = root / "content"
        self.content.mkdir(parents=True, exist_ok=True)
        self.settings: dict = {}

    @property
    def out(self) -> Path:
        return self.root / self.settings.get("output_dir", "public")

    def write(self, rel: str, data: str | bytes) -> Path:
        path = self.content / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, str):
            path.write_text(data, encoding="utf-8")
        else:
            path.write_bytes(data)
        return path

    def configure(self, **settings: object) -> None:
        self.settings.update(settings)

    def config(self) -> SiteConfig:
        path = self.root / "site.yaml"
        path.write_text(yaml.safe_dump({"jobs": 1, **self.settings}), encoding="utf-8")
        return load_config(path, cwd=self.root)

    def build(self, **kwargs: object) -> BuildResult:
        return build(self.config(), cwd=self.root, **kwargs)  # type: ignore[arg-type]

    def page(self, rel: str) -> str:
        return (self.out / rel).read_text(encoding="utf-8")

    def entry(self, result: BuildResult, path: str) -> dict:
        matches = [e for e in result.report["inputs"] if e["path"] == path]
        assert len(matches) == 1, f"{path} appears {len(matches)} times in the report"
        return matches[0]


@pytest.fixture
def site(tmp_path: Path) -> Site:
    return Site(tmp_path / "site")


@pytest.fixture
def archive_site(site: Site) -> Site:
    """41 articles of three outlets over four years, with tags and repeated words (the search tests)."""
    outlets = ["alpha.example", "beta.example", "gamma.example"]
    for i in range(40):
        year = 2019 + i % 4
        tags = "\ntags: [" + ", ".join(["Politics", "Économie"][: i % 3]) + "]" if i % 3 else ""
        body = " ".join(
            ["walrus"] * (i % 5 + 1)
            + ["café", "Straße", "numbers", str(i), "the", "seal" if i % 2 else "otter"] * (i % 4 + 1)
        )
        site.write(
            f"{i}.md",
            (
                f"---\ntitle: Story {i} about café society\ndate: {year}-0{i % 9 + 1}-1{i % 9}\n"
                f"url: https://{outlets[i % 3]}/{i}{tags}\n---\n{body}\n"
            ),
        )
    site.write("undated.txt", "An undated note\nIt mentions a walrus once.\n")
    return site


MULTILINGUAL = {
    "ru/soros.md": (
        "ru",
        "Сорос и санкции",
        "Джордж Сорос заявил, что фонд Сороса поддерживает санкции. С Соросом спорят.",
    ),
    "ru/moscow.md": ("ru", "Москва отвечает", "В Москве говорят о санкциях против России и о Соросе."),
    "de/sanktionen.md": (
        "de",
        "Die Sanktionen der Bundesregierung",
        "Die Regierung verhängt eine neue Sanktion gegen die Länder.",
    ),
    "de/soros.md": ("de", "Soros und das Land", "Der Milliardär Soros kritisiert das Land und seine Sanktionen."),
    "en/sanctions.md": (
        "en",
        "Sanctions on Soros foundations",
        "The running sanctions hit George Soros and his foundation.",
    ),
    "zh/economy.md": ("zh", "中国经济增长", "中国经济增长很快。東京の経済も。"),
    "uk/kyiv.md": ("uk", "Київ і санкції", "У Києві говорять про санкції."),
}
"""Articles in five languages (file -> language, title, body), one outlet per language."""


@pytest.fixture
def multilingual_site(site: Site) -> Site:
    for i, (rel, (language, title, body)) in enumerate(sorted(MULTILINGUAL.items())):
        site.write(
            rel,
            f"---\ntitle: {title}\nlanguage: {language}\ndate: 2020-01-{i + 10}\n"
            f"url: https://{language}.example/{i}\n---\n{body}\n",
        )
    return site


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample archive (content/, site.yaml, sources.yaml) built once for the session."""
    root = tmp_path_factory.mktemp("sample")
    for name in ("content", "site.yaml", "sources.yaml"):
        source = REPO / name
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, root / name)
    config = load_config(root / "site.yaml", cwd=root)
    build(config, cwd=root, report_path=root / "report.json")
    return root


@pytest.fixture(scope="session")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """site-gen built as a wheel from this checkout, once for the session (what pip would install)."""
    dist = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", dist, REPO], check=True)
    return next(dist.glob("site_gen-*.whl"))


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def http_root() -> Iterator[callable]:
    """serve(folder) -> base URL of a static HTTP server for that folder on 127.0.0.1."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path, prefix: str = "") -> str:
        handler = functools.partial(QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/{prefix}"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def browser():
    """Debian's headless Chromium through Playwright (never a downloaded browser)."""
    require(Path(CHROMIUM).exists(), f"{CHROMIUM} is not installed (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        require(False, "playwright is not installed (pip install -e '.[test]')")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser):
    """A fresh page that records console errors and failed requests; the test asserts on them."""
    context = browser.new_context()
    page = context.new_page()
    page.console_errors = []  # type: ignore[attr-defined]
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))  # type: ignore[attr-defined]
    yield page
    context.close()
