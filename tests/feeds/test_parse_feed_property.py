"""Property: parse_feed on any bytes returns a ParsedFeed or raises FeedError, nothing else."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scraper.errors import FeedError
from scraper.feeds import parse_feed
from scraper.models import ParsedFeed

# Fragments that steer random bytes into the interesting branches (XML, RSS, Atom, JSON Feed, DOCTYPE).
FRAGMENTS = [
    b'<?xml version="1.0"?>',
    b'<rss version="2.0">',
    b"<channel>",
    b"<item>",
    b"<title>",
    b"</title>",
    b"<link>",
    b"http://a/b",
    b"</item>",
    b'<feed xmlns="http://www.w3.org/2005/Atom">',
    b"<entry>",
    b'<link href="x"/>',
    b"<!DOCTYPE rss [",
    b"<!ENTITY a 'b'>",
    b"]>",
    b"&a;",
    b"<![CDATA[",
    b"]]>",
    b'{"version": "https://jsonfeed.org/version/1.1", "items": [',
    b'{"url": 3, "authors": [null], "tags": "x", "attachments": [1]}',
    b"]}",
    b"\xff\xfe",
    b"\x00",
]

documents = st.one_of(
    st.binary(max_size=2000),
    st.lists(st.one_of(st.sampled_from(FRAGMENTS), st.binary(max_size=20)), max_size=40).map(b"".join),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(documents)
def test_parse_feed_raises_only_feed_error(content: bytes):
    try:
        result = parse_feed(content, "https://example.com/feed")
    except FeedError as exc:
        assert "\n" not in str(exc)
        assert "https://example.com/feed" in str(exc)
    else:
        assert isinstance(result, ParsedFeed)
        assert all(e.link.startswith(("http://", "https://")) for e in result.entries)
