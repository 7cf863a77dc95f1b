"""What a body is: html, feed or other (Content-Type plus first bytes), and whether it is a challenge wall."""

from __future__ import annotations

import codecs
import re

SNIFF_BYTES = 1024  # magic numbers and the root element sit at the start
CHALLENGE_SCAN_CHARS = 8 * 1024  # challenge and consent walls say so near the top
# walls are small pages (DataDome ~2 KB, Cloudflare ~10-30 KB); marker scans cost ~5 us per needle per 8 KB,
# so pages bigger than this are judged on their <title> alone
CHALLENGE_MAX_CHARS = 64 * 1024
ENTITY_SCAN_BYTES = 64 * 1024  # a DOCTYPE internal subset longer than this is itself suspicious

HTML_TYPES = frozenset({"text/html", "application/xhtml+xml"})
FEED_TYPES = frozenset(
    {
        "application/rss+xml",
        "application/atom+xml",
        "application/rdf+xml",
        "application/xml",
        "text/xml",
        "application/feed+json",
        "application/json",
        "text/rss+xml",
        "application/x-rss+xml",
    }
)
_BINARY_MAGIC = (
    (b"%PDF-", "a PDF"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"PK\x03\x04", "a ZIP archive"),
    (b"\x1f\x8b", "gzip data"),
    (b"\x00\x00\x01\x00", "an icon"),
    (b"ID3", "an MP3 file"),
    (b"\x1aE\xdf\xa3", "a WebM video"),
    (b"OggS", "an Ogg file"),
    (b"wOFF", "a web font"),
    (b"wOF2", "a web font"),
)
_FEED_ROOT_RE = re.compile(rb"<(?:[a-zA-Z0-9_-]+:)?(rss|feed|RDF|urlset|sitemapindex)\b")
_HTML_START_RE = re.compile(rb"^\s*(?:<!--.*?-->\s*)*<(?:!doctype\s+html|html|head|body)\b", re.I | re.S)
_ROOT_START_RE = re.compile(rb"<[A-Za-z_]")
_JSON_FEED_RE = re.compile(rb'^\s*\{[^{}]{0,400}"version"\s*:\s*"https?://jsonfeed\.org/', re.S)
_TITLE_RE = re.compile(r"<title[^>]*>\s*([^<]{0,200}?)\s*</title>", re.I)


def media_type(content_type: str) -> str:
    """Return the bare media type of a Content-Type header, lower-cased."""
    return content_type.split(";", 1)[0].strip().lower()


def _as_utf8(data: bytes, chars: int) -> bytes | None:
    """Re-encode the start of a UTF-16/32 document (BOM) as UTF-8 so byte patterns match; None otherwise."""
    for bom, codec, width in (
        (codecs.BOM_UTF32_LE, "utf-32", 4),
        (codecs.BOM_UTF32_BE, "utf-32", 4),
        (codecs.BOM_UTF16_LE, "utf-16", 2),
        (codecs.BOM_UTF16_BE, "utf-16", 2),
    ):
        if data.startswith(bom):
            return data[: width * chars].decode(codec, errors="replace").encode("utf-8")
    return None


def binary_kind(data: bytes) -> str | None:
    """Name the binary format the first bytes announce (PDF, images, archives), or None."""
    head = data[:16].lstrip()
    for magic, name in _BINARY_MAGIC:
        if head.startswith(magic):
            return name
    if head[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "a WebP image"
    if data[4:12] in (b"ftypisom", b"ftypmp42", b"ftypavif", b"ftypheic"):
        return "a media file"
    return None


def looks_like_feed(data: bytes) -> bool:
    """True if the first bytes open an RSS, Atom, RDF, sitemap or JSON Feed document."""
    head = data[:SNIFF_BYTES]
    if _JSON_FEED_RE.match(head):
        return True
    if _HTML_START_RE.match(head):
        return False
    return _FEED_ROOT_RE.search(head) is not None


def looks_like_html(data: bytes) -> bool:
    """True if the first bytes open an HTML document."""
    return _HTML_START_RE.match(data[:SNIFF_BYTES].lstrip(b"\xef\xbb\xbf")) is not None


def classify(content_type: str, data: bytes) -> str:
    """Return "html", "feed" or "other" for a body; a binary body is "other" whatever its label says."""
    wide = _as_utf8(data, SNIFF_BYTES)
    if wide is not None:
        data = wide
    elif binary_kind(data):
        return "other"
    mtype = media_type(content_type)
    if mtype in HTML_TYPES:
        return "feed" if looks_like_feed(data) else "html"
    if mtype in FEED_TYPES:
        if looks_like_feed(data):
            return "feed"
        return "html" if looks_like_html(data) else "other"
    if mtype in ("", "text/plain", "application/octet-stream", "binary/octet-stream"):
        if looks_like_html(data):
            return "html"
        if looks_like_feed(data):
            return "feed"
    return "other"


def declares_entities(data: bytes) -> bool:
    """True if the prolog (before the root element) declares entities: the billion-laughs door."""
    head = _as_utf8(data, ENTITY_SCAN_BYTES) or data[:ENTITY_SCAN_BYTES]
    root = _ROOT_START_RE.search(head)
    prolog = head[: root.start()] if root else head
    return b"<!entity" in prolog.lower()


# (what, needle in the lower-cased top of the page); each needle is only on walls, not on guarded pages
_CHALLENGE_MARKERS = (
    ("Cloudflare challenge", "window._cf_chl_opt"),
    ("Cloudflare challenge", 'id="challenge-form"'),
    ("Cloudflare challenge", "cf-browser-verification"),
    ("DataDome captcha", "captcha-delivery.com"),
    ("PerimeterX captcha", 'id="px-captcha"'),
    ("Akamai block", "errors.edgesuite.net"),
    ("Imperva block", "_incapsula_resource"),
    ("consent wall", 'action="https://consent.'),  # Google, YouTube, Yahoo consent forms
    ("consent wall", 'action="https://guce.yahoo.com'),
)
_CHALLENGE_TITLES = (
    ("Cloudflare challenge", "just a moment..."),
    ("Cloudflare challenge", "just a moment…"),
    ("Cloudflare block", "attention required! | cloudflare"),
    ("Akamai block", "access denied"),
    ("bot check", "are you a robot?"),
    ("bot check", "are you a human?"),
    ("consent wall", "before you continue"),
    ("consent wall", "before you continue to google"),
    ("consent wall", "before you continue to youtube"),
)
_CONSENT_HOSTS = ("consent.google.", "consent.youtube.com", "consent.yahoo.com", "guce.yahoo.com")


def challenge_reason(text: str, headers_mitigated: str | None = None, final_host: str = "") -> str | None:
    """Name the bot challenge or consent wall a page is (Cloudflare, DataDome, ...), or None."""
    if headers_mitigated and headers_mitigated.lower() == "challenge":
        return "Cloudflare challenge (cf-mitigated)"
    if final_host.startswith(_CONSENT_HOSTS):
        return f"consent wall ({final_host})"
    top = text[:CHALLENGE_SCAN_CHARS].lower()
    m = _TITLE_RE.search(top)
    if m:
        title = m.group(1).strip()
        for what, needle in _CHALLENGE_TITLES:
            if title == needle:
                return f"{what} (title {title!r})"
    if len(text) > CHALLENGE_MAX_CHARS:
        return None
    for what, needle in _CHALLENGE_MARKERS:
        if needle in top:
            return f"{what} ({needle})"
    return None
