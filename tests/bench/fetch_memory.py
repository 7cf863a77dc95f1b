"""Memory check: peak RSS of a process fetching a 1 GiB gzip bomb must stay under 100 MB over its start.

Run by hand (not a test):  python tests/bench/fetch_memory.py [--compare-httpx]

The bomb (1 GiB of zeros, about 1 MB gzipped, cached in the temp folder) is served by a separate
process, so only the fetching process is measured. Peak RSS is the kernel's high-water mark
(ru_maxrss), read once after start-up (imports, Fetcher built) and again after the fetch.
--compare-httpx also measures plain httpx `aiter_bytes()` with the same cap, which inflates each
64 KiB network chunk in one go (up to ~64 MB at once) before the cap can act.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import resource
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

LIMIT_MB = 100.0  # allowed growth of peak RSS over the process's start

SERVE = r"""
import sys, time
sys.path.insert(0, sys.argv[1])
from tests.servers import LocalHTTPServer, Reply, file_chunks, gzip_bomb_file
bomb = gzip_bomb_file()
headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
with LocalHTTPServer({"/bomb": Reply(200, headers, file_chunks(bomb))}) as srv:
    print(srv.port, flush=True)
    sys.stdin.read()
"""


def peak_mb() -> float:
    """High-water mark of this process's RSS in MB (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


async def fetch_with_ours(url: str) -> str:
    """Fetch the bomb with our Fetcher (default 15 MiB cap); return the outcome."""
    from scraper.config import Settings
    from scraper.errors import FetchError
    from scraper.fetch import Fetcher

    settings = dataclasses.replace(Settings(), allow_private_hosts=("127.0.0.0/8",), obey_robots=False)
    async with Fetcher(settings) as fetcher:
        start = peak_mb()
        try:
            result = await fetcher.fetch(url)
            outcome = result.outcome
        except FetchError as exc:
            outcome = str(exc)
    return json.dumps({"client": "our Fetcher", "start_mb": start, "peak_mb": peak_mb(), "outcome": outcome})


async def fetch_with_httpx(url: str) -> str:
    """Fetch the bomb with httpx aiter_bytes() and the same cap, for contrast."""
    import httpx

    from scraper.config import MAX_BODY_BYTES

    async with httpx.AsyncClient() as client:
        start = peak_mb()
        total = 0
        async with client.stream("GET", url) as response:
            async for chunk in response.aiter_bytes():
                total += len(chunk)
                if total > MAX_BODY_BYTES:
                    break
    return json.dumps(
        {"client": "httpx aiter_bytes", "start_mb": start, "peak_mb": peak_mb(), "outcome": "capped"}
    )


def measure(which: str, url: str) -> dict[str, float | str]:
    """Run one client in a fresh process so each starts from a clean high-water mark."""
    out = subprocess.run(
        [sys.executable, __file__, "--client", which, "--url", url],
        capture_output=True,
        text=True,
        check=True,
    )
    data: dict[str, float | str] = json.loads(out.stdout.strip().splitlines()[-1])
    return data


def main(argv: list[str] | None = None) -> int:
    """Serve the bomb from one child process, fetch it from another, print the figures; 1 if over."""
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--compare-httpx", action="store_true")
    parser.add_argument("--client", choices=["ours", "httpx"], help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.client:
        run = fetch_with_ours if args.client == "ours" else fetch_with_httpx
        print(asyncio.run(run(args.url)))
        return 0
    server = subprocess.Popen(
        [sys.executable, "-c", SERVE, str(ROOT)], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
    )
    try:
        assert server.stdout is not None
        url = f"http://127.0.0.1:{server.stdout.readline().strip()}/bomb"
        clients = ["ours", "httpx"] if args.compare_httpx else ["ours"]
        failed = False
        for which in clients:
            data = measure(which, url)
            growth = float(data["peak_mb"]) - float(data["start_mb"])
            print(
                f"{data['client']:<18} start {float(data['start_mb']):6.1f} MB  "
                f"peak {float(data['peak_mb']):6.1f} MB  growth {growth:6.1f} MB (limit {LIMIT_MB:.0f})  "
                f"outcome: {data['outcome']}"
            )
            if which == "ours" and growth >= LIMIT_MB:
                failed = True
    finally:
        assert server.stdin is not None
        server.stdin.close()
        server.wait(timeout=10)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
