"""Article metadata (title, description, authors, site, image, canonical, tags, language) from one page."""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.authors import clean_authors, is_labelled_byline
from scraper.extract.jsonld import ARTICLE_TYPES, types_of
from scraper.extract.page_data import (
    FoldedWords,
    PageData,
    has_ancestor,
    lines_text,
    page_data,
    relisted,
    tag_ids,
)
from scraper.extract.urls import is_plain_absolute

# Non-ASCII texts whose _norm and _key are remembered, and texts whose _words are (texts).
UNICODE_CACHE_SIZE = 1024
WORDS_CACHE_SIZE = 256
# A headline longer than this is a paragraph picked by mistake (characters).
MAX_TITLE_CHARS = 300
# How many byline elements are read, at most.
MAX_BYLINE_NODES = 8
# A byline element with more text than this is a bio or a teaser (characters).
MAX_BYLINE_CHARS = 160
# Text searched for a 'By ...' line around the headline (characters).
BYLINE_WINDOW_BEFORE_CHARS = 200
BYLINE_WINDOW_AFTER_CHARS = 600
# ... in the headline's parent and the ancestors above it, up to this many (elements)
BYLINE_CONTAINER_LEVELS = 4
# A user name in a class-named byline is this long at least (characters).
MIN_BYLINE_HANDLE_CHARS = 4
_WRITTEN_BY_RE = re.compile(
    r"written by|verfasst von|geschrieben von|écrit par|escrito por|scritto da|autor", re.I
)
# 'By Jane Doe', 'Text von Jane Doe', 'Par Jean Dupont': a capitalised name of two to four words
_BYLINE_NAME = (
    r"(?:[A-ZÄÖÜÉ][\w'’.-]+)"
    r"(?:[ \t]+(?:(?:von|van|de|der|den|di|da|del|le|la)[ \t]+){0,2}[A-ZÄÖÜÉ][\w'’.-]+){1,3}"
)
# ... and up to two more names joined by 'und', 'and', '&' or a comma ('Von Jane Doe und John Roe')
# after a word that opens the text or follows a space or a bar
_BYLINE_LEADS = re.findall(r"\S+", "By by Von von Par par Por por Di di Text: Autor: Autorin: Author:")
# (each word looks back past itself for that space: a pattern that starts with literals lets re skip to
# their first letters instead of trying every position, five times faster; a match starts at the word)
_BYLINE_TEXT_RE = re.compile(
    "(?:" + "|".join(rf"{lead}(?<![^\s|•·](?s:.{{{len(lead)}}}))" for lead in _BYLINE_LEADS) + ")"
    rf"\s+({_BYLINE_NAME}(?:(?:\s*,|\s+(?:und|and|&|et|y))\s+{_BYLINE_NAME}){{0,2}})"
)
# Words before 'by'/'von' on a byline's line, at most ('Posted on September 21, 2020 by').
MAX_BYLINE_LEAD_WORDS = 5
# lower-case words that may stand there; any other makes the line a sentence
_BYLINE_LEAD_WORDS = frozenset(
    re.findall(r"\S+", "posted on at am le el the published written geschrieben veröffentlicht publié écrit")
)
_LETTERS_RE = re.compile(r"[^\W\d_]+")
_SENTENCE_END_RE = re.compile(r"(?<=[^\W\d_]{2})[.!?]\s")
# a meta line of its own with the date, perhaps the time, and a name: '04.02.2022 | 13:10 Uhr | Jane Doe'
_DATED_NAME_RE = re.compile(
    r"^[ \t]*\d{1,2}\.[ \t]?\d{1,2}\.[ \t]?\d{2,4}(?:[ \t]*[|•·,][ \t]*\d{1,2}:\d\d(?:[ \t]*Uhr)?)?"
    rf"[ \t]*[|•·–—-][ \t]*({_BYLINE_NAME})[ \t]*$",
    re.M,
)
# a part every _DATED_NAME_RE date has, starting with a literal: a cheap test before the search
_DATED_NAME_HINT_RE = re.compile(r"\.[ \t]?\d\d?\.[ \t]?\d\d")
# 'Foto von Josh Willink': a photo credit's 'von' names the photographer (characters looked back)
CREDIT_LOOKBACK_CHARS = 12
_CREDIT_BEFORE_RE = re.compile(r"(?:foto|photo|bild|image|quelle|source|illustration|grafik)s?\s*$", re.I)
# Author links within this many levels of the first one form one byline (elements).
BYLINE_GROUP_DEPTH = 3
_AUTHOR_LINK_SELECTOR = 'a[rel~="author"], [itemprop="author"] [itemprop="name"], [itemprop="author"]'
# ... as queried over the page: every name inside an author item is found by querying the item itself
# (a third of the cost: lexbor tests every element against each selector of a list)
_AUTHOR_LINK_QUERY = 'a[rel~="author"], [itemprop="author"]'
_BYLINE_SELECTOR = (
    '[class*="byline" i], [class*="author" i], [class*="autor" i], [class*="writer" i], [id*="author" i],'
    ' [class*="verfasser" i], [class*="creator" i], [class*="auteur" i]'
)
# ... as queried: lexbor tests every element against each selector of a list, so 'author', 'autor' and
# 'auteur' are asked for as 'aut' (a few more elements, 'autoplay', that _byline_nodes sorts out)
_BYLINE_QUERY = (
    '[class*="byline" i], [class*="aut" i], [class*="writer" i], [id*="author" i], [class*="verfasser" i],'
    ' [class*="creator" i]'
)
# _BYLINE_SELECTOR's class and id substrings, as lexbor compares them: UTF-8 with ASCII letters folded
_BYLINE_CLASS_WORDS = (b"byline", b"author", b"autor", b"writer", b"verfasser", b"creator", b"auteur")
_BYLINE_ID_WORDS = (b"author",)
# ... looked for up to the article or the page body (lexbor's tag ids)
_COMMENT_STOP_TAG_IDS = tag_ids(frozenset({"body", "article", "main"}))
_FOREIGN_RE = FoldedWords(r"comment|related|recommend|reply|respond")

