"""Throughput bench: 20 local sites x 100 article pages, fetched by our Fetcher, lean httpx and Scrapy.

Run by hand (not a test):  python tests/bench/pipeline_bench.py [--mode fetch|conditional|pipeline|all]

  fetch        (a) fetch only: every page once, politeness delay 0, default per-host concurrency (2);
               reports pages/s and CPU ms per page for our Fetcher, for a lean httpx client and
               for a minimal Scrapy 2.x spider (the anchor; `pip install scrapy` in the venv).
  conditional  a second run with the ETags of the first: every page answers 304.
  pipeline     (b) the whole pipeline: each site serves an RSS feed of its pages; 20 feed Sources are
               refreshed at once through `scraper.service.run_once` (Pipeline.refresh_source: feed,
               fetch, extract, store versions) into a fresh SQLite store; then a second run over the
               unchanged site (the feed answers 304), and one that re-reads the feed (every page 304).
               Anchor: Scrapy reads the same feeds, trafilatura extracts with metadata, SQLite rows.
  all          every mode, then one table of the median rounds with the targets (pass/fail).

The server runs in a separate process (asyncio, HTTP/1.1 keep-alive, prebuilt responses) so its CPU is
not counted in the client's (which does include the pipeline's extraction processes); on a 2-core
machine both still share the cores, so wall-clock rates are lower than on an idle box (the CPU
ms/page figure is the fairer one).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
import resource
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

SITES = 20
PAGES_PER_SITE = 100
PAGE_MIN_BYTES = 20 * 1024
PAGE_MAX_BYTES = 60 * 1024
WORDS = " ".join(
    [
        "the chipmaker said wafer capacity foundry node yield quarter revenue analysts expect demand for",
        "advanced packaging rose sharply while memory prices fell in the third quarter according to filings",
        "lithography tools shipments customers data center accelerators supply chain export controls",
        "investment plant construction began last year and will produce chips from next spring",
    ]
).split(" ")


# ---- the server (child process) -------------------------------------------------------------------


def make_page(site: int, n: int) -> bytes:
    """Build one realistic article page of 20-60 KB (head, nav, JSON-LD, paragraphs, footer, scripts)."""
    rng = random.Random(site * 1000 + n)
    target = rng.randint(PAGE_MIN_BYTES, PAGE_MAX_BYTES)
    title = " ".join(rng.choice(WORDS) for _ in range(9)).capitalize()
    head = (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">\n'
        f"<title>{title} | Site {site}</title>\n"
        f'<meta name="description" content="{title}.">\n<meta property="og:title" content="{title}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f'<link rel="canonical" href="https://site{site}.example/news/{n}">\n'
        '<script type="application/ld+json">{"@context":"https://schema.org","@type":"NewsArticle",'
        f'"headline":"{title}","datePublished":"2025-07-29T09:54:00-04:00","author":{{"@type":"Person",'
        '"name":"A. Writer"}}</script>\n<link rel="stylesheet" href="/static/site.css"></head>\n<body>\n'
        "<header><nav><ul>"
        + "".join(f'<li><a href="/section/{i}">Section {i}</a></li>' for i in range(12))
        + f"</ul></nav></header>\n<main><article><h1>{title}</h1>\n"
        '<p class="byline">By A. Writer &middot; '
        '<time datetime="2025-07-29T09:54:00-04:00">Jul 29, 2025</time></p>\n'
    )
    parts = [head]
    size = len(head)
    tail = (
        "</article><aside><h2>Related</h2><ul>"
        + "".join(f'<li><a href="/news/{rng.randint(1, 9999)}">Related story {i}</a></li>' for i in range(8))
        + "</ul></aside></main>\n<footer><p>&copy; 2025 Site</p></footer>\n"
        '<script src="/static/app.js"></script>\n</body></html>\n'
    )
    while size + len(tail) < target:
        para = (
            "<p>" + " ".join(rng.choice(WORDS) for _ in range(rng.randint(40, 90))).capitalize() + ".</p>\n"
        )
        parts.append(para)
        size += len(para)
    parts.append(tail)
    return "".join(parts).encode()


LAST_MODIFIED = "Tue, 29 Jul 2025 13:54:00 GMT"  # every page and feed of the bench site


def make_feed(port: int, pages: int) -> bytes:
    """Build the RSS 2.0 feed of one site, listing its `pages` article pages."""
    items = "".join(
        f"<item><title>Article {n}</title><link>http://127.0.0.1:{port}/news/{n}</link>"
        f"<guid isPermaLink='false'>site-{port}-{n}</guid><pubDate>{LAST_MODIFIED}</pubDate>"
        f"<description>Teaser of article {n}.</description></item>\n"
        for n in range(pages)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?>\n<rss version='2.0'><channel><title>Bench site</title>"
        f"<link>http://127.0.0.1:{port}/</link><description>bench</description>\n{items}</channel></rss>\n"
    ).encode()


def _responses(body: bytes, ctype: bytes, etag: bytes) -> tuple[bytes, bytes]:
    """The prebuilt 200 (with ETag and Last-Modified) and 304 responses of one resource."""
    validators = b"ETag: " + etag + b"\r\nLast-Modified: " + LAST_MODIFIED.encode() + b"\r\n"
    ok = (
        b"HTTP/1.1 200 OK\r\nContent-Type: " + ctype + b"\r\nContent-Length: " + str(len(body)).encode()
        + b"\r\n" + validators + b"\r\n" + body
    )  # fmt: skip
    return ok, b"HTTP/1.1 304 Not Modified\r\n" + validators + b"\r\n"


def _header(head: bytes, lower: bytes, name: bytes) -> bytes | None:
    """The value of one request header (name given lower-case with its colon), or None."""
    at = lower.find(b"\r\n" + name)
    if at < 0:
        return None
    end = lower.find(b"\r\n", at + 2)
    return head[at + 2 + len(name) : end if end >= 0 else len(head)].strip()


def serve(sites: int, pages: int) -> None:
    """Serve `sites` ports of `pages` pages and a feed each until stdin closes; print the ports first."""
    robots = b"User-agent: *\nDisallow: /private/\n"
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    def site_table(site: int, port: int) -> dict[bytes, tuple[bytes, bytes, bytes]]:
        """Path -> (200 response, 304 response, ETag) for one site."""
        table: dict[bytes, tuple[bytes, bytes, bytes]] = {}
        # every site has its own articles: shared bodies would be stored once, as reprints (seen_at)
        for n in range(pages):
            body = make_page(site, n)
            etag = f'"s{site}p{n}"'.encode()
            table[f"/news/{n}".encode()] = (*_responses(body, b"text/html; charset=utf-8", etag), etag)
        etag = f'"s{site}feed"'.encode()
        feed = make_feed(port, pages)
        table[b"/feed.xml"] = (*_responses(feed, b"application/rss+xml; charset=utf-8", etag), etag)
        table[b"/robots.txt"] = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: "
            + str(len(robots)).encode() + b"\r\n\r\n" + robots,
            b"",
            b"",
        )  # fmt: skip
        return table

    class Http(asyncio.Protocol):
        def __init__(self, table: dict[bytes, tuple[bytes, bytes, bytes]]) -> None:
            self.table = table

        def connection_made(self, transport: Any) -> None:
            self.transport = transport
            self.buf = b""

        def data_received(self, data: bytes) -> None:
            self.buf += data
            while True:
                end = self.buf.find(b"\r\n\r\n")
                if end < 0:
                    return
                head, self.buf = self.buf[:end], self.buf[end + 4 :]
                path = head.split(b" ", 2)[1].split(b"?", 1)[0]  # a query names the same resource
                found = self.table.get(path)
                if found is None:
                    self.transport.write(missing)
                    continue
                ok, not_modified, etag = found
                lower = head.lower()
                tag = _header(head, lower, b"if-none-match:")
                since = _header(head, lower, b"if-modified-since:") if tag is None else None
                fresh = tag == etag if tag is not None else since == LAST_MODIFIED.encode()
                self.transport.write(not_modified if fresh and not_modified else ok)

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers, ports = [], []
        for site in range(sites):
            # bind first: the feed names the port, so the table is built before the server starts
            sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            sock.bind(("127.0.0.1", 0))
            port = sock.getsockname()[1]
            table = site_table(site, port)
            servers.append(await loop.create_server(lambda t=table: Http(t), sock=sock))  # type: ignore[misc]
            ports.append(port)
        print(json.dumps(ports), flush=True)
        await loop.run_in_executor(None, sys.stdin.read)  # until the parent closes our stdin

    asyncio.run(main())


class BenchServer:
    """The bench server child process: start, read its ports, stop."""

    def __init__(self, sites: int = SITES, pages: int = PAGES_PER_SITE) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, __file__, "--serve", "--sites", str(sites), "--pages", str(pages)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        )  # fmt: skip
        assert self.proc.stdout is not None
        self.ports: list[int] = json.loads(self.proc.stdout.readline())
        self.pages = pages

    def urls(self) -> list[str]:
        """Every page URL, interleaved across sites (as a scheduler would spread them)."""
        return [f"http://127.0.0.1:{port}/news/{n}" for n in range(self.pages) for port in self.ports]

    def feed_urls(self) -> list[str]:
        """Each site's RSS feed (it lists that site's pages)."""
        return [f"http://127.0.0.1:{port}/feed.xml" for port in self.ports]

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far."""
        import psutil  # type: ignore[import-untyped]  # no stubs in the venv; bench only

        t = psutil.Process(self.proc.pid).cpu_times()
        return float(t.user + t.system)

    def stop(self) -> None:
        """Close the child's stdin (it exits) and wait for it."""
        assert self.proc.stdin is not None
        self.proc.stdin.close()
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()


