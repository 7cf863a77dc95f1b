"""Assemble one Article from a page: metadata, dates, language and the main text."""

from __future__ import annotations

import logging
import re
from datetime import datetime

from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from scraper.errors import ExtractError
from scraper.extract.body import Body, extract_body
from scraper.extract.dates import Dates, extract_dates, parse_date_text
from scraper.extract.decode import parser_input
from scraper.extract.language import detect_language, normalize_language
from scraper.extract.metadata import Metadata, extract_metadata
from scraper.extract.page_data import PageData, page_data
from scraper.extract.site_rules import SiteRule, SiteRules
from scraper.models import Article

log = logging.getLogger(__name__)

_WS_RE = re.compile(r"\s+")
# a whitespace-separated token without a word character ("-", "&"), with the space before it
_WORDLESS_TOKEN_RE = re.compile(r"\s[^\w\s]+(?!\S)")
_PARSE_OPTIONS = LexborDocumentOptions.WO_EVENTS
_CJK_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
# the UTF-8 lead bytes of U+3000..U+DFFF, the block holding every _CJK_RE character
_CJK_LEAD_BYTES = tuple(bytes([lead]) for lead in range(0xE3, 0xEE))


def _may_hold_cjk(text: str) -> bool:
    """False when `text` surely holds no _CJK_RE character (byte searches in its UTF-8 beat a regex scan)."""
    if text.isascii():  # a flag lookup, not a scan
        return False
    # surrogatepass: a lone surrogate encodes under lead byte 0xED and leaves the answer to the regex
    encoded = text.encode("utf-8", "surrogatepass")
    return any(lead in encoded for lead in _CJK_LEAD_BYTES)


def _clean(text: str | None) -> str | None:
    """Collapse whitespace; return None for nothing."""
    if text is None:
        return None
    text = _WS_RE.sub(" ", text).strip()
    return text or None


def count_words(text: str) -> int:
    """Count space-separated words, each CJK character counting as one (those scripts do not space words)."""
    cjk = len(_CJK_RE.findall(text)) if _may_hold_cjk(text) else 0
    spaced = _CJK_RE.sub(" ", text) if cjk else text
    # every token less the wordless ones: three C scans instead of a regex search per token
    return cjk + len(spaced.split()) - len(_WORDLESS_TOKEN_RE.findall(" " + spaced))


def _metadata(tree: LexborHTMLParser, url: str | None, data: PageData | None) -> Metadata:
    """Run the metadata extractor; a failure there costs the fields, never the article."""
    try:
        return extract_metadata(tree, url, data)
    except Exception as exc:  # a bug in one extractor must not lose the page
        log.warning("extract: metadata failed: %s: %s (%s)", type(exc).__name__, exc, url)
        return Metadata()


def _page_data(tree: LexborHTMLParser, url: str | None) -> PageData | None:
    """Read the head data; on failure None, and each stage then tries (and fails) on its own."""
    try:
        return page_data(tree)
    except Exception as exc:  # a bug there must not lose the page
        log.warning("extract: head data failed: %s: %s (%s)", type(exc).__name__, exc, url)
        return None


def _dates(
    tree: LexborHTMLParser, url: str | None, fetched_at: datetime | None, data: PageData | None
) -> Dates:
    """Run the date extractor; a failure there costs the dates, never the article."""
    try:
        return extract_dates(tree, url, fetched_at, data)
    except Exception as exc:  # a bug in one extractor must not lose the page
        log.warning("extract: dates failed: %s: %s (%s)", type(exc).__name__, exc, url)
        return Dates()


def _rule_text(tree: LexborHTMLParser, selector: str | None, *attributes: str) -> str | None:
    """Return the first of `attributes`, else the text, of the first node matching `selector`."""
    if not selector:
        return None
    node = tree.css_first(selector)
    if node is None:
        return None
    attrs = node.attributes
    for name in attributes:
        value = attrs.get(name)
        if value:
            return value
    return _clean(node.text(deep=True))