# An h1 this close inside a link to another page is a teaser card's title (elements).
TEASER_LINK_DEPTH = 2
# An h1 this close inside a list item is a breadcrumb's last crumb (elements).
CRUMB_DEPTH = 2
# Headline candidates come from the article's h1s, then every h1, then post-title elements (this one).
POST_TITLE_SOURCE = 2
# How many h1 / post-title elements are compared, at most.
MAX_HEADLINE_NODES = 4
# Headline markup nested deeper than this is not a headline (elements).
MAX_HEADLINE_DEPTH = 6
_INVISIBLE_TAGS = {"style", "script", "noscript", "template", "svg", "button"}
# parts of an h1 that are not the headline: kicker/overline, hidden separators, labels
_KICKER_RE = re.compile(
    r"kicker|overline|topline|highline|dachzeile|eyebrow|subtitle|subheadline|sub-headline|supertitle|roofline|"
    r"spitzmarke|visually-hidden|sr-only|screen-reader|hidden|invisible|rubric|category|label|badge|sub-?heading|"
    r"(?:^|\s)(?:small|h\d-?small)(?:\s|$)",
    re.I,
)
_HIDDEN_RE = FoldedWords(r"hidden|sr-only|screen-reader|assistive|aural|accessible|offscreen|invisible")
# (each alternative opens with a letter, so that FoldedWords' re skips ahead to those letters)
_SITE_BRANDING_RE = FoldedWords(
    r"logo|brand|site-?title|site-?name|masthead|navbar|blog-?title|h(?<!article-h)(?<!post-h)eader-?title"
)
# an archived copy's link to the site root ('https://web.archive.org/web/2014/http://example.com/')
_ARCHIVED_HOME_RE = re.compile(r".https?://[^/?#]+/?$")
_POST_TITLE_CLASS_RE = FoldedWords(r"entry-title|post-title|post_title|article-title|article__title")
# the article's headline as the page marks it, by microdata or a class (teaser lists use '...-title')
_MARKED_HEADLINE_SELECTOR = ", ".join(
    f":not(h1){marker}"
    for marker in (
        '[itemprop="headline"]',
        '[class*="article-headline" i]',
        '[class*="article__headline" i]',
    )
)
# ... but not a teaser's (another story) or a subheadline's (a secondary line)
_HEADLINE_CLASS_SELECTOR = '[class*="headline" i]' + "".join(
    f':not([class*="{word}" i])' for word in ("teaser", "card", "related", "recommend", "sub")
)
_POST_TITLE_SELECTOR = '[itemprop="headline"], .entry-title, .post-title, .article-title, .headline'
# An h1 ending with the metadata title is 'kicker + headline' when the title is this share of it.
KICKER_SHARE_MIN = 0.4
# Word overlap at which an h1 and a metadata title name the same story.
HEADLINE_AGREEMENT_MIN = 0.5
# An h1 nothing agrees with is still the headline from this many words on ('News' is not).
MIN_HEADLINE_WORDS = 3
# Subheadings compared with the document title, at most; shorter keys match too easily.
MAX_SUBHEADINGS = 12
MIN_SUBHEADING_KEY_CHARS = 8
# A metadata title shortening a subheading has this many words at least (one is a section's name).
MIN_SHORTENED_TITLE_WORDS = 2
# Agreement with the bare <title> counts a little less than with og:title or JSON-LD.
DOC_TITLE_WEIGHT = 0.9
# A site name longer than this is a misfilled headline (words).
MAX_SITE_NAME_WORDS = 8
MAX_APP_NAME_WORDS = 4
# A <title> segment between headline and site name this short is a section name (words).
MAX_SECTION_WORDS = 2
# A <title> segment holding the site's name is the site's when the name is this share of it at least.
SITE_NAME_SHARE_MIN = 0.5
# A trailing <title> segment this short may be the brand even when it matches nothing (words).
MAX_BRAND_WORDS = 4
# a title that may open with a kicker: 'Covid-19: Headline', 'Kicker – Headline'
_KICKER_SET_OFF_RE = re.compile(r"\w[:|–—-]\s|\s[|–—-]\s")
_KICKER_JOINED_RE = re.compile(r"[:–—-]\s*$")
_EDGE_PUNCTUATION = " :|-–—·•/"
_MAIN_ONLY = frozenset({"main"})
# JSON-LD types of objects that describe the page or the site rather than an article
_PAGE_TYPES = frozenset({"WebPage", "ItemPage", "WebSite", "Organization"})
_ARTICLE_ONLY = frozenset({"article"})
_CSS_SPACE_RE = re.compile(r"[ \t\n\f\r]+")
_NON_ALNUM_RE = re.compile(r"[\W_]+")
_WORD_RE = re.compile(r"\w+")
# the ASCII bytes _NON_ALNUM_RE removes
_ASCII_NON_ALNUM = bytes(c for c in range(128) if not chr(c).isalnum())
_WORD_START_RE = re.compile(r"(?<![^\W_])[^\W_]")
_INVISIBLE_CHARS_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
# A CJK headline's '-Site' / '_Site' / '|Site' suffix: a short CJK name after a separator without spaces
_CJK_SITE_SUFFIX_RE = re.compile(r"(?<=[\u3000-\u9fff\uff00-\uffef])\s*[-_|｜—]\s*[\u3040-\u9fff\w]{2,10}$")
# a title ending in a separator ('Site -', 'Headline |'): one part was left empty
_DANGLING_SEPARATOR_RE = re.compile(r"\s[|–—\-:·•»/]$")
_DANGLING_SEPARATORS = tuple("|–—-:·•»/")
# an http(s) URL whose host urlsplit would take as it is, lower-cased: no user, port, IPv6 brackets, zone
# or characters it removes or checks (tabs, newlines, leading spaces, non-ASCII)
_PLAIN_HOST_RE = re.compile(r"(?i:https?)://([A-Za-z0-9._-]+)(?:[/?#]|\Z)")
# labels under a country domain that a site registers below ('bbc.co.uk', 'abc.net.au')
_SECOND_LEVEL_LABELS = frozenset({"co", "com", "net", "org", "gov", "ac", "edu", "or", "ne", "go", "gv"})
# a numeric date and a separator opening a headline ('23.01.2022 - ', '2022-01-23 | ')
_LEADING_DATE_RE = re.compile(r"^(?:\d{1,2}\.\d{1,2}\.\d{4}|\d{4}-\d\d-\d\d)\s+[|–—\-:·•/]\s+(?=\w)")
# an arrow opening a headline, perhaps after a bracket ('[> ', '» ', but not the quote '»Zitat«')
_LEADING_ARROW_RE = re.compile(r"^[\[(]?\s*(?:>+|→|[»›](?=\s))\s*(?=\w)")
# separators sites put between a headline and their own name in <title>
# (' | ', '|', ' :: ', ' -- '; the first space or bar is read before the alternatives, so that re skips
# to spaces and bars instead of trying each alternative at every position)
_TITLE_SEPARATOR_RE = re.compile(
    r"[\s|](?:(?<=\s)(?:\s*[|–—\-:·•»«/]\s+|\s*\|\s*|\s*::\s+|\s*-{2}\s+)|(?<=\|)\s*)"
)


@dataclass
class Metadata:
    """Metadata of a page, each found field with its provenance."""

    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def _norm(text: str | None) -> str:
    """Collapse whitespace and normalise Unicode."""
    if not text:
        return ""
    if not text.isascii():
        # (ASCII text holds no invisible character and is its own NFC form: most titles skip both)
        return _norm_unicode(text)
    return " ".join(text.split())


@functools.lru_cache(maxsize=UNICODE_CACHE_SIZE)
def _norm_unicode(text: str) -> str:
    """_norm of a non-ASCII text (cached: the title's pieces are normalised again and again)."""
    return " ".join(unicodedata.normalize("NFC", _INVISIBLE_CHARS_RE.sub("", text)).split())


