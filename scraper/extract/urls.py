"""URLs found in a page: which links can skip urllib's parsing (shared by the body and metadata readers)."""

from __future__ import annotations

# characters in an absolute URL that urljoin would not give back as they are (see is_plain_absolute)
_REJOINED_CHARS = (";", "[", "]", "\t", "\n", "\r", " ", "\\")


def is_plain_absolute(href: str) -> bool:
    """Say whether an http(s) URL comes back from urljoin unchanged, whatever the base (checked by a test)."""
    # urljoin re-serialises an absolute URL: it drops an empty '?' or '#', splits ';params', removes
    # tabs and newlines, lower-cases the scheme and checks '[...]' and non-ASCII hosts; none of these
    # may occur, and the host must not be empty ('http:///x' is no web URL)
    if href.startswith("https://"):
        rest = href[8:]
    elif href.startswith("http://"):
        rest = href[7:]
    else:
        return False
    return (
        href.isascii()
        and rest[:1] not in ("", "/", "?", "#")
        and not any(c in href for c in _REJOINED_CHARS)
        and not href.endswith(("?", "#"))
        and "?#" not in href
    )
