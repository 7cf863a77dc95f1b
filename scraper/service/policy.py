"""When a source is polled next: its interval or cron, adaptive rate, back-off on failure, jitter."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from scraper.config import Settings
from scraper.models import Source


@dataclass(frozen=True)
class Decision:
    """The schedule state to store after one refresh."""

    next_poll_at: datetime
    effective_interval_s: float
    consecutive_failures: int
    failing: bool


def cron_problem(expr: str) -> str | None:
    """Say what is wrong with a crontab expression, or None if it is usable."""
    try:
        CronTrigger.from_crontab(expr, timezone=UTC)
    except ValueError as exc:
        return f"not a crontab expression ({exc}): {expr!r}"
    return None


def base_interval_s(source: Source, settings: Settings, now: datetime, publish_gap_s: float | None) -> float:
    """The healthy interval: cron's next gap, the adaptive rate when known, else the configured one."""
    if source.cron:
        nxt = CronTrigger.from_crontab(source.cron, timezone=UTC).get_next_fire_time(None, now)
        if nxt is not None:
            gap: float = (nxt - now).total_seconds()
            return max(gap, 1.0)
    if source.adaptive and publish_gap_s is not None:
        return min(max(publish_gap_s, settings.adaptive_min_s), settings.adaptive_max_s)
    return source.interval_s


def decide(
    source: Source,
    settings: Settings,
    *,
    now: datetime,
    ok: bool,
    failures_before: int,
    retry_after_s: float | None = None,
    publish_gap_s: float | None = None,
) -> Decision:
    """Next poll after a refresh: success resets, each failure doubles up to the cap, Retry-After wins."""
    base = base_interval_s(source, settings, now, publish_gap_s)
    cap = settings.backoff_cap_s
    if ok:
        failures, delay = 0, base
    else:
        failures = failures_before + 1
        delay = min(base * 2**failures, cap)
        if failures >= settings.failing_after:
            delay = cap
        if retry_after_s is not None and retry_after_s > 0:
            delay = min(retry_after_s, cap)
    failing = failures >= settings.failing_after
    if source.cron and ok:
        # cron times are exact; jitter would move them off the minute the user asked for
        return Decision(now + timedelta(seconds=delay), delay, failures, failing)
    jitter = random.uniform(0, min(settings.schedule_jitter_s, delay / 4))
    return Decision(now + timedelta(seconds=delay + jitter), delay, failures, failing)
