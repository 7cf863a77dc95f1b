"""Feed discovery on a site's pages and article links of listing pages (for sites without a feed)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urldefrag, urljoin, urlsplit, urlunsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode, SelectolaxError

from scraper.errors import ExtractError

# Paths worth probing when a page declares no feed, most common first (WordPress, static sites, Blogger).
COMMON_FEED_PATHS = (
    "/feed",
    "/rss.xml",
    "/atom.xml",
    "/index.xml",
    "/feed.xml",
    "/rss",
    "/feeds/posts/default",
)

_FEED_TYPES = {
    "application/atom+xml": "atom",
    "application/rss+xml": "rss",
    "application/rdf+xml": "rss",
    "application/feed+json": "json",
}
# Types that are feeds only when the link says so; WordPress also links its REST API as application/json.
_MAYBE_FEED_TYPES = {"application/json": "json", "text/xml": "rss", "application/xml": "rss"}
_FEEDISH_RE = re.compile(r"\b(?:rss|atom|feed)\b|feed\.json$|/feed/?$", re.IGNORECASE)
_COMMENTS_RE = re.compile(r"comment", re.IGNORECASE)
_SECTION_FEED_RE = re.compile(r"/(?:category|categories|tag|tags|author|topics?|section)/", re.IGNORECASE)

# Listing-page heuristic.
MAX_ANCESTOR_DEPTH = 40  # deeper than any real card; bounds the walk on pathological markup
MIN_SLUG_WORDS = 3  # "new-asic-miners-ship" is a slug; "about-us" is not
MIN_ARTICLE_ID_DIGITS = 4
_DATE_PATH_RE = re.compile(r"/(?:19|20)\d{2}(?:/|-)(?:0?[1-9]|1[0-2])(?:/|-|$)|/(?:19|20)\d{6}(?:/|-|$)")
_ID_RE = re.compile(rf"(?:^|[/_-])\d{{{MIN_ARTICLE_ID_DIGITS},}}(?:[/_.-]|$)")
# whole path segments that name a site section or service page, never one article
_NOT_ARTICLE_PATH_RE = re.compile(
    r"/(?:tags?|category|categories|author|authors|topics?|section|sections|search|page|about|about-us|"
    r"contact|contact-us|kontakt|terms|agb|advertise|careers|jobs|feed|rss|cart|user|users|u|index|"
    r"archives?)(?:\.\w+)?(?:/|$)",
    re.IGNORECASE,
)
# segment beginnings that are service pages in any spelling: /newsletter_register_daily, /privacy-policy
_SERVICE_PREFIX_RE = re.compile(
    r"/(?:newsletter|datenschutz|impressum|imprint|privacy|cookie|login|logout|signin|sign-in|signup|"
    r"sign-up|register|subscribe|subscription|account|wp-admin|wp-login|mentions-legales|legal)",
    re.IGNORECASE,
)
_TRACKING_PARAM_RE = re.compile(r"^(?:utm_\w+|fbclid|gclid|mc_cid|mc_eid)$", re.IGNORECASE)
MIN_PLAIN_DEPTH = 2  # a one-segment path without date, id or slug is a section (/politics/)
_PAGINATION_RE = re.compile(r"/page/\d+/?$|[?&](?:page|p|paged|start|offset)=\d+", re.IGNORECASE)
_FILE_RE = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|pdf|zip|mp3|mp4|css|js|xml|json)$", re.IGNORECASE)
_EXCLUDED_TAGS = {"nav", "aside", "form", "menu"}
_CHROME_ROLES = {"navigation", "menu", "menubar", "contentinfo", "banner", "search", "complementary"}
_PAGE_CHROME_TAGS = {"header", "footer"}
_CARD_TAGS = {"article", "h1", "h2", "h3", "h4"}
_CHROME_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:nav|navbar|navigation|menu|breadcrumbs?|pagination|pager|footer|share|sharing|social|"
    r"comments?|tag-?list|tags|sidebar|widget|skip-?link)(?:$|[\s_-])",
    re.IGNORECASE,
)
_CARD_CLASS_RE = re.compile(
    r"(?:^|[\s_-])(?:card|post|story|stories|article|entry|teaser|headline|title|item|news)(?:$|[\s_-])",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class FeedLink:
    """A feed a page declares: absolute URL, format ("rss", "atom" or "json") and its title."""

    url: str
    kind: str
    title: str | None = None


def _base_url(tree: LexborHTMLParser, url: str) -> str:
    """The URL relative links resolve against: <base href> when the page has one."""
    base = tree.css_first("base[href]")
    href = base.attributes.get("href") if base is not None else None
    if not href or not href.strip():
        return url
    try:
        return urljoin(url, href.strip())
    except ValueError:  # a malformed <base> ('http://[::1') is ignored, as browsers do
        return url


def _absolute(base: str, href: str | None) -> str | None:
    """Resolve an href to an absolute http(s) URL without its fragment; None for anything else."""
    if not href or not href.strip():
        return None
    try:
        joined = urldefrag(urljoin(base, href.strip())).url
        parts = urlsplit(joined)
    except ValueError:
        return None
    if parts.scheme.lower() not in {"http", "https"} or not parts.hostname:
        return None
    return joined


def discover_feeds(html: str, url: str) -> list[FeedLink]:
    """The RSS, Atom and JSON feeds a page links with rel=alternate, absolute, best first."""
    tree = LexborHTMLParser(html)
    base = _base_url(tree, url)
    ranked: list[tuple[int, int, int, FeedLink]] = []
    seen: set[str] = set()
    for order, node in enumerate(tree.css("link[href], a[href][type]")):
        attrs = node.attributes
        rel = (attrs.get("rel") or "").lower().split()
        if "alternate" not in rel and "feed" not in rel:
            continue
        mime = (attrs.get("type") or "").split(";")[0].strip().lower()
        href = attrs.get("href") or ""
        title = (attrs.get("title") or "").strip() or None
        kind = _FEED_TYPES.get(mime)
        if kind is None and mime in _MAYBE_FEED_TYPES and _FEEDISH_RE.search(f"{href} {title or ''}"):
            kind = _MAYBE_FEED_TYPES[mime]
        absolute = _absolute(base, href)
        if kind is None or absolute is None or absolute in seen:
            continue
        seen.add(absolute)
        # whole-site feeds first, then section feeds, comments feeds last; XML before JSON within each
        if _COMMENTS_RE.search(f"{href} {title or ''}"):
            scope = 2
        else:
            scope = 1 if _SECTION_FEED_RE.search(href) else 0
        link = FeedLink(url=absolute, kind=kind, title=title)
        ranked.append((scope, 1 if kind == "json" else 0, order, link))
    ranked.sort(key=lambda item: item[:3])
    return [link for *_, link in ranked]


def selector_problem(selector: str) -> str | None:
    """Say why a CSS selector cannot be used (lexbor's parser), or None when it can."""
    if not selector.strip():
        return "empty CSS selector"
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except SelectolaxError:
        return f"invalid CSS selector {selector!r}"
    return None


def find_article_links(
    html: str, url: str, *, selector: str | None = None, pattern: str | None = None
) -> list[str]:
    """Article URLs of a listing page: absolute, deduplicated, in page order; a selector skips guessing."""
    try:
        url_filter = re.compile(pattern) if pattern else None
    except re.error as exc:
        raise ExtractError(f"invalid URL pattern {pattern!r}: {exc}", url=url) from None
    tree = LexborHTMLParser(html)
    base = _base_url(tree, url)
    candidates: list[str | None]
    if selector is not None:
        problem = selector_problem(selector)
        if problem:
            raise ExtractError(problem, url=url)
        candidates = [_absolute(base, _href_of(node)) for node in tree.css(selector)]
    else:
        candidates = [_heuristic_article_link(a, base, url) for a in tree.css("a[href]")]
    links: list[str] = []
    for candidate in candidates:
        link = _without_tracking(candidate) if candidate else None
        if link is None or link in links:
            continue
        if url_filter is not None and not url_filter.search(link):
            continue
        links.append(link)
    return links


def _without_tracking(link: str) -> str:
    """The link without utm_* and click-id parameters, so one article is not listed twice."""
    parts = urlsplit(link)
    if not parts.query:
        return link
    kept = [p for p in parts.query.split("&") if not _TRACKING_PARAM_RE.match(p.split("=", 1)[0])]
    return urlunsplit(parts._replace(query="&".join(kept)))


def _href_of(node: LexborNode) -> str | None:
    """The href of a selected link, or of the first link inside a selected card."""
    if node.tag == "a":
        return node.attributes.get("href")
    inner = node.css_first("a[href]")
    return inner.attributes.get("href") if inner is not None else None


def _heuristic_article_link(anchor: LexborNode, base: str, url: str) -> str | None:
    """The absolute link when it is a same-site article link outside page chrome, else None."""
    link = _absolute(base, anchor.attributes.get("href"))
    if link is None or link == urldefrag(url).url or not _same_site(link, url):
        return None
    context = _link_context(anchor)
    if context is None:
        return None
    shape = _url_shape(link)
    if shape == "article" or (shape == "plain" and context == "card"):
        return link
    return None


def _same_site(link: str, url: str) -> bool:
    """Same host, ignoring a leading www., so a listing's links to its own articles count."""
    a, b = urlsplit(link).hostname or "", urlsplit(url).hostname or ""
    return a.removeprefix("www.") == b.removeprefix("www.")


def _link_context(anchor: LexborNode) -> str | None:
    """Where a link sits: "card" (article, heading, post card), "content", or None for page chrome."""
    in_card = False
    in_page_chrome = False
    node: LexborNode | None = anchor
    for _ in range(MAX_ANCESTOR_DEPTH):
        if node is None:
            break
        tag = node.tag or ""
        attrs = node.attributes
        role = (attrs.get("role") or "").lower()
        if tag in _EXCLUDED_TAGS or role in _CHROME_ROLES:
            return None
        marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
        if node is not anchor and _CHROME_CLASS_RE.search(marker):
            return None
        if tag in _CARD_TAGS or (node is not anchor and _CARD_CLASS_RE.search(marker)):
            in_card = True
        # the page's own <header>/<footer> is chrome; those inside an article card belong to the card
        if tag in _PAGE_CHROME_TAGS and not in_card:
            in_page_chrome = True
        if tag == "article":
            in_page_chrome = False
        node = node.parent
    if in_page_chrome:
        return None
    return "card" if in_card else "content"


def _url_shape(link: str) -> str | None:
    """ "article" for a dated, numbered or slugged path; "plain" for other pages; None for non-articles."""
    parts = urlsplit(link)
    path = parts.path or "/"
    with_query = f"{path}?{parts.query}" if parts.query else path
    if path == "/" or _FILE_RE.search(path) or _PAGINATION_RE.search(with_query):
        return None
    if _NOT_ARTICLE_PATH_RE.search(path) or _SERVICE_PREFIX_RE.search(path):
        return None
    segments = [s for s in path.split("/") if s]
    last = re.sub(r"\.(?:s?html?|php|aspx?)$", "", segments[-1], flags=re.IGNORECASE) if segments else ""
    # "basel-region-2" is two words and a number: a section, not a headline slug
    words = [w for w in re.split(r"[-_]+", last) if any(c.isalpha() for c in w)]
    if _DATE_PATH_RE.search(path) or _ID_RE.search(path) or len(words) >= MIN_SLUG_WORDS:
        return "article"
    return "plain" if len(segments) >= MIN_PLAIN_DEPTH else None