def _apply_rule_head(
    tree: LexborHTMLParser, rule: SiteRule, meta: Metadata, dates: Dates, fetched_at: datetime | None
) -> None:
    """Override title and published date from a site rule's selectors, where they match."""
    title = _rule_text(tree, rule.title)
    if title:
        meta.title = title
        meta.provenance["title"] = "site-rule"
    raw_date = _rule_text(tree, rule.date, "datetime", "content")
    if raw_date:
        try:
            parsed = parse_date_text(raw_date, now=fetched_at)
        except Exception as exc:  # a date parser bug must not lose the page
            log.warning("extract: date parse failed on %r: %s", raw_date, exc)
            parsed = None
        if parsed is not None:
            dates.published = parsed
            dates.provenance["published"] = "site-rule"


def _parse(html: str | bytes) -> LexborHTMLParser:
    """Decode and parse the page; junk that lexbor refuses becomes an empty document."""
    # lexbor reads UTF-8 bytes as they are: UTF-8 pages skip a decode and an encode back
    source = parser_input(html) if isinstance(html, bytes) else html
    if isinstance(source, bytes) and b"\x00" in source:
        # decoded first, as the spec orders it: dropping a NUL from the bytes could mend a broken sequence
        source = source.decode("utf-8", errors="replace")
    # lexbor treats NUL as end of input in places; the HTML spec drops it anyway
    if isinstance(source, str) and "\x00" in source:
        source = source.replace("\x00", "")
    try:
        # no mutation events: the tree is read, not scripted (they only mirror an <option> into a
        # <selectedcontent>), and parsing without them is some 7% faster
        return LexborHTMLParser(source, options=_PARSE_OPTIONS)
    except Exception:  # lexbor raises on pathological input; an empty page is the honest result
        log.warning("extract: page could not be parsed; treating it as empty")
        return LexborHTMLParser("")


def extract_article(
    html: str | bytes,
    url: str | None = None,
    *,
    fetched_at: datetime | None = None,
    rules: SiteRules | None = None,
) -> Article:
    """Extract an Article from one page's HTML (pure: no network, no store); bad HTML never raises."""
    if not isinstance(html, (str, bytes, bytearray)):
        raise ExtractError(f"html must be str or bytes, not {type(html).__name__}", url=url)
    if isinstance(html, bytearray):
        html = bytes(html)
    tree = _parse(html)
    # metadata and dates read the pristine tree; the body extractor then prunes it
    data = _page_data(tree, url)  # one read of the head's tags and JSON-LD serves both
    meta = _metadata(tree, url, data)
    dates = _dates(tree, url, fetched_at, data)
    rule = rules.for_url(url) if rules is not None else None
    if rule is not None:
        _apply_rule_head(tree, rule, meta, dates, fetched_at)
    title = _clean(meta.title)
    if title is None:
        h1 = tree.css_first("h1")
        title = _clean(h1.text(deep=True)) if h1 is not None else None
        if title is not None:
            meta.provenance["title"] = "heuristic"
    try:
        body = extract_body(
            tree,
            url,
            title=title,
            rule=rule,
            page_chars=len(html),
            description=meta.description,
            # the head data read every JSON-LD script: without an articleBody there is no hint to look for
            jsonld_article_body=data.article_body if data is not None else True,
        )
    except Exception as exc:  # the body heuristics must never lose the metadata already found
        log.warning("extract: body failed: %s: %s (%s)", type(exc).__name__, exc, url)
        body = Body()
    provenance: dict[str, str] = {}
    provenance.update(meta.provenance)
    provenance.update(dates.provenance)
    if body.text:
        provenance["body"] = body.source
    language = normalize_language(meta.language)
    if language is None:
        provenance.pop("language", None)
        language = detect_language(body.text or " ".join(filter(None, [title, meta.description])))
        if language is not None:
            provenance["language"] = "heuristic"
    return Article(
        url=url,
        canonical_url=meta.canonical_url,
        title=title,
        description=_clean(meta.description),
        authors=list(meta.authors),
        published=dates.published.isoformat() if dates.published is not None else None,
        modified=dates.modified.isoformat() if dates.modified is not None else None,
        language=language,
        site_name=_clean(meta.site_name),
        image=meta.image,
        tags=list(meta.tags),
        body=body.text,
        word_count=count_words(body.text),
        fetched_at=fetched_at.isoformat() if fetched_at is not None else None,
        body_html=body.html,
        links=body.links,
        comments=body.comments,
        provenance=provenance,
    )
