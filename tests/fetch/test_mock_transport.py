"""Fetcher over httpx.MockTransport: messages, conditional headers, outcomes without a socket."""

from __future__ import annotations

import asyncio
import dataclasses

import httpx

from scraper.config import Settings
from scraper.errors import FetchError
from scraper.fetch import Fetcher

SETTINGS = dataclasses.replace(Settings(), obey_robots=False, host_delay_s=0.0, retry_backoff_s=0.001)


def _run(handler, url, settings=SETTINGS, **kwargs):
    async def go():
        async with Fetcher(settings, transport=httpx.MockTransport(handler)) as fetcher:
            try:
                return await fetcher.fetch(url, **kwargs)
            except FetchError as exc:
                return exc

    return asyncio.run(go())


def test_too_large_message_reads_like_the_standard():
    def handler(request):
        return httpx.Response(200, headers={"Content-Type": "text/html"}, content=b"<html>" + b"x" * 2048)

    result = _run(handler, "http://news.example/a", dataclasses.replace(SETTINGS, max_body_bytes=1024))
    assert isinstance(result, FetchError)
    assert str(result) == "fetch: too-large: body over 1 KiB (Content-Length 2054) (http://news.example/a)"


def test_conditional_headers_are_sent():
    seen = {}

    def handler(request):
        seen.update(request.headers)
        return httpx.Response(304, headers={"ETag": '"new"'})

    result = _run(
        handler, "http://news.example/a", etag='"old"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT"
    )
    assert seen["if-none-match"] == '"old"'
    assert seen["if-modified-since"] == "Tue, 01 Jul 2025 10:00:00 GMT"
    assert result.outcome == "not-modified" and result.etag == '"new"'
    assert result.last_modified == "Tue, 01 Jul 2025 10:00:00 GMT"


def test_timeout_from_the_transport_is_retried_then_named():
    calls = []

    def handler(request):
        calls.append(request)
        raise httpx.ReadTimeout("slow", request=request)

    result = _run(handler, "http://news.example/a", dataclasses.replace(SETTINGS, retry_attempts=2))
    assert isinstance(result, FetchError) and result.outcome == "timeout"
    assert len(calls) == 2 and [a.outcome for a in result.attempts] == ["timeout", "timeout"]


def test_unknown_content_encoding_is_named():
    def handler(request):
        return httpx.Response(
            200, headers={"Content-Type": "text/html", "Content-Encoding": "compress"}, content=b"??"
        )

    result = _run(handler, "http://news.example/a")
    assert isinstance(result, FetchError) and "unsupported Content-Encoding 'compress'" in result.message


def test_gates_of_idle_hosts_are_forgotten_but_crawl_delays_kept():
    from scraper.fetch.politeness import HostGates

    async def go():
        gates = HostGates(concurrency=2, delay_s=0.0)
        async with gates.get("a:80").slot():
            gates.sweep()
            assert "a:80" in gates._gates  # in use: kept
        gates.set_crawl_delay("slow:80", 5.0)
        gates.get("b:80")
        gates.sweep()
        return sorted(gates._gates)

    assert asyncio.run(go()) == ["slow:80"]
