"""Fixtures of the fetch tests: a local HTTP server and fast Settings that may reach it."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from servers import LocalHTTPServer

from scraper.config import Settings
from scraper.errors import FetchError
from scraper.fetch import Fetcher
from scraper.models import FetchResult

# short bounds so failure cases end quickly; no test waits on these to synchronise
FAST = {
    "connect_timeout_s": 2.0,
    "read_timeout_s": 2.0,
    "fetch_timeout_s": 5.0,
    "retry_backoff_s": 0.001,
    "host_delay_s": 0.0,
}


@pytest.fixture
def server() -> Iterator[LocalHTTPServer]:
    """A started LocalHTTPServer with an empty route table (tests fill server.routes)."""
    with LocalHTTPServer() as srv:
        yield srv


@pytest.fixture
def make_settings(server: LocalHTTPServer) -> Callable[..., Settings]:
    """Build Settings that allow the test server's host:port, with fast bounds and any overrides."""

    def make(**overrides: Any) -> Settings:
        values: dict[str, Any] = {**FAST, "allow_private_hosts": (server.host_port,), **overrides}
        return dataclasses.replace(Settings(), **values)

    return make


def fetch_once(settings: Settings, url: str, **kwargs: Any) -> FetchResult | FetchError:
    """Fetch one URL with a fresh Fetcher; return the result or the FetchError raised."""

    async def go() -> FetchResult | FetchError:
        async with Fetcher(settings) as fetcher:
            try:
                return await fetcher.fetch(url, **kwargs)
            except FetchError as exc:
                return exc

    return asyncio.run(go())


def outcomes(result: FetchResult | FetchError) -> list[tuple[str, int | None]]:
    """The (outcome, status) of every attempt, for compact asserts."""
    return [(a.outcome, a.status) for a in result.attempts]
