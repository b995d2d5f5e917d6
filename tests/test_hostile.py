"""Hostile content (tests/fixtures/hostile): markup, scripts, javascript: links and template syntax
in article text, front matter, outlet names from the registry and the site's own settings.

Every payload would set window.PWNED, change document.title or leave the page if it ran. A static
pass checks the markup of every page; a headless Chromium pass loads every page from disk and
proves nothing ran (no PWNED, title as written, no CSP violation, no request off the disk, no
console error), after proving on control pages that each of those detectors does fire.
"""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urljoin, urlsplit

import pytest
from conftest import REPO
from markupsafe import escape
from validity import assert_valid_site

from site_gen.build.pipeline import build
from site_gen.config import load_config

FIXTURE = REPO / "tests" / "fixtures" / "hostile"
POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self';"
    " connect-src 'self'; base-uri 'none'; form-action 'self'"
)
UNSAFE_SCHEME = re.compile(r"^\s*(javascript|vbscript|data):", re.I)
URL_ATTRIBUTES = ("href", "src", "action", "formaction", "srcdoc", "poster", "data")


@pytest.fixture(scope="module")
def hostile(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("hostile") / "site"
    shutil.copytree(FIXTURE, root)
    config = load_config(root / "site.yaml", cwd=root)
    config.jobs = 1
    result = build(config, cwd=root)
    assert [e.path for e in result.inputs if e.status == "error"] == []
    return root / "public"


def pages(public: Path) -> list[Path]:
    found = sorted(public.rglob("*.html"))
    assert len(found) > 15
    return found


class Markup(HTMLParser):
    """Every element with its attributes, the <title> text, and where the CSP meta sits."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts = 0
        self.title = ""
        self._in: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, dict(attrs)))
        self._in = tag if tag != "title" or not self.title else None  # the page's title, not an SVG bar's

    def handle_endtag(self, tag: str) -> None:
        self._in = None

    def handle_data(self, data: str) -> None:
        if self._in == "script" and data.strip():
            self.inline_scripts += 1
        elif self._in == "title":
            self.title += data


def parse(page: Path) -> Markup:
    markup = Markup()
    markup.feed(page.read_text(encoding="utf-8"))
    return markup


def test_every_page_carries_the_content_security_policy_before_anything_it_governs(hostile):
    for page in pages(hostile):
        elements = parse(page).elements
        metas = [
            i
            for i, (tag, a) in enumerate(elements)
            if tag == "meta" and (a.get("http-equiv") or "").lower() == "content-security-policy"
        ]
        assert len(metas) == 1, f"{page}: {len(metas)} CSP meta elements"
        policy = elements[metas[0]][1]["content"]
        assert policy == POLICY, page
        directives = dict(d.strip().split(" ", 1) for d in policy.split(";"))
        assert directives["script-src"] == directives["style-src"] == "'self'" and directives["default-src"] == "'none'"
        first_resource = next(
            (i for i, (tag, _) in enumerate(elements) if tag in ("script", "link", "style", "img", "svg")),
            len(elements),
        )
        assert metas[0] < first_resource, f"{page}: the CSP comes after what it should govern"
    kinds = {p.relative_to(hostile).as_posix() for p in pages(hostile)}
    assert "404.html" in kinds and "index.html" in kinds
    assert any(
        'http-equiv="refresh"' in p.read_text(encoding="utf-8") for p in pages(hostile)
    )  # redirect pages are among them


def test_no_payload_reaches_a_page_as_markup(hostile):
    for page in pages(hostile):
        markup = parse(page)
        assert markup.inline_scripts == 0, page
        for tag, attributes in markup.elements:
            assert tag not in ("iframe", "object", "embed", "base", "style", "frame"), f"{page}: <{tag}>"
            assert not [name for name in attributes if name.startswith("on")], f"{page}: <{tag} {attributes}>"
            for name in URL_ATTRIBUTES:
                assert not UNSAFE_SCHEME.match(attributes.get(name) or ""), (
                    f"{page}: <{tag} {name}={attributes.get(name)!r}>"
                )
            if tag == "script":  # only the site's own files
                assert own_file(hostile, page, attributes.get("src") or ""), f"{page}: script {attributes}"
            if tag == "form" and attributes.get("action"):  # no action: the page itself
                assert own_file(hostile, page, attributes.get("action") or ""), f"{page}: form {attributes}"
            if tag == "meta" and (attributes.get("http-equiv") or "").lower() == "refresh":
                target = attributes["content"].split("url=", 1)[1]
                assert own_file(hostile, page, target), f"{page}: refresh to {target}"


def own_file(public: Path, page: Path, link: str) -> bool:
    """A relative link to a file of the site."""
    target = (page.parent / urlsplit(link).path).resolve()
    return (
        bool(link)
        and not urlsplit(link).scheme
        and not link.startswith("/")
        and public.resolve() in target.parents
        and target.is_file()
    )


def test_template_syntax_is_shown_as_text_never_evaluated(hostile):
    everything = "".join(p.read_text(encoding="utf-8") for p in pages(hostile))
    site_title = escape("Hostile <script>window.PWNED='site-title'</script> {{ 7*7 }}")
    assert all(
        str(site_title) in p.read_text(encoding="utf-8")
        for p in pages(hostile)
        if 'http-equiv="refresh"' not in p.read_text(encoding="utf-8")
    )
    assert str(escape("{{ 7*7 }} Hostile Times")) in everything and "49 Hostile Times" not in everything
    assert str(escape("{{ cycler.__init__.__globals__ }}")) in everything
    assert (
        str(escape("{% include 'base.html' %}")) in everything
        and str(escape("{% raw %}{{ 7*7 }}{% endraw %}")) in everything
    )
    assert str(escape("{{ self.__init__.__globals__ }} {% include '../../../etc/passwd' %}")) in everything
    assert everything.count("<!DOCTYPE html>") == len(pages(hostile))  # no template was included into a page
    assert not Path("/tmp/site-gen-pwned").exists()


def test_the_hostile_site_is_valid_html_with_no_broken_links(hostile):
    assert_valid_site(hostile)


# --- in the browser -------------------------------------------------------------------------

WATCH = (
    "\n"
    "window.__csp = [];\n"
    "document.addEventListener('securitypolicyviolation',"
    " e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));\n"
)
STATE = (
    "() => ({\n"
    "  pwned: window.PWNED === undefined ? null : String(window.PWNED),\n"
    "  title: document.title,\n"
    "  csp: window.__csp || [],\n"
    "  inline: [...document.scripts].filter(s => !s.src).length,\n"
    "  scripts: [...document.scripts].map(s => s.src),\n"
    "  handlers: [...document.querySelectorAll('*')].flatMap(e => [...e.attributes]"
    ".filter(a => /^on/i.test(a.name)).map(a => e.localName + '[' + a.name + ']')),\n"
    f"  schemes: [...document.querySelectorAll('*')].flatMap(e => {list(URL_ATTRIBUTES)}"
    ".map(n => e.getAttribute(n)).filter(v => v && /^\\s*(javascript|vbscript|data):/i.test(v))),\n"
    "})"
)


def check(page, url: str, site_root: str) -> list[str]:
    """Load url; every sign that something in it ran or tried to leave the disk."""
    requests: list[str] = []
    listener = lambda r: requests.append(r.url)  # noqa: E731
    page.on("request", listener)
    page.console_errors.clear()
    page.goto(url)
    refresh = re.search(
        r'http-equiv="refresh" content="0; url=([^"]+)"', Path(unquote(urlsplit(url).path)).read_text(encoding="utf-8")
    )
    problems = []
    if refresh and urlsplit(refresh.group(1)).scheme:
        return [f"refresh to {refresh.group(1)}"]
    if refresh:  # a redirect page: it must land on its canonical page, and that page is checked too
        page.wait_for_url(urljoin(url, refresh.group(1)))
    page.wait_for_timeout(30)
    state = page.evaluate(STATE)
    if state["pwned"] is not None:
        problems.append(f"a payload ran: PWNED={state['pwned']}")
    written = Path(unquote(urlsplit(page.url).path))
    expected_title = " ".join(parse(written).title.split()) if written.is_file() else None
    if state["title"] != expected_title:
        problems.append(f"document.title changed to {state['title']!r} (written: {expected_title!r})")
    problems += [f"CSP violation: {v}" for v in state["csp"]]
    problems += [f"inline script x{state['inline']}"] if state["inline"] else []
    problems += [f"script from {s}" for s in state["scripts"] if not s.startswith(site_root)]
    problems += [f"event handler {h}" for h in state["handlers"]]
    problems += [f"unsafe URL {s}" for s in state["schemes"]]
    problems += [f"request off the disk: {r}" for r in requests if not r.startswith("file://")]
    problems += [f"console: {e}" for e in page.console_errors]
    page.remove_listener("request", listener)
    return problems


@pytest.mark.browser
def test_the_checks_catch_a_script_that_runs(page, tmp_path):
    page.context.add_init_script(WATCH)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{POLICY}">'
    controls = {
        "ran.html": ("<title>t</title><script>window.PWNED='control'</script>", "PWNED=control"),
        "title.html": ("<title>t</title><script>document.title='PWNED'</script>", "document.title changed"),
        "blocked.html": (f"{meta}<title>t</title><script>window.PWNED='control'</script>", "CSP violation: script-src"),
        "handler.html": (
            "<title>t</title><img src=missing.png onerror=\"window.PWNED='handler'\">",
            "event handler img[onerror]",
        ),
        "link.html": ('<title>t</title><a href="javascript:void 0">x</a>', "unsafe URL javascript:"),
    }
    for name, (body, sign) in controls.items():
        (tmp_path / name).write_text(
            f"<!DOCTYPE html><html lang=en><head><meta charset=utf-8>{body}</head><body></body></html>"
        )
        problems = check(page, (tmp_path / name).as_uri(), tmp_path.as_uri() + "/")
        assert any(sign in p for p in problems), f"{name}: {problems}"


@pytest.mark.browser
def test_no_injected_script_runs_on_any_page(page, hostile):
    page.context.add_init_script(WATCH)
    root = hostile.as_uri() + "/"
    problems = {}
    for file in pages(hostile):
        found = check(page, file.as_uri(), root)
        if found:
            problems[file.relative_to(hostile).as_posix()] = found
    assert problems == {}
