"""Article metadata (title, description, authors, site, image, canonical, tags, language) from one page."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.extract.authors import clean_authors
from scraper.extract.jsonld import jsonld_objects, types_of

# A headline longer than this is a paragraph picked by mistake (characters).
MAX_TITLE_CHARS = 300
# A title segment this short is a site name or section, not the headline (characters).
MIN_SEGMENT_CHARS = 3
# How many byline elements are read, at most.
MAX_BYLINE_NODES = 8

_ARTICLE_TYPES = {
    "Article",
    "NewsArticle",
    "BlogPosting",
    "ReportageNewsArticle",
    "AnalysisNewsArticle",
    "OpinionNewsArticle",
    "ReviewNewsArticle",
    "BackgroundNewsArticle",
    "TechArticle",
    "ScholarlyArticle",
    "Report",
    "LiveBlogPosting",
    "SocialMediaPosting",
    "DiscussionForumPosting",
    "PressRelease",
    "Review",
    "Recipe",
}
# separators sites put between a headline and their own name in <title>
_TITLE_SEPARATOR_RE = re.compile(r"\s+[|–—\-:·•»«/]\s+|\s*\|\s*|\s+::\s+|\s+-{2}\s+")


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
    return " ".join(unicodedata.normalize("NFC", text or "").split())


def _key(text: str | None) -> str:
    """Comparison key: case-folded letters and digits only."""
    return "".join(c for c in _norm(text).casefold() if c.isalnum())


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

    def __init__(self, tree: LexborHTMLParser, url: str | None) -> None:
        self.tree = tree
        self.url = url
        self.meta: dict[str, list[str]] = {}
        for node in tree.css("meta"):
            attrs = node.attributes
            content = attrs.get("content")
            if content is None:
                continue
            for attr in ("property", "name", "itemprop", "http-equiv"):
                name = attrs.get(attr)
                if name:
                    value = _norm(content)
                    if value:
                        self.meta.setdefault(name.strip().lower(), []).append(value)
        objects = jsonld_objects(tree)
        self.articles = [o for o in objects if types_of(o) & _ARTICLE_TYPES]
        self.pages = [o for o in objects if types_of(o) & {"WebPage", "ItemPage", "WebSite", "Organization"}]

    def first_meta(self, *names: str) -> tuple[str, str] | None:
        """Return (value, provenance) of the first present meta key among `names`."""
        for name in names:
            values = self.meta.get(name)
            if values:
                return values[0], _meta_provenance(name)
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
            scheme = urlsplit(self.url).scheme if self.url else "https"
            link = f"{scheme or 'https'}:{link}"
        resolved = urljoin(self.url, link) if self.url else link
        return resolved if resolved.startswith(("http://", "https://")) else None


def _jsonld_text(value: Any) -> str | None:
    """Return a JSON-LD value as text (first of a list, `name` of an object)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if isinstance(value, dict):
        value = value.get("name") or value.get("@value")
    return _norm(value) if isinstance(value, str) and value.strip() else None


def _domain_words(url: str | None) -> set[str]:
    """Return comparison keys for the site's domain ('www.heise.de' -> heise, heisede)."""
    if not url:
        return set()
    host = (urlsplit(url).hostname or "").lower()
    host = host.removeprefix("www.")
    parts = [p for p in host.split(".") if p]
    keys = {_key(host)}
    if len(parts) >= 2:
        keys.add(_key(parts[-2]))
        keys.add(_key(".".join(parts[:-1])))
    return keys


def _is_site_segment(segment: str, site_keys: set[str]) -> bool:
    """Say whether a <title> segment names the site rather than the article."""
    key = _key(segment)
    if not key:
        return True
    return any(
        key == s or (len(s) >= 4 and (s in key or key in s) and len(key) <= len(s) + 12) for s in site_keys
    )


def _strip_site(title: str, site_keys: set[str], headlines: list[str]) -> str:
    """Drop ' | Site' / 'Site - ' segments from a document title."""
    title = _norm(title)
    for headline in headlines:
        if _key(headline) and _key(headline) in _key(title) and len(headline) >= MIN_SEGMENT_CHARS:
            # the page's headline is inside its <title>: that headline is the title
            return headline
    parts = _TITLE_SEPARATOR_RE.split(title)
    if len(parts) == 1:
        return title
    kept = [p for p in parts if not _is_site_segment(p, site_keys)]
    if len(kept) == len(parts):
        # no segment names the site: the last one usually does ("Headline | Brand")
        kept = parts[:-1] if len(parts[-1]) < len(" ".join(parts[:-1])) else parts
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