def _key(text: str | None) -> str:
    """Comparison key: case-folded letters and digits only."""
    if not text:
        return ""
    if text.isascii():
        # casefold is lower() and [\W_] every byte but a letter or digit in ASCII: one C pass
        # instead of a regular expression's match per gap
        return text.lower().encode("ascii").translate(None, _ASCII_NON_ALNUM).decode("ascii")
    return _key_unicode(text)


@functools.lru_cache(maxsize=UNICODE_CACHE_SIZE)
def _key_unicode(text: str) -> str:
    """_key of a non-ASCII text (cached: headlines and title segments are compared again and again)."""
    # (whitespace is dropped with the rest of [\W_], so _norm's collapsing is not needed)
    return _NON_ALNUM_RE.sub("", unicodedata.normalize("NFC", _INVISIBLE_CHARS_RE.sub("", text)).casefold())


def _meta_provenance(name: str) -> str:
    """Name the meta family of a key (og:, article:, DC, parsely) for provenance."""
    if name.startswith("og:"):
        return "meta:og"
    if name.startswith("article:"):
        return "meta:article"
    if name.startswith(("dc.", "dcterms.")):
        return "meta:dc"
    if name.startswith("parsely"):
        return "meta:parsely"
    return "meta"


class _Page:
    """The pieces of a page that metadata is read from, gathered once."""

    def __init__(self, tree: LexborHTMLParser, url: str | None, data: PageData) -> None:
        self.tree = tree
        self.url = url
        self.data = data
        self.meta: dict[str, list[str]] = {}
        for attrs in data.metas:
            content = attrs.get("content")
            if content is None:
                continue
            value = content.strip()
            if not value:
                continue
            # raw values: most are never read, so whitespace is collapsed only where one is used
            for attr in ("property", "name", "itemprop", "http-equiv"):
                name = attrs.get(attr)
                if name:
                    key = name.strip().lower()
                    if attr == "itemprop" and key == "author":
                        # microdata of whatever item it sits in, maybe a cited paper (read apart)
                        key = "itemprop:author"
                    self.meta.setdefault(key, []).append(value)
        self.links = data.links
        objects = data.jsonld
        typed = list(zip(objects, data.jsonld_types, strict=True))
        self.articles = [o for o, types in typed if types & ARTICLE_TYPES]
        # @graph members referenced by {"@id": ...} (Yoast puts the author Person there)
        self.by_id = {o["@id"]: o for o in objects if isinstance(o.get("@id"), str) and len(o) > 1}
        pages = [(o, types) for o, types in typed if types & _PAGE_TYPES]
        self.pages = [o for o, _types in pages]
        self.page_types = [types for _o, types in pages]
        # headline text -> text of the element it opens with ('' when it opens with plain text)
        self.headline_leads: dict[str, str] = {}
        # headline key -> the other spellings later candidates print it with
        self.headline_variants: dict[str, list[str]] = {}
        # the chosen headline, once chosen: bylines are looked for next to where it is printed
        self.title: str | None = None
        # 'h1', 'a[rel~="tag"]' and 'title' come with the head data
        self.h1s: list[LexborNode] = data.h1s
        self.tag_links: list[LexborNode] = data.tag_links
        self.title_node = data.title

    def article_h1s(self) -> list[LexborNode]:
        """Return what 'article h1, main h1' selects: each h1 once per kind of ancestor it has."""
        # lexbor lists a node once per selector of a list it matches, so slices count repeats
        return [
            node
            for node in self.h1s
            for ancestor in (_ARTICLE_ONLY, _MAIN_ONLY)
            if has_ancestor(node, ancestor)
        ]

    def first_meta(self, *names: str) -> tuple[str, str] | None:
        """Return (value, provenance) of the first present meta key among `names`."""
        for name in names:
            for value in self.meta.get(name, ()):
                text = _norm(value)
                if text:
                    return text, _meta_provenance(name)
        return None

    def jsonld(self, key: str) -> Any:
        """Return `key` of the first article-like JSON-LD object that has it."""
        for obj in self.articles:
            if obj.get(key):
                return obj[key]
        return None

    def absolute(self, link: str | None) -> str | None:
        """Resolve a link against the page URL; None for empty or non-web links."""
        if not link:
            return None
        link = link.strip()
        if link.startswith("//"):
            scheme = self.url.partition(":")[0].lower() if self.url and "://" in self.url else "https"
            link = f"{scheme or 'https'}:{link}"
        if is_plain_absolute(link):
            return link  # what urljoin would give back, without its cost
        resolved = _join(self.url, link) if self.url else link
        return resolved if resolved and resolved.startswith(("http://", "https://")) else None


def _join(base: str | None, link: str) -> str | None:
    """Return `link` resolved against `base`; None when either is not a parsable URL."""
    # one malformed href ('http://[::1') must cost only itself, not the page's whole metadata
    try:
        return urljoin(base or "", link)
    except ValueError:
        return None


def _host(url: str | None) -> str | None:
    """Return the host name of `url`, None when absent or not parsable."""
    plain = _PLAIN_HOST_RE.match(url) if url else None
    if plain is not None:
        # what urlsplit(url).hostname gives for it, without urllib's Python-level parsing
        return plain.group(1).lower()
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


def _jsonld_text(value: Any) -> str | None:
    """Return a JSON-LD value as text (first of a list, `name` of an object)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    if not isinstance(value, str) or not value.strip():
        return None
    # JSON-LD is plain text, yet some CMSs write it HTML-escaped ('zur&#252;ck')
    return _norm(html.unescape(value) if "&" in value else value)


def _domain_words(url: str | None) -> set[str]:
    """Return comparison keys for the site's domain ('www.heise.de' -> heise, heisede), a set to extend."""
    return set(_domain_keys(url)) if url else set()


@functools.lru_cache(maxsize=64)
def _domain_keys(url: str) -> frozenset[str]:
    """The keys _domain_words returns (cached: the title and the authors both ask for them)."""
    host = (_host(url) or "").lower()
    host = host.removeprefix("www.")
    parts = [p for p in host.split(".") if p]
    if len(parts) >= 3 and len(parts[-1]) == 2 and parts[-2] in _SECOND_LEVEL_LABELS:
        # 'nationalrail.co.uk' is named like 'nationalrail.uk'
        parts = [*parts[:-2], parts[-1]]
    keys = {_key(host)}
    if len(parts) >= 2:
        keys.add(_key(parts[-2]))
        keys.add(_key(".".join(parts[:-1])))
    return frozenset(keys)


def _is_site_segment(segment: str, site_keys: set[str]) -> bool:
    """Say whether a <title> segment names the site rather than the article."""
    key = _key(segment)
    if not key:
        return True
    # ('Example News Online', and 'EFC Bayrische Bembel Regensburg' for bayrische-bembel.de: a long
    # name with a word or two around it)
    return any(
        key == s
        or (
            len(s) >= 4
            and (s in key or key in s)
            and (len(key) <= len(s) + 12 or len(s) >= SITE_NAME_SHARE_MIN * len(key))
        )
        for s in site_keys
    )


