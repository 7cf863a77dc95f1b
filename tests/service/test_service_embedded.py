"""The embedded service against a local site of 50 sources: intervals, restart, back-off, lock, health."""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sqlite3
import subprocess
import sys
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import pytest
from servers import LocalHTTPServer

from scraper.config import Settings
from scraper.models import Source
from scraper.service import Service
from scraper.store import Store
from scraper.store.schedule import Schedule

SOURCES = 50
INTERVAL_S = 1.0
WAIT_LIMIT_S = 90.0  # a run that has not reached its condition by then has failed
POLL_EVERY_S = 0.05
ROOT = Path(__file__).resolve().parents[2]


def page(i: int) -> bytes:
    return (
        f"<html><head><title>Item {i}</title></head><body><article><h1>Item {i}</h1>"
        f"<p>Report number {i} on wafer capacity, mining rigs and the supply chain for accelerators.</p>"
        f"<p>Second paragraph of report {i}, long enough to be kept as text by the extractor.</p>"
        "</article></body></html>"
    ).encode()


@pytest.fixture
def site() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as srv:
        for i in range(SOURCES):
            srv.routes[f"/p/{i}"] = (200, {"Content-Type": "text/html"}, page(i))
        srv.routes["/p/broken"] = (503, {"Content-Type": "text/plain"}, b"down")
        yield srv


def settings_for(srv: LocalHTTPServer, db_url: str, **extra: object) -> Settings:
    return replace(
        Settings(),
        db_url=db_url,
        allow_private_hosts=(srv.host_port,),
        host_delay_s=0.0,
        host_concurrency=8,
        retry_attempts=1,
        schedule_jitter_s=0.0,
        scheduler_tick_s=0.05,
        service_concurrency=16,
        obey_robots=False,
        **extra,  # type: ignore[arg-type]
    )


def sources(srv: LocalHTTPServer, *, broken: bool = False) -> list[Source]:
    out = [Source(f"s{i}", srv.url(f"/p/{i}"), kind="page", interval_s=INTERVAL_S) for i in range(SOURCES)]
    if broken:
        out.append(Source("broken", srv.url("/p/broken"), kind="page", interval_s=INTERVAL_S))
    return out


def fetch_times(store: Store) -> dict[str, list[datetime]]:
    """Start times of every fetch, per source, from the store's fetch log."""
    from sqlalchemy import select

    from scraper.store.schema import fetches

    out: dict[str, list[datetime]] = defaultdict(list)
    with store.engine.connect() as conn:
        for row in conn.execute(
            select(fetches.c.source, fetches.c.started_at).order_by(fetches.c.started_at)
        ):
            out[row.source].append(row.started_at)
    return out


def run_service_until(service: Service, done: Callable[[], bool]) -> None:
    """Run the service in this thread's loop until `done()` holds (bounded), then stop it."""

    async def main() -> None:
        task = asyncio.ensure_future(service.run())
        loop = asyncio.get_running_loop()
        deadline = loop.time() + WAIT_LIMIT_S
        while not done():
            assert not task.done(), task.exception()
            assert loop.time() < deadline, "service did not reach the condition in time"
            await asyncio.sleep(POLL_EVERY_S)
        service.stop()
        await task

    asyncio.run(main())


def test_each_source_is_polled_on_its_interval_and_restart_continues(
    site: LocalHTTPServer, sqlite_url: str
) -> None:
    settings = settings_for(site, sqlite_url)
    store = Store.open(sqlite_url)
    try:
        srcs = sources(site, broken=True)
        store.sync_sources(srcs)
        run_service_until(
            Service(settings, store, srcs),
            lambda: all(site.hits(f"/p/{i}") >= 3 for i in range(SOURCES)),
        )
        times = fetch_times(store)
        for i in range(SOURCES):
            polls = times[f"s{i}"]
            assert len(polls) >= 3
            gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(polls)]
            assert min(gaps) >= INTERVAL_S * 0.95, (i, gaps)  # never twice within one interval

        # the 503 source backs off: its interval doubled per consecutive failure
        broken = next(r for r in Schedule(store).rows() if r.source == "broken")
        assert broken.consecutive_failures >= 1
        assert broken.effective_interval_s == INTERVAL_S * 2**broken.consecutive_failures
        broken_gaps = [
            (b - a).total_seconds() for a, b in zip(times["broken"], times["broken"][1:], strict=False)
        ]
        assert all(g >= INTERVAL_S * 2 * 0.95 for g in broken_gaps)

        # restart: nothing is fetched before the due time stored by the first run
        due = {r.source: r.next_poll_at for r in Schedule(store).rows()}
        before = {name: len(ts) for name, ts in times.items()}
        run_service_until(
            Service(settings, store, srcs),
            lambda: all(site.hits(f"/p/{i}") >= 4 for i in range(SOURCES)),
        )
        after = fetch_times(store)
        for name, ts in after.items():
            if name in due and len(ts) > before.get(name, 0):
                first_new = ts[before.get(name, 0)]
                assert first_new >= due[name], (name, first_new, due[name])
    finally:
        store.close()


