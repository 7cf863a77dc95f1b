"""robots.txt rules per origin, fetched once and kept for robots_cache_s."""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from protego import Protego

ROBOTS_MAX_BYTES = 512 * 1024  # Google reads the first 500 KiB; the rest is ignored
ROBOTS_RETRY_S = 60.0  # after a 5xx or network error, ask again no sooner than this
ROBOTS_MAX_ENTRIES = 10_000  # origins kept before expired ones are swept
CRAWL_DELAY_CAP_S = 60.0  # a Crawl-delay above this would starve the source; we cap it


@dataclass
class RobotsRules:
    """What one origin's robots.txt said, or why it could not be read."""

    expires_at: float
    parser: Protego | None = None  # None: everything allowed (404, 4xx, empty)
    error_outcome: str | None = None  # set when robots.txt was unavailable (5xx, network): try later
    error_status: int | None = None
    error_detail: str = ""
    crawl_delay_s: float | None = None

    def allows(self, url: str, agent: str) -> bool:
        """True if the rules let `agent` fetch `url`."""
        return self.parser is None or bool(self.parser.can_fetch(url, agent))


def parse_rules(text: str, agent: str, ttl_s: float) -> RobotsRules:
    """Parse robots.txt text into rules for `agent`, valid for ttl_s."""
    parser = Protego.parse(text)
    delay = parser.crawl_delay(agent)
    return RobotsRules(
        expires_at=time.monotonic() + ttl_s,
        parser=parser,
        crawl_delay_s=min(float(delay), CRAWL_DELAY_CAP_S) if delay is not None else None,
    )


class RobotsCache:
    """Rules per origin ('scheme://host:port'), each fetched by one task while the others wait."""

    def __init__(self) -> None:
        self._rules: dict[str, RobotsRules] = {}
        self._locks: dict[str, asyncio.Lock] = {}

    def fresh(self, origin: str) -> RobotsRules | None:
        """Return the origin's rules if still valid."""
        rules = self._rules.get(origin)
        if rules is not None and rules.expires_at > time.monotonic():
            return rules
        return None

    def lock(self, origin: str) -> asyncio.Lock:
        """Return the lock that serialises fetching one origin's robots.txt."""
        lock = self._locks.get(origin)
        if lock is None:
            lock = self._locks[origin] = asyncio.Lock()
        return lock

    def store(self, origin: str, rules: RobotsRules) -> None:
        """Keep rules for an origin, sweeping expired entries when the table grows large."""
        if len(self._rules) >= ROBOTS_MAX_ENTRIES:
            now = time.monotonic()
            for key in [k for k, v in self._rules.items() if v.expires_at <= now]:
                del self._rules[key]
                self._locks.pop(key, None)
        self._rules[origin] = rules
