"""One claimed refresh: keep the claim alive, refresh the source, store its next due time."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime

from scraper.config import Settings
from scraper.logs import event
from scraper.models import Source
from scraper.pipeline import Pipeline, SourceReport
from scraper.service.metrics import Metrics
from scraper.service.policy import decide
from scraper.store.schedule import Claim, Schedule

log = logging.getLogger("scraper.service")

LEASE_RENEW_FRACTION = 3  # renew the claim this many times per lease, so one missed renewal is harmless


async def _keep_claim(schedule: Schedule, claim: Claim, lease_s: float) -> None:
    """Extend the claim's lease until cancelled, so a long refresh is not retaken by another worker."""
    while True:
        await asyncio.sleep(lease_s / LEASE_RENEW_FRACTION)
        if not schedule.renew(claim, lease_s):
            event(log, "claim-lost", logging.WARNING, source=claim.source)
            return


async def refresh_claimed(
    pipeline: Pipeline,
    schedule: Schedule,
    settings: Settings,
    source: Source,
    claim: Claim,
    metrics: Metrics | None = None,
) -> SourceReport | None:
    """Refresh a claimed source and set its next poll; None if the claim was no longer ours."""
    if not schedule.still_held(claim):
        event(log, "claim-stale", source=claim.source)  # a redelivered task: someone else has it now
        return None
    keeper = asyncio.ensure_future(_keep_claim(schedule, claim, settings.claim_lease_s))
    try:
        report = await pipeline.refresh_source(source, prior_failures=claim.consecutive_failures)
    finally:
        keeper.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await keeper
    now = datetime.now(UTC)
    gap = (
        schedule.publish_gap_s(source.name, window_s=settings.adaptive_window_s, now=now)
        if source.adaptive
        else None
    )
    decision = decide(
        source,
        settings,
        now=now,
        ok=report.ok,
        failures_before=claim.consecutive_failures,
        retry_after_s=report.retry_after_s,
        publish_gap_s=gap,
    )
    schedule.complete(
        claim,
        next_poll_at=decision.next_poll_at,
        effective_interval_s=decision.effective_interval_s,
        consecutive_failures=decision.consecutive_failures,
        failing=decision.failing,
        now=now,
    )
    if metrics is not None:
        metrics.observe_refresh(source.name, report.ok, decision.consecutive_failures)
    if decision.failing and not report.ok:
        event(
            log, "source-failing", logging.ERROR, source=source.name,
            failures=decision.consecutive_failures, next_poll_at=decision.next_poll_at.isoformat(),
        )  # fmt: skip
    return report