def _strip_site(title: str, site_keys: set[str]) -> str:
    """Drop ' | Site' / 'Site - ' segments from a document title."""
    title = _norm(title)
    # (the tests before the searches are what each pattern needs: a separator at the end, a CJK letter)
    dangling = _DANGLING_SEPARATOR_RE.search(title) if title.endswith(_DANGLING_SEPARATORS) else None
    if dangling is not None:
        # one slot of the template was left empty: 'National Rail Enquiries -' is the site alone,
        # 'Über André Loibl | ' the headline alone
        title = title[: dangling.start()]
        if _is_site_segment(title, site_keys):
            return ""
    cjk = _CJK_SITE_SUFFIX_RE.search(title) if not title.isascii() else None
    if cjk is not None:
        # Chinese and Japanese sites append their name without spaces: '标题-新华网', '标题_新浪网'
        title = title[: cjk.start()]
    prefix, colon, rest = title.partition(": ")
    if colon and rest and _is_site_segment(prefix, site_keys):
        # 'Site: Headline' (a colon inside a headline is common, so only when the prefix is the site)
        title = rest
    parts = _TITLE_SEPARATOR_RE.split(title)
    if len(parts) == 1:
        return title
    site = [_is_site_segment(p, site_keys) for p in parts]
    if not any(site):
        # no segment names the site: the last one usually does ("Headline | Brand")
        last = parts[-1]
        piped = title.rstrip().endswith(last) and "|" in title[: len(title) - len(last)][-4:]
        brand_like = (len(last.split()) <= MAX_BRAND_WORDS or piped) and len(last) < len(" ".join(parts[:-1]))
        kept = parts[:-1] if brand_like else parts
        return _rejoin(title, kept) or title
    kept = [p for p, is_site in zip(parts, site, strict=True) if not is_site]
    if not kept:
        # every segment names the site: the title says nothing about the article
        return ""
    # 'Headline | Section | Site': a short segment between the headline and the site is a section
    if site[-1]:
        while len(kept) > 1 and len(kept[-1].split()) <= MAX_SECTION_WORDS:
            kept.pop()
    if site[0]:
        # 'Site | Section | Headline', 'Site - Headline - Section - News': when the site leads, short
        # segments on either side of the headline are sections
        while len(kept) > 1 and len(kept[0].split()) <= MAX_SECTION_WORDS:
            kept.pop(0)
        while len(kept) > 1 and len(kept[-1].split()) <= MAX_SECTION_WORDS:
            kept.pop()
    return _rejoin(title, kept) or title


def _rejoin(title: str, kept: list[str]) -> str:
    """Rejoin kept title segments with the separators the title used between them."""
    if not kept:
        return ""
    start = title.find(kept[0])
    end = title.rfind(kept[-1])
    if start >= 0 and end >= start:
        return title[start : end + len(kept[-1])].strip()
    return " ".join(kept)


def _visible_text(node: LexborNode, *, drop_kicker: bool, depth: int = 0) -> str:
    """Return a headline's text without style/script and, if asked, without kicker/hidden parts."""
    parts: list[str] = []
    before: list[str] = []
    # whether the text so far stands in elements of its own (a bare text node is the headline itself)
    only_elements = True
    for child in node.iter(include_text=True):
        tag = child.tag  # (read once: each read decodes the name again)
        if tag == "-text":
            text = child.text_content or ""
            parts.append(text)
            only_elements = only_elements and not text.strip()
            continue
        if tag in _INVISIBLE_TAGS or depth > MAX_HEADLINE_DEPTH:
            continue
        attrs = child.attributes
        marker = f"{attrs.get('class') or ''} {attrs.get('data-test-id') or ''}"
        kicker_ends = depth == 0 and only_elements and "".join(parts).strip() != ""
        if drop_kicker and kicker_ends and _is_hidden_separator(child):
            # 'Kicker<span class="sr-only">: </span>Headline': the separator is read out but not
            # shown, so the element before it is printed on a line of its own, as a kicker
            before, parts = parts, [" "]
            continue
        if drop_kicker and (tag == "small" or _KICKER_RE.search(marker)):
            # a dropped part still separates the words around it ('Kicker<span>: </span>Headline')
            parts.append(" ")
            continue
        if tag == "br":
            parts.append(" ")
        parts.append(_visible_text(child, drop_kicker=drop_kicker, depth=depth + 1))
    text = "".join(parts)
    # ('Headline<span class="aural">: </span><small>Topline</small>': nothing else follows)
    return text if text.strip() or not before else "".join(before)


def _is_hidden_separator(node: LexborNode) -> bool:
    """Say whether an element is a separator ('- ', ': ') hidden from sight or from screen readers."""
    hidden = node.attributes.get("aria-hidden") == "true"
    hidden = hidden or _HIDDEN_RE.search(str(node.attributes.get("class") or "")) is not None
    text = node.text(deep=True) or ""
    return hidden and bool(text.strip()) and not _NON_ALNUM_RE.sub("", text)


def _headline_nodes(
    page: _Page, site_keys: set[str], doc_title: str, claimed: set[str]
) -> tuple[list[str], list[str]]:
    """Return the headline candidates (h1s, article first, then post-title elements) and the post titles."""
    segments = [p for p in _TITLE_SEPARATOR_RE.split(doc_title) if p.strip()]

    def names_site(text: str) -> bool:
        # a site-like h1 is the site's name when <title> holds a longer, non-site segment besides it
        if _key(text) in site_keys:
            return True
        return _is_site_segment(text, site_keys) and any(
            len(p) >= len(text) and _key(p) != _key(text) and not _is_site_segment(p, site_keys)
            for p in segments
        )

    found: list[str] = []
    seen: set[str] = set()
    post_titles: list[str] = []
    leads = page.headline_leads
    # a page without any h1 may print its headline in an element only a class names ('l-headline')
    selector = _POST_TITLE_SELECTOR if page.h1s else f"{_POST_TITLE_SELECTOR}, {_HEADLINE_CLASS_SELECTOR}"
    sources: tuple[Callable[[], list[LexborNode]], ...] = (
        page.article_h1s,
        lambda: page.h1s,
        lambda: page.tree.css(selector),
    )
    for source, nodes in enumerate(sources):
        if source == POST_TITLE_SOURCE and not claimed.isdisjoint(found):
            # an h1 printing exactly what the metadata claims is the headline: the post-title query
            # (a walk of the whole tree) could only add candidates that lose to it
            break
        for node in nodes()[:MAX_HEADLINE_NODES]:
            if node.tag not in ("h1", "h2", "h3", "h4", "span", "div", "a", "p"):
                continue
            if _HIDDEN_RE.search(str(node.attributes.get("class") or "")):
                continue
            text = _norm(_visible_text(node, drop_kicker=True)).strip(_EDGE_PUNCTUATION) or _norm(
                _visible_text(node, drop_kicker=False)
            ).strip(_EDGE_PUNCTUATION)
            key = _key(text)
            if key in seen:
                # the same words printed again (a theme's post title above the body's own h1)
                page.headline_variants.setdefault(key, []).append(text)
                continue
            if not key or len(text) > MAX_TITLE_CHARS or names_site(text):
                continue
            if _SITE_BRANDING_RE.search(_ancestry_marker(node)) or _links_home(node, page.url):
                continue
            if node.tag == "h1" and _in_teaser_link(node, page.url):
                continue
            if node.tag == "h1" and _in_list_item(node) and _marks_headline(page):
                # a breadcrumb's last crumb printed as h1 gives way to the headline the page marks
                continue
            seen.add(key)
            found.append(text)
            leads[text] = _leading_element_text(node)
            if _POST_TITLE_CLASS_RE.search(str(node.attributes.get("class") or "")):
                post_titles.append(text)
    return found, post_titles