# ---- the clients ----------------------------------------------------------------------------------


@dataclasses.dataclass
class Figures:
    """What one client run measured."""

    name: str
    pages: int
    ok: int
    wall_s: float
    cpu_s: float
    server_cpu_s: float = 0.0
    outcomes: dict[str, int] = dataclasses.field(default_factory=dict)
    unit: str = "pages"
    main_cpu_s: float | None = None  # of the client's CPU, what its main process used (the rest: workers)

    @property
    def rate(self) -> float:
        """Items per wall-clock second."""
        return self.pages / self.wall_s if self.wall_s else 0.0

    def line(self) -> str:
        """One report line."""
        return (
            f"{self.name:<32} {self.pages:5d} {self.unit:<8} {self.wall_s:7.2f} s {self.rate:8.0f} /s  "
            f"{1000 * self.cpu_s / self.pages:6.3f} CPU ms (client)  "
            f"{1000 * self.server_cpu_s / self.pages:6.3f} CPU ms (server)  "
            + (
                f"[main {1000 * self.main_cpu_s / self.pages:.3f} + workers "
                f"{1000 * (self.cpu_s - self.main_cpu_s) / self.pages:.3f} ms]  "
                if self.main_cpu_s is not None
                else ""
            )
            + f"outcomes {self.outcomes}"
        )


