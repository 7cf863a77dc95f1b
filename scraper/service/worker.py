"""Scale-out on Celery: the dispatcher enqueues claimed sources, workers refresh them on the shared store."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import asdict
from datetime import datetime
from typing import Any

from celery import Celery
from kombu.exceptions import KombuError

from scraper.config import Settings
from scraper.errors import ServiceError
from scraper.logs import event
from scraper.models import Source
from scraper.pipeline import Pipeline
from scraper.service.refresh import refresh_claimed
from scraper.store.schedule import Claim, Schedule

log = logging.getLogger("scraper.worker")

TASK_NAME = "scraper.refresh_source"
QUEUE = "scraper"
# A task a worker took but never acknowledged (the worker was killed) comes back after this; the
# claim lease (much shorter) has by then let the dispatcher enqueue the source again anyway.
VISIBILITY_TIMEOUT_S = 3600
BROKER_SOCKET_TIMEOUT_S = 10.0
PUBLISH_RETRIES = 3


def make_app(settings: Settings) -> Celery:
    """The Celery app for a broker in the settings; tasks are acknowledged only after they finish."""
    app = Celery("scraper", broker=settings.broker_url, set_as_current=False)
    transport: dict[str, Any] = {
        "visibility_timeout": VISIBILITY_TIMEOUT_S,
        "socket_timeout": BROKER_SOCKET_TIMEOUT_S,
        "socket_connect_timeout": BROKER_SOCKET_TIMEOUT_S,
    }
    if settings.broker_key_prefix:
        transport["global_keyprefix"] = settings.broker_key_prefix
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_serializer="json",
        accept_content=["json"],
        task_ignore_result=True,
        task_default_queue=QUEUE,
        broker_transport_options=transport,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        worker_redirect_stdouts=False,
    )
    app.task(name=TASK_NAME, ignore_result=True)(refresh_source)
    return app


def source_payload(source: Source) -> dict[str, Any]:
    """A source as JSON-safe task arguments, so workers need no copy of the sources file."""
    return asdict(source)


def claim_payload(claim: Claim) -> dict[str, Any]:
    """A claim as JSON-safe task arguments."""
    data = asdict(claim)
    data["due_at"] = claim.due_at.isoformat()
    data["claimed_until"] = claim.claimed_until.isoformat()
    return data


class CeleryDispatcher:
    """Sends claimed sources to the workers' queue."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def send(self, source: Source, claim: Claim) -> None:
        """Enqueue one refresh; a broker error is raised as ServiceError naming the broker."""
        try:
            self.app.send_task(
                TASK_NAME,
                args=[source_payload(source), claim_payload(claim)],
                queue=QUEUE,
                retry=True,
                retry_policy={"max_retries": PUBLISH_RETRIES},
            )
        except (KombuError, OSError) as exc:
            raise ServiceError(f"cannot enqueue {source.name}: {exc}", url=self.app.conf.broker_url) from exc


class _WorkerState:
    """What one worker process keeps between tasks: its settings, store, event loop and pipeline."""

    settings: Settings | None = None
    store: Any = None
    loop: asyncio.AbstractEventLoop | None = None
    pipeline: Pipeline | None = None


_state = _WorkerState()


def configure_worker(settings: Settings) -> None:
    """Set the settings tasks run with (called before the worker starts, inherited by forked children)."""
    _state.settings = settings


def _pipeline() -> tuple[Pipeline, Any, asyncio.AbstractEventLoop]:
    """The process's pipeline, store and loop, created on first use (after any fork)."""
    from scraper.store import Store

    if _state.settings is None:
        raise ServiceError("worker started without settings (run it with `scraper worker`)")
    if _state.loop is None:
        _state.loop = asyncio.new_event_loop()
    if _state.store is None:
        _state.store = Store.open(_state.settings.db_url, migrate=False)
    if _state.pipeline is None:
        # one pipeline per process keeps connection pools and per-host politeness across tasks
        _state.pipeline = Pipeline(_state.settings, _state.store)
    return _state.pipeline, _state.store, _state.loop


def refresh_source(source: dict[str, Any], claim: dict[str, Any]) -> dict[str, Any]:
    """Celery task: refresh one claimed source (idempotent: a stale or redelivered claim does nothing)."""
    pipeline, store, loop = _pipeline()
    assert _state.settings is not None
    src = Source(**{**source, "fallback": [tuple(f) for f in source.get("fallback", [])]})
    held = Claim(
        source=claim["source"],
        token=claim["token"],
        due_at=datetime.fromisoformat(claim["due_at"]),
        consecutive_failures=int(claim["consecutive_failures"]),
        claimed_until=datetime.fromisoformat(claim["claimed_until"]),
    )
    report = loop.run_until_complete(refresh_claimed(pipeline, Schedule(store), _state.settings, src, held))
    if report is None:
        return {"source": src.name, "outcome": "stale-claim"}
    event(log, "task", source=src.name, outcome=report.outcome, articles=report.articles)
    return {"source": src.name, "outcome": report.outcome, "new_versions": report.new_versions}


def run_worker(settings: Settings, *, concurrency: int, name: str | None = None) -> None:
    """Run a Celery worker in this process until it is told to stop (SIGTERM: finish the task, then exit)."""
    import os

    configure_worker(settings)
    app = make_app(settings)
    argv = [
        "worker",
        "--loglevel=INFO",
        f"--concurrency={concurrency}",
        f"--pool={'solo' if concurrency == 1 else 'prefork'}",
        f"--queues={QUEUE}",
        f"--hostname={name or f'scraper-{os.getpid()}'}@%h",
        "--without-gossip",
        "--without-mingle",
    ]
    app.worker_main(argv)