def _marks_headline(page: _Page) -> bool:
    """Say whether an element other than an h1 is marked as the article's headline (microdata, class)."""
    return page.tree.css_first(_MARKED_HEADLINE_SELECTOR) is not None


def _in_list_item(node: LexborNode) -> bool:
    """Say whether a headline sits in a list item (a breadcrumb's last crumb)."""
    current = node.parent
    for _ in range(CRUMB_DEPTH):
        if current is None or current.tag in ("body", "article", "main"):
            return False
        if current.tag == "li":
            return True
        current = current.parent
    return False


def _in_teaser_link(node: LexborNode, url: str | None) -> bool:
    """Say whether an h1 sits inside a link to another page (a teaser card's title, not the headline)."""
    current = node.parent
    for _ in range(TEASER_LINK_DEPTH):
        if current is None or current.tag in ("body", "article", "main"):
            return False
        if current.tag == "a":
            href = str(current.attributes.get("href") or "").strip()
            return bool(href) and not href.startswith("#") and (url is None or _join(url, href) != url)
        current = current.parent
    return False


def _leading_element_text(node: LexborNode) -> str:
    """Return the visible text of the element a headline opens with, or '' when it opens with text."""
    for child in node.iter(include_text=True):
        if child.tag == "-text":
            if (child.text_content or "").strip():
                return ""
            continue
        if child.tag in _INVISIBLE_TAGS:
            continue
        return _norm(_visible_text(child, drop_kicker=False))
    return ""


def _links_home(node: LexborNode, url: str | None) -> bool:
    """Say whether a headline is a link to the site's home page (a blog or site name)."""
    link = node.css_first("a[href]")
    if link is None or (node.text(deep=True) or "").strip() != (link.text(deep=True) or "").strip():
        return False
    href = str(link.attributes.get("href") or "").strip()
    if href in ("/", "./", "index.html", "/index.html") or _ARCHIVED_HOME_RE.search(href):
        return True
    try:
        parts = urlsplit(href)
        link_host = parts.hostname
    except ValueError:
        return False
    host = _host(url)
    return bool(parts.netloc) and parts.path in ("", "/") and (host is None or link_host == host)


@functools.lru_cache(maxsize=WORDS_CACHE_SIZE)
def _words(text: str) -> frozenset[str]:
    """Return the case-folded words of a text, for overlap tests (cached: each headline meets each claim)."""
    return frozenset(w for w in _WORD_RE.findall(text.casefold()) if len(w) > 1 or w.isdigit())


def _overlap(a: str, b: str) -> float:
    """Share of the smaller word set found in the other one."""
    wa, wb = _words(a), _words(b)
    if not wa or not wb:
        return 0.0
    return len(wa & wb) / min(len(wa), len(wb))


def _ancestry_marker(node: LexborNode) -> str:
    """Return class/id text of a node and its three nearest ancestors."""
    parts: list[str] = []
    current: LexborNode | None = node
    for _ in range(4):
        if current is None or current.tag in ("body", "html", "article", "main"):
            break
        if current is node and _POST_TITLE_CLASS_RE.search(str(current.attributes.get("class") or "")):
            # 'entry-title aungblogtitle': the theme says it is the post's title
            return ""
        parts.append(f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}")
        if current.tag == "header" and current is not node:
            parts.append("site-header" if current.parent is not None and current.parent.tag == "body" else "")
        current = current.parent
    return " ".join(parts)


def _as_claimed(page: _Page, text: str, claims: list[tuple[str, str]]) -> str:
    """Return the spelling of a headline that the metadata writes, where another candidate prints it so."""
    claimed = {claim for claim, _source in claims}
    if text in claimed:
        return text
    # ('Using <b>defadvice</b>' in the body's h1, 'Using Defadvice' in the theme's post title and og:title)
    return next((v for v in page.headline_variants.get(_key(text), ()) if v in claimed), text)


def _kicker_marked_elsewhere(page: _Page, title: str) -> str:
    """Return the title without a kicker that a heading printing the same words sets apart."""
    # ('Covid-19: Lässt sich ...' in og:title and a breadcrumb's h1, while the article's own h2 is
    # '<span class="kicker">Covid-19</span><span class="sr-only">: </span><span>Lässt sich ...</span>')
    if not _KICKER_SET_OFF_RE.search(title):
        # (only a kicker set off by punctuation is read as one; searching the headings costs time)
        return title
    key = _key(title)
    last_word = title.split()[-1]
    for node in page.tree.css("h1, h2, h3"):
        text = node.text(deep=True)
        # (the last word's test spares most headings the key's regular expressions)
        if last_word not in text or _key(text) != key:
            continue
        dropped = _norm(_visible_text(node, drop_kicker=True)).strip(_EDGE_PUNCTUATION)
        if dropped and _key(dropped) != key and key.endswith(_key(dropped)):
            return dropped
    return title


def _h1_prefix(h1: str, claim: str) -> str:
    """Return the part of an h1 before the words of the claim it ends with ('' if it starts inside a word)."""
    ckey = _key(claim)
    for start in _WORD_START_RE.finditer(h1):
        if _key(h1[start.start() :]) == ckey:
            return h1[: start.start()]
    return ""


