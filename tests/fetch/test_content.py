"""Kind sniffing, binary detection, entity declarations, challenge walls, Retry-After."""

from __future__ import annotations

import codecs

import pytest

from scraper.fetch.content import binary_kind, challenge_reason, classify, declares_entities
from scraper.fetch.retry import backoff_s, parse_retry_after

RSS = b'<?xml version="1.0"?>\n<rss version="2.0"><channel></channel></rss>'
ATOM = b'<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/Atom"></feed>'
HTML = b"<!DOCTYPE html>\n<html><head></head><body></body></html>"


@pytest.mark.parametrize(
    ("ctype", "body", "kind"),
    [
        ("text/html; charset=utf-8", HTML, "html"),
        ("application/rss+xml", RSS, "feed"),
        ("application/atom+xml", ATOM, "feed"),
        ("text/xml", RSS, "feed"),
        ("text/html", RSS, "feed"),  # a feed served as text/html is still a feed
        ("application/xml", b'<?xml version="1.0"?><urlset xmlns="x"></urlset>', "feed"),  # sitemap
        ("application/json", b'{"version": "https://jsonfeed.org/version/1.1", "items": []}', "feed"),
        ("application/xml", HTML, "html"),
        ("", HTML, "html"),
        ("text/plain", b"<!-- c -->\n<html>", "html"),
        ("application/octet-stream", RSS, "feed"),
        ("application/pdf", b"%PDF-1.5", "other"),
        ("image/png", b"\x89PNG\r\n\x1a\n....", "other"),
        ("text/plain", b"just text", "other"),
        ("application/json", b'{"a": 1}', "other"),
    ],
)
def test_classify(ctype, body, kind):
    assert classify(ctype, body) == kind


def test_utf16_feed_is_sniffed_on_its_text():
    assert classify("application/xml", codecs.BOM_UTF16_LE + RSS.decode().encode("utf-16-le")) == "feed"
    assert classify("text/html", codecs.BOM_UTF16_BE + HTML.decode().encode("utf-16-be")) == "html"


def test_binary_magic():
    assert binary_kind(b"%PDF-1.7") == "a PDF"
    assert binary_kind(b"\xff\xd8\xff\xe0") == "a JPEG image"
    assert binary_kind(b"RIFF\x00\x00\x00\x00WEBPVP8") == "a WebP image"
    assert binary_kind(HTML) is None


def test_entities_in_the_prolog_only():
    assert declares_entities(b'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY a "b">]><rss/>')
    assert declares_entities(b'<!doctype rss [\n<!entity x SYSTEM "file:///etc/passwd">]><rss/>')
    assert not declares_entities(RSS)
    assert declares_entities(codecs.BOM_UTF16_LE + '<!DOCTYPE r [<!ENTITY a "b">]><rss/>'.encode("utf-16-le"))
    assert not declares_entities(b"<rss><description>&lt;!ENTITY in text&gt; <!ENTITY x></description></rss>")


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Just a moment...</title></head><body></body></html>",
        "<html><head><title>Attention Required! | Cloudflare</title></head></html>",
        "<html><script>window._cf_chl_opt={cvId: '3'}</script></html>",
        "<html><head><title>Access Denied</title></head><body>Reference #18.1 errors.edgesuite.net</body>",
        '<html><body><script src="https://ct.captcha-delivery.com/c.js"></script></body></html>',
        '<html><body><div id="px-captcha"></div></body></html>',
        "<html><head><title>Before you continue</title></head></html>",
    ],
)
def test_challenge_pages_are_named(page):
    assert challenge_reason(page) is not None


def test_ordinary_pages_are_not_challenges():
    article = (
        "<html><head><title>Chipmaker says: just a moment... for prices</title>"
        '<script src="/cdn-cgi/challenge-platform/scripts/jsd/main.js"></script></head>'
        "<body><p>Access denied to the fab, the union said. Before you continue reading, a note.</p>"
    )
    assert challenge_reason(article) is None
    assert challenge_reason("<html></html>", headers_mitigated="challenge") is not None
    assert challenge_reason("<html></html>", final_host="consent.google.com") is not None


def test_retry_after_forms():
    assert parse_retry_after("120") == 120.0
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT") == 0.0  # in the past
    assert parse_retry_after("Wed, 21 Oct 2015 07:28:00 GMT", now=1445412480.0 - 60) == 60.0
    assert parse_retry_after("soon") is None
    assert parse_retry_after(None) is None


def test_backoff_doubles_with_bounded_jitter():
    for n, base in ((1, 1.0), (2, 2.0), (3, 4.0)):
        assert 0.5 * base <= backoff_s(1.0, n) <= 1.5 * base
