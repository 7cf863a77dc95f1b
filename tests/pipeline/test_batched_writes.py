"""Pipeline store writes: pages of concurrent sources batched, each article whole, validators after it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from scraper.config import Settings
from scraper.fetch import Fetcher
from scraper.models import Source
from scraper.pipeline import Pipeline, SourceReport
from scraper.store import Store
from scraper.store.records import SaveResult, ToSave

SITES = 3
PAGES = 5
SETTINGS = dataclasses.replace(Settings(), obey_robots=False, host_delay_s=0.0, retry_backoff_s=0.001)


def page(host: str, n: int) -> bytes:
    """A short article page."""
    words = " ".join(f"word{host}{n}x{i}" for i in range(60))
    return (
        f"<html><head><title>Story {n} of {host}</title></head><body><article><h1>Story {n} of {host}</h1>"
        f"<p>{words}.</p><p>Second paragraph of story {n} on {host}, long enough to count as prose.</p>"
        "</article></body></html>"
    ).encode()


def feed(host: str) -> bytes:
    """An RSS feed listing the host's pages."""
    items = "".join(
        f"<item><title>Story {n}</title><link>http://{host}/news/{n}</link><guid>{host}-{n}</guid></item>"
        for n in range(PAGES)
    )
    head = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{host}</title>"
    return f"{head}{items}</channel></rss>".encode()


class Sites:
    """MockTransport handler for SITES hosts with ETags and 304s; counts the conditional requests."""

    def __init__(self) -> None:
        self.feed_validators = True
        self.conditional: list[str] = []

    def __call__(self, request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if path == "/feed.xml":
            body, ctype, etag = feed(host), "application/rss+xml", f'"{host}-feed"'
            if not self.feed_validators:
                return httpx.Response(200, headers={"Content-Type": ctype}, content=body)
        else:
            n = int(path.rsplit("/", 1)[1])
            body, ctype, etag = page(host, n), "text/html; charset=utf-8", f'"{host}-{n}"'
        if request.headers.get("if-none-match") is not None:
            self.conditional.append(str(request.url))
            if request.headers["if-none-match"] == etag:
                return httpx.Response(304, headers={"ETag": etag})
        return httpx.Response(200, headers={"Content-Type": ctype, "ETag": etag}, content=body)


def sources() -> list[Source]:
    return [Source(name=f"s{i}", url=f"http://news{i}.example/feed.xml") for i in range(SITES)]


def refresh_all(store: Store, sites: Sites) -> list[SourceReport]:
    """Refresh every source at once through one pipeline, as the service's run_once does."""

    async def go() -> list[SourceReport]:
        fetcher = Fetcher(SETTINGS, transport=httpx.MockTransport(sites))
        async with Pipeline(SETTINGS, store, fetcher=fetcher) as pipeline:
            return list(await asyncio.gather(*(pipeline.refresh_source(s) for s in sources())))

    return asyncio.run(go())


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    s = Store.open(db_url)
    s.sync_sources(sources())
    try:
        yield s
    finally:
        s.close()


def test_concurrent_sources_store_every_article_once_then_answer_304(store: Store) -> None:
    sites = Sites()
    first = refresh_all(store, sites)
    assert [(r.ok, r.articles, r.new_versions, r.failed) for r in first] == [(True, PAGES, PAGES, 0)] * SITES
    assert all(
        o.created and o.article is not None and o.article.version == 1 for r in first for o in r.outcomes
    )
    assert store.count_versions() == SITES * PAGES
    pages = [f"http://news{i}.example/news/{n}" for i in range(SITES) for n in range(PAGES)]
    assert store.validators_many(pages) == {
        u: (f'"{u.split("/")[2]}-{u.rsplit("/", 1)[1]}"', None) for u in pages
    }

    sites.feed_validators = False  # the feed is read again: every page is asked for conditionally
    again = refresh_all(store, sites)
    assert [(r.ok, r.articles, r.not_modified) for r in again] == [(True, 0, PAGES)] * SITES
    assert sorted(sites.conditional) == sorted(pages)
    assert store.count_versions() == SITES * PAGES


def test_an_article_the_store_refuses_fails_its_source_and_keeps_no_validators(store: Store) -> None:
    refused = "http://news1.example/news/2"
    save_articles = store.save_articles

    def refusing(items: list[ToSave], **kw: Any) -> list[SaveResult]:
        kept = [i for i in items if i.article.url != refused]
        results = iter(save_articles(kept, **kw))
        return [
            SaveResult(article=i.article, created=False, version=0, error="disk full")
            if i.article.url == refused
            else next(results)
            for i in items
        ]

    store.save_articles = refusing  # type: ignore[method-assign,assignment]
    reports = {r.source: r for r in refresh_all(store, Sites())}
    assert reports["s1"].outcome == "error" and "disk full" in (reports["s1"].error or "")
    assert reports["s0"].ok and reports["s2"].ok
    assert store.validators(refused) == (None, None)  # refetched in full next time, never a 304
    # nor is its feed's: the next refresh reads the feed again instead of a 304 that skips the rest
    assert store.validators("http://news1.example/feed.xml") == (None, None)
    assert store.validators("http://news0.example/feed.xml") == ('"news0.example-feed"', None)
    assert store.has_article("http://news0.example/news/2") and not store.has_article(refused)
