"""Field cleaners shared by the feed readers: absolute http(s) URLs and trimmed one-line text."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit


def absolute_url(base: str, href: object) -> str | None:
    """Resolve `href` against `base`; None unless the result is an http(s) URL with a host."""
    if not isinstance(href, str) or not href.strip():
        return None
    try:
        joined = urljoin(base, href.strip())
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.netloc:
        return None
    return joined


def clean_text(value: object) -> str | None:
    """A stripped string, or None for empty and non-string values."""
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def one_line(text: str) -> str:
    """Collapse a message onto one line."""
    return " ".join(text.split())


def loose_url_key(url: str) -> str:
    """A URL for duplicate checks: scheme and host in lower case, no trailing slash, no fragment."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url.strip()
    path = parts.path.rstrip("/")
    query = f"?{parts.query}" if parts.query else ""
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}{path}{query}"
