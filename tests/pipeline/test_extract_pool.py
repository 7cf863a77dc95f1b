"""Extraction in a pool of processes: what in-process extraction stores; small batches stay in-process."""

from __future__ import annotations

import asyncio
import dataclasses
import os
from collections.abc import Iterator
from concurrent.futures import Executor, Future
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import httpx
import pytest
from sqlalchemy import select

import scraper.pipeline as pipeline_module
from scraper.config import Settings
from scraper.fetch import Fetcher
from scraper.models import Source
from scraper.pipeline import EXTRACT_CALLS_PER_PROCESS, EXTRACT_POOL_AFTER_PAGES, Pipeline, SourceReport
from scraper.store import Store
from scraper.store.stories import story_members, story_signatures

SETTINGS = dataclasses.replace(Settings(), obey_robots=False, host_delay_s=0.0, retry_backoff_s=0.001)
PAGES = EXTRACT_POOL_AFTER_PAGES + 4  # the last pages of each feed go to the pool
HOSTS = ("a.example", "b.example")


def page(host: str, n: int) -> bytes:
    """An article page; the two hosts cover the same events in other words."""
    lead = f"Foundry {n} of Chipco said on Monday it will build plant {n} in Dresden for 1,{n:03d} million."
    other = f"Second paragraph {host} {n}: " + " ".join(f"detail{host[0]}{n}x{i}" for i in range(50))
    return (
        f"<html lang='en'><head><title>Chipco plant {n} in Dresden</title></head><body><article>"
        f"<h1>Chipco plant {n} in Dresden</h1><p>{lead}</p><p>{other}.</p></article></body></html>"
    ).encode()


def feed(host: str, pages: int) -> bytes:
    items = "".join(
        f"<item><title>Story {n}</title><link>http://{host}/news/{n}</link><guid>{host}-{n}</guid></item>"
        for n in range(pages)
    )
    head = f"<?xml version='1.0'?><rss version='2.0'><channel><title>{host}</title>"
    return f"{head}{items}</channel></rss>".encode()


def handler(pages: int) -> httpx.MockTransport:
    def respond(request: httpx.Request) -> httpx.Response:
        host, path = request.url.host, request.url.path
        if path == "/feed.xml":
            return httpx.Response(
                200, headers={"Content-Type": "application/rss+xml"}, content=feed(host, pages)
            )
        body = page(host, int(path.rsplit("/", 1)[1]))
        return httpx.Response(200, headers={"Content-Type": "text/html; charset=utf-8"}, content=body)

    return httpx.MockTransport(respond)


def sources() -> list[Source]:
    return [Source(name=host, url=f"http://{host}/feed.xml") for host in HOSTS]


def refresh(
    store: Store, workers: int, pages: int = PAGES, pool: Executor | None = None
) -> tuple[Any, list[Any]]:
    """Refresh both sources at once; return the pipeline's pool as it was before closing, and the reports."""

    async def go() -> tuple[Any, list[SourceReport]]:
        fetcher = Fetcher(SETTINGS, transport=handler(pages))
        async with Pipeline(SETTINGS, store, fetcher=fetcher, extract_workers=workers) as pipeline:
            pipeline._pool = pool
            reports = list(await asyncio.gather(*(pipeline.refresh_source(s) for s in sources())))
            return pipeline._pool, reports

    return asyncio.run(go())


FIELDS = (
    "url",
    "canonical_url",
    "title",
    "body",
    "body_html",
    "language",
    "word_count",
    "published",
    "links",
)


def stored(store: Store, reports: list[SourceReport]) -> list[Any]:
    """Each stored article's extracted fields, then the stored story signatures and the number of stories."""
    articles = sorted(
        (tuple(getattr(o.article, f) for f in FIELDS) for r in reports for o in r.outcomes if o.article),
        key=lambda row: str(row[0]),
    )
    with store._read("test") as conn:
        sigs = conn.execute(
            select(story_signatures.c.signature).order_by(story_signatures.c.article_id)
        ).all()
        stories = conn.execute(select(story_members.c.story_id)).all()
    return [articles, sorted(s.signature for s in sigs), len({s.story_id for s in stories})]


@pytest.fixture
def new_store(tmp_path: Any) -> Iterator[Any]:
    opened: list[Store] = []

    def make(name: str) -> Store:
        s = Store.open(f"sqlite:///{tmp_path}/{name}.db")
        s.sync_sources(sources())
        opened.append(s)
        return s

    yield make
    for s in opened:
        s.close()


