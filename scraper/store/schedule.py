"""Each source's due time, back-off state and claims, kept in the store so restarts and workers share them."""

from __future__ import annotations

import os
import random
import socket
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Index,
    Integer,
    String,
    Table,
    Text,
    and_,
    delete,
    func,
    or_,
    select,
    update,
)

from scraper.models import Source
from scraper.store.schema import NAME_LEN, UTCDateTime, article_versions, articles, metadata

if TYPE_CHECKING:
    from scraper.store.store import Store

CLAIM_TOKEN_LEN = 32

source_schedule = Table(
    "source_schedule",
    metadata,
    Column("source", String(NAME_LEN), primary_key=True),
    Column("interval_s", Float, nullable=False),
    Column("next_poll_at", UTCDateTime, nullable=False),
    Column("effective_interval_s", Float, nullable=False),
    Column("consecutive_failures", Integer, nullable=False, server_default="0"),
    Column("failing", Boolean, nullable=False, server_default="0"),
    Column("claimed_until", UTCDateTime),
    Column("claim_token", String(CLAIM_TOKEN_LEN)),
    Column("claimed_by", Text),
    Column("last_polled_at", UTCDateTime),
    Column("updated_at", UTCDateTime, nullable=False),
    Index("ix_source_schedule_next_poll", "next_poll_at"),
)

