"""The preview server over real HTTP on 127.0.0.1: serving, safety, events, rebuild behaviour."""

import http.client
import json
import os
import socket
import threading
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest
from preview import EventStream, Preview

from site_gen.serve.server import Events, inject, resolve

ARTICLE = "date 2025-01-02 https://gazette.example/a\nA headline\nFirst body.\n"


@pytest.fixture
def running(site):
    site.write("a.txt", ARTICLE)
    (site.root / "site.yaml").write_text("title: Preview\n")
    preview = Preview(site.root)
    yield preview
    assert preview.stop() == 0  # Ctrl-C exits cleanly
    assert "stopped" in " ".join(preview.drain(0.5) + preview.log)


def get(url: str) -> tuple[int, dict, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


def raw_get(url: str, path: str) -> int:
    """Send the path byte for byte (no client-side normalisation of dots)."""
    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", path)
    status = conn.getresponse().status
    conn.close()
    return status


def test_serves_pages_with_types_and_injected_script_only_in_served_html(running, site):
    assert running.url.startswith("http://127.0.0.1:")
    status, headers, body = get(running.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert b"/_site-gen/live.js" in body
    assert b"/_site-gen/live.js" not in (site.out / "index.html").read_bytes()  # never in the built files
    assert get(running.url + "static/style.css")[1]["Content-Type"].startswith("text/css")
    assert get(running.url + "atom.xml")[1]["Content-Type"].startswith("application/atom+xml")
    assert get(running.url + "_site-gen/live.js")[1]["Content-Type"].startswith("text/javascript")
    status, _, body = get(running.url + "no/such/page.html")
    assert status == 404 and b"Page not found" in body


def test_folders_redirect_to_their_slash(running):
    parts = urlsplit(running.url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=10)
    conn.request("GET", "/outlets/gazette-example")
    response = conn.getresponse()
    assert response.status == 301 and response.getheader("Location") == "/outlets/gazette-example/"


def test_nothing_outside_the_output_folder_is_served(running, site):
    secret = site.root / "secret.txt"
    secret.write_text("do not serve")
    os.symlink(secret, site.out / "link-out.txt")
    os.symlink(site.root, site.out / "dir-out")
    for path in [
        "/../secret.txt",
        "/%2e%2e/secret.txt",
        "/%2E%2E%2Fsecret.txt",
        "/%252e%252e/secret.txt",
        "/static/../../secret.txt",
        "//etc/passwd",
        "/..%5csecret.txt",
        "/link-out.txt",
        "/dir-out/secret.txt",
        "/%00index.html",
        str(secret),
    ]:
        assert raw_get(running.url, path) == 404, path


def test_events_tell_pages_to_reload_after_a_rebuild(running, site):
    parts = urlsplit(running.url)
    stream = socket.create_connection((parts.hostname, parts.port), timeout=10)
    stream.sendall(b"GET /_site-gen/events HTTP/1.1\r\nHost: x\r\n\r\n")
    assert b"text/event-stream" in stream.recv(4096)
    site.write("a.txt", ARTICLE.replace("First body.", "Second body."))
    running.wait_for("rebuilt")
    data = b""
    while b"event: reload" not in data:
        data += stream.recv(4096)
    stream.close()
    assert b"Second body." in get(running.url + "articles/gazette-example/2025/01/a-headline/index.html")[2]


def test_a_burst_of_saves_gives_one_rebuild_and_output_changes_give_none(running, site):
    for i in range(5):
        site.write(f"b{i}.txt", f"Title {i}\nBody\n")
    running.wait_for("rebuilt")
    later = running.drain(2.0)  # the rebuild wrote public/ and the cache: no rebuild may follow
    assert [line for line in later if "rebuilt" in line] == []
    assert get(running.url + "index.html")[2].count(b'class="item"') == 6


PAGE = "articles/gazette-example/2025/01/a-headline/index.html"


def texts(problems: dict) -> list[str]:
    return [item["text"] for item in problems["problems"]]


def test_a_file_in_error_never_stops_the_preview_and_is_listed_with_its_line(running, site):
    stream = EventStream(running.url)
    assert texts(stream.next("problems")) == []
    site.write("a.txt", ARTICLE.replace("First body.", "Kept body."))
    site.write("bad.md", "---\ntitle: unclosed\n")
    expected = "bad.md:1: front matter opened with '---' is never closed (add a '---' line after it)"
    assert running.wait_for("error: bad.md:1: ").endswith(f"site-gen serve: error: {expected}")
    running.wait_for("rebuilt")
    assert stream.next("problems", lambda data: data["problems"])["problems"] == [
        {"level": "error", "path": "bad.md", "line": 1, "text": expected}
    ]
    assert b"Kept body." in get(running.url + PAGE)[2]  # the rest of the site is built as site-gen build builds it
    site.write("bad.md", "---\ntitle: fixed\n---\nNow fine.\n")
    assert stream.next("problems", lambda data: not data["problems"]) == {
        "problems": [],
        "more": 0,
        "errors": 0,
        "warnings": 0,
    }
    assert get(running.url + "articles/unknown-source/undated/fixed/index.html")[0] == 200
    stream.close()


def test_an_article_that_breaks_keeps_its_last_good_page_until_it_is_fixed(running, site):
    assert b"First body." in get(running.url + PAGE)[2]
    stream = EventStream(running.url)
    site.write("a.txt", "---\ntitle: broken in a save\n")
    problems = stream.next("problems", lambda data: data["errors"])
    assert problems["problems"][0]["text"].startswith("a.txt:1: front matter") and problems["problems"][0]["kept"]
    assert not (site.out / PAGE).exists()  # the output is what site-gen build makes ...
    status, _, body = get(running.url + PAGE)
    assert status == 200 and b"First body." in body and b"/_site-gen/live.js" in body  # ... the preview keeps the page
    assert get(running.url + PAGE.removesuffix("index.html"))[0] == 200
    site.write("a.txt", ARTICLE.replace("First body.", "Fixed body."))
    stream.next("problems", lambda data: not data["errors"])
    assert b"Fixed body." in get(running.url + PAGE)[2]
    site.write("a.txt", "---\ntitle: broken again\n")
    stream.next("problems", lambda data: data["errors"])
    assert b"Fixed body." in get(running.url + PAGE)[2]  # the last good page is the latest one
    (site.content / "a.txt").unlink()  # a deleted file's page goes, as in site-gen build
    stream.next("problems", lambda data: not data["errors"])
    assert get(running.url + PAGE)[0] == 404
    stream.close()


def test_a_first_build_that_fails_answers_every_url_with_a_page_that_explains(site):
    site.write("a.txt", ARTICLE)
    templates = site.root / "themes" / "default" / "templates"
    templates.mkdir(parents=True)
    (templates / "article.html").write_text('{% extends "base.html" %}\n{% block content %}{% if %}{% endblock %}\n')
    (site.root / "site.yaml").write_text("title: Preview\n")
    preview = Preview(site.root)
    try:
        where = f"{templates / 'article.html'}:2: template error: "
        assert where in " ".join(preview.log)
        for path in ("", PAGE, "no/such/page.html"):
            status, headers, body = get(preview.url + path)
            assert status == 500 and headers["Content-Type"] == "text/html; charset=utf-8", path
            assert where.encode() in body and b"What to do" in body and b"/_site-gen/live.js" in body
        (templates / "article.html").unlink()
        preview.wait_for("rebuilt")
        assert get(preview.url + PAGE)[0] == 200
    finally:
        assert preview.stop() == 0


def test_site_yaml_is_read_again_and_a_broken_one_explains_itself_until_fixed(site):
    site.write("a.txt", ARTICLE)
    config = site.root / "site.yaml"
    config.write_text("title: [unclosed\n")
    preview = Preview(site.root)
    try:
        assert f"rebuild failed: {config}:2: invalid YAML: " in " ".join(preview.log)
        status, _, body = get(preview.url)
        assert status == 500 and f"{config}:2: invalid YAML: ".encode() in body
        config.write_text("title: Fixed title\n")
        preview.wait_for("rebuilt")
        assert b"Fixed title" in get(preview.url)[2]
        config.write_text("title: Fixed title\ntitel: typo\n")
        assert f"{config}: unknown setting 'titel'" in preview.wait_for("rebuild failed")
        assert b"Fixed title" in get(preview.url)[2]  # the last good site stays
        config.write_text("title: Renamed\n")
        preview.wait_for("rebuilt")
        assert b"Renamed" in get(preview.url)[2]
    finally:
        assert preview.stop() == 0


def test_search_endpoint_answers_json(running):
    status, headers, body = get(running.url + "_search?q=headline")
    assert headers["Content-Type"] == "application/json"
    assert status in (200, 501) and isinstance(json.loads(body), (dict, list))


def test_resolve_and_inject_units(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "index.html").write_text("x")
    assert resolve(tmp_path, "/a/") == tmp_path / "a" / "index.html"
    assert resolve(tmp_path, "/a/%2e%2e/%2e%2e/etc/passwd") is None and resolve(tmp_path, "/missing") is None
    assert (
        inject(b"<html><head></head></html>", 3)
        == b'<html><head><script src="/_site-gen/live.js?build=3" defer></script></head></html>'
    )


def test_many_idle_connections_do_not_stop_the_server(running):
    parts = urlsplit(running.url)
    idle = [socket.create_connection((parts.hostname, parts.port), timeout=10) for _ in range(200)]
    started = time.monotonic()
    assert get(running.url)[0] == 200 and time.monotonic() - started < 5
    for s in idle:
        s.close()


def exchange(url: str, request: bytes, body_bytes: int = 0) -> bytes:
    """Send request (then up to body_bytes of body, in bounded chunks) and return what comes back."""
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=20) as conn:
        try:
            conn.sendall(request)
            chunk = b"x" * 65536
            for _ in range(body_bytes // len(chunk)):
                conn.sendall(chunk)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server answered and closed before the body was sent: allowed
        answer = b""
        try:
            while len(answer) < 1_000_000:
                data = conn.recv(65536)
                if not data:
                    break
                answer += data
        except (TimeoutError, ConnectionResetError):
            pass
    return answer


def test_oversized_requests_get_an_error_or_a_close_never_a_crash_or_a_file(running, site):
    (site.root / "secret.txt").write_text("do not serve")
    big = b"a" * 100_000
    cases = {
        "request line": (b"GET /" + big + b" HTTP/1.1\r\nHost: x\r\n\r\n", 0, {b"414"}),
        "one header": (b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + big + b"\r\n\r\n", 0, {b"431", b"400"}),
        "many headers": (
            b"GET / HTTP/1.1\r\nHost: x\r\n" + b"".join(b"X-%d: y\r\n" % i for i in range(2000)) + b"\r\n",
            0,
            {b"431", b"400"},
        ),
        "long path": (b"GET /" + b"a" * 60_000 + b" HTTP/1.1\r\nHost: x\r\n\r\n", 0, {b"404"}),
        "long climb": (b"GET " + b"/.." * 20_000 + b"/secret.txt HTTP/1.1\r\nHost: x\r\n\r\n", 0, {b"404", b"414"}),
        # the body is never read: the page is sent and the connection closed
        "huge body to a GET": (
            b"GET /index.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000000\r\n\r\n",
            20 * 1024 * 1024,
            {b"200", b"closed"},
        ),
    }
    for name, (request, body_bytes, statuses) in cases.items():
        answer = exchange(running.url, request, body_bytes)
        status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/") else b"closed"
        assert status in statuses, f"{name}: {answer[:200]!r}"
        assert b"do not serve" not in answer, name
        assert running.process.poll() is None, f"{name}: the server died"
        assert get(running.url)[0] == 200, f"{name}: the server stopped answering"


def test_ctrl_c_right_after_the_url_is_printed_stops_cleanly(site):
    site.write("a.txt", ARTICLE)
    (site.root / "site.yaml").write_text("title: Preview\n")
    for _ in range(3):  # before the fix most of these ended with a traceback and exit 130
        assert Preview(site.root).stop() == 0


def test_a_reload_waits_for_the_open_pages_to_come_back_but_not_longer():
    """The rebuild's bookkeeping (in the server's interpreter) waits until reloading pages have
    opened their event stream again, so their requests are answered first; at most RELOAD_GRACE."""
    events = Events()
    page = events.subscribe()
    started = time.perf_counter()
    threading.Timer(0.1, lambda: (events.unsubscribe(page), events.subscribe())).start()  # the page reloads
    events.reload({"seconds": 0})
    waited = time.perf_counter() - started
    assert 0.09 < waited < 0.4 and [page.get_nowait() for _ in range(2)] == [
        ("hello", {"build": 0}),
        ("reload", {"seconds": 0}),
    ]
    started = time.perf_counter()
    events.reload({"seconds": 0}, timeout=0.2)  # a page that never comes back (closed meanwhile)
    assert 0.19 < time.perf_counter() - started < 0.4
    started = time.perf_counter()
    Events().reload({"seconds": 0})  # no page open: no wait
    assert time.perf_counter() - started < 0.05
