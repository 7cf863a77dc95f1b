"""Due times and claims in the store, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from scraper.models import Source
from scraper.store import Store
from scraper.store.schedule import Schedule

T0 = datetime(2025, 7, 29, 12, 0, tzinfo=UTC)


@pytest.fixture
def schedule(db_url: str):
    store = Store.open(db_url)
    try:
        yield Schedule(store)
    finally:
        store.close()


def _sources(n: int, interval: float = 60) -> list[Source]:
    return [Source(f"s{i}", f"http://127.0.0.1:9/{i}", interval_s=interval) for i in range(n)]


def test_sync_spreads_new_sources_and_keeps_existing_due_times(schedule: Schedule) -> None:
    schedule.sync(_sources(5), spread_s=10, now=T0)
    first = {r.source: r.next_poll_at for r in schedule.rows()}
    assert set(first) == {f"s{i}" for i in range(5)}
    assert all(T0 <= t <= T0 + timedelta(seconds=10) for t in first.values())

    later = T0 + timedelta(hours=1)
    schedule.sync(
        [*_sources(4), Source("new", "http://127.0.0.1:9/new", interval_s=60)], spread_s=10, now=later
    )
    rows = {r.source: r for r in schedule.rows()}
    assert "s4" not in rows and "new" in rows
    assert all(rows[f"s{i}"].next_poll_at == first[f"s{i}"] for i in range(4))


def test_a_shorter_interval_takes_effect_at_once(schedule: Schedule) -> None:
    schedule.sync(_sources(1, interval=86400), spread_s=0, now=T0)
    claim = schedule.claim_due(limit=1, lease_s=60, now=T0)[0]
    schedule.complete(
        claim, next_poll_at=T0 + timedelta(days=1), effective_interval_s=86400,
        consecutive_failures=0, failing=False, now=T0,
    )  # fmt: skip
    schedule.sync(_sources(1, interval=60), spread_s=0, now=T0)
    assert schedule.rows()[0].next_poll_at == T0 + timedelta(seconds=60)


def test_claims_are_exclusive_until_completed_or_expired(schedule: Schedule) -> None:
    schedule.sync(_sources(10), spread_s=0, now=T0)
    a = schedule.claim_due(limit=6, lease_s=30, owner="a", now=T0)
    b = schedule.claim_due(limit=6, lease_s=30, owner="b", now=T0)
    assert len(a) == 6 and len(b) == 4
    assert not {c.source for c in a} & {c.source for c in b}
    assert schedule.claim_due(limit=10, lease_s=30, now=T0) == []

    # b's worker dies: after the lease its sources are taken again, and b's late completion is refused
    later = T0 + timedelta(seconds=31)
    retaken = schedule.claim_due(limit=10, lease_s=30, owner="c", now=later)
    assert {c.source for c in retaken} == {c.source for c in a} | {c.source for c in b}
    stale = b[0]
    assert not schedule.still_held(stale, now=later)
    assert not schedule.complete(
        stale, next_poll_at=later, effective_interval_s=60, consecutive_failures=0, failing=False, now=later
    )
    fresh = next(c for c in retaken if c.source == stale.source)
    assert schedule.still_held(fresh, now=later)
    assert schedule.complete(
        fresh, next_poll_at=later + timedelta(seconds=60), effective_interval_s=60,
        consecutive_failures=0, failing=False, now=later,
    )  # fmt: skip
    row = next(r for r in schedule.rows() if r.source == stale.source)
    assert row.next_poll_at == later + timedelta(seconds=60) and row.claimed_until is None


def test_renew_extends_a_live_claim_and_release_all_frees_every_claim(schedule: Schedule) -> None:
    schedule.sync(_sources(3), spread_s=0, now=T0)
    claims = schedule.claim_due(limit=3, lease_s=10, now=T0)
    assert schedule.renew(claims[0], lease_s=100, now=T0 + timedelta(seconds=5))
    later = T0 + timedelta(seconds=20)
    assert {c.source for c in schedule.claim_due(limit=3, lease_s=10, now=later)} == {
        c.source for c in claims[1:]
    }
    assert schedule.release_all() == 3
    assert len(schedule.claim_due(limit=3, lease_s=10, now=later)) == 3


def test_due_times_survive_reopening_the_store(db_url: str) -> None:
    store = Store.open(db_url)
    Schedule(store).sync(_sources(3), spread_s=0, now=T0)
    claim = Schedule(store).claim_due(limit=1, lease_s=60, now=T0)[0]
    Schedule(store).complete(
        claim, next_poll_at=T0 + timedelta(hours=2), effective_interval_s=60,
        consecutive_failures=3, failing=False, now=T0,
    )  # fmt: skip
    store.close()
    again = Store.open(db_url)
    try:
        row = next(r for r in Schedule(again).rows() if r.source == claim.source)
        assert row.next_poll_at == T0 + timedelta(hours=2) and row.consecutive_failures == 3
    finally:
        again.close()