def test_pooled_extraction_stores_what_in_process_extraction_stores(new_store: Any) -> None:
    alone, pooled = new_store("alone"), new_store("pooled")
    _, reports = refresh(alone, workers=0)
    pool, pooled_reports = refresh(pooled, workers=2)
    assert pool is not None  # the pool did run
    assert [r.new_versions for r in reports] == [r.new_versions for r in pooled_reports] == [PAGES] * 2
    got, expected = stored(pooled, pooled_reports), stored(alone, reports)
    assert len(got[0]) == len(got[1]) == 2 * PAGES
    assert got == expected


def test_a_small_feed_never_starts_the_pool(new_store: Any) -> None:
    pool, reports = refresh(new_store("small"), workers=2, pages=EXTRACT_POOL_AFTER_PAGES)
    assert pool is None and [r.new_versions for r in reports] == [EXTRACT_POOL_AFTER_PAGES] * 2


class BrokenPool(Executor):
    """A pool whose worker died: every submit fails as ProcessPoolExecutor's then does."""

    def __init__(self) -> None:
        self.shut = False

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        raise BrokenProcessPool("a worker died")

    def shutdown(self, wait: bool = True, *, cancel_futures: bool = False) -> None:
        self.shut = True


def test_a_broken_pool_falls_back_to_in_process_extraction(new_store: Any, monkeypatch: Any) -> None:
    broken = BrokenPool()
    monkeypatch.setattr(pipeline_module, "EXTRACT_POOL_AFTER_PAGES", 0)
    pool, reports = refresh(new_store("broken"), workers=2, pool=broken)
    assert pool is None and broken.shut
    assert [(r.ok, r.new_versions, r.failed) for r in reports] == [(True, PAGES, 0)] * 2


def test_pool_size_comes_from_settings_and_zero_means_one_per_core():
    fetcher = Fetcher(SETTINGS, transport=handler(1))
    one = Pipeline(dataclasses.replace(SETTINGS, extract_workers=1), None, fetcher=fetcher)
    per_core = Pipeline(dataclasses.replace(SETTINGS, extract_workers=0), None, fetcher=fetcher)
    assert one.extract_workers == 1
    assert per_core.extract_workers == (os.cpu_count() or 1)
    assert one._extraction_pool() is None


class HeldPool(Executor):
    """A pool whose calls finish only when the test releases them, in this thread."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, tuple[Any, ...], Future[Any]]] = []

    def submit(self, fn: Any, /, *args: Any, **kwargs: Any) -> Future[Any]:
        done: Future[Any] = Future()
        self.calls.append((fn, args, done))
        return done

    def release(self, n: int) -> None:
        fn, args, done = self.calls[n]
        done.set_result(fn(*args))


def test_pages_gather_while_the_processes_are_busy_and_one_bad_page_fails_alone() -> None:
    from datetime import UTC, datetime

    from scraper.pipeline import _ExtractQueue

    now = datetime.now(UTC)
    jobs = [(page("a.example", n).decode(), f"http://a.example/news/{n}", now, True) for n in range(4)]
    bad = (None, "http://a.example/news/bad", now, True)  # not HTML text: its extraction raises

    async def go() -> None:
        pool = HeldPool()
        queue = _ExtractQueue(pool, 1, asyncio.get_running_loop())
        first = queue.extract(jobs[0])
        rest = [queue.extract(j) for j in [*jobs[1:], bad]]
        # the one process has a call running and one queued: the rest wait
        assert [len(args[0]) for _, args, _ in pool.calls] == [1] * EXTRACT_CALLS_PER_PROCESS
        pool.release(0)
        article, sig = await first
        assert article.title and sig
        await asyncio.sleep(0)  # the next batch is sent once the loop has run the wake-up
        gathered = len(jobs) + 1 - EXTRACT_CALLS_PER_PROCESS
        assert [len(args[0]) for _, args, _ in pool.calls][-1] == gathered  # one call for all that gathered
        for n in range(1, len(pool.calls)):
            pool.release(n)
        results = await asyncio.gather(*rest, return_exceptions=True)
        assert all(isinstance(r, tuple) and r[0].title for r in results[:3])
        assert isinstance(results[3], Exception)

    asyncio.run(go())