def _title(page: _Page, site_name: str | None) -> tuple[str, str] | None:
    """Choose the headline: agreement of h1, og:title and JSON-LD headline, else the cleaned <title>."""
    h1_node = page.tree.css_first("article h1") or page.tree.css_first("h1")
    h1 = _norm(h1_node.text(deep=True, separator=" ")) if h1_node is not None else ""
    if len(h1) > MAX_TITLE_CHARS:
        h1 = ""
    og = page.first_meta("og:title", "twitter:title")
    headline = _jsonld_text(page.jsonld("headline")) or _jsonld_text(page.jsonld("name"))
    title_node = page.tree.css_first("title")
    doc_title = _norm(title_node.text(deep=True)) if title_node is not None else ""
    site_keys = _domain_words(page.url)
    if site_name:
        site_keys.add(_key(site_name))
    claims: list[tuple[str, str]] = []
    if og:
        claims.append((_strip_site(og[0], site_keys, [h1] if h1 else []), og[1]))
    if headline:
        claims.append((_strip_site(headline, site_keys, [h1] if h1 else []), "json-ld"))
    if doc_title:
        claims.append((_strip_site(doc_title, site_keys, [h1] if h1 else []), "heuristic"))
    if h1:
        for text, _source in claims:
            if _key(text) == _key(h1):
                return h1, "heuristic"
    if claims:
        return claims[0]
    if h1:
        return h1, "heuristic"
    return None


def _description(page: _Page) -> tuple[str, str] | None:
    """Return the page summary from og/meta/twitter/JSON-LD description."""
    found = page.first_meta("og:description", "description", "twitter:description", "dc.description")
    if found:
        return found
    text = _jsonld_text(page.jsonld("description"))
    return (text, "json-ld") if text else None


def _jsonld_authors(value: Any) -> list[str]:
    """Return author names from a JSON-LD author value (string, object or list)."""
    items = value if isinstance(value, list) else [value]
    names: list[str] = []
    for item in items:
        if isinstance(item, str):
            names.append(item)
        elif isinstance(item, dict) and "Organization" not in types_of(item):
            name = item.get("name")
            if isinstance(name, str):
                names.append(name)
            elif isinstance(name, list):
                names.extend(n for n in name if isinstance(n, str))
    return names


def _authors(page: _Page) -> tuple[list[str], str] | None:
    """Return cleaned author names from the most trusted source that has any."""
    jsonld = clean_authors(_jsonld_authors(page.jsonld("author")) + _jsonld_authors(page.jsonld("creator")))
    if jsonld:
        return jsonld, "json-ld"
    for names in (
        ("author",),
        ("article:author",),
        ("parsely-author",),
        ("sailthru.author",),
        ("dc.creator", "dcterms.creator"),
        ("byl", "twitter:creator:name"),
    ):
        for name in names:
            values = [v for v in page.meta.get(name, []) if not v.startswith(("http://", "https://", "@"))]
            cleaned = clean_authors(values)
            if cleaned:
                return cleaned, _meta_provenance(name)
    texts: list[str] = []
    for node in page.tree.css('a[rel~="author"], [itemprop="author"] [itemprop="name"], [itemprop="author"]')[
        :MAX_BYLINE_NODES
    ]:
        texts.append(node.text(deep=True, separator=" "))
    cleaned = clean_authors(texts)
    if cleaned:
        return cleaned, "heuristic"
    texts = []
    for node in page.tree.css('[class*="byline" i], [class*="author-name" i], [class*="authorname" i]')[
        :MAX_BYLINE_NODES
    ]:
        texts.append(node.text(deep=True, separator=" "))
    cleaned = clean_authors(texts)
    return (cleaned, "heuristic") if cleaned else None


def _site_name(page: _Page) -> tuple[str, str] | None:
    """Return the publication's name from og:site_name, JSON-LD publisher or application-name."""
    found = page.first_meta("og:site_name", "application-name", "apple-mobile-web-app-title")
    if found:
        return found
    name = _jsonld_text(page.jsonld("publisher"))
    if name:
        return name, "json-ld"
    for obj in page.pages:
        if "WebSite" in types_of(obj) or "Organization" in types_of(obj):
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
    node = page.tree.css_first('link[rel~="canonical" i][href]')
    link = page.absolute(node.attributes.get("href")) if node is not None else None
    if link:
        return link, "heuristic"
    found = page.first_meta("og:url")
    link = page.absolute(found[0]) if found else None
    return (link, "meta:og") if link else None


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
            split = [value] if name in ("article:tag", "article:section") else _split_tags(value)
            found.extend((t, _meta_provenance(name)) for t in split)
    for key in ("articleSection", "keywords"):
        found.extend((t, "json-ld") for t in _split_tags(page.jsonld(key)))
    for node in page.tree.css('a[rel~="tag"]'):
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
    html = page.tree.css_first("html")
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


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> Metadata:
    """Read metadata from a parsed page without changing the tree."""
    page = _Page(tree, url)
    meta = Metadata()
    site = _site_name(page)
    if site:
        meta.site_name, meta.provenance["site_name"] = site
    title = _title(page, meta.site_name)
    if title:
        meta.title, meta.provenance["title"] = title
    description = _description(page)
    if description:
        meta.description, meta.provenance["description"] = description
    authors = _authors(page)
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
