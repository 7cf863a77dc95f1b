"""The service on APScheduler 3.11: a tick claims due sources, then refreshes or dispatches them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from collections.abc import Callable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Protocol

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.triggers.interval import IntervalTrigger

from scraper.config import Settings
from scraper.errors import ConfigError
from scraper.logs import event
from scraper.models import Source
from scraper.pipeline import Pipeline, SourceReport
from scraper.service.lock import ServiceLock, sqlite_path
from scraper.service.metrics import Metrics
from scraper.service.refresh import refresh_claimed
from scraper.store.schedule import Claim, Schedule

if TYPE_CHECKING:
    from scraper.store import Store

log = logging.getLogger("scraper.service")

FIRST_POLL_SPREAD_S = 10.0  # new sources' first polls are spread over this window, not fired together
PRUNE_EVERY_S = 24 * 3600.0  # days-based retention is applied to untouched articles this often
HEARTBEAT_S = 10.0  # how often the service records that it is alive (`scraper status`)
DISPATCH_BATCH = 100  # sources a dispatcher claims and enqueues per tick at most


class Dispatcher(Protocol):
    """Hands a claimed source to a worker (Celery in scale-out mode)."""

    def send(self, source: Source, claim: Claim) -> None: ...


async def run_once(settings: Settings, store: Store | None, sources: list[Source]) -> list[SourceReport]:
    """Refresh every enabled source once, at most `service_concurrency` at a time."""
    limit = asyncio.Semaphore(settings.service_concurrency)
    failures = {s.name: s.consecutive_failures for s in store.source_statuses()} if store is not None else {}
    async with Pipeline(settings, store) as pipeline:

        async def one(source: Source) -> SourceReport:
            async with limit:
                return await pipeline.refresh_source(source, prior_failures=failures.get(source.name, 0))

        return list(await asyncio.gather(*(one(s) for s in sources if s.enabled)))


class Service:
    """The long-running service: embedded (refreshes itself) or a dispatcher (enqueues for workers)."""

    def __init__(
        self,
        settings: Settings,
        store: Store,
        sources: list[Source],
        *,
        reload: Callable[[], list[Source]] | None = None,
        dispatcher: Dispatcher | None = None,
    ) -> None:
        self.settings = settings
        self.store = store
        self.schedule = Schedule(store)
        self.sources = {s.name: s for s in sources if s.enabled}
        self.reload_sources = reload
        self.dispatcher = dispatcher
        self.mode = "dispatcher" if dispatcher is not None else "embedded"
        self.metrics = Metrics()
        self.started_at = datetime.now(UTC)
        self._stop = asyncio.Event()
        self._reload_requested = False
        self._inflight: dict[str, asyncio.Task[SourceReport | None]] = {}
        self._pipeline: Pipeline | None = None

    def stop(self) -> None:
        """Ask the service to stop scheduling and finish in-flight work."""
        self._stop.set()

    def request_reload(self) -> None:
        """Re-read the sources file at the next tick (SIGHUP)."""
        self._reload_requested = True

    def _reload(self) -> None:
        """Apply an edited sources file; a broken one is reported and the old sources kept."""
        self._reload_requested = False
        if self.reload_sources is None:
            return
        try:
            sources = self.reload_sources()
        except ConfigError as exc:
            event(log, "reload", logging.ERROR, outcome="error", error=str(exc))
            return
        self.sources = {s.name: s for s in sources if s.enabled}
        self.schedule.sync(list(self.sources.values()), spread_s=FIRST_POLL_SPREAD_S)
        event(log, "reload", outcome="ok", sources=len(self.sources))

    async def _tick(self) -> None:
        """Claim due sources and start (or dispatch) their refreshes."""
        if self._stop.is_set():
            return
        if self._reload_requested:
            self._reload()
        if self.dispatcher is not None:
            claims = self.schedule.claim_due(limit=DISPATCH_BATCH, lease_s=self.settings.claim_lease_s)
        else:
            free = self.settings.service_concurrency - len(self._inflight)
            claims = self.schedule.claim_due(limit=free, lease_s=self.settings.claim_lease_s)
        for claim in claims:
            source = self.sources.get(claim.source)
            if source is None or claim.source in self._inflight:
                self.schedule.release(claim)
            elif self.dispatcher is not None:
                self.dispatcher.send(source, claim)
                event(log, "dispatch", source=source.name, due_at=claim.due_at.isoformat())
            else:
                self._start(source, claim)

    def _start(self, source: Source, claim: Claim) -> None:
        """Run one claimed refresh as a task tracked for shutdown."""
        assert self._pipeline is not None
        task = asyncio.ensure_future(
            refresh_claimed(self._pipeline, self.schedule, self.settings, source, claim, self.metrics)
        )
        self._inflight[source.name] = task

        def done(t: asyncio.Task[SourceReport | None]) -> None:
            self._inflight.pop(source.name, None)
            if not t.cancelled() and t.exception() is not None:  # one bad source never stops the others
                event(
                    log,
                    "refresh",
                    logging.ERROR,
                    source=source.name,
                    outcome="crash",
                    error=repr(t.exception()),
                )

        task.add_done_callback(done)

    async def _prune(self) -> None:
        """Apply the retention rules to every article (days-based retention ages untouched ones too)."""
        try:
            dropped = self.store.prune()
        except Exception as exc:  # retention must not stop the service
            event(log, "prune", logging.WARNING, outcome="error", error=str(exc))
            return
        event(log, "prune", outcome="ok", versions_dropped=dropped)

    async def _heartbeat(self, state: str = "running") -> None:
        """Record this process's state for `scraper status`."""
        try:
            self.schedule.heartbeat(
                mode=self.mode, state=state, started_at=self.started_at, inflight=len(self._inflight)
            )
        except Exception as exc:  # a missed heartbeat must not stop the service
            event(log, "heartbeat", logging.WARNING, outcome="error", error=str(exc))

    async def run(self) -> None:
        """Run until SIGTERM/SIGINT (or `stop()`), then let in-flight refreshes finish their writes."""
        db_file = sqlite_path(self.settings.db_url)
        lock = ServiceLock(db_file) if db_file is not None else None
        if lock is not None:
            lock.acquire()
        try:
            await self._serve(alone=lock is not None)
        finally:
            if lock is not None:
                lock.release()

    async def _serve(self, *, alone: bool) -> None:
        loop = asyncio.get_running_loop()
        for sig, handler in (
            (signal.SIGTERM, self.stop),
            (signal.SIGINT, self.stop),
            (signal.SIGHUP, self.request_reload),
        ):
            # not the main thread (tests): the caller stops us instead
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(sig, handler)
        if alone:
            # the lock proves no other service runs here, so claims left by a killed one are void
            self.schedule.release_all()
        self.schedule.sync(list(self.sources.values()), spread_s=FIRST_POLL_SPREAD_S)
        metrics_server = None
        if self.settings.metrics_port:
            metrics_server = await self.metrics.serve(self.settings.metrics_port)
        scheduler = AsyncIOScheduler(timezone=UTC)
        async with Pipeline(self.settings, self.store, observer=self.metrics) as pipeline:
            self._pipeline = pipeline
            now = datetime.now(UTC)
            scheduler.add_job(
                self._tick, IntervalTrigger(seconds=self.settings.scheduler_tick_s, timezone=UTC),
                id="tick", next_run_time=now, max_instances=1, coalesce=True, misfire_grace_time=None,
            )  # fmt: skip
            scheduler.add_job(
                self._heartbeat, IntervalTrigger(seconds=HEARTBEAT_S, timezone=UTC),
                id="heartbeat", next_run_time=now, max_instances=1, coalesce=True, misfire_grace_time=None,
            )  # fmt: skip
            if self.settings.store_keep_days and self.dispatcher is None:
                scheduler.add_job(
                    self._prune, IntervalTrigger(seconds=PRUNE_EVERY_S, timezone=UTC),
                    id="prune", next_run_time=now, max_instances=1, coalesce=True, misfire_grace_time=None,
                )  # fmt: skip
            scheduler.start()
            event(
                log, "service", state="started", mode=self.mode, sources=len(self.sources), db=self.store.url
            )
            try:
                await self._stop.wait()
            finally:
                scheduler.shutdown(wait=False)
                event(log, "service", state="stopping", inflight=len(self._inflight))
                await self._heartbeat("stopping")
                await self._drain()
                self._pipeline = None
                if metrics_server is not None:
                    metrics_server.close()
                await self._heartbeat("stopped")
            event(log, "service", state="stopped")

    async def _drain(self) -> None:
        """Wait for in-flight refreshes up to the shutdown timeout, then cancel the rest between writes."""
        tasks = set(self._inflight.values())
        if not tasks:
            return
        _done, pending = await asyncio.wait(tasks, timeout=self.settings.shutdown_timeout_s)
        for task in pending:
            # cancellation lands on a network await, never inside a store transaction (those are sync)
            task.cancel()
        if pending:
            await asyncio.wait(pending)
