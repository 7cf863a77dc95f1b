"""When a source is polled next: intervals, cron, adaptive bounds and back-off."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from scraper.config import Settings
from scraper.models import Source
from scraper.service.policy import cron_problem, decide

NOW = datetime(2025, 7, 29, 13, 54, tzinfo=UTC)
SETTINGS = replace(Settings(), schedule_jitter_s=0.0, backoff_cap_s=86400.0, failing_after=10)


def _delay(decision_at: datetime) -> float:
    return (decision_at - NOW).total_seconds()


def test_success_polls_after_the_interval_and_resets_failures() -> None:
    d = decide(Source("s", "http://x.test/", interval_s=600), SETTINGS, now=NOW, ok=True, failures_before=4)
    assert _delay(d.next_poll_at) == 600
    assert d.consecutive_failures == 0 and not d.failing


def test_each_failure_doubles_the_interval_up_to_the_cap() -> None:
    src = Source("s", "http://x.test/", interval_s=600)
    delays = []
    failures = 0
    for _ in range(9):
        d = decide(src, SETTINGS, now=NOW, ok=False, failures_before=failures)
        failures = d.consecutive_failures
        delays.append(_delay(d.next_poll_at))
    assert delays[:4] == [1200, 2400, 4800, 9600]
    assert max(delays) == 86400 and delays[-1] == 86400


def test_retry_after_wins_but_is_capped() -> None:
    src = Source("s", "http://x.test/", interval_s=600)
    d = decide(src, SETTINGS, now=NOW, ok=False, failures_before=0, retry_after_s=90)
    assert _delay(d.next_poll_at) == 90
    d = decide(src, SETTINGS, now=NOW, ok=False, failures_before=0, retry_after_s=10 * 86400)
    assert _delay(d.next_poll_at) == 86400


def test_a_source_failing_n_times_is_marked_failing_and_probed_at_the_cap() -> None:
    src = Source("s", "http://x.test/", interval_s=60)
    d = decide(src, SETTINGS, now=NOW, ok=False, failures_before=9)
    assert d.failing and d.consecutive_failures == 10
    assert _delay(d.next_poll_at) == 86400
    healed = decide(src, SETTINGS, now=NOW, ok=True, failures_before=d.consecutive_failures)
    assert not healed.failing and _delay(healed.next_poll_at) == 60


def test_cron_gives_the_next_fire_time_without_jitter() -> None:
    src = Source("s", "http://x.test/", cron="0 * * * *")
    d = decide(src, replace(SETTINGS, schedule_jitter_s=60), now=NOW, ok=True, failures_before=0)
    assert d.next_poll_at == datetime(2025, 7, 29, 14, 0, tzinfo=UTC)


def test_adaptive_interval_follows_the_publishing_gap_within_bounds() -> None:
    src = Source("s", "http://x.test/", interval_s=3600, adaptive=True)
    s = replace(SETTINGS, adaptive_min_s=300, adaptive_max_s=7200)
    assert (
        _delay(decide(src, s, now=NOW, ok=True, failures_before=0, publish_gap_s=1000).next_poll_at) == 1000
    )
    assert _delay(decide(src, s, now=NOW, ok=True, failures_before=0, publish_gap_s=10).next_poll_at) == 300
    assert _delay(decide(src, s, now=NOW, ok=True, failures_before=0, publish_gap_s=1e6).next_poll_at) == 7200
    assert (
        _delay(decide(src, s, now=NOW, ok=True, failures_before=0, publish_gap_s=None).next_poll_at) == 3600
    )


def test_jitter_stays_within_a_quarter_of_the_interval() -> None:
    src = Source("s", "http://x.test/", interval_s=100)
    s = replace(SETTINGS, schedule_jitter_s=3600)
    for _ in range(50):
        delay = _delay(decide(src, s, now=NOW, ok=True, failures_before=0).next_poll_at)
        assert 100 <= delay <= 125


@pytest.mark.parametrize("expr", ["61 * * * *", "every hour", "* * *"])
def test_bad_cron_expressions_are_named(expr: str) -> None:
    problem = cron_problem(expr)
    assert problem is not None and expr in problem
    assert cron_problem("*/15 * * * *") is None
    assert timedelta(0) == timedelta(0)
