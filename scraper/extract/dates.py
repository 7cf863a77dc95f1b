"""Publication and modification dates of a page, timezone-aware, with provenance."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from selectolax.lexbor import LexborHTMLParser


@dataclass
class Dates:
    """The published and modified instants found on a page."""

    published: datetime | None = None
    modified: datetime | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def parse_date_text(text: str, *, now: datetime | None = None) -> datetime | None:
    """Parse one human or machine date string into an aware datetime (stub)."""
    return None


def extract_dates(tree: LexborHTMLParser, url: str | None, fetched_at: datetime | None = None) -> Dates:
    """Find the dates of a parsed page without changing the tree (stub)."""
    return Dates()
