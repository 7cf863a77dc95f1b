"""Time-zone abbreviations seen in news datelines, resolved to offsets or IANA zones."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone, tzinfo
from zoneinfo import ZoneInfo


def _fixed(hours: float) -> timezone:
    """Return a fixed-offset zone of the given hours east of UTC."""
    return timezone(timedelta(minutes=round(hours * 60)))


# Generic names (ET, PT...) follow daylight saving, so they map to IANA zones; explicit
# standard/daylight names (EST, EDT...) are fixed offsets as written.
ZONE_ABBREVIATIONS: dict[str, tzinfo] = {
    "UTC": UTC,
    "GMT": UTC,
    "UT": UTC,
    "Z": UTC,
    "ET": ZoneInfo("America/New_York"),
    "CT": ZoneInfo("America/Chicago"),
    "MT": ZoneInfo("America/Denver"),
    "PT": ZoneInfo("America/Los_Angeles"),
    "EST": _fixed(-5),
    "EDT": _fixed(-4),
    "CST": _fixed(-6),
    "CDT": _fixed(-5),
    "MST": _fixed(-7),
    "MDT": _fixed(-6),
    "PST": _fixed(-8),
    "PDT": _fixed(-7),
    "AKST": _fixed(-9),
    "AKDT": _fixed(-8),
    "HST": _fixed(-10),
    "WET": _fixed(0),
    "WEST": _fixed(1),
    "BST": _fixed(1),
    "CET": _fixed(1),
    "CEST": _fixed(2),
    "MEZ": _fixed(1),
    "MESZ": _fixed(2),
    "EET": _fixed(2),
    "EEST": _fixed(3),
    "MSK": _fixed(3),
    "IST": _fixed(5.5),
    "SGT": _fixed(8),
    "HKT": _fixed(8),
    "AWST": _fixed(8),
    "JST": _fixed(9),
    "KST": _fixed(9),
    "ACST": _fixed(9.5),
    "AEST": _fixed(10),
    "AEDT": _fixed(11),
    "NZST": _fixed(12),
    "NZDT": _fixed(13),
}


def localize(naive: datetime, zone: tzinfo) -> datetime:
    """Attach a zone to a wall-clock time (IANA zones resolve daylight saving for that date)."""
    return naive.replace(tzinfo=zone)
