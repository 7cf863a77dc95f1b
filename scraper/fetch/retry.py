"""When to try again: retryable statuses and errors, backoff with jitter, Retry-After."""

from __future__ import annotations

import email.utils
import random
import time

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
BACKOFF_JITTER = 0.5  # each backoff is scaled by a random factor in [1 - j, 1 + j]


def backoff_s(first_s: float, retry_number: int, rng: random.Random | None = None) -> float:
    """Return the wait before retry `retry_number` (1-based): first_s doubling per retry, with jitter."""
    base = first_s * (1 << max(0, retry_number - 1))
    factor: float = (rng or random).uniform(1 - BACKOFF_JITTER, 1 + BACKOFF_JITTER)
    return max(0.0, base * factor)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Read a Retry-After header (delta seconds or HTTP date) as seconds from now, or None if unreadable."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    if when.tzinfo is None:
        return None
    return max(0.0, when.timestamp() - (time.time() if now is None else now))