def bench_settings(ports: Sequence[int]) -> Any:
    """Settings for the bench: politeness delay 0, default concurrency, our sites allow-listed."""
    from scraper.config import Settings

    # every site refreshed at once, as the brief of (b) asks (run_once caps it at service_concurrency)
    return dataclasses.replace(
        Settings(),
        host_delay_s=0.0,
        allow_private_hosts=("127.0.0.0/8",),
        service_concurrency=max(SITES, len(ports)),
    )


async def run_fetcher(
    urls: list[str], settings: Any, etags: dict[str, str] | None = None
) -> tuple[Figures, dict[str, str]]:
    """Fetch every URL with one shared Fetcher (as the pipeline does); return figures and ETags."""
    from scraper.errors import FetchError
    from scraper.fetch import Fetcher

    found: dict[str, str] = {}
    counts: dict[str, int] = {}
    async with Fetcher(settings) as fetcher:

        async def one(url: str) -> None:
            try:
                result = await fetcher.fetch(url, etag=(etags or {}).get(url))
            except FetchError as exc:
                counts[exc.outcome] = counts.get(exc.outcome, 0) + 1
                return
            counts[result.outcome] = counts.get(result.outcome, 0) + 1
            if result.etag:
                found[url] = result.etag

        cpu0, t0 = time.process_time(), time.perf_counter()
        await asyncio.gather(*(one(u) for u in urls))
        wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    ok = counts.get("ok", 0) + counts.get("not-modified", 0)
    name = "our Fetcher" + (" (conditional)" if etags else "")
    return Figures(name, len(urls), ok, wall, cpu, outcomes=counts), found