def _title(page: _Page, site_name: str | None) -> tuple[str, str] | None:
    """Choose the headline: the on-page h1 the metadata agrees with, else og:title, JSON-LD, <title>."""
    site_keys = _domain_words(page.url)
    if site_name:
        site_keys.add(_key(site_name))
    title_node = page.title_node
    doc_title = _norm(title_node.text(deep=True)) if title_node is not None else ""
    og = page.first_meta("og:title", "twitter:title", "dc.title", "dcterms.title")
    headline = _jsonld_text(page.jsonld("headline")) or _jsonld_text(page.jsonld("name"))
    claims: list[tuple[str, str]] = []
    for raw, source in (
        (og[0] if og else "", og[1] if og else ""),
        (headline or "", "json-ld"),
        (doc_title, "heuristic"),
    ):
        if raw and _key(raw) not in site_keys:
            text = _strip_site(raw, site_keys).strip(_EDGE_PUNCTUATION)
            if text:
                claims.append((text, source))
    # truncated teaser titles ('...doctors,…') lose to complete ones
    claims.sort(key=lambda c: c[0].endswith(("…", "...")))
    headlines, post_titles = _headline_nodes(page, site_keys, doc_title, {claim for claim, _ in claims})
    for text in headlines:
        key = _key(text)
        for claim, _source in claims:
            ckey = _key(claim)
            if ckey != key and key.endswith(ckey) and len(ckey) >= KICKER_SHARE_MIN * len(key):
                # the h1 is 'Kicker Headline' and the metadata names the headline alone; a kicker
                # set off by ':' or a dash is part of the printed headline, though
                prefix = _h1_prefix(text, claim)
                if not prefix:
                    # the claim starts inside a word ('Chorgeschichte' and 'Geschichte'): no kicker
                    continue
                separate = _key(page.headline_leads.get(text)) == _key(prefix)
                if _KICKER_JOINED_RE.search(prefix) and not separate:
                    # (a kicker in an element of its own is a designed label, whatever ends it)
                    return text, "heuristic"
                return claim, "heuristic"
    best: tuple[float, str] | None = None
    for text in headlines:
        score = max(
            (
                _overlap(text, claim) * (1.0 if source != "heuristic" else DOC_TITLE_WEIGHT)
                for claim, source in claims
            ),
            default=0.0,
        )
        if score >= HEADLINE_AGREEMENT_MIN and (best is None or score > best[0]):
            best = (score, text)
    if best is not None and best[0] >= 1.0:
        return _as_claimed(page, best[1], claims), "heuristic"
    # no h1 fully agrees: a subheading that is exactly the document's title is the headline
    # (blog themes print the site name as h1 and the post title as h2/h3)
    title_keys = {_key(claim) for claim, _source in claims} | {_key(doc_title)}
    subheadings = [
        _norm(_visible_text(node, drop_kicker=True)) for node in page.tree.css("h2, h3")[:MAX_SUBHEADINGS]
    ]
    keyed = [(text, _key(text)) for text in subheadings if len(_key(text)) >= MIN_SUBHEADING_KEY_CHARS]
    for text, key in keyed:
        if key in title_keys:
            return text, "heuristic"
    for text, key in keyed:
        # a subheading that only starts or ends the title (and loses to an h1 that agrees in part)
        # comes second to one that is the whole title, wherever that stands
        if best is None and any(
            len(t) > len(key) and (t.startswith(key) or t.endswith(key)) for t in title_keys
        ):
            return text, "heuristic"
    if best is not None:
        return best[1], "heuristic"
    # a subheading that says all the metadata title says and more is the headline the title shortens
    # ('Neubau Werkstattgebäude - Site' and '<h2>Projektwettbewerb Neubau Werkstattgebäude WSL</h2>')
    # (a one-word title, a section's name, is in any teaser about it)
    claim_words = _words(claims[0][0]) if claims else frozenset()
    for text, _subkey in keyed:
        shortened = len(claim_words) >= MIN_SHORTENED_TITLE_WORDS and claim_words < _words(text)
        if shortened and len(text) <= MAX_TITLE_CHARS:
            return text, "heuristic"
    # nothing agrees: what the theme marks as the post's title, else the first substantial h1
    for text in post_titles + headlines:
        if len(text.split()) >= MIN_HEADLINE_WORDS and not text.endswith(":"):
            return text, "heuristic"
    if len(headlines) == 1 and all(source == "heuristic" for _claim, source in claims):
        # the page's only h1 names this page better than a <title> that agrees with nothing
        return headlines[0], "heuristic"
    if claims:
        # nothing printed agrees, so the metadata decides: og:title's 'Kicker: Headline' is a teaser
        # line for sharing when another title is the headline alone ('Industriell revolutioniert?:
        # Anno 1800 Beta' and '<title>next2games | Vorschauen: Anno 1800 Beta')
        first, source = claims[0]
        for claim, claim_source in claims[1:]:
            if _h1_prefix(first, claim).rstrip().endswith(":"):
                return claim, claim_source
        return first, source
    if headlines:
        return headlines[0], "heuristic"
    # a page whose h1 and metadata only name the site: its first subheading is the best guess
    sub = page.tree.css_first("article h2, main h2") or page.tree.css_first("h2")
    text = _norm(_visible_text(sub, drop_kicker=True)) if sub is not None else ""
    return (text, "heuristic") if text and len(text) <= MAX_TITLE_CHARS else None


def _description(page: _Page) -> tuple[str, str] | None:
    """Return the page summary from og/meta/twitter/JSON-LD description."""
    found = page.first_meta("og:description", "description", "twitter:description", "dc.description")
    if found:
        return found
    text = _jsonld_text(page.jsonld("description"))
    return (text, "json-ld") if text else None


