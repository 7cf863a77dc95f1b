"""Source refreshes on APScheduler 3.11 in-process, with graceful shutdown on SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import signal
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scraper.config import Settings
from scraper.models import Source
from scraper.pipeline import Pipeline, SourceReport

if TYPE_CHECKING:
    from scraper.store import Store

log = logging.getLogger("scraper.service")

FIRST_POLL_SPREAD_S = 10.0  # first polls at start are spread over this window, not fired together
MISFIRE_GRACE_S = 300  # a poll late by less than this (e.g. loop busy) still runs


async def run_once(settings: Settings, store: Store | None, sources: list[Source]) -> list[SourceReport]:
    """Refresh every enabled source once, at most `service_concurrency` at a time."""
    limit = asyncio.Semaphore(settings.service_concurrency)
    async with Pipeline(settings, store) as pipeline:

        async def one(source: Source) -> SourceReport:
            async with limit:
                return await pipeline.refresh_source(source)

        return list(await asyncio.gather(*(one(s) for s in sources if s.enabled)))


class Service:
    """The long-running service: one interval job per source, until a stop signal."""

    def __init__(self, settings: Settings, store: Store, sources: list[Source]) -> None:
        self.settings = settings
        self.store = store
        self.sources = [s for s in sources if s.enabled]
        self._stop = asyncio.Event()
        self._inflight: set[asyncio.Task[SourceReport]] = set()
        self._limit = asyncio.Semaphore(settings.service_concurrency)
        self._pipeline: Pipeline | None = None

    def stop(self) -> None:
        """Ask the service to stop scheduling and finish in-flight work."""
        self._stop.set()

    async def _refresh(self, source: Source) -> None:
        """Run one scheduled refresh, tracked so shutdown can wait for its writes."""
        if self._stop.is_set() or self._pipeline is None:
            return
        async with self._limit:
            if self._stop.is_set():
                return
            task = asyncio.ensure_future(self._pipeline.refresh_source(source))
            self._inflight.add(task)
            try:
                # shield: a scheduler shutdown must not cancel a refresh halfway through its writes
                await asyncio.shield(task)
            except asyncio.CancelledError:
                pass
            except Exception:  # one bad source never stops the others
                log.exception("source=%s outcome=crash", source.name)
            finally:
                self._inflight.discard(task)

    def _schedule(self, scheduler: AsyncIOScheduler) -> None:
        """Add one interval job per source, first runs spread so sources don't fire together."""
        now = datetime.now(UTC)
        for source in self.sources:
            jitter = min(self.settings.schedule_jitter_s, source.interval_s / 4)
            first = now + timedelta(seconds=random.uniform(0, min(FIRST_POLL_SPREAD_S, source.interval_s)))
            scheduler.add_job(
                self._refresh,
                IntervalTrigger(seconds=source.interval_s, jitter=jitter or None, timezone=UTC),
                args=[source],
                id=source.name,
                name=f"refresh {source.name}",
                next_run_time=first,
                max_instances=1,
                coalesce=True,
                misfire_grace_time=MISFIRE_GRACE_S,
            )

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (or `stop()`), then let in-flight refreshes finish their writes."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            # not the main thread (tests): the caller stops us instead
            with contextlib.suppress(NotImplementedError, RuntimeError):
                loop.add_signal_handler(sig, self.stop)
        scheduler = AsyncIOScheduler(timezone=UTC)
        async with Pipeline(self.settings, self.store) as pipeline:
            self._pipeline = pipeline
            self._schedule(scheduler)
            scheduler.start()
            log.info("service started sources=%d db=%s", len(self.sources), self.settings.db_url)
            try:
                await self._stop.wait()
            finally:
                scheduler.shutdown(wait=False)
                log.info("service stopping inflight=%d", len(self._inflight))
                if self._inflight:
                    _done, pending = await asyncio.wait(
                        set(self._inflight), timeout=self.settings.shutdown_timeout_s
                    )
                    for task in pending:
                        # cancellation lands on a network await, never inside a store transaction
                        task.cancel()
                    if pending:
                        await asyncio.wait(pending)
                self._pipeline = None
            log.info("service stopped")