async def run_lean_httpx(urls: list[str], per_host: int = 2) -> Figures:
    """The floor: one httpx.AsyncClient per host:port, no checks at all."""
    import httpx

    clients: dict[str, httpx.AsyncClient] = {}
    sems: dict[str, asyncio.Semaphore] = {}
    counts: dict[str, int] = {}

    async def one(url: str) -> None:
        key = url.split("/")[2]
        if key not in clients:
            limits = httpx.Limits(max_connections=per_host, max_keepalive_connections=per_host)
            clients[key] = httpx.AsyncClient(limits=limits)
            sems[key] = asyncio.Semaphore(per_host)
        async with sems[key]:
            r = await clients[key].get(url)
            _ = r.text
        counts[str(r.status_code)] = counts.get(str(r.status_code), 0) + 1

    cpu0, t0 = time.process_time(), time.perf_counter()
    await asyncio.gather(*(one(u) for u in urls))
    wall, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    for c in clients.values():
        await c.aclose()
    return Figures("lean httpx (no checks)", len(urls), counts.get("200", 0), wall, cpu, outcomes=counts)


SCRAPY_SPIDER = r"""
import json, sys, time, resource
import scrapy
from scrapy.crawler import CrawlerProcess

urls = json.loads(sys.stdin.read())
seen = {"n": 0}

class Bench(scrapy.Spider):
    name = "bench"
    async def start(self):  # Scrapy 2.13+ (start_requests is gone in 2.19)
        for u in urls:
            yield scrapy.Request(u, dont_filter=True)
    def parse(self, response):
        _ = response.text
        seen["n"] += 1

proc = CrawlerProcess(settings={
    "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": False,
    # Scrapy keys its per-domain slot on the host name, so 20 ports of 127.0.0.1 share one slot:
    # 40 in flight overall matches our 2 per host:port x 20 sites
    "CONCURRENT_REQUESTS": 40, "CONCURRENT_REQUESTS_PER_DOMAIN": 40, "COOKIES_ENABLED": False,
    "USER_AGENT": "industry-news-scraper-bench",
})
proc.crawl(Bench)
t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
proc.start()
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": cpu, "pages": seen["n"]}))
"""


def run_scrapy(urls: list[str]) -> Figures | None:
    """Run the minimal Scrapy spider in its own process; None if Scrapy is not installed."""
    try:
        import scrapy  # noqa: F401
    except ImportError:
        return None
    out = subprocess.run(
        [sys.executable, "-c", SCRAPY_SPIDER],
        input=json.dumps(urls),
        capture_output=True,
        text=True,
        check=True,
    )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    return Figures(
        "Scrapy (anchor)",
        len(urls),
        data["pages"],
        data["wall"],
        data["cpu"],
        outcomes={"200": data["pages"]},
    )


# ---- (b) whole pipeline ----------------------------------------------------------------------------


def bench_sources(feeds: list[str], query: str = "") -> list[Any]:
    """One feed Source per site; a query string gives the same feed under a URL with no stored validators."""
    from scraper.models import Source

    return [Source(name=f"site-{i:02d}", url=url + query, kind="feed") for i, url in enumerate(feeds)]


def client_cpu_s(server_pid: int) -> float:
    """CPU seconds of this process and of its children (extraction workers), the bench server excepted."""
    import psutil

    own = resource.getrusage(resource.RUSAGE_SELF)
    reaped = resource.getrusage(resource.RUSAGE_CHILDREN)  # workers that have exited (the server has not)
    live = 0.0
    for child in psutil.Process().children(recursive=True):
        if child.pid != server_pid:
            try:
                t = child.cpu_times()
            except psutil.NoSuchProcess:  # exited (and counted in `reaped`) since the listing
                continue
            live += t.user + t.system
    return own.ru_utime + own.ru_stime + reaped.ru_utime + reaped.ru_stime + live


