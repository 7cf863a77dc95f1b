"""Throughput bench: 20 local sites x 100 article pages, fetched by our Fetcher, lean httpx and Scrapy.

Run by hand (not a test):  python tests/bench/pipeline_bench.py [--mode fetch|conditional|pipeline|all]

  fetch        (a) fetch only: every page once, politeness delay 0, default per-host concurrency (2);
               reports pages/s and CPU ms per page for our Fetcher, for a lean httpx client and
               for a minimal Scrapy 2.x spider (the anchor; `pip install scrapy` in the venv).
  conditional  a second run with the ETags of the first: every page answers 304.
  pipeline     (b) the whole pipeline (fetch -> extract -> store): `run_pipeline()` below is the hook.

The server runs in a separate process (asyncio, HTTP/1.1 keep-alive, prebuilt responses) so its CPU is
not counted in the client's; on a 2-core machine both still share the cores, so wall-clock rates are
lower than on an idle box (the CPU ms/page figure is the fairer one).
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import random
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


def serve(sites: int, pages: int) -> None:
    """Serve `sites` ports of `pages` pages each until stdin closes; print the ports as JSON first."""
    bodies = [make_page(0, n) for n in range(pages)]  # the same pages on every site: memory stays small
    robots = b"User-agent: *\nDisallow: /private/\n"
    ok: dict[bytes, bytes] = {}
    not_modified: dict[bytes, bytes] = {}
    for n, body in enumerate(bodies):
        path = f"/news/{n}".encode()
        etag = f'"p{n}"'.encode()
        ok[path] = (
            b"HTTP/1.1 200 OK\r\nContent-Type: text/html; charset=utf-8\r\nContent-Length: "
            + str(len(body)).encode() + b"\r\nETag: " + etag
            + b"\r\nLast-Modified: Tue, 29 Jul 2025 13:54:00 GMT\r\n\r\n" + body
        )  # fmt: skip
        not_modified[path] = b"HTTP/1.1 304 Not Modified\r\nETag: " + etag + b"\r\n\r\n"
    ok[b"/robots.txt"] = (
        b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " + str(len(robots)).encode()
        + b"\r\n\r\n" + robots
    )  # fmt: skip
    missing = b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\n\r\n"

    class Http(asyncio.Protocol):
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
                path = head.split(b" ", 2)[1]
                lower = head.lower()
                cond = lower.find(b"\r\nif-none-match:")
                if cond >= 0 and path in not_modified:
                    line_end = lower.find(b"\r\n", cond + 2)
                    value = head[cond + 16 : line_end if line_end >= 0 else len(head)].strip()
                    if value == not_modified[path].split(b"ETag: ")[1].split(b"\r\n")[0]:
                        self.transport.write(not_modified[path])
                        continue
                self.transport.write(ok.get(path, missing))

    async def main() -> None:
        loop = asyncio.get_running_loop()
        servers = [await loop.create_server(Http, "127.0.0.1", 0) for _ in range(sites)]
        ports = [s.sockets[0].getsockname()[1] for s in servers]
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

    def cpu_s(self) -> float:
        """CPU seconds the server process has used so far."""
        import psutil

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

    def line(self) -> str:
        """One report line."""
        rate = self.pages / self.wall_s if self.wall_s else 0.0
        return (
            f"{self.name:<28} {self.pages:5d} pages  {rate:8.0f} pages/s  "
            f"{1000 * self.cpu_s / self.pages:6.3f} CPU ms/page (client)  "
            f"{1000 * self.server_cpu_s / self.pages:6.3f} CPU ms/page (server)  "
            f"outcomes {self.outcomes}"
        )


def bench_settings(ports: Sequence[int]) -> Any:
    """Settings for the bench: politeness delay 0, default concurrency, our sites allow-listed."""
    from scraper.config import Settings

    return dataclasses.replace(Settings(), host_delay_s=0.0, allow_private_hosts=("127.0.0.0/8",))


async def run_fetcher(
    urls: list[str], settings: Any, etags: dict[str, str] | None = None
) -> tuple[Figures, dict]:
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


# ---- (b) whole pipeline hook ------------------------------------------------------------------------


async def run_pipeline(urls: list[str], settings: Any) -> Figures:
    """(b) Whole pipeline (fetch -> extract -> store) over the same sites: wire scraper.pipeline here."""
    raise NotImplementedError("mode (b): wire scraper.pipeline here (fetch -> extract -> store per URL)")


# ---- main ---------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    """Parse the arguments, start the server process, run the chosen modes, print one line per client."""
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
    server = BenchServer(args.sites, args.pages)
    try:
        urls = server.urls()
        settings = bench_settings(server.ports)
        print(f"{len(server.ports)} sites x {args.pages} pages on 127.0.0.1, {os.cpu_count()} cores shared "
              f"with the server process; page sizes 20-60 KB")  # fmt: skip
        etags: dict[str, str] = {}
        for _ in range(args.rounds):
            if args.mode in ("fetch", "all"):
                s0 = server.cpu_s()
                fig, etags = asyncio.run(run_fetcher(urls, settings))
                fig.server_cpu_s = server.cpu_s() - s0
                print(fig.line(), flush=True)
                s0 = server.cpu_s()
                fig = asyncio.run(run_lean_httpx(urls))
                fig.server_cpu_s = server.cpu_s() - s0
                print(fig.line(), flush=True)
            if args.mode in ("conditional", "all"):
                if not etags:
                    _, etags = asyncio.run(run_fetcher(urls, settings))
                s0 = server.cpu_s()
                fig, _ = asyncio.run(run_fetcher(urls, settings, etags))
                fig.server_cpu_s = server.cpu_s() - s0
                print(fig.line(), flush=True)
            if args.mode == "pipeline":
                print(asyncio.run(run_pipeline(urls, settings)).line(), flush=True)
        if args.mode in ("fetch", "all") and not args.no_scrapy:
            for _ in range(args.rounds):
                s0 = server.cpu_s()
                fig_s = run_scrapy(urls)
                if fig_s is None:
                    print("Scrapy not installed: pip install scrapy (bench anchor only)")
                    break
                fig_s.server_cpu_s = server.cpu_s() - s0
                print(fig_s.line(), flush=True)
    finally:
        server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