def _jsonld_authors(value: Any, by_id: dict[str, dict[str, Any]]) -> list[str]:
    """Return author names from a JSON-LD author value (string, object, @id reference or list)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, dict) and "name" not in item and isinstance(item.get("@id"), str):
            item = by_id.get(item["@id"], item)
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and not _only_organization(item):
            name = item.get("name")
            if isinstance(name, str):
                names.append(name)
            elif isinstance(name, list):
                names.extend(n for n in name if isinstance(n, str))
    return names


def _only_organization(obj: dict[str, Any]) -> bool:
    """Say whether a JSON-LD object is typed as an organisation and nothing else (not a person)."""
    types = types_of(obj)
    return bool(types) and types <= {"Organization", "NewsMediaOrganization", "Corporation", "WebSite"}


def _authors(page: _Page, site_name: str | None) -> tuple[list[str], str] | None:
    """Return cleaned author names from the most trusted source that has any (never the site itself)."""
    site_keys = _domain_words(page.url)
    if site_name:
        site_keys.add(_key(site_name))

    def people(raw: list[str], *, handles: bool = False) -> list[str]:
        return [n for n in clean_authors(raw, handles=handles) if not _is_site_segment(n, site_keys)]

    raw_author = page.jsonld("author") or page.jsonld("creator")
    if raw_author is None and not page.articles:
        # a page typed only as WebPage (Yoast without an Article piece) names its author there
        raw_author = next((o["author"] for o in page.pages if o.get("author")), None)
    jsonld = people(
        _jsonld_authors(raw_author, page.by_id)
        + (_jsonld_authors(page.jsonld("creator"), page.by_id) if page.jsonld("author") else []),
        handles=True,
    )
    if jsonld and not all(_is_handle(n) for n in jsonld):
        return jsonld, "json-ld"
    # a CMS login ('arianschlichenmayer') in JSON-LD gives way to a real name printed on the page
    found = _authors_from_page(page, people)
    if found:
        return found
    return (jsonld, "json-ld") if jsonld else None


def _is_handle(name: str) -> bool:
    """Say whether an author name is a user handle (one lower-case word, 'christian.stadtfeld')."""
    return " " not in name and name == name.lower()


def _authors_from_page(page: _Page, people: Callable[..., list[str]]) -> tuple[list[str], str] | None:
    """Return author names from meta tags, author links, byline elements and the text by the headline."""
    for names in (
        ("author",),
        ("itemprop:author",),
        ("article:author",),
        ("parsely-author",),
        ("sailthru.author",),
        ("dc.creator", "dcterms.creator"),
        ("byl", "twitter:creator:name"),
    ):
        for name in names:
            present = page.meta.get(name)
            if not present:
                continue
            values = [v for v in present if not v.startswith(("http://", "https://", "@"))]
            if name == "itemprop:author" and len(values) > 1:
                # one per item of a list: the authors of cited papers or teasers, not the page's
                continue
            cleaned = people(values, handles=True)
            if cleaned:
                return cleaned, _meta_provenance(name)
    labelled = _twitter_label(page, _WRITTEN_BY_RE)
    if labelled:
        cleaned = people([labelled])
        if cleaned:
            return cleaned, "meta"
    texts: list[str] = []
    first_parents: set[int] = set()
    for node in _author_link_nodes(page.tree):
        if _in_comments(node):
            continue
        parents = _ancestor_ids(node, BYLINE_GROUP_DEPTH)
        if first_parents and not parents & first_parents:
            # author links elsewhere on the page belong to teasers of other stories
            continue
        first_parents = first_parents or parents
        texts.append(node.text(deep=True, separator=" "))
    cleaned = people(texts, handles=True)
    if cleaned:
        return cleaned, "heuristic"
    # class-named bylines: the first one that names somebody (later ones are bios and teasers)
    for node in _byline_nodes(page.tree):
        text = node.text(deep=True, separator=" ")
        if len(text) > MAX_BYLINE_CHARS or _in_comments(node):
            continue
        # a user name counts where the byline introduces it ('Author: Bo2man', 'von lupa'), unless it
        # is as short as an agency's code or a preposition ('von dpa', 'von am 12.3.')
        cleaned = [
            n
            for n in people([text], handles=is_labelled_byline(text))
            if not (_is_handle(n) and len(n) < MIN_BYLINE_HANDLE_CHARS)
        ]
        if cleaned:
            return cleaned, "heuristic"
    cleaned = people(_byline_near_headline(page))
    return (cleaned, "text") if cleaned else None


def _author_link_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Return what tree.css(_AUTHOR_LINK_SELECTOR)[:MAX_BYLINE_NODES] selects, from _AUTHOR_LINK_QUERY."""
    found: list[LexborNode] = []
    listed: set[int] = set()
    for node in tree.css(_AUTHOR_LINK_QUERY):
        if node.mem_id in listed:
            # inside an author item listed before, with everything in it
            continue
        if node.attributes.get("itemprop") == "author":
            # the item and the matches inside it, in page order (the query from a node tests the node too,
            # and it is the ancestor the names need)
            inside = node.css(_AUTHOR_LINK_SELECTOR)
            found.extend(inside)
            listed.update(match.mem_id for match in inside)
        else:
            # a link outside any author item: it matches the first selector only
            found.append(node)
        if len(found) >= MAX_BYLINE_NODES:
            break
    return found[:MAX_BYLINE_NODES]


def _byline_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Return what tree.css(_BYLINE_SELECTOR)[:MAX_BYLINE_NODES] selects, from the cheaper _BYLINE_QUERY."""
    return relisted(tree.css(_BYLINE_QUERY), _byline_selectors_matched, MAX_BYLINE_NODES)


def _byline_selectors_matched(node: LexborNode) -> int:
    """Count the _BYLINE_SELECTOR selectors `node` matches (substrings of class and id, any case)."""
    attrs = node.attributes
    classes = (attrs.get("class") or "").encode().lower()
    ident = (attrs.get("id") or "").encode().lower()
    return sum(word in classes for word in _BYLINE_CLASS_WORDS) + sum(
        word in ident for word in _BYLINE_ID_WORDS
    )


def _twitter_label(page: _Page, label_re: re.Pattern[str]) -> str | None:
    """Return twitter:dataN whose twitter:labelN matches (Yoast writes 'Written by' there)."""
    for i in range(1, 5):
        labels = page.meta.get(f"twitter:label{i}")
        data = page.meta.get(f"twitter:data{i}")
        if labels and data and label_re.search(labels[0]):
            return data[0]
    return None


def _byline_near_headline(page: _Page) -> list[str]:
    """Find 'By Jane Doe' / 'von Jane Doe' in the visible text right around the headline."""
    h1 = _headline_anchor(page)
    if h1 is None:
        return []
    title = lines_text(page.data, h1)
    inner, container = h1, h1.parent
    for _ in range(BYLINE_CONTAINER_LEVELS):
        if container is None:
            return []
        text = lines_text(page.data, container, inner)
        pos = text.find(title)
        # the headline itself is left out ('Auf den Spuren von Rafael Nadal' names no author)
        end = pos + len(title) if pos >= 0 else 0
        before = text[max(0, pos - BYLINE_WINDOW_BEFORE_CHARS) : max(pos, 0)]
        window = f"{before}\n{text[end : end + BYLINE_WINDOW_AFTER_CHARS]}"
        for m in _BYLINE_TEXT_RE.finditer(window):
            # the space or bar before the word (none at the window's start)
            start = max(m.start() - 1, 0)
            if _CREDIT_BEFORE_RE.search(window, max(0, start - CREDIT_LOOKBACK_CHARS), start + 1):
                continue
            if _opens_byline(window[window.rfind("\n", 0, start + 1) + 1 : start + 1]):
                return [m.group(1)]
        dated = _DATED_NAME_RE.search(window) if _DATED_NAME_HINT_RE.search(window) else None
        if dated is not None:
            return [dated.group(1)]
        inner, container = container, container.parent
    return []


def _opens_byline(lead: str) -> bool:
    """Say whether the text before 'by'/'von' on its line opens a byline ('Posted on May 2, 2020', 'Text')."""
    # ('... sammeln sich die Geier. Von Armin Schwibach': a sentence before it ends at its full stop)
    words = _LETTERS_RE.findall(_SENTENCE_END_RE.split(lead)[-1])
    # 'Die Musik stammt von Christopher Dallman' is a sentence, not a byline
    return len(words) <= MAX_BYLINE_LEAD_WORDS and all(
        w[0].isupper() or w.lower() in _BYLINE_LEAD_WORDS for w in words
    )


def _headline_anchor(page: _Page) -> LexborNode | None:
    """Return the element the headline is printed in: an h1 (one in an article first) or a subheading."""
    printed = [n for n in page.h1s if (n.text(deep=True) or "").strip()]
    h1 = next((n for n in printed if has_ancestor(n, _ARTICLE_ONLY)), None) or next(iter(printed), None)
    key = _key(page.title)
    if not key or (h1 is not None and key in _key(h1.text(deep=True))):
        return h1
    # the h1 names the site or nothing: the headline stands in a subheading
    for node in page.tree.css("h2, h3")[:MAX_SUBHEADINGS]:
        if key in _key(node.text(deep=True)):
            return node
    return h1


def _ancestor_ids(node: LexborNode, depth: int) -> set[int]:
    """Return the ids of a node's nearest ancestors."""
    ids: set[int] = set()
    current = node.parent
    while current is not None and len(ids) < depth:
        ids.add(current.mem_id)
        current = current.parent
    return ids