async def run_pipeline(
    name: str, store: Any, sources: list[Any], settings: Any, pages: int, server_pid: int = -1
) -> Figures:
    """Refresh every source at once through `run_once` (the service's path) into `store`; `pages` per site."""
    from scraper.service import run_once

    store.sync_sources(sources)
    # the client's CPU includes its extraction processes: work moved to another process is still work
    cpu0, t0, main0 = client_cpu_s(server_pid), time.perf_counter(), time.process_time()
    reports = await run_once(settings, store, sources)
    wall, cpu = time.perf_counter() - t0, client_cpu_s(server_pid) - cpu0
    main = time.process_time() - main0
    counts = {
        "new_versions": sum(r.new_versions for r in reports),
        "unchanged": sum(r.articles - r.new_versions for r in reports),
        "not_modified": sum(r.not_modified for r in reports),
        "failed": sum(r.failed for r in reports),
        "sources_ok": sum(r.ok for r in reports),
    }
    covered = len(sources) * pages  # articles whose state the run established (stored, or known unchanged)
    ok = counts["new_versions"] + counts["unchanged"] + counts["not_modified"]
    return Figures(name, covered, ok, wall, cpu, outcomes=counts, unit="articles", main_cpu_s=main)


def pipeline_rounds(server: BenchServer, settings: Any, pages: int) -> list[Figures]:
    """One round of (b): first run into a fresh SQLite store, then the unchanged site twice more."""
    import tempfile

    from scraper.store import Store

    feeds = server.feed_urls()
    out: list[Figures] = []
    with tempfile.TemporaryDirectory(prefix="pipeline-bench-") as tmp:
        store = Store.open(f"sqlite:///{tmp}/bench.db")
        try:
            runs = [
                ("(b) our pipeline: first run", bench_sources(feeds)),
                ("(b) second run (feed 304)", bench_sources(feeds)),
                # the feed under a new URL has no validators: it is read again and every page answers 304
                ("(b) feed re-read, pages 304", bench_sources(feeds, "?again")),
            ]
            for name, sources in runs:
                s0 = server.cpu_s()
                fig = asyncio.run(run_pipeline(name, store, sources, settings, pages, server.proc.pid))
                fig.server_cpu_s = server.cpu_s() - s0
                out.append(fig)
        finally:
            store.close()
    return out


SCRAPY_PIPELINE_SPIDER = r"""
import json, sqlite3, sys, time, resource
import scrapy, trafilatura
from scrapy.crawler import CrawlerProcess

args = json.loads(sys.stdin.read())
db = sqlite3.connect(args["db"])
db.execute("PRAGMA journal_mode = WAL")
db.execute("PRAGMA synchronous = NORMAL")  # as our store: WAL, no fsync per commit
db.execute("CREATE TABLE articles (url TEXT PRIMARY KEY, title TEXT, author TEXT, date TEXT, "
           "description TEXT, sitename TEXT, text TEXT, html BLOB, fetched_at REAL)")
seen = {"n": 0}

class Bench(scrapy.Spider):
    name = "bench"
    async def start(self):
        for u in args["feeds"]:
            yield scrapy.Request(u, callback=self.parse_feed, dont_filter=True)
    def parse_feed(self, response):
        for link in response.xpath("//item/link/text()").getall():
            yield scrapy.Request(link.strip(), dont_filter=True)
    def parse(self, response):
        doc = trafilatura.bare_extraction(response.text, url=response.url, with_metadata=True)
        if doc is None:
            return
        db.execute("INSERT OR REPLACE INTO articles VALUES (?,?,?,?,?,?,?,?,?)", (
            response.url, doc.title, doc.author, doc.date, doc.description, doc.sitename, doc.text,
            response.body, time.time()))
        db.commit()  # one transaction per article, as ours
        seen["n"] += 1

proc = CrawlerProcess(settings={
    "LOG_LEVEL": "ERROR", "ROBOTSTXT_OBEY": True, "DOWNLOAD_DELAY": 0, "TELNETCONSOLE_ENABLED": False,
    "CONCURRENT_REQUESTS": 40, "CONCURRENT_REQUESTS_PER_DOMAIN": 40, "COOKIES_ENABLED": False,
    "USER_AGENT": "industry-news-scraper-bench",
})
proc.crawl(Bench)
t0, r0 = time.perf_counter(), resource.getrusage(resource.RUSAGE_SELF)
proc.start()
r1 = resource.getrusage(resource.RUSAGE_SELF)
cpu = (r1.ru_utime + r1.ru_stime) - (r0.ru_utime + r0.ru_stime)
rows = db.execute("SELECT count(*) FROM articles").fetchone()[0]
print(json.dumps({"wall": time.perf_counter() - t0, "cpu": cpu, "pages": seen["n"], "rows": rows}))
"""


