"""Which absolute links may skip urljoin: exactly those it would give back unchanged."""

from __future__ import annotations

from urllib.parse import urljoin, urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extract.urls import is_plain_absolute

_URL_CHARS = "abcAZ019-._~:/?#[]@!$&'()*+,;=% \t\n\\é"


@settings(max_examples=600, deadline=None)
@given(
    scheme=st.sampled_from(["http://", "https://", "HTTP://", "ftp://", ""]),
    rest=st.text(alphabet=_URL_CHARS, max_size=40),
    base=st.sampled_from([None, "https://example.com/a/b?q#f", "http://example.com/", "ftp://x/"]),
)
def test_plain_absolute_links_skip_urljoin_and_come_out_the_same(
    scheme: str, rest: str, base: str | None
) -> None:
    href = scheme + rest
    if not is_plain_absolute(href):
        return
    parts = urlsplit(href)
    assert parts.scheme in {"http", "https"} and parts.netloc
    if base is not None:
        assert urljoin(base, href) == href


def test_plain_absolute_takes_common_links_and_leaves_odd_ones_to_urljoin() -> None:
    assert is_plain_absolute("https://example.com/a/b-c?x=1&y=%20#top")
    assert is_plain_absolute("http://example.com")
    odd = ("http:///x", "https://example.com/x?", "https://example.com/x#", "http://[::1/", "HTTP://x.com")
    odd += ("https://example.com/a;p", "https://exämple.com/", "/relative", "//example.com/x")
    for href in odd:
        assert not is_plain_absolute(href), href
