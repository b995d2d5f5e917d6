import pytest

from site_gen.urls import canonical_url, check_url, host_of


@pytest.mark.parametrize(
    "a, b",
    [
        ("HTTPS://WWW.Example.COM/a/b/?utm_source=x&fbclid=1#top", "https://example.com/a/b"),
        ("http://example.com:80/a?b=2&a=1", "https://example.com/a?a=1&b=2"),
        ("https://example.com/news/story/amp", "https://example.com/news/story"),
        ("https://amp.example.com/news/story?outputType=amp", "https://example.com/news/story"),
        ("https://example.com:8443/x", "https://example.com:8443/x"),
    ],
)
def test_canonical_url(a, b):
    assert canonical_url(a) == b


@pytest.mark.parametrize(
    "url, problem",
    [
        ("https://example.com/a", None),
        ("javascript:alert(1)", "scheme"),
        ("ftp://example.com/x", "scheme"),
        ("https:///nohost", "no host"),
        ("https://exa mple.com/", "spaces"),
        ("https://example.com:99999/", "parsed"),
    ],
)
def test_check_url(url, problem):
    result = check_url(url)
    assert (result is None) if problem is None else (problem in result)


def test_host_of_drops_www_and_case():
    assert host_of("https://WWW.BBC.co.uk./news") == "bbc.co.uk"
