"""The one path from a URL or source to stored articles, shared by the CLI and the service."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import re
from collections.abc import AsyncIterator, Callable
from concurrent.futures import BrokenExecutor, Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import partial
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urljoin

from scraper.config import Settings
from scraper.errors import FetchError, ScraperError, StoreError
from scraper.extract import extract_article
from scraper.extract.feed_links import COMMON_FEED_PATHS, discover_feeds, find_article_links
from scraper.extract.worker import Extracted, ExtractJob, extract_pages
from scraper.feeds import parse_feed, parse_sitemap, recent_sitemaps, recent_urls
from scraper.fetch import Fetcher
from scraper.logs import event
from scraper.models import Article, FeedEntry, FetchAttempt, FetchResult, Source

if TYPE_CHECKING:
    from sqlalchemy import Connection

    from scraper.store import Store
    from scraper.store.records import SaveResult, ToSave
    from scraper.store.stories import StoryKeeper

log = logging.getLogger("scraper.pipeline")

ARTICLES_IN_FLIGHT = 8  # article pages of one feed fetched at once (the fetcher's host limit still applies)
FEED_MIN_BODY_CHARS = 200  # a feed entry's content shorter than this is a teaser, not an article
FALLBACK_AFTER_FAILURES = 2  # a source's fallback chain takes over from this many failures in a row on
MAX_CHILD_SITEMAPS = 20  # child sitemaps of an index read per refresh (the most recently changed)
LISTING_MIN_LINKS = 3  # a page with fewer article links is an article, not a listing
WRITE_BATCH_PAGES = 50  # finished pages (of any source) written in one store transaction at most
WRITE_BATCH_WAIT_S = 0.25  # a finished page waits at most this long for others to share its transaction
# Extraction is most of a page's CPU: past this many fetched pages of one feed, sitemap or listing the
# rest are extracted by a pool of processes (HTML in, Article out); fewer never start the pool.
EXTRACT_POOL_AFTER_PAGES = 4
# Pages an extraction process takes in one call at most: a call costs the parent about 0.4 ms of CPU
# (pickling, queues, wake-ups), a quarter of that when 8 pages share it.
EXTRACT_BATCH_PAGES = 8
# Calls in the pool per process: a second one waits queued, so a process that finishes does not idle
# until the event loop (perhaps busy with a store write) sends it the next.
EXTRACT_CALLS_PER_PROCESS = 2


@dataclass
class Candidate:
    """One way to follow a site that `discover` found."""

    kind: str  # feed, sitemap, listing or page
    url: str
    title: str | None = None


@dataclass
class ArticleOutcome:
    """What became of one article URL: the article (if any), whether it made a version, or the error."""

    url: str
    article: Article | None = None
    created: bool = False
    not_modified: bool = False
    error: ScraperError | None = None


@dataclass
class SourceReport:
    """The result of refreshing one source."""

    source: str
    ok: bool = True
    outcome: str = "ok"
    error: str | None = None
    articles: int = 0
    new_versions: int = 0
    not_modified: int = 0
    failed: int = 0
    retry_after_s: float | None = None
    outcomes: list[ArticleOutcome] = field(default_factory=list)


@dataclass
class _Writes:
    """Store writes held back so that the pages finishing together are written in one go."""

    attempts: list[FetchAttempt] = field(default_factory=list)
    validators: tuple[str, str | None, str | None] | None = None  # (url, ETag, Last-Modified) to remember


@dataclass
class _Save:
    """An article to store, with the page and feed entry it came from."""

    article: Article
    raw_html: bytes | None
    fetch: FetchResult | None
    guid: str | None
    signature: bytes | None = None  # the body's story signature, when the extraction process made it


@dataclass
class _Page:
    """One article page fetched and extracted: its outcome, and what the store still has to write."""

    outcome: ArticleOutcome
    writes: _Writes
    save: _Save | None = None  # the article to store; `outcome` gets its version once it is
    failed: str | None = None  # why the store could not save the article


@dataclass
class _Batch:
    """Finished pages of any source waiting to be written together; `done` resolves once they are."""

    done: asyncio.Future[None]
    pages: list[tuple[_Page, str | None]] = field(default_factory=list)
    timer: asyncio.TimerHandle | None = None


Validators = tuple[str | None, str | None]


class _ExtractQueue:
    """Pages waiting for the extraction pool: sent at once while the pool has room, else gathered so the
    next call to finish makes way for up to EXTRACT_BATCH_PAGES of them in one call."""

    def __init__(self, pool: Executor, processes: int, loop: asyncio.AbstractEventLoop) -> None:
        self.pool, self.loop = pool, loop
        self.max_calls = max(1, processes) * EXTRACT_CALLS_PER_PROCESS
        self.waiting: list[tuple[ExtractJob, asyncio.Future[Extracted]]] = []
        self.in_flight = 0

    def extract(self, job: ExtractJob) -> asyncio.Future[Extracted]:
        """Queue one page; the future gets its extraction, or the error (BrokenExecutor: the pool died)."""
        got: asyncio.Future[Extracted] = self.loop.create_future()
        self.waiting.append((job, got))
        self._send()
        return got

    def _send(self) -> None:
        """Hand gathered pages to the pool while it has room, a batch per call."""
        while self.waiting and self.in_flight < self.max_calls:
            batch = self.waiting[:EXTRACT_BATCH_PAGES]
            del self.waiting[:EXTRACT_BATCH_PAGES]
            try:
                call = self.pool.submit(extract_pages, [job for job, _ in batch])
            except Exception as exc:  # a broken or shut pool refuses at once
                for _, got in batch:
                    if not got.done():
                        got.set_exception(exc)
                continue
            self.in_flight += 1
            call.add_done_callback(partial(self._wake, batch))

    def _wake(self, batch: list[tuple[ExtractJob, asyncio.Future[Extracted]]], call: Future[Any]) -> None:
        """From the pool's thread: finish the batch on the event loop (gone if it has closed)."""
        if not self.loop.is_closed():
            with contextlib.suppress(RuntimeError):  # closed in between
                self.loop.call_soon_threadsafe(self._finished, batch, call)

    def _finished(self, batch: list[tuple[ExtractJob, asyncio.Future[Extracted]]], call: Future[Any]) -> None:
        """Resolve each page's future with its result or error, then send what gathered meanwhile."""
        self.in_flight -= 1
        error = asyncio.CancelledError() if call.cancelled() else call.exception()
        results: list[Extracted | BaseException] = [error] * len(batch) if error else call.result()
        for (_, got), result in zip(batch, results, strict=True):
            if got.done():  # its page was cancelled
                continue
            if isinstance(result, BaseException):
                got.set_exception(result)
            else:
                got.set_result(result)
        self._send()


