"""Plain data records passed between the pipeline stages (no behaviour, no I/O)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

# Named outcomes of one fetch; the fetch log and `sources list` show these words.
OUTCOMES = (
    "ok",
    "not-modified",
    "redirected",
    "blocked-by-robots",
    "rate-limited",
    "timeout",
    "too-large",
    "not-html",
    "http-4xx",
    "http-5xx",
    "network-error",
    "refused-address",
    "challenge-page",
    "bad-url",
    "bad-feed",  # a feed refused before parsing (declares XML entities)
)


@dataclass
class Article:
    """One extracted article; field names are the stable export record."""

    url: str | None = None
    canonical_url: str | None = None
    source: str | None = None
    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    published: str | None = None
    modified: str | None = None
    language: str | None = None
    site_name: str | None = None
    image: str | None = None
    tags: list[str] = field(default_factory=list)
    body: str = ""
    word_count: int = 0
    fetched_at: str | None = None
    version: int | None = None
    content_hash: str | None = None
    body_html: str = ""
    links: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    # field name -> where it came from: json-ld, meta:og, meta:dc, time-element, text, url, heuristic, feed
    provenance: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the article as a JSON-ready dict."""
        return asdict(self)


@dataclass
class FeedEntry:
    """One entry of a feed, in our terms rather than feedparser's."""

    link: str
    guid: str | None = None
    title: str | None = None
    published: str | None = None
    updated: str | None = None
    authors: list[str] = field(default_factory=list)
    summary: str | None = None
    content: str | None = None
    tags: list[str] = field(default_factory=list)
    enclosures: list[str] = field(default_factory=list)  # absolute URLs of attached media


@dataclass
class ParsedFeed:
    """A parsed feed: the entries that could be read, and why the rest could not."""

    url: str
    title: str | None
    entries: list[FeedEntry]
    error: str | None = None


@dataclass
class FetchAttempt:
    """One HTTP attempt, as logged in the fetches table."""

    url: str
    started_at: str
    outcome: str
    status: int | None = None
    error: str | None = None
    elapsed_ms: float = 0.0
    etag: str | None = None
    last_modified: str | None = None
    final_url: str | None = None


@dataclass
class FetchResult:
    """The usable result of a fetch (after redirects and retries)."""

    url: str
    final_url: str
    status: int
    outcome: str
    content: bytes = b""
    text: str = ""
    content_type: str = ""
    kind: str = "other"  # "html", "feed" or "other", from Content-Type and sniffing
    encoding: str | None = None
    etag: str | None = None
    last_modified: str | None = None
    elapsed_ms: float = 0.0
    attempts: list[FetchAttempt] = field(default_factory=list)


@dataclass
class Source:
    """One configured source (a feed, page, sitemap or listing page) from sources.toml."""

    name: str
    url: str
    kind: str = "feed"  # "feed", "page", "sitemap" or "listing"
    interval_s: float = 3600.0
    enabled: bool = True
    tags: list[str] = field(default_factory=list)
    selector: str | None = None  # listing: CSS selector of the article links
    pattern: str | None = None  # listing, sitemap: regex an article URL must match (re.search)
    # (kind, url) pairs tried in order when the primary keeps failing
    fallback: list[tuple[str, str]] = field(default_factory=list)
    cron: str | None = None  # crontab expression (UTC) used instead of interval_s
    adaptive: bool = False  # follow the source's publishing rate, within the settings' bounds