def run_scrapy_pipeline(feeds: list[str], pages: int) -> Figures | None:
    """The anchor of (b): Scrapy reads the feeds, trafilatura extracts with metadata, SQLite stores rows."""
    try:
        import scrapy  # noqa: F401
        import trafilatura  # noqa: F401
    except ImportError:
        return None
    import tempfile

    with tempfile.TemporaryDirectory(prefix="scrapy-bench-") as tmp:
        # a file, not `-c`: Scrapy reads a generator callback's source to check it for return values
        spider = Path(tmp) / "anchor_spider.py"
        spider.write_text(SCRAPY_PIPELINE_SPIDER)
        out = subprocess.run(
            [sys.executable, str(spider)],
            input=json.dumps({"feeds": feeds, "db": f"{tmp}/anchor.db"}),
            capture_output=True,
            text=True,
            check=True,
        )
    data = json.loads(out.stdout.strip().splitlines()[-1])
    if data["rows"] < len(feeds) * pages:
        print(f"anchor stored {data['rows']} rows; its log ends:\n{out.stderr[-2000:]}", file=sys.stderr)
    return Figures(
        "(b) Scrapy+trafilatura+SQLite",
        len(feeds) * pages,
        data["rows"],
        data["wall"],
        data["cpu"],
        outcomes={"rows": data["rows"]},
        unit="articles",
    )


# ---- main ---------------------------------------------------------------------------------------------


FETCH_TARGET_PAGES_S = 1000.0  # (a): our Fetcher, pages per second
PIPELINE_TARGET_X = 5.0  # (b): our pipeline's articles/s over the Scrapy+trafilatura+SQLite anchor's
SECOND_RUN_TARGET_X = 3.0  # (b): the second run over the unchanged site, times faster than the first


