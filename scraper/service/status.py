"""What `scraper status` reports: each source's health and schedule, recent activity, service processes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

from scraper.config import Settings
from scraper.models import Source
from scraper.service.scheduler import HEARTBEAT_S
from scraper.store.schedule import Schedule

if TYPE_CHECKING:
    from scraper.store import Store

RECENT_S = 24 * 3600.0  # the window of "articles and versions in the last 24 h"
STALE_HEARTBEATS = 3  # a process that missed this many heartbeats is reported as not running


def _iso(value: datetime | None) -> str | None:
    return value.isoformat(timespec="seconds") if value is not None else None


def collect_status(settings: Settings, store: Store, sources: list[Source]) -> dict[str, Any]:
    """Gather the status report as plain data (the CLI prints it as a table or JSON)."""
    schedule = Schedule(store)
    now = datetime.now(UTC)
    health = {s.name: s for s in store.source_statuses()}
    planned = {r.source: r for r in schedule.rows()}
    recent = schedule.activity(since=now - timedelta(seconds=RECENT_S))
    rows: list[dict[str, Any]] = []
    for src in sources:
        h, p = health.get(src.name), planned.get(src.name)
        arts, vers = recent.get(src.name, (0, 0))
        rows.append(
            {
                "name": src.name,
                "url": src.url,
                "kind": src.kind,
                "enabled": src.enabled,
                "last_outcome": h.last_outcome if h else None,
                "last_success_at": _iso(h.last_success_at) if h else None,
                "last_attempt_at": _iso(h.last_attempt_at) if h else None,
                "last_error": h.last_error if h else None,
                "consecutive_failures": p.consecutive_failures if p else (h.consecutive_failures if h else 0),
                "failing": bool(p and p.failing),
                "next_poll_at": _iso(p.next_poll_at) if p else None,
                "interval_s": p.effective_interval_s if p else src.interval_s,
                "claimed_by": p.claimed_by if p else None,
                "articles": h.articles if h else 0,
                "articles_24h": arts,
                "versions_24h": vers,
            }
        )
    services = schedule.services(stale_after_s=HEARTBEAT_S * STALE_HEARTBEATS)
    return {
        "generated_at": _iso(now),
        "db": store.url,
        "sources": rows,
        "services": [
            {**svc, "started_at": _iso(svc["started_at"]), "heartbeat_at": _iso(svc["heartbeat_at"])}
            for svc in services
        ],
        "totals": {
            "sources": len(rows),
            "failing": sum(1 for r in rows if r["failing"]),
            "articles_24h": sum(recent.get(s.name, (0, 0))[0] for s in sources),
            "versions_24h": sum(recent.get(s.name, (0, 0))[1] for s in sources),
        },
    }
