"""Service bench: sources refreshed per second, CPU per source, and due-to-fetch latency.

Run by hand (not a test):  python tests/bench/service_bench.py [--sources 400] [--spread 8]

  embedded    one `scraper run` process (SQLite) refreshing every source once
  scale-out   one `scraper run --dispatch` plus two `scraper worker` processes (PostgreSQL + Redis)

Each source is a page of about 6 KB on a local server that runs in its own process. Every source is
made due at a time spread evenly over --spread seconds, so the latency from a source's due time to the
start of its fetch is measured under a steady arrival rate; the rate (sources/s) is measured with all
sources due at once (--spread 0 gives only that). CPU is the user+system time of the scraper
processes (the server's is not counted); both share the machine's 2 cores with the server.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import psutil  # noqa: E402
from sqlalchemy import create_engine, select, text, update  # noqa: E402

from scraper.models import Source  # noqa: E402
from scraper.store import Store  # noqa: E402
from scraper.store.schedule import Schedule, source_schedule  # noqa: E402
from scraper.store.schema import fetches  # noqa: E402

PG_ADMIN = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
WAIT_LIMIT_S = 600.0
POLL_S = 0.2
PARAGRAPHS = 12
WORKER_CONCURRENCY = 1


def page(i: int) -> bytes:
    body = "".join(
        f"<p>Paragraph {p} of report {i}: fabs, wafers, hash rates and the supply chain for mining rigs.</p>"
        for p in range(PARAGRAPHS)
    )
    return (
        f"<html><head><title>Report {i} | Bench</title>"
        f'<meta property="article:published_time" content="2025-07-29T09:54:00-04:00"></head>'
        f"<body><nav><a href='/'>Home</a></nav><article><h1>Report {i}</h1>{body}</article></body></html>"
    ).encode()


def serve(n: int) -> None:
    """Child process: serve n pages until stdin closes."""
    from servers import LocalHTTPServer

    with LocalHTTPServer({f"/p/{i}": (200, {"Content-Type": "text/html"}, page(i)) for i in range(n)}) as srv:
        print(srv.port, flush=True)
        sys.stdin.read()


@dataclass
class Result:
    name: str
    sources: int
    wall_s: float
    cpu_s: float
    latencies_s: list[float]

    def row(self) -> str:
        rate = self.sources / self.wall_s if self.wall_s else 0.0
        lat = sorted(self.latencies_s) or [0.0]
        p95 = lat[min(len(lat) - 1, int(len(lat) * 0.95))]
        return (
            f"{self.name:<34} {self.sources:>6} {rate:>10.1f} {1000 * self.cpu_s / self.sources:>10.1f}"
            f" {1000 * statistics.median(lat):>9.0f} {1000 * p95:>9.0f} {1000 * max(lat):>9.0f}"
        )


def write_config(folder: Path, port: int, n: int) -> Path:
    lines = ['sources_file = "sources.toml"']
    (folder / "settings.toml").write_text("\n".join(lines) + "\n")
    src = []
    for i in range(n):
        src += ["[[sources]]", f'name = "s{i}"', f'url = "http://127.0.0.1:{port}/p/{i}"', 'kind = "page"']
        src += ["interval = 86400", ""]
    (folder / "sources.toml").write_text("\n".join(src))
    return folder / "settings.toml"


def prepare(db_url: str, port: int, n: int, spread_s: float, start_in_s: float) -> datetime:
    """Create the schema and give source i the due time start + i * spread / n; return the start."""
    store = Store.open(db_url)
    sources = [
        Source(f"s{i}", f"http://127.0.0.1:{port}/p/{i}", kind="page", interval_s=86400) for i in range(n)
    ]
    store.sync_sources(sources)
    Schedule(store).sync(sources, spread_s=0)
    start = datetime.now(UTC) + timedelta(seconds=start_in_s)
    with store.engine.begin() as conn:
        for i in range(n):
            due = start + timedelta(seconds=spread_s * i / n)
            conn.execute(
                update(source_schedule).where(source_schedule.c.source == f"s{i}").values(next_poll_at=due)
            )
    store.close()
    return start


def tree_cpu_s(handle: psutil.Process) -> float:
    """User+system CPU of a process and its live children (prefork workers keep theirs alive)."""
    total = 0.0
    for proc in [handle, *handle.children(recursive=True)]:
        try:
            t = proc.cpu_times()
        except psutil.NoSuchProcess:
            continue
        total += t.user + t.system
    return total


def first_fetches(db_url: str) -> dict[str, datetime]:
    engine = create_engine(db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(fetches.c.source, fetches.c.started_at).order_by(fetches.c.started_at)
        ).all()
    engine.dispose()
    out: dict[str, datetime] = {}
    for source, started in rows:
        out.setdefault(source, started)
    return out


def run_case(
    name: str, db_url: str, port: int, n: int, spread_s: float, folder: Path, scale_out: bool, prefix: str
) -> Result:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env.update(
        SCRAPER_CONFIG=str(write_config(folder, port, n)),
        SCRAPER_DB_URL=db_url,
        SCRAPER_ALLOW_PRIVATE_HOSTS=f"127.0.0.1:{port}",
        SCRAPER_HOST_DELAY_S="0",
        SCRAPER_HOST_CONCURRENCY="16",
        SCRAPER_SERVICE_CONCURRENCY="16",
        SCRAPER_OBEY_ROBOTS="false",
        SCRAPER_SCHEDULER_TICK_S="0.05",
        SCRAPER_BROKER_KEY_PREFIX=prefix,
        SCRAPER_LOG_FORMAT="json",
        PYTHONPATH=str(ROOT),
    )
    start = prepare(db_url, port, n, spread_s, start_in_s=4.0 if scale_out else 2.0)
    due = {f"s{i}": start + timedelta(seconds=spread_s * i / n) for i in range(n)}
    conc = f"--concurrency={WORKER_CONCURRENCY}"
    cmds = [["run", "--dispatch"], ["worker", "--name", "b1", conc], ["worker", "--name", "b2", conc]]
    if not scale_out:
        cmds = [["run"]]
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "scraper", *c],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for c in cmds
    ]
    handles = [psutil.Process(p.pid) for p in procs]
    cpu0: dict[int, float] = {}
    try:
        while datetime.now(UTC) < start:
            for h in handles:
                cpu0[h.pid] = tree_cpu_s(h)
            time.sleep(0.02)
        t0 = time.perf_counter()
        deadline = t0 + WAIT_LIMIT_S
        cpu_last = dict(cpu0)
        while True:
            for h in handles:
                cpu_last[h.pid] = tree_cpu_s(h)
            done = first_fetches(db_url)
            if len(done) >= n:
                break
            if time.perf_counter() > deadline:
                raise SystemExit(f"{name}: only {len(done)}/{n} sources refreshed in time")
            time.sleep(POLL_S)
        wall = time.perf_counter() - t0
    finally:
        for p in procs:
            p.terminate()
        for p in procs:
            p.wait(timeout=60)
    latencies = [(done[k] - due[k]).total_seconds() for k in due]
    cpu = sum(cpu_last[h.pid] - cpu0.get(h.pid, 0.0) for h in handles)
    return Result(name, n, wall, cpu, latencies)


def fresh_pg() -> tuple[str, str]:
    name = f"scraper_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return name, PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"


def drop_pg(name: str) -> None:
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sources", type=int, default=400)
    ap.add_argument("--spread", type=float, default=8.0, help="seconds over which due times are spread")
    ap.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--only", choices=["embedded", "scale-out"])
    ap.add_argument(
        "--worker-concurrency", type=int, default=1, help="children per worker (prefork when > 1)"
    )
    args = ap.parse_args()
    global WORKER_CONCURRENCY
    WORKER_CONCURRENCY = args.worker_concurrency
    if args.serve:
        serve(args.serve)
        return 0
    server = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.sources)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert server.stdout is not None
    port = int(server.stdout.readline())
    results: list[Result] = []
    import tempfile

    try:
        for spread in [0.0, args.spread] if args.spread else [0.0]:
            label = "all due at once" if spread == 0 else f"due over {spread:g} s"
            if args.only in (None, "embedded"):
                with tempfile.TemporaryDirectory() as tmp:
                    db = f"sqlite:///{tmp}/bench.db"
                    results.append(
                        run_case(f"embedded, {label}", db, port, args.sources, spread, Path(tmp), False, "")
                    )
            if args.only in (None, "scale-out"):
                name, db = fresh_pg()
                prefix = f"scraper-bench-{uuid.uuid4().hex[:8]}:"
                try:
                    with tempfile.TemporaryDirectory() as tmp:
                        results.append(
                            run_case(
                                f"dispatcher+2 workers, {label}",
                                db,
                                port,
                                args.sources,
                                spread,
                                Path(tmp),
                                True,
                                prefix,
                            )
                        )
                finally:
                    drop_pg(name)
                    import redis

                    client = redis.Redis()
                    keys = list(client.scan_iter(match=f"{prefix}*"))
                    if keys:
                        client.delete(*keys)
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=30)
    print(
        f"{'case':<34} {'sources':>6} {'sources/s':>10} {'CPU ms/src':>10}"
        f" {'lat p50ms':>9} {'p95 ms':>9} {'max ms':>9}"
    )
    for r in results:
        print(r.row())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
