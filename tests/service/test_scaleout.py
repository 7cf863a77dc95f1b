"""Scale-out on real servers: one dispatcher and two Celery workers on PostgreSQL and Redis, 200 sources."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import pytest
from servers import LocalHTTPServer
from sqlalchemy import create_engine, select, text

from scraper.store.schema import fetches

pytestmark = pytest.mark.postgres

SOURCES = 200
PERIOD_S = 8.0
ROOT = Path(__file__).resolve().parents[2]
WAIT_LIMIT_S = 150.0
POLL_EVERY_S = 0.2


def page(i: int) -> bytes:
    return (
        f"<html><head><title>Dispatch item {i}</title></head><body><article><h1>Dispatch item {i}</h1>"
        f"<p>Report {i}: a foundry expands capacity while miners order new hardware for the season.</p>"
        f"<p>Analysts expect report {i} to move prices of accelerators and mining rigs next quarter.</p>"
        "</article></body></html>"
    ).encode()


@dataclass
class Cluster:
    """A dispatcher and workers started as real `scraper` processes, with their logs in files."""

    env: dict[str, str]
    folder: Path
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen[bytes]:
        log = (self.folder / f"{name}.log").open("wb")
        proc = subprocess.Popen(
            [sys.executable, "-m", "scraper", *args], env=self.env, stdout=log, stderr=subprocess.STDOUT
        )
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return (self.folder / f"{name}.log").read_text(errors="replace")

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def _wait(what: str, done: Callable[[], bool], cluster: Cluster) -> None:
    deadline = time.monotonic() + WAIT_LIMIT_S
    while not done():
        for name, proc in cluster.procs.items():
            if proc.poll() is not None and proc.returncode not in (0, -9):
                raise AssertionError(f"{name} exited {proc.returncode}:\n{cluster.log(name)[-3000:]}")
        if time.monotonic() > deadline:
            logs = "\n".join(f"--- {n}\n{cluster.log(n)[-2000:]}" for n in cluster.procs)
            raise AssertionError(f"timed out waiting for {what}\n{logs}")
        time.sleep(POLL_EVERY_S)


@pytest.fixture
def cluster(
    tmp_path: Path, postgres_url: str, redis_prefix: str
) -> Iterator[tuple[Cluster, LocalHTTPServer, str]]:
    with LocalHTTPServer() as srv:
        for i in range(SOURCES):
            srv.routes[f"/p/{i}"] = (200, {"Content-Type": "text/html"}, page(i))
        lines = []
        for i in range(SOURCES):
            lines += ["[[sources]]", f'name = "s{i}"', f'url = "{srv.url(f"/p/{i}")}"', 'kind = "page"']
            lines += [f"interval = {PERIOD_S}", ""]
        (tmp_path / "sources.toml").write_text("\n".join(lines))
        (tmp_path / "settings.toml").write_text('sources_file = "sources.toml"\n')
        env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
        env.update(
            SCRAPER_CONFIG=str(tmp_path / "settings.toml"),
            SCRAPER_DB_URL=postgres_url,
            SCRAPER_BROKER_URL="redis://127.0.0.1:6379/0",
            SCRAPER_BROKER_KEY_PREFIX=redis_prefix,
            SCRAPER_ALLOW_PRIVATE_HOSTS=srv.host_port,
            SCRAPER_HOST_DELAY_S="0",
            SCRAPER_HOST_CONCURRENCY="8",
            SCRAPER_RETRY_ATTEMPTS="1",
            SCRAPER_OBEY_ROBOTS="false",
            SCRAPER_SCHEDULE_JITTER_S="0",
            SCRAPER_SCHEDULER_TICK_S="0.2",
            SCRAPER_CLAIM_LEASE_S="4",
            PYTHONPATH=str(ROOT),
        )
        up = subprocess.run(
            [sys.executable, "-m", "scraper", "db", "upgrade"],
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert up.returncode == 0, up.stderr
        c = Cluster(env=env, folder=tmp_path)
        try:
            yield c, srv, postgres_url
        finally:
            c.stop_all()


def _fetch_times(db_url: str) -> dict[str, list[datetime]]:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            rows = conn.execute(
                select(fetches.c.source, fetches.c.started_at).order_by(fetches.c.started_at)
            ).all()
    finally:
        engine.dispose()
    out: dict[str, list[datetime]] = defaultdict(list)
    for source, started in rows:
        out[source].append(started)
    return out


def _scalar(db_url: str, sql: str) -> int:
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text(sql)).scalar_one())
    finally:
        engine.dispose()


def test_every_source_refreshed_once_per_period_by_both_workers(
    cluster: tuple[Cluster, LocalHTTPServer, str],
) -> None:
    c, srv, db_url = cluster
    c.start("w1", "worker", "--name", "w1")
    c.start("w2", "worker", "--name", "w2")
    c.start("dispatcher", "run", "--dispatch")
    _wait("three refreshes of every source", lambda: all(srv.hits(f"/p/{i}") >= 3 for i in range(SOURCES)), c)
    c.procs["dispatcher"].send_signal(signal.SIGTERM)
    assert c.procs["dispatcher"].wait(timeout=60) == 0
    c.stop_all()

    times = _fetch_times(db_url)
    for i in range(SOURCES):
        polls = times[f"s{i}"]
        assert len(polls) == srv.hits(f"/p/{i}")  # the fetch table and the HTTP log agree
        gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(polls)]
        assert len(polls) >= 3 and min(gaps) >= PERIOD_S * 0.9, (i, gaps)  # once per period, never twice
    w1, w2 = c.log("w1").count("task source="), c.log("w2").count("task source=")
    assert w1 > 0 and w2 > 0, (w1, w2)
    assert (
        _scalar(db_url, "SELECT count(*) FROM article_versions") == SOURCES
    )  # static pages: one version each


def test_a_killed_worker_loses_no_source_and_adds_no_duplicate(
    cluster: tuple[Cluster, LocalHTTPServer, str],
) -> None:
    c, srv, db_url = cluster
    w1 = c.start("w1", "worker", "--name", "w1")
    c.start("w2", "worker", "--name", "w2")
    c.start("dispatcher", "run", "--dispatch")
    _wait("the first worker to do some work", lambda: c.log("w1").count("task source=") >= 5, c)
    w1.send_signal(signal.SIGKILL)
    w1.wait(timeout=30)
    done_by_w1 = c.log("w1").count("task source=")
    _wait("every source refreshed", lambda: all(srv.hits(f"/p/{i}") >= 1 for i in range(SOURCES)), c)
    _wait(
        "every source's claim settled",
        lambda: (
            _scalar(db_url, "SELECT count(*) FROM source_schedule WHERE last_polled_at IS NOT NULL")
            == SOURCES
        ),
        c,
    )
    c.stop_all()
    assert done_by_w1 < SOURCES
    assert c.log("w2").count("task source=") >= SOURCES - done_by_w1 - 1
    assert _scalar(db_url, "SELECT count(*) FROM articles") == SOURCES
    assert _scalar(db_url, "SELECT count(*) FROM article_versions") == SOURCES
