"""Articles, fetches and pages for store tests."""

from __future__ import annotations

from typing import Any

from scraper.models import Article, FetchResult

SEED_BODY = (
    "Bitmain Technologies, the world's largest manufacturer of crypto mining hardware, plans to open "
    "its first US facility in the coming months.\n"
    "The new headquarters and assembly line will be located in either Texas or Florida.\n"
    "The move reflects the renewed wave of American industrial policy favoring domestic production."
)


def make_article(n: int = 0, **overrides: Any) -> Article:
    """Return a plausible extracted article; `n` varies its URL."""
    values: dict[str, Any] = {
        "url": f"https://news.example.com/2025/07/bitmain-us-factory-{n}?utm_source=rss",
        "canonical_url": f"https://news.example.com/2025/07/bitmain-us-factory-{n}",
        "source": "example",
        "title": f"Bitmain to Open US Factory {n}",
        "description": "Bitmain plans a US plant.",
        "authors": ["Jane Doe"],
        "published": "2025-07-29T09:54:00-04:00",
        "modified": None,
        "language": "en",
        "site_name": "Example News",
        "image": "https://news.example.com/img.jpg",
        "tags": ["mining", "hardware"],
        "body": SEED_BODY,
        "word_count": len(SEED_BODY.split()),
        "fetched_at": "2025-07-29T14:00:00+00:00",
        "provenance": {"title": "meta:og", "published": "json-ld", "body": "heuristic"},
    }
    values.update(overrides)
    return Article(**values)


def make_fetch(article: Article, status: int = 200, etag: str | None = '"abc"') -> FetchResult:
    """Return the fetch result an article came from."""
    url = article.url or ""
    return FetchResult(
        url=url,
        final_url=url,
        status=status,
        outcome="ok",
        etag=etag,
        last_modified="Tue, 29 Jul 2025 13:54:00 GMT",
    )


def page(article: Article, ad: str = "ad-1") -> bytes:
    """Return raw HTML for an article, with an ad slot that changes between fetches."""
    paras = "".join(f"<p>{p}</p>" for p in article.body.splitlines())
    return (
        f"<html><head><title>{article.title}</title></head><body><div class=ad>{ad}</div>"
        f"<article><h1>{article.title}</h1>{paras}</article></body></html>"
    ).encode()
