"""Feed dates turned into ISO 8601 strings with an offset."""

from __future__ import annotations

import calendar
import time
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime


def iso_from_text(text: str | None) -> str | None:
    """Read an RFC 822 or ISO 8601 date keeping its own offset; None when naive or unreadable."""
    if not text or not isinstance(text, str):
        return None
    text = text.strip()
    parsed: datetime | None = None
    try:
        parsed = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        except ValueError:
            return None
    if parsed.tzinfo is None or parsed.utcoffset() is None:
        return None
    return parsed.isoformat()


def iso_from_struct(value: object) -> str | None:
    """Turn feedparser's UTC struct_time into an ISO 8601 string in UTC."""
    if not isinstance(value, time.struct_time):
        return None
    try:
        return datetime.fromtimestamp(calendar.timegm(value), UTC).isoformat()
    except (OverflowError, ValueError, OSError):
        return None


def feed_date(text: object, parsed: object) -> str | None:
    """Prefer the feed's own offset, else feedparser's normalised UTC instant."""
    return iso_from_text(text if isinstance(text, str) else None) or iso_from_struct(parsed)