def _in_comments(node: LexborNode) -> bool:
    """Say whether a node belongs to a comment or a related-story teaser."""
    current: LexborNode | None = node
    for _ in range(MAX_HEADLINE_DEPTH * 2):
        if current is None or current.tag_id in _COMMENT_STOP_TAG_IDS:
            return False
        marker = f"{current.attributes.get('class') or ''} {current.attributes.get('id') or ''}"
        if _FOREIGN_RE.search(marker):
            return True
        current = current.parent
    return False


def _site_name(page: _Page) -> tuple[str, str] | None:
    """Return the publication's name from og:site_name, JSON-LD publisher or application-name."""
    found = page.first_meta("og:site_name")
    if found and len(found[0].split()) <= MAX_SITE_NAME_WORDS:
        return found
    found = page.first_meta("application-name", "apple-mobile-web-app-title")
    # app names are sometimes filled with the page title; a brand is short
    if found and len(found[0].split()) <= MAX_APP_NAME_WORDS:
        return found
    name = _jsonld_text(page.jsonld("publisher"))
    if name:
        return name, "json-ld"
    for obj, types in zip(page.pages, page.page_types, strict=True):
        if "WebSite" in types or "Organization" in types:
            text = _jsonld_text(obj.get("name"))
            if text:
                return text, "json-ld"
    return None


def _image(page: _Page) -> tuple[str, str] | None:
    """Return the lead image URL (og:image, twitter:image, JSON-LD image), absolute."""
    for name in ("og:image", "og:image:url", "og:image:secure_url", "twitter:image", "twitter:image:src"):
        for content in page.meta.get(name, []):
            link = page.absolute(content)
            if link:
                return link, _meta_provenance(name)
    value: Any = page.jsonld("image") or page.jsonld("thumbnailUrl")
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("url") or value.get("contentUrl")
    link = page.absolute(value) if isinstance(value, str) else None
    return (link, "json-ld") if link else None


def _canonical(page: _Page) -> tuple[str, str] | None:
    """Return the canonical URL from rel=canonical, else og:url, absolute."""
    # link[rel~="canonical" i][href], read from the attributes gathered once
    attrs = next((a for a in page.links if "href" in a and _has_token(a.get("rel"), "canonical")), None)
    link = page.absolute(attrs.get("href")) if attrs is not None else None
    if link:
        return link, "heuristic"
    found = page.first_meta("og:url")
    link = page.absolute(found[0]) if found else None
    return (link, "meta:og") if link else None


def _has_token(value: str | None, token: str) -> bool:
    """Match CSS [attr~="token" i]: a whitespace-separated word equal to `token`, ASCII case aside."""
    if value is None:
        return False
    lowered = value.lower()
    # (a word of the value is in it: the split is needed only when the token is)
    return token in lowered and token in _CSS_SPACE_RE.split(lowered)


def _split_tags(value: Any) -> list[str]:
    """Return tags from a comma-separated string or a list."""
    if isinstance(value, list):
        return [t for v in value for t in _split_tags(v)]
    if isinstance(value, str):
        return [_norm(t) for t in value.split(",") if _norm(t)]
    return []


def _tags(page: _Page) -> tuple[list[str], str] | None:
    """Return tags and section from article:tag/section, JSON-LD keywords/articleSection, parsely, rel=tag."""
    found: list[tuple[str, str]] = []
    for name in (
        "article:section",
        "article:tag",
        "parsely-section",
        "parsely-tags",
        "sailthru.tags",
        "news_keywords",
    ):
        for value in page.meta.get(name, []):
            split = [_norm(value)] if name in ("article:tag", "article:section") else _split_tags(value)
            found.extend((t, _meta_provenance(name)) for t in split)
    for key in ("articleSection", "keywords"):
        found.extend((t, "json-ld") for t in _split_tags(page.jsonld(key)))
    for node in page.tag_links:
        text = _norm(node.text(deep=True))
        if text:
            found.append((text, "heuristic"))
    tags: list[str] = []
    seen: set[str] = set()
    for tag, _source in found:
        if tag.casefold() not in seen and len(tag) <= 80:
            seen.add(tag.casefold())
            tags.append(tag)
    return (tags, found[0][1]) if tags else None


def _language(page: _Page) -> tuple[str, str] | None:
    """Return the declared language: <html lang>, og:locale, content-language, JSON-LD inLanguage."""
    # (the document element, as the first match of "html" is, without a selector query)
    html = page.tree.root
    raw: str | None = None
    if html is not None:
        raw = html.attributes.get("lang") or html.attributes.get("xml:lang")
    source = "heuristic"
    if not raw:
        found = page.first_meta("og:locale", "content-language", "dc.language", "language")
        if found:
            raw, source = found
    if not raw:
        raw = _jsonld_text(page.jsonld("inLanguage"))
        source = "json-ld"
    if not raw:
        return None
    code = raw.strip().split(",")[0].strip().replace("_", "-")
    parts = code.split("-")
    if not parts[0].isalpha() or not 2 <= len(parts[0]) <= 3:
        return None
    tag = parts[0].lower() + "".join(f"-{p.upper() if len(p) == 2 else p}" for p in parts[1:] if p)
    return tag, source


def extract_metadata(tree: LexborHTMLParser, url: str | None, data: PageData | None = None) -> Metadata:
    """Read metadata from a parsed page (and its head data, when already read) without changing it."""
    page = _Page(tree, url, data if data is not None else page_data(tree))
    meta = Metadata()
    site = _site_name(page)
    if site:
        meta.site_name, meta.provenance["site_name"] = site
    title = _title(page, meta.site_name)
    if title:
        text, source = title
        meta.title = page.title = _kicker_marked_elsewhere(page, text)
        meta.provenance["title"] = source if meta.title == text else "heuristic"
        # '23.01.2022 - Headline': a news list's date before the headline is a dateline;
        # '[> Headline', '» Headline': an arrow before it is decoration
        meta.title = _LEADING_DATE_RE.sub("", meta.title, count=1) or meta.title
        meta.title = _LEADING_ARROW_RE.sub("", meta.title, count=1) or meta.title
    description = _description(page)
    if description:
        meta.description, meta.provenance["description"] = description
    authors = _authors(page, meta.site_name)
    if authors:
        meta.authors, meta.provenance["authors"] = authors
    image = _image(page)
    if image:
        meta.image, meta.provenance["image"] = image
    canonical = _canonical(page)
    if canonical:
        meta.canonical_url, meta.provenance["canonical_url"] = canonical
    tags = _tags(page)
    if tags:
        meta.tags, meta.provenance["tags"] = tags
    language = _language(page)
    if language:
        meta.language, meta.provenance["language"] = language
    return meta