# One row per running service process (embedded service, dispatcher or worker), for `scraper status`.
service_state = Table(
    "service_state",
    metadata,
    Column("id", String(NAME_LEN), primary_key=True),
    Column("mode", String(20), nullable=False),
    Column("host", Text, nullable=False),
    Column("pid", Integer, nullable=False),
    Column("state", String(20), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("heartbeat_at", UTCDateTime, nullable=False),
    Column("inflight", Integer, nullable=False, server_default="0"),
)


@dataclass
class Claim:
    """A source taken for one refresh: only the holder of `token` may complete it."""

    source: str
    token: str
    due_at: datetime
    consecutive_failures: int
    claimed_until: datetime


@dataclass
class ScheduleRow:
    """The schedule state of one source."""

    source: str
    interval_s: float
    next_poll_at: datetime
    effective_interval_s: float
    consecutive_failures: int
    failing: bool
    claimed_until: datetime | None
    claimed_by: str | None
    last_polled_at: datetime | None


def _now() -> datetime:
    return datetime.now(UTC)


def _as_datetime(value: Any) -> datetime:
    """An aggregate's datetime (SQLite hands MIN/MAX back as text)."""
    when = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def process_id() -> str:
    """Name this process for claims and service state: host:pid."""
    return f"{socket.gethostname()}:{os.getpid()}"


class Schedule:
    """Due times and claims of sources, on the store's database."""

    def __init__(self, store: Store) -> None:
        self.store = store

    def sync(self, sources: Sequence[Source], *, spread_s: float, now: datetime | None = None) -> None:
        """Add new sources (first poll spread over `spread_s`), drop removed ones, apply changed intervals."""
        now = now or _now()
        t = source_schedule
        wanted = {s.name: s for s in sources if s.enabled}
        with self.store._write("sync schedule") as conn:
            rows = {r.source: r for r in conn.execute(select(t.c.source, t.c.interval_s, t.c.next_poll_at))}
            gone = sorted(set(rows) - set(wanted))
            if gone:
                conn.execute(delete(t).where(t.c.source.in_(gone)))
            for name, src in wanted.items():
                row = rows.get(name)
                if row is None:
                    first = now + timedelta(seconds=random.uniform(0, min(spread_s, src.interval_s)))
                    conn.execute(
                        t.insert().values(
                            source=name, interval_s=src.interval_s, next_poll_at=first,
                            effective_interval_s=src.interval_s, updated_at=now,
                        )
                    )  # fmt: skip
                elif row.interval_s != src.interval_s:
                    # a shorter interval takes effect now; a longer one from the next poll on
                    sooner = min(row.next_poll_at, now + timedelta(seconds=src.interval_s))
                    conn.execute(
                        update(t)
                        .where(t.c.source == name)
                        .values(interval_s=src.interval_s, next_poll_at=sooner, updated_at=now)
                    )

    def claim_due(
        self, *, limit: int, lease_s: float, owner: str | None = None, now: datetime | None = None
    ) -> list[Claim]:
        """Atomically take up to `limit` due sources whose claim is free or expired."""
        if limit <= 0:
            return []
        now = now or _now()
        t = source_schedule
        token = uuid.uuid4().hex
        until = now + timedelta(seconds=lease_s)
        due = (
            select(t.c.source)
            .where(t.c.next_poll_at <= now, or_(t.c.claimed_until.is_(None), t.c.claimed_until < now))
            .order_by(t.c.next_poll_at)
            .limit(limit)
            # PostgreSQL: two dispatchers skip each other's rows instead of waiting (SQLite ignores it)
            .with_for_update(skip_locked=True)
        )
        stmt = (
            update(t)
            .where(t.c.source.in_(due.scalar_subquery()))
            .values(claimed_until=until, claim_token=token, claimed_by=owner or process_id())
            .returning(t.c.source, t.c.next_poll_at, t.c.consecutive_failures)
        )
        with self.store._write("claim due sources") as conn:
            rows = conn.execute(stmt).all()
        return [
            Claim(r.source, token, r.next_poll_at, int(r.consecutive_failures), until)
            for r in sorted(rows, key=lambda r: r.next_poll_at)
        ]

    def still_held(self, claim: Claim, now: datetime | None = None) -> bool:
        """Say whether `claim` is still live (a redelivered task may hold a dead one)."""
        now = now or _now()
        t = source_schedule
        with self.store._read("check claim") as conn:
            row = conn.execute(
                select(t.c.claimed_until).where(t.c.source == claim.source, t.c.claim_token == claim.token)
            ).first()
        return row is not None and row.claimed_until is not None and row.claimed_until >= now

    def renew(self, claim: Claim, lease_s: float, now: datetime | None = None) -> bool:
        """Extend a live claim's lease; False if it was lost (expired and retaken)."""
        now = now or _now()
        t = source_schedule
        with self.store._write("renew claim") as conn:
            done = conn.execute(
                update(t)
                .where(t.c.source == claim.source, t.c.claim_token == claim.token)
                .values(claimed_until=now + timedelta(seconds=lease_s))
            )
        return bool(done.rowcount)

    def release_all(self) -> int:
        """Drop every claim (an embedded service starting alone on its store); return how many."""
        t = source_schedule
        with self.store._write("release claims") as conn:
            done = conn.execute(
                update(t)
                .where(t.c.claim_token.is_not(None))
                .values(claimed_until=None, claim_token=None, claimed_by=None)
            )
        return int(done.rowcount)

    def complete(
        self,
        claim: Claim,
        *,
        next_poll_at: datetime,
        effective_interval_s: float,
        consecutive_failures: int,
        failing: bool,
        now: datetime | None = None,
    ) -> bool:
        """Release a claim and set the next due time; False if the claim had expired and been retaken."""
        now = now or _now()
        t = source_schedule
        with self.store._write("complete claim") as conn:
            done = conn.execute(
                update(t)
                .where(t.c.source == claim.source, t.c.claim_token == claim.token)
                .values(
                    next_poll_at=next_poll_at,
                    effective_interval_s=effective_interval_s,
                    consecutive_failures=consecutive_failures,
                    failing=failing,
                    claimed_until=None,
                    claim_token=None,
                    claimed_by=None,
                    last_polled_at=now,
                    updated_at=now,
                )
            )
        return bool(done.rowcount)

    def release(self, claim: Claim) -> None:
        """Give a claim back untouched (shutdown before the refresh started)."""
        t = source_schedule
        with self.store._write("release claim") as conn:
            conn.execute(
                update(t)
                .where(t.c.source == claim.source, t.c.claim_token == claim.token)
                .values(claimed_until=None, claim_token=None, claimed_by=None)
            )

    def next_due_at(self) -> datetime | None:
        """The earliest due time of any source, or None when there is none."""
        with self.store._read("next due") as conn:
            value = conn.execute(select(func.min(source_schedule.c.next_poll_at))).scalar()
        return value if isinstance(value, datetime) else None

    def rows(self) -> list[ScheduleRow]:
        """The schedule of every source, by name."""
        t = source_schedule
        with self.store._read("read schedule") as conn:
            result = conn.execute(select(t).order_by(t.c.source)).mappings().all()
        names = [f.name for f in fields(ScheduleRow)]
        return [ScheduleRow(**{n: r[n] for n in names} | {"failing": bool(r["failing"])}) for r in result]

    def publish_gap_s(self, source: str, *, window_s: float, now: datetime | None = None) -> float | None:
        """Average gap between new articles of `source` over the window, or None with fewer than two."""
        now = now or _now()
        since = now - timedelta(seconds=window_s)
        a = articles
        with self.store._read("publish rate") as conn:
            row = conn.execute(
                select(func.count(), func.min(a.c.first_seen_at), func.max(a.c.first_seen_at)).where(
                    a.c.source == source, a.c.first_seen_at >= since
                )
            ).one()
        count, first, last = int(row[0]), row[1], row[2]
        if count < 2 or first is None or last is None:
            return None
        first, last = (_as_datetime(v) for v in (first, last))
        return max((last - first).total_seconds(), 0.0) / (count - 1)

    def activity(self, *, since: datetime) -> dict[str, tuple[int, int]]:
        """Per source: (new articles, new versions) since a time."""
        av, a = article_versions, articles
        out: dict[str, tuple[int, int]] = {}
        with self.store._read("activity") as conn:
            new_articles = conn.execute(
                select(a.c.source, func.count()).where(a.c.first_seen_at >= since).group_by(a.c.source)
            ).all()
            new_versions = conn.execute(
                select(av.c.source, func.count()).where(av.c.fetched_at >= since).group_by(av.c.source)
            ).all()
        for name, count in new_articles:
            out[str(name)] = (int(count), 0)
        for name, count in new_versions:
            arts, _ = out.get(str(name), (0, 0))
            out[str(name)] = (arts, int(count))
        return out

    # -- service processes -------------------------------------------------------------------------

    def heartbeat(self, *, mode: str, state: str, started_at: datetime, inflight: int) -> None:
        """Record that this process is alive and what it is doing."""
        now = _now()
        ident = f"{mode}:{process_id()}"
        t = service_state
        values: dict[str, Any] = {"state": state, "heartbeat_at": now, "inflight": inflight}
        with self.store._write("service heartbeat") as conn:
            done = conn.execute(update(t).where(t.c.id == ident).values(**values))
            if not done.rowcount:
                host, _, pid = process_id().rpartition(":")
                conn.execute(
                    t.insert().values(
                        id=ident, mode=mode, host=host, pid=int(pid), started_at=started_at, **values
                    )
                )

    def services(self, *, stale_after_s: float) -> list[dict[str, Any]]:
        """Every known service process, `alive` False when its heartbeat is older than `stale_after_s`."""
        now = _now()
        t = service_state
        with self.store._read("service state") as conn:
            rows = conn.execute(select(t).order_by(t.c.started_at)).mappings().all()
        out = []
        for r in rows:
            alive = r["state"] != "stopped" and r["heartbeat_at"] >= now - timedelta(seconds=stale_after_s)
            out.append({**dict(r), "alive": alive})
        return out

    def forget_services(self, *, older_than: datetime) -> None:
        """Drop service rows whose last heartbeat is older than a time."""
        t = service_state
        with self.store._write("forget services") as conn:
            conn.execute(delete(t).where(and_(t.c.heartbeat_at < older_than)))