def _now() -> datetime:
    return datetime.now(UTC)


class Observer(Protocol):
    """Something that watches the pipeline's fetches and articles (the service's metrics)."""

    def observe_fetch(self, source: str | None, attempts: list[FetchAttempt]) -> None: ...

    def observe_article(self, source: str | None, article: Article) -> None: ...


class Pipeline:
    """Fetch -> feeds -> extract -> store, with one fetcher and one store shared by every call."""

    def __init__(
        self,
        settings: Settings,
        store: Store | None,
        fetcher: Fetcher | None = None,
        observer: Observer | None = None,
        *,
        extract_workers: int | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher or Fetcher(settings)
        self.observer = observer
        workers = settings.extract_workers if extract_workers is None else extract_workers
        self.extract_workers = (os.cpu_count() or 1) if workers == 0 else workers  # 1: in-process only
        self._batch: _Batch | None = None
        self._stories: StoryKeeper | None = None
        self._pool: Executor | None = None
        self._extracts: _ExtractQueue | None = None

    async def aclose(self) -> None:
        """Write the pages still waiting for their batch, stop the extraction pool, close the fetcher."""
        if self._batch is not None:
            self._write_batch(self._batch)
        pool, self._pool, self._extracts = self._pool, None, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=True)
        await self.fetcher.aclose()

    def _extraction_pool(self) -> Executor | None:
        """The pool of extraction processes, started on first use; None where processes cannot start."""
        if self._pool is None and self.extract_workers > 1:
            try:
                # spawn, not fork: the parent holds threads (event loop, store) that a fork would copy
                self._pool = ProcessPoolExecutor(
                    self.extract_workers, mp_context=multiprocessing.get_context("spawn")
                )
            except (OSError, ValueError, AssertionError) as exc:  # e.g. inside a daemonic worker
                event(log, "extract-pool", logging.WARNING, outcome="in-process", error=str(exc))
                self.extract_workers = 0
        return self._pool

    async def _extract(self, result: FetchResult, pooled: bool) -> tuple[Article, bytes | None]:
        """Extract a fetched page, in the pool when `pooled` and it can, else in this process."""
        fetched_at = _now()
        pool = self._extraction_pool() if pooled else None
        if pool is not None:
            loop = asyncio.get_running_loop()
            queue = self._extracts
            if queue is None or queue.pool is not pool or queue.loop is not loop:
                queue = self._extracts = _ExtractQueue(pool, self.extract_workers, loop)
            # with a store the article gets a story: its signature is made in the pool too
            try:
                return await queue.extract(
                    (result.text, result.final_url, fetched_at, self.store is not None)
                )
            except BrokenExecutor as exc:  # a worker died (killed, out of memory): carry on without
                event(log, "extract-pool", logging.WARNING, outcome="broken", error=str(exc))
                if self._pool is pool:
                    self._pool, self.extract_workers = None, 0
                pool.shutdown(wait=False, cancel_futures=True)
        return extract_article(result.text, result.final_url, fetched_at=fetched_at), None

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _fetch(
        self,
        url: str,
        source: str | None,
        conditional: bool = True,
        *,
        known: Validators | None = None,
        writes: _Writes | None = None,
    ) -> FetchResult:
        """Fetch one URL with its validators (`known`, else looked up), logging every attempt in the store."""
        # with `writes`, the fetch log rows and new validators are handed to the caller to write, not written
        etag = last_modified = None
        if self.store is not None and conditional:
            etag, last_modified = known if known is not None else self.store.validators(url)
        try:
            result = await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            if self.observer is not None:
                self.observer.observe_fetch(source, exc.attempts)
            if writes is not None:
                writes.attempts += exc.attempts
            elif self.store is not None:
                self.store.record_fetch(exc.attempts, source=source)
            raise
        if self.observer is not None:
            self.observer.observe_fetch(source, result.attempts)
        # validators the store already holds (a 304 repeats them) are not written again
        new = (result.etag, result.last_modified)
        remember = new != (None, None) and new != (etag, last_modified)
        if writes is not None:
            writes.attempts += result.attempts
            if remember:
                writes.validators = (url, *new)
        elif self.store is not None:
            self.store.record_fetch(result.attempts, source=source)
            if remember:
                self.store.save_validators(url, result.etag, result.last_modified)
        return result

    def _stamp(
        self, article: Article, result: FetchResult | None, source: Source | None, entry: FeedEntry | None
    ) -> tuple[ArticleOutcome, _Save]:
        """Stamp an extracted article with its source; return its outcome and what to store."""
        if source is not None:
            article.source = source.name
            article.tags = list(dict.fromkeys([*article.tags, *source.tags]))
        url = article.url or (result.url if result else "")
        if self.observer is not None:
            self.observer.observe_article(article.source, article)
        item = _Save(
            article,
            raw_html=result.content if result is not None and self.settings.store_raw_html else None,
            fetch=result,
            guid=entry.guid if entry is not None else None,
        )
        return ArticleOutcome(url=url, article=article), item

    async def process_page(
        self, url: str, *, source: Source | None = None, entry: FeedEntry | None = None
    ) -> ArticleOutcome:
        """Fetch, extract and store one article page; a failure is returned, not raised."""
        page = await self._page(url, source, entry, None)
        return self._store_pages([page], source.name if source else None)[0]

    async def _page(
        self,
        url: str,
        source: Source | None,
        entry: FeedEntry | None,
        known: Validators | None,
        fresh: list[int] | None = None,
    ) -> _Page:
        """Fetch and extract one article page, leaving every store write to `_store_pages`."""
        # `fresh` counts the pages of the caller's batch fetched whole so far (the pool's trigger)
        name = source.name if source else None
        writes = _Writes()
        try:
            result = await self._fetch(url, name, known=known, writes=writes)
        except FetchError as exc:
            fallback = _article_from_entry(entry) if entry is not None else None
            if fallback is None:
                return _Page(ArticleOutcome(url=url, error=exc), writes)
            event(log, "article", logging.WARNING, source=name, url=url, outcome=exc.outcome, fallback="feed")
            outcome, item = self._stamp(fallback, None, source, entry)
            return _Page(outcome, writes, item)
        if result.outcome == "not-modified":
            return _Page(ArticleOutcome(url=url, not_modified=True), writes)
        if result.kind != "html":
            error = FetchError(f"expected an HTML page, got {result.kind}", url=url, outcome="not-html")
            return _Page(ArticleOutcome(url=url, error=error), writes)
        pooled = False
        if fresh is not None:
            fresh[0] += 1
            # once another feed has started the pool, its processes are free to use from the first page
            pooled = fresh[0] > EXTRACT_POOL_AFTER_PAGES or self._pool is not None
        article, sig = await self._extract(result, pooled)
        article.url = url
        if not article.body and entry is not None:
            fallback = _article_from_entry(entry)
            if fallback is not None:
                article.body, article.word_count = fallback.body, fallback.word_count
                article.provenance["body"] = "feed"
                sig = None
        outcome, item = self._stamp(article, result, source, entry)
        item.signature = sig
        return _Page(outcome, writes, item)

    def _write_pages(self, store: Store, pages: list[tuple[_Page, str | None]]) -> None:
        """Write the pages' fetch log, articles (each in full or not at all) with their stories, then
        their validators."""
        # imported here: the store package (SQLAlchemy, Alembic) loads only when a store is in use
        from scraper.store.records import ToSave

        store.record_fetches([(p.writes.attempts, source) for p, source in pages if p.writes.attempts])
        saving = [p for p, _ in pages if p.save is not None]
        if saving:
            todo = [s for p in saving if (s := p.save) is not None]
            items = [ToSave(s.article, s.raw_html, s.fetch, s.guid) for s in todo]
            signatures = {id(item): s.signature for item, s in zip(items, todo, strict=True)}
            keeper = self._story_keeper(store)
            # each batch's new versions get their stories in the batch's own transaction
            storied: dict[int, SaveResult] = {}

            def assign(conn: Connection, chunk: list[ToSave], saved: list[SaveResult]) -> None:
                new = [(i, r) for i, r in zip(chunk, saved, strict=True) if r.created and r.error is None]
                try:
                    keeper.assign_many(conn, [(r.article, signatures.get(id(item))) for item, r in new])
                except ScraperError as exc:  # rolled back to its savepoint: the articles are still written
                    event(log, "story", logging.WARNING, outcome="error", error=str(exc))
                storied.update((id(r), r) for _, r in new)

            results = store.save_articles(items, on_saved=assign)
            if any(id(r) not in storied for r in results if r.created and r.error is None) and storied:
                # a batch whose stories were assigned was then redone article by article (its commit
                # failed): the index may hold assignments that never reached the store
                keeper.reset()
            for page, saved in zip(saving, results, strict=True):
                if saved.error is not None:
                    page.failed = saved.error
                    page.writes.validators = None  # unstored: its next fetch must not be a 304
                    continue
                page.outcome.article, page.outcome.created = saved.article, saved.created
                if saved.created and id(saved) not in storied:
                    sig = page.save.signature if page.save is not None else None
                    self._assign_story(keeper, saved.article, sig)
        # validators only after their article is stored: a kill in between must not leave a 304 behind
        # that would hide an article never stored
        store.save_validators_many([v for p, _ in pages if (v := p.writes.validators) is not None])

    def _story_keeper(self, store: Store) -> StoryKeeper:
        """The keeper of this pipeline's story index, made on first use."""
        from scraper.store.stories import StoryKeeper

        if self._stories is None:
            self._stories = StoryKeeper(store)
        return self._stories

    def _assign_story(self, keeper: StoryKeeper, article: Article, sig: bytes | None) -> None:
        """Put a newly stored article in its story on its own; a failure never loses the stored article."""
        try:
            with keeper.store._write("assign story") as conn:
                keeper.assign_many(conn, [(article, sig)])
        except ScraperError as exc:
            # the article is stored; it is assigned on its next version
            event(log, "story", logging.WARNING, url=article.url, outcome="error", error=str(exc))

    def _outcomes(self, pages: list[_Page]) -> list[ArticleOutcome]:
        """The written pages' outcomes; StoreError if the store could not save one of their articles."""
        failed = next((p.failed for p in pages if p.failed is not None), None)
        if failed is not None:
            raise StoreError(failed, url=self.store.url if self.store is not None else None)
        return [p.outcome for p in pages]

    def _store_pages(self, pages: list[_Page], source: str | None) -> list[ArticleOutcome]:
        """Write pages now and return their outcomes."""
        if self.store is not None:
            self._write_pages(self.store, [(p, source) for p in pages])
        return self._outcomes(pages)

    async def _store_soon(self, pages: list[_Page], source: str | None) -> list[ArticleOutcome]:
        """Write pages along with others finishing within WRITE_BATCH_WAIT_S; return their outcomes."""
        if self.store is None or not pages:
            return self._outcomes(pages)
        loop = asyncio.get_running_loop()
        batch = self._batch
        if batch is not None and batch.done.get_loop() is not loop:
            self._write_batch(batch)  # left by an event loop that ended without aclose()
            batch = None
        if batch is None:
            batch = self._batch = _Batch(loop.create_future())
            batch.timer = loop.call_later(WRITE_BATCH_WAIT_S, self._write_batch, batch)
        batch.pages += [(p, source) for p in pages]
        if len(batch.pages) >= WRITE_BATCH_PAGES:
            self._write_batch(batch)
        # shielded: a cancelled refresh must not cancel the write the other sources wait for
        await asyncio.shield(batch.done)
        return self._outcomes(pages)

    def _write_batch(self, batch: _Batch) -> None:
        """Write a batch now (full, timed out, or the pipeline closing) and wake the sources waiting on it."""
        if self._batch is batch:
            self._batch = None
        if batch.timer is not None:
            batch.timer.cancel()
        if batch.done.done():
            return
        try:
            assert self.store is not None  # a batch is only made with a store
            self._write_pages(self.store, batch.pages)
        except Exception as exc:  # every waiting source gets the store's error, as its own write would
            batch.done.set_exception(exc)
            batch.done.exception()  # retrieved: no "never retrieved" warning when no source waits any more
        else:
            batch.done.set_result(None)

    async def process_feed(
        self, result: FetchResult, *, source: Source | None = None
    ) -> AsyncIterator[ArticleOutcome]:
        """Parse a fetched feed and process each entry's article page, yielding as each finishes."""
        parsed = parse_feed(result.content, result.final_url, max_entries=self.settings.max_feed_entries)
        if parsed.error:
            name = source.name if source else None
            event(log, "feed", logging.WARNING, source=name, url=result.url, error=parsed.error)
        async for outcome in self._pages([(e.link, e) for e in parsed.entries if e.link], source):
            yield outcome

    async def process_url(self, url: str, *, source: Source | None = None) -> AsyncIterator[ArticleOutcome]:
        """Fetch one URL; a feed yields each entry's article, a page yields itself."""
        name = source.name if source else None
        writes = _Writes()
        try:
            result = await self._fetch(url, name, conditional=source is not None, writes=writes)
        finally:
            # the fetch log now; the validators once what the document leads to is stored, so that a kill
            # half-way is not followed by a 304 that skips the rest
            remember, writes.validators = writes.validators, None
            self._store_pages([_Page(ArticleOutcome(url=url), writes)], name)
        later = _Page(ArticleOutcome(url=url), _Writes(validators=remember))
        if result.outcome == "not-modified":
            self._store_pages([later], name)
            return
        if result.kind == "feed":
            async for outcome in self.process_feed(result, source=source):
                yield outcome
            self._store_pages([later], name)
        elif result.kind == "html":
            article = extract_article(result.text, result.final_url, fetched_at=_now())
            article.url = url
            outcome, item = self._stamp(article, result, source, None)
            yield self._store_pages([_Page(outcome, later.writes, item)], name)[0]
        else:
            self._store_pages([later], name)
            raise FetchError("neither an HTML page nor a feed", url=url, outcome="not-html")

    def _known_validators(self, urls: list[str]) -> dict[str, Validators]:
        """The stored validators of many URLs, read at once (URLs without any map to (None, None))."""
        if self.store is None or not urls:
            return {}
        found = self.store.validators_many(urls)
        return {u: found.get(u, (None, None)) for u in urls}

    async def _pages(
        self, pages: list[tuple[str, FeedEntry | None]], source: Source | None
    ) -> AsyncIterator[ArticleOutcome]:
        """Process article pages concurrently, storing and yielding those that finish together as a batch."""
        limit = asyncio.Semaphore(ARTICLES_IN_FLIGHT)
        known = self._known_validators([url for url, _ in pages])
        name = source.name if source else None
        fresh = [0]

        async def one(url: str, entry: FeedEntry | None) -> _Page:
            async with limit:
                return await self._page(url, source, entry, known.get(url), fresh)

        tasks = [asyncio.ensure_future(one(url, entry)) for url, entry in pages]
        order: dict[asyncio.Future[_Page], int] = {task: n for n, task in enumerate(tasks)}
        # each task reports itself when done (asyncio.wait would re-register on every pending task per
        # wake-up: quadratic in a feed's entries)
        finished_q: asyncio.Queue[asyncio.Future[_Page]] = asyncio.Queue()
        for task in tasks:
            task.add_done_callback(finished_q.put_nowait)
        remaining = len(tasks)
        try:
            while remaining:
                done = [await finished_q.get()]
                while not finished_q.empty():
                    done.append(finished_q.get_nowait())
                remaining -= len(done)
                finished = sorted(done, key=order.__getitem__)
                failures = [exc for task in finished if (exc := task.exception()) is not None]
                ready = [task.result() for task in finished if task.exception() is None]
                # batched with other pages (of any source): a store write costs mostly per transaction
                for outcome in await self._store_soon(ready, name):
                    yield outcome
                if failures:
                    raise failures[0]
        finally:
            for task in tasks:
                task.cancel()

    def _unknown(self, urls: list[str]) -> list[str]:
        """The URLs not stored yet (all of them without a store)."""
        if self.store is None:
            return urls
        return self.store.unknown_urls(urls)

    async def process_sitemap(
        self, url: str, *, source: Source | None = None
    ) -> AsyncIterator[ArticleOutcome]:
        """Read a sitemap (or index) and process only the article URLs newer than the window."""
        name = source.name if source else None
        now = _now()
        window = self.settings.sitemap_window_s
        result = await self._fetch(url, name, conditional=False)
        sitemap = parse_sitemap(result.content, result.final_url)
        urls: list[str] = []
        if sitemap.is_index:
            for child_url in recent_sitemaps(sitemap, now, window)[:MAX_CHILD_SITEMAPS]:
                try:
                    child = await self._fetch(child_url, name, conditional=False)
                except FetchError as exc:
                    yield ArticleOutcome(url=child_url, error=exc)
                    continue
                urls += recent_urls(parse_sitemap(child.content, child.final_url), now, window)
        else:
            urls = recent_urls(sitemap, now, window)
        if source is not None and source.pattern:
            urls = [u for u in urls if re.search(source.pattern, u)]
        urls = list(dict.fromkeys(urls))[: self.settings.max_feed_entries]
        async for outcome in self._pages([(u, None) for u in urls], source):
            yield outcome

    async def process_listing(
        self, url: str, *, source: Source | None = None
    ) -> AsyncIterator[ArticleOutcome]:
        """Read a listing page and process the article links on it that are not stored yet."""
        name = source.name if source else None
        result = await self._fetch(url, name, conditional=False)
        if result.kind != "html":
            raise FetchError(
                f"a listing must be an HTML page, got {result.kind}", url=url, outcome="not-html"
            )
        links = find_article_links(
            result.text,
            result.final_url,
            selector=source.selector if source else None,
            pattern=source.pattern if source else None,
        )
        new = self._unknown(links)[: self.settings.max_feed_entries]
        async for outcome in self._pages([(u, None) for u in new], source):
            yield outcome

    async def discover(self, url: str) -> list[Candidate]:
        """Work out how to follow a URL: its feeds (best first), else a sitemap, a listing or a page."""
        result = await self._fetch(url, None, conditional=False)
        if result.kind == "feed":
            try:
                parse_feed(result.content, result.final_url, max_entries=1)
                return [Candidate("feed", result.final_url)]
            except ScraperError:
                pass
        if result.kind != "html":
            try:
                if parse_sitemap(result.content, result.final_url).urls or result.kind == "feed":
                    return [Candidate("sitemap", result.final_url)]
            except ScraperError:
                pass
            raise FetchError("neither a page, a feed nor a sitemap", url=url, outcome="not-html")
        found = [Candidate("feed", f.url, f.title) for f in discover_feeds(result.text, result.final_url)]
        if not found:
            for path in COMMON_FEED_PATHS:
                probe = urljoin(result.final_url, path)
                try:
                    got = await self._fetch(probe, None, conditional=False)
                    if got.kind == "feed" and parse_feed(got.content, got.final_url, max_entries=1).entries:
                        found.append(Candidate("feed", got.final_url))
                        break
                except ScraperError:
                    continue
        if found:
            return found
        links = find_article_links(result.text, result.final_url)
        return [Candidate("listing" if len(links) >= LISTING_MIN_LINKS else "page", result.final_url)]

    async def _source_outcomes(self, kind: str, url: str, source: Source) -> AsyncIterator[ArticleOutcome]:
        """The articles of one source document, read as its kind says."""
        if kind == "sitemap":
            async for outcome in self.process_sitemap(url, source=source):
                yield outcome
        elif kind == "listing":
            async for outcome in self.process_listing(url, source=source):
                yield outcome
        else:
            async for outcome in self.process_url(url, source=source):
                yield outcome

    async def refresh_source(
        self,
        source: Source,
        on_article: Callable[[ArticleOutcome], None] | None = None,
        *,
        prior_failures: int = 0,
    ) -> SourceReport:
        """Refresh one source end to end; never raises for a bad source, reports instead."""
        report = SourceReport(source=source.name)
        started = _now()
        chain = [(source.kind, source.url)]
        if source.fallback and prior_failures + 1 >= FALLBACK_AFTER_FAILURES:
            chain += list(source.fallback)
        for step, (kind, url) in enumerate(chain):
            report.ok, report.outcome, report.error = True, "ok", None
            try:
                async for outcome in self._source_outcomes(kind, url, source):
                    report.outcomes.append(outcome)
                    if on_article is not None:
                        on_article(outcome)
                    if outcome.error is not None:
                        report.failed += 1
                        err = outcome.error
                        named = getattr(err, "outcome", "error")
                        event(
                            log, "article", logging.WARNING,
                            source=source.name, url=outcome.url, outcome=named, error=str(err),
                        )  # fmt: skip
                    elif outcome.not_modified:
                        report.not_modified += 1
                    else:
                        report.articles += 1
                        report.new_versions += int(outcome.created)
            except FetchError as exc:
                report.ok, report.outcome, report.error = False, exc.outcome, str(exc)
                report.retry_after_s = exc.retry_after_s
            except ScraperError as exc:
                report.ok, report.outcome, report.error = False, "error", str(exc)
            if report.ok:
                if step:
                    event(log, "fallback", source=source.name, kind=kind, url=url, outcome="ok")
                break
        if report.ok and report.failed and not report.articles and not report.not_modified:
            report.ok, report.outcome = False, "articles-failed"
            report.error = f"all {report.failed} article(s) failed"
        if self.store is not None:
            self.store.record_source_result(
                source.name, outcome=report.outcome, error=report.error, at=started
            )
        event(
            log, "refresh", logging.INFO if report.ok else logging.WARNING,
            source=source.name, url=source.url, outcome=report.outcome, articles=report.articles,
            new_versions=report.new_versions, not_modified=report.not_modified, failed=report.failed,
            ms=round((_now() - started).total_seconds() * 1000), error=report.error,
        )  # fmt: skip
        return report


def _article_from_entry(entry: FeedEntry) -> Article | None:
    """Build an article from a feed entry's own content, for when its page is unreachable or empty."""
    text = entry.content or entry.summary or ""
    if len(text) < FEED_MIN_BODY_CHARS:
        return None
    body = extract_article(f"<html><body><article>{text}</article></body></html>", entry.link).body or text
    provenance = {k: "feed" for k in ("title", "body", "authors", "published", "modified", "tags")}
    return Article(
        url=entry.link,
        title=entry.title,
        authors=list(entry.authors),
        published=entry.published,
        modified=entry.updated,
        tags=list(entry.tags),
        body=body,
        word_count=len(body.split()),
        fetched_at=_now().isoformat(),
        provenance=provenance,
    )
