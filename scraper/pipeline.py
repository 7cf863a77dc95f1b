"""The one path from a URL or source to stored articles, shared by the CLI and the service."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from scraper.config import Settings
from scraper.errors import FeedError, FetchError, ScraperError
from scraper.extract import extract_article
from scraper.feeds import parse_feed
from scraper.fetch import Fetcher
from scraper.logs import event
from scraper.models import Article, FeedEntry, FetchAttempt, FetchResult, Source

if TYPE_CHECKING:
    from scraper.store import Store

log = logging.getLogger("scraper.pipeline")

ARTICLES_IN_FLIGHT = 8  # article pages of one feed fetched at once (the fetcher's host limit still applies)
FEED_MIN_BODY_CHARS = 200  # a feed entry's content shorter than this is a teaser, not an article


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
    ) -> None:
        self.settings = settings
        self.store = store
        self.fetcher = fetcher or Fetcher(settings)
        self.observer = observer

    async def aclose(self) -> None:
        """Close the fetcher's connections."""
        await self.fetcher.aclose()

    async def __aenter__(self) -> Pipeline:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def _fetch(self, url: str, source: str | None, conditional: bool = True) -> FetchResult:
        """Fetch one URL with the stored validators, logging every attempt in the store."""
        etag = last_modified = None
        if self.store is not None and conditional:
            etag, last_modified = self.store.validators(url)
        try:
            result = await self.fetcher.fetch(url, etag=etag, last_modified=last_modified)
        except FetchError as exc:
            if self.observer is not None:
                self.observer.observe_fetch(source, exc.attempts)
            if self.store is not None:
                self.store.record_fetch(exc.attempts, source=source)
            raise
        if self.observer is not None:
            self.observer.observe_fetch(source, result.attempts)
        if self.store is not None:
            self.store.record_fetch(result.attempts, source=source)
            if result.etag or result.last_modified:
                self.store.save_validators(url, result.etag, result.last_modified)
        return result

    def _finish(
        self, article: Article, result: FetchResult | None, source: Source | None, entry: FeedEntry | None
    ) -> ArticleOutcome:
        """Stamp an extracted article with its source and store it as a version if it changed."""
        if source is not None:
            article.source = source.name
            article.tags = list(dict.fromkeys([*article.tags, *source.tags]))
        url = article.url or (result.url if result else "")
        if self.observer is not None:
            self.observer.observe_article(article.source, article)
        if self.store is None:
            return ArticleOutcome(url=url, article=article)
        saved = self.store.save_article(
            article,
            raw_html=result.content if result is not None and self.settings.store_raw_html else None,
            fetch=result,
            guid=entry.guid if entry is not None else None,
        )
        return ArticleOutcome(url=url, article=saved.article, created=saved.created)

    async def process_page(
        self, url: str, *, source: Source | None = None, entry: FeedEntry | None = None
    ) -> ArticleOutcome:
        """Fetch, extract and store one article page; a failure is returned, not raised."""
        name = source.name if source else None
        try:
            result = await self._fetch(url, name)
        except FetchError as exc:
            fallback = _article_from_entry(entry) if entry is not None else None
            if fallback is None:
                return ArticleOutcome(url=url, error=exc)
            event(log, "article", logging.WARNING, source=name, url=url, outcome=exc.outcome, fallback="feed")
            return self._finish(fallback, None, source, entry)
        if result.outcome == "not-modified":
            return ArticleOutcome(url=url, not_modified=True)
        if result.kind != "html":
            return ArticleOutcome(
                url=url,
                error=FetchError(f"expected an HTML page, got {result.kind}", url=url, outcome="not-html"),
            )
        article = extract_article(result.text, result.final_url, fetched_at=_now())
        article.url = url
        if not article.body and entry is not None:
            fallback = _article_from_entry(entry)
            if fallback is not None:
                article.body, article.word_count = fallback.body, fallback.word_count
                article.provenance["body"] = "feed"
        return self._finish(article, result, source, entry)

    async def process_feed(
        self, result: FetchResult, *, source: Source | None = None
    ) -> AsyncIterator[ArticleOutcome]:
        """Parse a fetched feed and process each entry's article page, yielding as each finishes."""
        parsed = parse_feed(result.content, result.final_url, max_entries=self.settings.max_feed_entries)
        if parsed.error:
            name = source.name if source else None
            event(log, "feed", logging.WARNING, source=name, url=result.url, error=parsed.error)
        limit = asyncio.Semaphore(ARTICLES_IN_FLIGHT)

        async def one(entry: FeedEntry) -> ArticleOutcome:
            async with limit:
                return await self.process_page(entry.link, source=source, entry=entry)

        tasks = [asyncio.ensure_future(one(e)) for e in parsed.entries if e.link]
        try:
            for next_done in asyncio.as_completed(tasks):
                yield await next_done
        finally:
            for task in tasks:
                task.cancel()

    async def process_url(self, url: str, *, source: Source | None = None) -> AsyncIterator[ArticleOutcome]:
        """Fetch one URL; a feed yields each entry's article, a page yields itself."""
        name = source.name if source else None
        # a feed is always refetched in full: its entries decide which articles to look at
        result = await self._fetch(url, name, conditional=source is not None)
        if result.outcome == "not-modified":
            return
        if result.kind == "feed":
            async for outcome in self.process_feed(result, source=source):
                yield outcome
        elif result.kind == "html":
            article = extract_article(result.text, result.final_url, fetched_at=_now())
            article.url = url
            yield self._finish(article, result, source, None)
        else:
            raise FetchError("neither an HTML page nor a feed", url=url, outcome="not-html")

    async def refresh_source(
        self, source: Source, on_article: Callable[[ArticleOutcome], None] | None = None
    ) -> SourceReport:
        """Refresh one source end to end; never raises for a bad source, reports instead."""
        report = SourceReport(source=source.name)
        started = _now()
        try:
            async for outcome in self.process_url(source.url, source=source):
                report.outcomes.append(outcome)
                if on_article is not None:
                    on_article(outcome)
                if outcome.error is not None:
                    report.failed += 1
                    kind = getattr(outcome.error, "outcome", "error")
                    event(
                        log, "article", logging.WARNING,
                        source=source.name, url=outcome.url, outcome=kind, error=str(outcome.error),
                    )  # fmt: skip
                elif outcome.not_modified:
                    report.not_modified += 1
                else:
                    report.articles += 1
                    report.new_versions += int(outcome.created)
        except FetchError as exc:
            report.ok, report.outcome, report.error = False, exc.outcome, str(exc)
            report.retry_after_s = exc.retry_after_s
        except (FeedError, ScraperError) as exc:
            report.ok, report.outcome, report.error = False, "error", str(exc)
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
