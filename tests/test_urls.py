import pytest

from site_gen.urls import canonical_url, check_url, encode_unsafe, host_of


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


def test_a_host_with_characters_no_host_has_is_refused():
    assert "host name" in check_url('https://exa"mple.com/')
    assert check_url("https://bücher.example/é") is None and check_url("http://[::1]:8080/") is None


@pytest.mark.parametrize(
    "url, encoded",
    [
        ('https://x.example/a?q="><script>', "https://x.example/a?q=%22%3E%3Cscript%3E"),
        ("https://x.example/a[1]?b={x}|^`", "https://x.example/a%5B1%5D?b=%7Bx%7D%7C%5E%60"),
        ("http://[::1]:8080/a%zz%20", "http://[::1]:8080/a%25zz%20"),  # the IPv6 host keeps its brackets
        ("https://bücher.example/é?ü=1", "https://bücher.example/é?ü=1"),  # IRIs are valid links as they are
    ],
)
def test_characters_an_href_cannot_hold_are_percent_encoded(url, encoded):
    assert encode_unsafe(url) == encoded