def _median(figs: list[Figures]) -> Figures:
    """The round with the median wall time (its own figures, not a blend of rounds)."""
    return sorted(figs, key=lambda f: f.wall_s)[len(figs) // 2]


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def summary(runs: dict[str, list[Figures]]) -> list[str]:
    """The table of median rounds, then each target with its figures and pass/fail."""
    lines = ["", f"Median of {max(len(v) for v in runs.values())} round(s) per row:"]
    medians = {name: _median(figs) for name, figs in runs.items()}
    lines += [f.line() for f in medians.values()]
    lines.append("Targets:")
    ours = medians.get("our Fetcher")
    if ours is not None:
        lines.append(
            f"  (a) fetch only >= {FETCH_TARGET_PAGES_S:.0f} pages/s: {ours.rate:.0f} pages/s"
            f"  {_verdict(ours.rate >= FETCH_TARGET_PAGES_S)}"
        )
    first = medians.get("(b) our pipeline: first run")
    ours_b, anchors_b = (
        runs.get("(b) our pipeline: first run", []),
        runs.get("(b) Scrapy+trafilatura+SQLite", []),
    )
    if first is not None and ours_b and anchors_b:
        # each round's anchor ran right after our pipeline (same machine load): compare within rounds
        pairs = list(zip(ours_b, anchors_b, strict=False))
        rate_x = sorted(o.rate / a.rate for o, a in pairs)
        cpu_x = sorted((a.cpu_s / a.pages) / (o.cpu_s / o.pages) for o, a in pairs)
        x, cx = rate_x[len(rate_x) // 2], cpu_x[len(cpu_x) // 2]
        lines.append(
            f"  (b) pipeline >= {PIPELINE_TARGET_X:g}x the anchor's articles/s: median of rounds {x:.2f}x "
            f"(rounds {', '.join(f'{r:.2f}' for r in rate_x)}); by CPU ms per article {cx:.2f}x  "
            f"{_verdict(x >= PIPELINE_TARGET_X)}"
        )
    for name in ("(b) second run (feed 304)", "(b) feed re-read, pages 304"):
        again = medians.get(name)
        if first is not None and again is not None:
            x = first.wall_s / again.wall_s
            lines.append(
                f"  {name} >= {SECOND_RUN_TARGET_X:g}x faster than the first: {first.wall_s:.2f} s / "
                f"{again.wall_s:.3f} s = {x:.1f}x  {_verdict(x >= SECOND_RUN_TARGET_X)}"
            )
    return lines


def extraction_alone(pages: int) -> list[str]:
    """CPU ms per page of our extract_article and of trafilatura alone, on the bench's own pages."""
    from scraper.extract import extract_article

    html = [make_page(0, n).decode() for n in range(pages)]
    lines = ["Extraction alone, in this process, on the same pages:"]
    cpu0 = time.process_time()
    for n, page in enumerate(html):
        extract_article(page, f"http://127.0.0.1/news/{n}")
    lines.append(
        f"  our extract_article          {1000 * (time.process_time() - cpu0) / pages:6.2f} CPU ms/page"
    )
    try:
        import trafilatura
    except ImportError:
        return lines
    cpu0 = time.process_time()
    for n, page in enumerate(html):
        trafilatura.bare_extraction(page, url=f"http://127.0.0.1/news/{n}", with_metadata=True)
    lines.append(
        f"  trafilatura bare_extraction  {1000 * (time.process_time() - cpu0) / pages:6.2f} CPU ms/page"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, start the server process, run the chosen modes, print each round and the table."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--mode", choices=["fetch", "conditional", "pipeline", "all"], default="all")
    parser.add_argument("--sites", type=int, default=SITES)
    parser.add_argument("--pages", type=int, default=PAGES_PER_SITE)
    parser.add_argument("--rounds", type=int, default=3, help="repeat each client, report every round")
    parser.add_argument("--no-scrapy", action="store_true")
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.serve:
        serve(args.sites, args.pages)
        return 0
    runs: dict[str, list[Figures]] = {}

    def keep(fig: Figures) -> None:
        runs.setdefault(fig.name, []).append(fig)
        print(fig.line(), flush=True)

    server = BenchServer(args.sites, args.pages)
    try:
        urls = server.urls()
        settings = bench_settings(server.ports)
        print(f"{len(server.ports)} sites x {args.pages} pages on 127.0.0.1, {os.cpu_count()} cores shared "
              f"with the server process; page sizes 20-60 KB")  # fmt: skip
        etags: dict[str, str] = {}

        def anchor(run: Any) -> None:
            """Run one Scrapy anchor right after our client, so both see the same machine load."""
            if args.no_scrapy:
                return
            s0 = server.cpu_s()
            fig_s = run()
            if fig_s is None:
                print("Scrapy or trafilatura not installed: pip install scrapy trafilatura (anchors)")
                return
            fig_s.server_cpu_s = server.cpu_s() - s0
            keep(fig_s)

        for _ in range(args.rounds):
            if args.mode in ("fetch", "all"):
                s0 = server.cpu_s()
                fig, etags = asyncio.run(run_fetcher(urls, settings))
                fig.server_cpu_s = server.cpu_s() - s0
                keep(fig)
                s0 = server.cpu_s()
                fig = asyncio.run(run_lean_httpx(urls))
                fig.server_cpu_s = server.cpu_s() - s0
                keep(fig)
                anchor(lambda: run_scrapy(urls))
            if args.mode in ("conditional", "all"):
                if not etags:
                    _, etags = asyncio.run(run_fetcher(urls, settings))
                s0 = server.cpu_s()
                fig, _ = asyncio.run(run_fetcher(urls, settings, etags))
                fig.server_cpu_s = server.cpu_s() - s0
                keep(fig)
            if args.mode in ("pipeline", "all"):
                for fig in pipeline_rounds(server, settings, args.pages):
                    keep(fig)
                anchor(lambda: run_scrapy_pipeline(server.feed_urls(), args.pages))
    finally:
        server.stop()
    if runs:
        print("\n".join(summary(runs)), flush=True)
    if args.mode in ("pipeline", "all"):
        print("\n".join(extraction_alone(args.pages)), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
