"""Prometheus metrics of the service: fetch outcomes, latency, and extraction health per source."""

from __future__ import annotations

import asyncio
import bisect
from collections import defaultdict
from dataclasses import dataclass, field

from scraper.models import Article, FetchAttempt

LATENCY_BUCKETS_S = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
LONG_BODY_CHARS = 500  # a body shorter than this on a news page usually means a broken layout
HEALTH_FIELDS = ("title", "date", "author", "body")
HTTP_READ_LIMIT_BYTES = 8192


def _labels(**pairs: str) -> str:
    """Render Prometheus labels, escaping quotes and backslashes."""
    inner = ",".join(
        f'{k}="{v.replace(chr(92), chr(92) * 2).replace(chr(34), chr(92) + chr(34))}"'
        for k, v in pairs.items()
    )
    return "{" + inner + "}"


@dataclass
class _Histogram:
    counts: list[int] = field(default_factory=lambda: [0] * (len(LATENCY_BUCKETS_S) + 1))
    total: float = 0.0

    def observe(self, seconds: float) -> None:
        self.counts[bisect.bisect_left(LATENCY_BUCKETS_S, seconds)] += 1
        self.total += seconds


class Metrics:
    """Counters fed by the service as refreshes complete, rendered in the Prometheus text format."""

    def __init__(self) -> None:
        self.fetches: dict[tuple[str, str], int] = defaultdict(int)
        self.latency: dict[str, _Histogram] = defaultdict(_Histogram)
        self.articles: dict[str, int] = defaultdict(int)
        self.healthy: dict[tuple[str, str], int] = defaultdict(int)
        self.refreshes: dict[tuple[str, str], int] = defaultdict(int)
        self.failures: dict[str, int] = {}

    def observe_fetch(self, source: str | None, attempts: list[FetchAttempt]) -> None:
        """Count each attempt by outcome and its latency."""
        name = source or "-"
        for attempt in attempts:
            self.fetches[(name, attempt.outcome)] += 1
            self.latency[name].observe(attempt.elapsed_ms / 1000)

    def observe_article(self, source: str | None, article: Article) -> None:
        """Count which of the fields that show a healthy extraction an article has."""
        name = source or "-"
        self.articles[name] += 1
        present = {
            "title": bool(article.title),
            "date": bool(article.published),
            "author": bool(article.authors),
            "body": len(article.body or "") >= LONG_BODY_CHARS,
        }
        for key, ok in present.items():
            self.healthy[(name, key)] += int(ok)

    def observe_refresh(self, source: str, ok: bool, consecutive_failures: int) -> None:
        """Count a finished refresh and remember the source's failure streak."""
        self.refreshes[(source, "ok" if ok else "failed")] += 1
        self.failures[source] = consecutive_failures

    def render(self) -> str:
        """All metrics in the Prometheus text exposition format."""
        out = [
            "# HELP scraper_fetches_total HTTP attempts by source and named outcome.",
            "# TYPE scraper_fetches_total counter",
        ]
        out += [
            f"scraper_fetches_total{_labels(source=s, outcome=o)} {n}"
            for (s, o), n in sorted(self.fetches.items())
        ]
        out += [
            "# HELP scraper_fetch_duration_seconds Time of one HTTP attempt.",
            "# TYPE scraper_fetch_duration_seconds histogram",
        ]
        for source, hist in sorted(self.latency.items()):
            running = 0
            for bound, count in zip((*LATENCY_BUCKETS_S, float("inf")), hist.counts, strict=True):
                running += count
                le = "+Inf" if bound == float("inf") else f"{bound:g}"
                out.append(f"scraper_fetch_duration_seconds_bucket{_labels(source=source, le=le)} {running}")
            out.append(f"scraper_fetch_duration_seconds_sum{_labels(source=source)} {hist.total:.6f}")
            out.append(f"scraper_fetch_duration_seconds_count{_labels(source=source)} {running}")
        out += ["# HELP scraper_articles_total Articles extracted.", "# TYPE scraper_articles_total counter"]
        out += [f"scraper_articles_total{_labels(source=s)} {n}" for s, n in sorted(self.articles.items())]
        out += [
            "# HELP scraper_extraction_health Share of articles with title, date, author, long body.",
            "# TYPE scraper_extraction_health gauge",
        ]
        for source, total in sorted(self.articles.items()):
            for key in HEALTH_FIELDS:
                share = self.healthy[(source, key)] / total if total else 0.0
                out.append(f"scraper_extraction_health{_labels(source=source, field=key)} {share:.4f}")
        out += [
            "# HELP scraper_refreshes_total Source refreshes by result.",
            "# TYPE scraper_refreshes_total counter",
        ]
        out += [
            f"scraper_refreshes_total{_labels(source=s, result=r)} {n}"
            for (s, r), n in sorted(self.refreshes.items())
        ]
        out += [
            "# HELP scraper_source_consecutive_failures Current failure streak of a source.",
            "# TYPE scraper_source_consecutive_failures gauge",
        ]
        out += [
            f"scraper_source_consecutive_failures{_labels(source=s)} {n}"
            for s, n in sorted(self.failures.items())
        ]
        return "\n".join(out) + "\n"

    async def serve(self, port: int, host: str = "127.0.0.1") -> asyncio.Server:
        """Serve GET /metrics on host:port until the returned server is closed."""

        async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
            try:
                head = await reader.readuntil(b"\r\n\r\n")
            except (asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError):
                writer.close()
                return
            path = head.split(b" ", 2)[1] if head.count(b" ") >= 2 else b"/"
            if path.split(b"?")[0] in (b"/metrics", b"/"):
                body, status = self.render().encode(), "200 OK"
            else:
                body, status = b"not found\n", "404 Not Found"
            writer.write(
                f"HTTP/1.1 {status}\r\nContent-Type: text/plain; version=0.0.4\r\n"
                f"Content-Length: {len(body)}\r\nConnection: close\r\n\r\n".encode()
                + body
            )
            try:
                await writer.drain()
            finally:
                writer.close()

        return await asyncio.start_server(handle, host, port, limit=HTTP_READ_LIMIT_BYTES)
