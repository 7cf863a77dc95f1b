"""Per host:port politeness: a concurrency limit and a minimum gap between request starts."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator


class HostGate:
    """Admit requests to one host:port at most `concurrency` at a time, starts spaced by `delay_s`."""

    __slots__ = ("_next_start", "_sem", "active", "delay_s")

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self._sem = asyncio.Semaphore(max(1, concurrency))
        self.delay_s = delay_s
        self._next_start = 0.0
        self.active = 0  # tasks holding or waiting for a slot

    def idle(self, now: float) -> bool:
        """True if nobody uses the gate and its gap has passed (dropping it then changes nothing)."""
        return self.active == 0 and now >= self._next_start

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Hold one of the host's slots, waiting for the gap since the previous start."""
        self.active += 1
        try:
            async with self._sem:
                if self.delay_s > 0:
                    now = time.monotonic()
                    # reserve our start time before sleeping so concurrent waiters queue behind it
                    start = max(now, self._next_start)
                    self._next_start = start + self.delay_s
                    if start > now:
                        await asyncio.sleep(start - now)
                yield
        finally:
            self.active -= 1


class HostGates:
    """The gates of every host:port seen, created on first use."""

    def __init__(self, concurrency: int, delay_s: float) -> None:
        self._concurrency = concurrency
        self._delay_s = delay_s
        self._gates: dict[str, HostGate] = {}

    def get(self, host_port: str) -> HostGate:
        """Return the gate of a host:port."""
        gate = self._gates.get(host_port)
        if gate is None:
            gate = self._gates[host_port] = HostGate(self._concurrency, self._delay_s)
        return gate

    def sweep(self) -> None:
        """Forget gates nobody is using whose gap has passed (those carrying a Crawl-delay stay)."""
        now = time.monotonic()
        for key in [k for k, g in self._gates.items() if g.idle(now) and g.delay_s == self._delay_s]:
            del self._gates[key]

    def set_crawl_delay(self, host_port: str, crawl_delay_s: float) -> None:
        """Widen a host's gap to its robots.txt Crawl-delay (never below the configured delay)."""
        gate = self.get(host_port)
        gate.delay_s = max(self._delay_s, crawl_delay_s)