def test_config_edits_are_picked_up_on_reload(site: LocalHTTPServer, sqlite_url: str) -> None:
    settings = settings_for(site, sqlite_url)
    store = Store.open(sqlite_url)
    try:
        first = sources(site)[:2]
        current = {"list": first}
        store.sync_sources(sources(site)[:3])
        service = Service(settings, store, first, reload=lambda: current["list"])

        def switched() -> bool:
            if site.hits("/p/0") >= 1 and current["list"] is first:
                current["list"] = [sources(site)[2]]
                service.request_reload()
            return site.hits("/p/2") >= 1

        run_service_until(service, switched)
        assert {r.source for r in Schedule(store).rows()} == {"s2"}
    finally:
        store.close()


def _cli_env(tmp_path: Path, srv: LocalHTTPServer, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env.update(
        SCRAPER_DB_URL=f"sqlite:///{tmp_path / 'data' / 'scraper.db'}",
        SCRAPER_CONFIG=str(tmp_path / "settings.toml"),
        SCRAPER_ALLOW_PRIVATE_HOSTS=srv.host_port,
        SCRAPER_HOST_DELAY_S="0",
        SCRAPER_RETRY_ATTEMPTS="1",
        SCRAPER_SCHEDULER_TICK_S="0.1",
        PYTHONPATH=str(ROOT),
        **extra,
    )
    (tmp_path / "settings.toml").write_text('sources_file = "sources.toml"\n')
    lines = []
    for i in range(SOURCES):
        lines += [
            "[[sources]]",
            f'name = "s{i}"',
            f'url = "{srv.url(f"/p/{i}")}"',
            'kind = "page"',
            "interval = 2",
            "",
        ]
    (tmp_path / "sources.toml").write_text("\n".join(lines))
    return env


def _scraper(env: dict[str, str], *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "scraper", *args],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def _wait_for_line(proc: subprocess.Popen[str], needle: str) -> list[str]:
    assert proc.stderr is not None
    seen = []
    for line in proc.stderr:
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} never logged:\n{''.join(seen)}")


def test_second_service_is_refused_and_sigterm_mid_run_leaves_store_consistent(
    site: LocalHTTPServer, tmp_path: Path
) -> None:
    free_port = LocalHTTPServer().start()
    port = free_port.port
    free_port.stop()
    env = _cli_env(tmp_path, site, SCRAPER_METRICS_PORT=str(port))
    first = _scraper(env, "run")
    try:
        _wait_for_line(first, "refresh source=")
        second = _scraper(env, "run")
        _out, err = second.communicate(timeout=60)
        assert second.returncode != 0
        assert "already serving this store" in err and "Traceback" not in err

        with urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=10) as reply:
            metrics = reply.read().decode()
        assert 'scraper_fetches_total{source="s' in metrics
        assert "scraper_extraction_health" in metrics

        first.send_signal(signal.SIGTERM)  # mid-run: refreshes are in flight
        assert first.wait(timeout=60) == 0
    finally:
        if first.poll() is None:
            first.kill()
    db = tmp_path / "data" / "scraper.db"
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        orphans = conn.execute(
            "SELECT count(*) FROM article_versions v LEFT JOIN articles a ON a.id = v.article_id"
            " WHERE a.id IS NULL"
        ).fetchone()[0]
        assert orphans == 0

    status = subprocess.run(
        [sys.executable, "-m", "scraper", "status", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert status.returncode == 0, status.stderr
    report = json.loads(status.stdout)
    assert len(report["sources"]) == SOURCES
    assert any(r["last_success_at"] for r in report["sources"])
    assert all(r["next_poll_at"] for r in report["sources"])
    [svc] = report["services"]
    assert svc["state"] == "stopped" and svc["alive"] is False
