"""Article URLs: validation, canonical form and the host they name."""

from __future__ import annotations

import ipaddress
import re
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

# Query parameters that only track the reader; they never change which article a URL names.
_TRACKING = re.compile(
    r"^(utm_\w+|fbclid|gclid|dclid|msclkid|mc_cid|mc_eid|yclid|_ga|igshid|ref_src|cmpid|ocid|at_medium|at_campaign)$",
    re.I,
)
_SPACE_OR_CONTROL = re.compile(r"[\s\x00-\x1f]")
# Path segments and query flags that mark an AMP copy of an article.
_AMP_SEGMENT = re.compile(r"^(amp|amp\.html)$", re.I)
_HOST = re.compile(r"[\w.-]+|[0-9a-f:.]+")
_UNSAFE = re.compile(r'["<>\[\]{}|\\^`]|%(?![0-9A-Fa-f]{2})')


def check_url(value: str) -> str | None:
    """Why value is not a usable article URL, or None when it is (http/https with a host)."""
    if _SPACE_OR_CONTROL.search(value.strip()):
        return "contains spaces or control characters"
    try:
        parts = urlsplit(value.strip())
        parts.port  # noqa: B018 - raises ValueError on a bad port
    except ValueError as exc:
        return f"cannot be parsed ({exc})"
    if parts.scheme.lower() not in ("http", "https"):
        return f"scheme '{parts.scheme or 'none'}' is not http or https"
    if not parts.hostname:
        return "has no host"
    if not _HOST.fullmatch(parts.hostname):
        return f"has a host name with characters no host can have ({parts.hostname[:100]!r})"
    return None


def encode_unsafe(url: str) -> str:
    """The same URL with the characters an href may not hold unescaped (quotes, brackets, braces,
    '|', '^', a '%' not starting an escape) percent-encoded after the host, as browsers do."""
    parts = urlsplit(url)
    head = len(parts.scheme) + 3 + len(parts.netloc) if url[len(parts.scheme) : len(parts.scheme) + 3] == "://" else 0
    return url[:head] + _UNSAFE.sub(lambda m: f"%{ord(m.group()):02X}", url[head:])


def host_of(url: str) -> str:
    """Lower-case host without 'www.' and without a trailing dot."""
    host = (urlsplit(url).hostname or "").rstrip(".").lower()
    return host[4:] if host.startswith("www.") else host


def is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return True


def canonical_url(url: str) -> str:
    """The form two URLs share when they name the same article.

    Lower-case scheme and host, no 'www.', no default port, no fragment, no tracking
    parameters, no AMP markers, no trailing slash; remaining query parameters sorted.
    """
    parts = urlsplit(url.strip())
    scheme = "https" if parts.scheme.lower() in ("http", "https") else parts.scheme.lower()
    host = host_of(url)
    if host.startswith("amp."):
        host = host[4:]
    port = parts.port
    netloc = host if port in (None, 80, 443) else f"{host}:{port}"
    segments = [s for s in parts.path.split("/") if s and not _AMP_SEGMENT.match(s)]
    path = "/" + "/".join(segments)
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking_or_amp(k, v)]
    return urlunsplit((scheme, netloc, path, urlencode(sorted(query)), ""))


def _is_tracking_or_amp(key: str, value: str) -> bool:
    key = key.lower()
    return bool(_TRACKING.match(key)) or key == "amp" or (key == "outputtype" and value.lower() == "amp")
