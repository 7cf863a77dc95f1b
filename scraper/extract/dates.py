"""Publication and modification dates of a page, timezone-aware, with provenance."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone, tzinfo
from itertools import islice
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.jsonld import DATED_TYPES
from scraper.extract.page_data import (
    FoldedWords,
    PageData,
    has_ancestor,
    lines_text,
    page_data,
    relisted,
    tag_ids,
)
from scraper.extract.zones import ZONE_ABBREVIATIONS, localize

# Nothing we archive was published before the web went mainstream.
MIN_YEAR = 1995
# A date this far past the fetch time is a typo, an event date or a clock error.
FUTURE_TOLERANCE = timedelta(days=1)
# How much visible text around the headline is searched for a dateline (characters).
TITLE_WINDOW_BEFORE_CHARS = 400
TITLE_WINDOW_AFTER_CHARS = 700
# Elements whose text is longer than this are containers, not date lines (characters).
MAX_DATE_LINE_CHARS = 200
# Text before a date that tells a dateline ('Veröffentlicht am') from a mention ('seit dem') (characters).
MENTION_CONTEXT_CHARS = 50
# words that put a date inside a sentence: 'in force since 15 January', 'am 5. Februar findet'
_PREPOSITIONS = frozenset(
    re.findall(r"\S+", "am vom seit bis ab zum zur on since from until till before after depuis desde hasta")
)
_DATELINE_CUE_RE = re.compile(
    r"publi|posted|veröffentlicht|erstellt|erschienen|stand|datum|date|aktualisiert|updated|geschrieben|"
    r"written|\bvon\b|\bby\b|\bpar\b|\bpor\b",
    re.I,
)
# '- 06.01.2022' or '- 20. Januar' after a date opens a range; '- 14:30' is its clock time
_RANGE_START_RE = re.compile(r"\s*[-–]\s*\d{1,2}(?:[./]\d{1,2}|\.?\s*[^\W\d_]{3})")
_RANGE_END_RE = re.compile(r"\d\.?\s*[-–]\s*$")
_CREDIT_BEFORE_RE = re.compile(r"(?:foto|photo|bild|image|quelle|source|©)[^|\d]{0,40}$", re.I)
# A month-name date ('29 de septiembre de 2025') is at most this long up to its year (characters).
MONTH_DATE_MAX_CHARS = 48
# Raw text kept on each side of the headline before lines are joined (characters).
RAW_WINDOW_CHARS = 6_000
# Of a long paragraph near the headline only this opening can hold its dateline (characters).
PARAGRAPH_OPENING_CHARS = 40
# <time> elements and microdata dates
_TIME_SELECTOR = "time, [itemprop=datePublished], [itemprop=dateModified], abbr[title]"
# ... as queried: lexbor tests every element against each selector of a list, so the two itemprop values
# are asked for as one prefix (a few more elements, 'dateCreated', that _time_nodes sorts out)
_TIME_QUERY = 'time, abbr[title], [itemprop^="date"]'
# How many <time> / date-class elements are looked at, at most.
MAX_TIME_ELEMENTS = 40
MAX_DATE_LINES = 60
# '3000 years ago' is no publication date; beyond this a relative date is ignored (seconds).
MAX_RELATIVE_S = 40 * 365 * 86400
# How far after a date its time of day may start (characters).
TIME_LOOKAHEAD_CHARS = 40


@dataclass
class Dates:
    """The published and modified instants found on a page."""

    published: datetime | None = None
    modified: datetime | None = None
    provenance: dict[str, str] = field(default_factory=dict)


_MONTH_NAMES: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "january jan janvier janv enero ene januar jänner jänn jan gennaio gen janeiro januari "
        "stycznia января январь січня stycznia styczeń ocak leden ledna tammikuuta",
        "february feb febr février fevrier févr fevr febrero februar febbraio fevereiro fev "
        "februari февраля февраль лютого lutego luty şubat únor února helmikuuta",
        "march mar mars marzo märz maerz mrz marz março marco maart марта март березня marca "
        "marzec mart březen března maaliskuuta",
        "april apr avril avr abril aprile апреля апрель квітня kwietnia kwiecień nisan duben "
        "dubna huhtikuuta",
        "may mai mayo maggio mag maio mei мая май травня maja maj mayıs květen května toukokuuta",
        "june jun juin junio juni giugno junho июня июнь червня czerwca czerwiec haziran červen "
        "června kesäkuuta",
        "july jul juillet juil julio juli luglio lug julho июля июль липня lipca lipiec temmuz "
        "červenec července heinäkuuta",
        "august aug août aout agosto ago augustus августа август серпня sierpnia sierpień ağustos "
        "srpen srpna elokuuta",
        "september sep sept septembre septiembre setiembre settembre set setembro сентября "
        "сентябрь вересня września wrzesień eylül září syyskuuta",
        "october oct octobre octubre oktober okt ottobre ott outubro out октября октябрь жовтня "
        "października październik ekim říjen října lokakuuta",
        "november nov novembre noviembre novembro ноября ноябрь листопада listopada listopad "
        "kasım listopadu marraskuuta",
        "december dec décembre decembre déc diciembre dic dezember dez dicembre dezembro декабря "
        "декабрь грудня grudnia grudzień aralık prosinec prosince joulukuuta",
    ],
    start=1,
):
    for _name in _names.split():
        _MONTH_NAMES.setdefault(_name, _num)

_MONTH_ALT = "|".join(sorted((re.escape(m) for m in _MONTH_NAMES), key=len, reverse=True))
_ZONE_ALT = "|".join(sorted(ZONE_ABBREVIATIONS, key=len, reverse=True))

# 2025-07-29, 2025/07/29, 2025.07.29 with an optional ISO time and offset
# (patterns here put their first digits before the lookbehind that checks the character ahead of them:
# re then skips to candidate digits instead of trying every position)
_ISO_RE = re.compile(
    r"((?:19|20)(?<![\d.]\d\d)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"
    r"(?:[T\s]+(\d{1,2}):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?\s*(Z|[+-]\d\d(?::?\d\d)?(?!\d))?)?"
)
_COMPACT_RE = re.compile(r"^((?:19|20)\d\d)(\d\d)(\d\d)(?:T?(\d\d)(\d\d)(\d\d)?)?(Z|[+-]\d\d:?\d\d)?$")
_MDY_RE = re.compile(
    rf"(?<![^\W\d_])(?P<mon>{_MONTH_ALT})\.?\s+(?P<day>\d{{1,2}})(?:st|nd|rd|th)?\.?,?\s+(?P<year>(?:19|20)\d\d)(?!\d)",
    re.I,
)
_DMY_RE = re.compile(
    rf"(?<![\d.])(?P<day>\d{{1,2}})(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?(?P<mon>{_MONTH_ALT})"
    rf"(?![^\W\d_])\.?,?\s*(?:de\s+|del\s+)?(?P<year>(?:19|20)\d\d)(?!\d)",
    re.I,
)
# parts of an _MDY_RE / _DMY_RE date from the day's last digit to the year, starting with a digit:
# a cheap test before the month names' long alternation
_MDY_HINT_RE = re.compile(r"\d(?:st|nd|rd|th)?\.?,?\s+(?:19|20)\d\d(?!\d)", re.I)
_DMY_HINT_RE = re.compile(
    r"\d(?:st|nd|rd|th|er|º|°)?\.?\s*(?:de\s+|of\s+)?[^\W\d_]+\.?,?\s*(?:de\s+|del\s+)?(?:19|20)\d\d(?!\d)",
    re.I,
)
# '29.07.2025', '7/29/25', and the '29 | 07 | 2025' some layouts print (bars with a four-digit year only)
_NUMERIC_RE = re.compile(r"(\d(?<![\d.,/-]\d)\d?)([./-]| \| )(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\d]|[.,]\d)")
_CJK_RE = re.compile(r"((?:19|20)\d\d)\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日일]?")
_TIME_AFTER_RE = re.compile(
    r"^[\s,|·•–—-]*(?:at|um|à|a\s+las|alle|om|ore|kl\.?|-)?\s*"
    r"(?P<h>\d{1,2})(?:(?:[:h]|\.(?=\d\d))(?P<m>\d\d)(?::(?P<s>\d\d))?)?\s*(?P<ampm>[ap]\.?\s?m\b\.?)?"
    r"\s*(?:uhr|h\b)?",
    re.I,
)
_DIGIT_RE = re.compile(r"\d")
_YEAR_RE = re.compile(r"(?:19|20)\d\d")
_TIME_CJK_RE = re.compile(r"^\s*(?P<h>\d{1,2})\s*[時时시]\s*(?P<m>\d\d)")
_ZONE_RE = re.compile(
    rf"\s*\(?(?:(?:GMT|UTC)?(?P<off>[+-]\d{{1,2}}(?::?\d\d)?)(?!\d)|(?P<abbr>{_ZONE_ALT})(?![A-Za-z]))"
)
_RELATIVE_RE = re.compile(
    r"(?:(?P<n1>\d+|an?|one)\s+(?P<u1>sec|min|hour|hr|day|week|month|year)[a-z]*\s+ago"
    r"|vor\s+(?P<n2>\d+|einer?|einem)\s+(?P<u2>sek|min|stunde|std|tag|woche|monat|jahr)[a-z]*"
    r"|il\s+y\s+a\s+(?P<n3>\d+|une?)\s+(?P<u3>sec|min|heure|jour|semaine|mois|an)[a-z]*"
    r"|hace\s+(?P<n4>\d+|una?)\s+(?P<u4>seg|min|hora|día|dia|semana|mes|año|ano)[a-z]*"
    r"|(?P<n5>\d+)\s*(?P<u5>秒|分|小时|時間|天|日|周|週間|个月|ヶ月|か月|年)前"
    r"|(?P<word>yesterday|gestern|hier|ayer|today|heute|aujourd'hui|hoy))",
    re.I,
)
# words one of which every relative date contains; checked before the costly relative pattern
_RELATIVE_KEYS = (
    "ago",
    "vor",
    "il y a",
    "hace",
    "前",
    "yesterday",
    "gestern",
    "hier",
    "ayer",
    "today",
    "heute",
    "aujourd",
    "hoy",
)
# ... searched at once (an alternation of literals lets re skip to their first letters)
_RELATIVE_KEY_RE = re.compile("|".join(map(re.escape, _RELATIVE_KEYS)))
_UNIT_SECONDS: dict[str, float] = {}
for _secs, _units in (
    (1, "sec sek seg 秒"),
    (60, "min 分"),
    (3600, "hour hr stunde std heure hora 小时 時間"),
    (86400, "day tag jour día dia 天 日"),
    (604800, "week woche semaine semana 周 週間"),
    (2629746, "month monat mois mes 个月 ヶ月 か月"),
    (31556952, "year jahr an año ano 年"),
):
    for _unit in _units.split():
        _UNIT_SECONDS[_unit] = _secs
_DAYS_BACK = {"yesterday": 1, "gestern": 1, "hier": 1, "ayer": 1}


@dataclass
class _Hit:
    """One date found in a string; `value` is naive when the string named no zone."""

    start: int
    value: datetime
    has_time: bool
    # where the date's day-month-year part ends in the string (-1: unknown)
    end: int = -1


def _zone_at(text: str, pos: int, *, bare_offset: bool = True) -> tzinfo | None:
    """Return the zone written at `pos` (abbreviation or numeric offset), if any."""
    m = _ZONE_RE.match(text, pos)
    if m is None:
        return None
    if m.group("abbr"):
        return ZONE_ABBREVIATIONS[m.group("abbr")]
    if not bare_offset and not m.group(0).strip(" (").startswith(("GMT", "UTC")):
        # after a bare date, '-06' is the start of a range ('31.12.2021 -06.01.2022'), not a zone
        return None
    return _offset_zone(m.group("off"))


@functools.lru_cache(maxsize=256)
def _offset_zone(raw: str) -> timezone | None:
    """Return a fixed zone from '+02:00', '+0200', '-5' or 'Z' (cached: pages write a few offsets)."""
    if raw in ("Z", "z"):
        return UTC
    sign = -1 if raw[0] == "-" else 1
    digits = raw[1:].replace(":", "")
    hours = int(digits[:2]) if len(digits) >= 3 else int(digits)
    minutes = int(digits[2:4]) if len(digits) >= 3 else 0
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _with_time(text: str, end: int, day: datetime) -> tuple[datetime, bool]:
    """Extend a date with the time of day (and zone) written right after it."""
    window = text[end : end + TIME_LOOKAHEAD_CHARS]
    m = _TIME_CJK_RE.match(window) or _TIME_AFTER_RE.match(window)
    if m is None or (m.groupdict().get("m") is None and not m.groupdict().get("ampm")):
        zone = _zone_at(window, 0, bare_offset=False)
        return (localize(day, zone) if zone else day), False
    hour, minute = int(m.group("h")), int(m.group("m") or 0)
    second = int(m.groupdict().get("s") or 0)
    ampm = (m.groupdict().get("ampm") or "").lower()
    if ampm.startswith("p") and hour < 12:
        hour += 12
    elif ampm.startswith("a") and hour == 12:
        hour = 0
    if hour > 23 or minute > 59 or second > 59:
        return day, False
    value = day.replace(hour=hour, minute=minute, second=second)
    zone = _zone_at(window, m.end())
    return (localize(value, zone) if zone else value), True


def _clock(day: datetime, hour: str | None, minute: str | None, second: str | None) -> datetime | None:
    """Set the time of day on a date, or None when there is no valid clock time ('25:61')."""
    if hour is None or minute is None:
        return None
    try:
        return day.replace(hour=int(hour), minute=int(minute), second=int(second or 0))
    except ValueError:
        return None


def _make(year: int, month: int, day: int) -> datetime | None:
    """Return a naive midnight datetime, or None for an impossible date."""
    try:
        return datetime(year, month, day)
    except ValueError:
        return None


def _relative(m: re.Match[str], now: datetime) -> datetime | None:
    """Resolve '3 hours ago', 'vor 2 Tagen', 'yesterday'... against `now`."""
    word = m.group("word")
    if word:
        back = _DAYS_BACK.get(word.lower(), 0)
        return now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=back)
    for i in range(1, 6):
        count, unit = m.group(f"n{i}"), m.group(f"u{i}")
        if count is None:
            continue
        n = int(count) if count.isdigit() else 1
        seconds = next((s for u, s in _UNIT_SECONDS.items() if unit.lower().startswith(u)), None)
        if seconds is None or n * seconds > MAX_RELATIVE_S:
            return None
        return (now - timedelta(seconds=n * seconds)).replace(microsecond=0)
    return None


def _year2(raw: str, now: datetime) -> int:
    """Expand a two-digit year to the closest past century."""
    year = int(raw)
    if year >= 100:
        return year
    return 2000 + year if 2000 + year <= now.year + 1 else 1900 + year


def _iter_hits(
    text: str, now: datetime, *, dayfirst: bool | None = None, relative: bool = True
) -> list[_Hit]:
    """Return every date written in `text`, in order of position, without overlaps."""
    # (a list, not a generator: every hit is found before the first is given out anyway)
    hits: list[_Hit] = []
    taken: list[tuple[int, int]] = []
    if _DIGIT_RE.search(text) is None:
        return hits
    # every written-out or ISO date has a four-digit year; skipping the big month alternation
    # on the many strings without one keeps the page scan cheap
    has_year = _YEAR_RE.search(text) is not None

    def free(a: int, b: int) -> bool:
        return all(b <= s or a >= e for s, e in taken)

    for m in _ISO_RE.finditer(text) if has_year else ():
        day = _make(int(m.group(1)), int(m.group(3)), int(m.group(4)))
        if day is None or not free(m.start(), m.end()):
            continue
        clock = _clock(day, m.group(5), m.group(6), m.group(7))
        if clock is not None:
            zone = _offset_zone(m.group(8)) if m.group(8) else _zone_at(text, m.end())
            hits.append(_Hit(m.start(), localize(clock, zone) if zone else clock, True, m.end()))
        else:
            value, has_time = _with_time(text, m.end(), day)
            hits.append(_Hit(m.start(), value, has_time, m.end()))
        taken.append((m.start(), m.end()))
    if taken and taken[0] == (0, len(text)):
        # one ISO date is the whole text ('2019-10-19T19:08:22+02:00' in meta tags and JSON-LD): any other
        # date would overlap it
        return hits
    # (a CJK date needs 年 or 년: ASCII text, a flag lookup, holds none)
    for m in _CJK_RE.finditer(text) if has_year and not text.isascii() else ():
        day = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        if day is not None and free(m.start(), m.end()):
            value, has_time = _with_time(text, m.end(), day)
            hits.append(_Hit(m.start(), value, has_time, m.end()))
            taken.append((m.start(), m.end()))
    # month-name dates end in a year: match them only in short windows before each year, which is
    # far cheaper than trying the long month alternation at every position of the text
    windows: list[tuple[int, int]] = []
    for y in _YEAR_RE.finditer(text) if has_year else ():
        a, b = max(0, y.start() - MONTH_DATE_MAX_CHARS), min(len(text), y.end() + 1)
        if windows and a <= windows[-1][1]:
            windows[-1] = (windows[-1][0], b)
        else:
            windows.append((a, b))
    for regex, hint, (a, b) in (
        ((r, h, w) for r, h in ((_MDY_RE, _MDY_HINT_RE), (_DMY_RE, _DMY_HINT_RE)) for w in windows)
        if windows
        else ()
    ):
        # (month names are letters only: a date's hint matches wherever the date does)
        for m in regex.finditer(text, a, b) if hint.search(text, a, b) else ():
            month = _MONTH_NAMES.get(m.group("mon").lower())
            day = _make(int(m.group("year")), month, int(m.group("day"))) if month else None
            if day is not None and free(m.start(), m.end()):
                value, has_time = _with_time(text, m.end(), day)
                hits.append(_Hit(m.start(), value, has_time, m.end()))
                taken.append((m.start(), m.end()))
    for m in _NUMERIC_RE.finditer(text):
        a, sep, b, raw_year = int(m.group(1)), m.group(2), int(m.group(3)), m.group(4)
        if len(raw_year) == 2 and sep != ".":
            continue
        # dots and dashes are day-first everywhere; slashes follow the page's locale (US: month first)
        first_is_day = sep != "/" or bool(dayfirst)
        if a > 12:
            first_is_day = True
        elif b > 12:
            first_is_day = False
        d, mo = (a, b) if first_is_day else (b, a)
        day = _make(_year2(raw_year, now), mo, d)
        if day is not None and free(m.start(), m.end()):
            value, has_time = _with_time(text, m.end(), day)
            hits.append(_Hit(m.start(), value, has_time, m.end()))
            taken.append((m.start(), m.end()))
    lowered = text.lower() if relative else ""
    for m in _RELATIVE_RE.finditer(text) if relative and _RELATIVE_KEY_RE.search(lowered) else ():
        written = _TIME_AFTER_RE.match(text[m.end() : m.end() + TIME_LOOKAHEAD_CHARS])
        if m.group("word") and (written is None or not (written.group("m") or written.group("ampm"))):
            # a bare 'today' / 'heute' is a menu or a teaser, and 'hier' is also German for 'here'
            continue
        rel = _relative(m, now)
        if rel is not None and free(m.start(), m.end()):
            if m.group("word"):
                # 'today 9:54' / 'gestern, 14:30 Uhr': the day is relative, the clock is written
                rel = rel.replace(tzinfo=None)
                value, has_time = _with_time(text, m.end(), rel)
                hits.append(_Hit(m.start(), value, has_time, m.end()))
            else:
                hits.append(_Hit(m.start(), rel, True, m.end()))
    if len(hits) > 1:
        hits.sort(key=lambda h: h.start)
    return hits


def _parse_machine(text: str) -> _Hit | None:
    """Parse compact machine forms ('20250729', '20250729T0954Z') that free text never uses."""
    m = _COMPACT_RE.match(text)
    if m is None:
        return None
    day = _make(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    if day is None:
        return None
    if m.group(4) is None:
        return _Hit(0, day, False)
    try:
        value = day.replace(hour=int(m.group(4)), minute=int(m.group(5)), second=int(m.group(6) or 0))
    except ValueError:
        return _Hit(0, day, False)
    zone = _offset_zone(m.group(7)) if m.group(7) else None
    return _Hit(0, localize(value, zone) if zone else value, True)


def _epoch(text: str) -> datetime | None:
    """Read a Unix timestamp in seconds or milliseconds."""
    if not text.isdigit() or len(text) not in (10, 13):
        return None
    seconds = int(text) / (1000 if len(text) == 13 else 1)
    return datetime.fromtimestamp(seconds, UTC)


def _plausible(value: datetime, now: datetime) -> bool:
    """Reject dates before the web era or in the future."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=UTC)
    return aware.year >= MIN_YEAR and aware <= now + FUTURE_TOLERANCE


def _aware_now(now: datetime | None) -> datetime:
    """Return `now` as an aware datetime (UTC when not given or naive)."""
    if now is None:
        return datetime.now(UTC)
    return now if now.tzinfo is not None else now.replace(tzinfo=UTC)


def _first_hit(text: str, now: datetime, dayfirst: bool | None = None) -> _Hit | None:
    """Return the first plausible date in a string, machine forms included."""
    text = text.strip()
    if not text:
        return None
    hit = _parse_machine(text)
    if hit is None:
        stamp = _epoch(text)
        hit = _Hit(0, stamp, True) if stamp else None
    if hit is not None and _plausible(hit.value, now):
        return hit
    for hit in _iter_hits(text, now, dayfirst=dayfirst):
        if _plausible(hit.value, now):
            return hit
    return None


def parse_date_text(
    text: str, *, now: datetime | None = None, default_zone: tzinfo | None = None
) -> datetime | None:
    """Parse one human or machine date string into an aware datetime, or None if none is plausible."""
    current = _aware_now(now)
    hit = _first_hit(text, current)
    if hit is None:
        return None
    if hit.value.tzinfo is None:
        return hit.value.replace(tzinfo=default_zone or UTC)
    return hit.value


# --- page sources -------------------------------------------------------------------------------

# trust rank of JSON-LD dates by kind of object: article types beat meta tags (10-15), a generic
# WebPage's dates rank below og/article meta tags, and any other object below all meta tags
_JSONLD_RANKS = {0: 0.0, 1: 12.5, 2: 20.0}
_PAGE_TYPES = {"WebPage", "ItemPage", "AboutPage", "FAQPage", "QAPage", "MedicalWebPage", "VideoObject"}

# meta name/property/itemprop (lower case) -> (field, trust rank, provenance); lower rank wins
_META_DATES: dict[str, tuple[str, int, str]] = {}
for _fld, _rank, _prov, _keys in (
    ("published", 0, "meta:article", "article:published_time article:published article.published"),
    ("published", 1, "meta:og", "og:published_time og:article:published_time og:pubdate"),
    ("published", 2, "meta", "datepublished datecreated"),
    ("published", 3, "meta:parsely", "parsely-pub-date"),
    (
        "published",
        4,
        "meta:dc",
        "dc.date.issued dcterms.issued dc.date.created dcterms.created"
        " dc.date dcterms.date dc.date.published dc.created dc.issued",
    ),
    (
        "published",
        5,
        "meta",
        "sailthru.date pubdate publishdate publish-date publish_date published_time"
        " published-date date_published article_date_original article:post_date cxenseparse:recs:publishtime"
        " originalpublicationdate original-publish-date citation_publication_date citation_date"
        " citation_online_date prism.publicationdate bt:pubdate displaydate datepublished date"
        " published article.created creation_date created timestamp release_date rnews:datepublished"
        " dc.date.available",
    ),
    ("modified", 0, "meta:article", "article:modified_time article:modified article.updated"),
    ("modified", 1, "meta:og", "og:updated_time og:modified_time og:article:modified_time"),
    ("modified", 2, "meta", "datemodified"),
    ("modified", 4, "meta:dc", "dcterms.modified dc.date.modified dc.modified"),
    (
        "modified",
        5,
        "meta",
        "last-modified lastmod last_updated modified revised updated_time"
        " article:modified eomportal-lastupdate",
    ),
):
    for _key in _keys.split():
        _META_DATES.setdefault(_key, (_fld, _rank, _prov))

_EXCLUDED_TAGS = {"footer", "nav"}
# ... and the tags an ancestor walk stops at, as lexbor's ids
_EXCLUDED_TAG_IDS = tag_ids(frozenset(_EXCLUDED_TAGS))
_PAGE_TAG_IDS = tag_ids(frozenset({"body", "html"}))
_CONTENT_TAG_IDS = tag_ids(frozenset({"article", "main"}))
# class/id tokens (matched at the token start) of regions whose dates belong to other things
_EXCLUDED_CLASS_RE = re.compile(
    r"(?:^|\s)((?:[\w-]*comment|related|sidebar|side-bar|footer|site-footer|recommend|popular|most-?read|"
    r"newsletter|repl(?:y|ies)|promo\b|carousel|trending|more-?stories|read-?more|calendar|weather|teaser-?list|nav|"
    r"widget_recent|recent-?posts))",
    re.I,
)
# of those, the ones that hold other people's or other stories' dates even inside the article
_FOREIGN_CONTENT_RE = re.compile(r"[\w-]*comment|related|repl|recommend|more-?stories|teaser-?list", re.I)
# Class/id markers whose region (_marked_region) is remembered (markers).
MARKER_CACHE_SIZE = 4096
# Ancestors looked at when deciding whether a date is outside the article (elements).
MAX_ANCESTOR_DEPTH = 25
_PUB_HINT_RE = FoldedWords(r"publi|posted|created|dateline|entry-date|article-date|byline|datum|erschienen")
_MOD_HINT_RE = FoldedWords(r"updat|modif|aktualisiert|geändert|änderung|mis à jour|actualiz|last change")
_DATE_LINE_SELECTOR = (
    '[class*="date" i], [class*="time" i], [class*="publish" i], [class*="byline" i], [class*="posted" i],'
    ' [class*="meta" i], [class*="datum" i], [id*="date" i], [id*="time" i], [id*="publish" i],'
    ' [class*="info" i], [class*="author" i], [class*="fecha" i], [class*="data" i]'
)
_URL_DATE_RES = (
    re.compile(r"/((?:19|20)\d\d)/(\d{1,2})/(\d{1,2})(?:/|$|[-_.])"),
    re.compile(r"[/_-]((?:19|20)\d\d)-(\d\d)-(\d\d)(?:[/_.-]|$)"),
    re.compile(r"[/_-]((?:19|20)\d\d)(\d\d)(\d\d)(?:[/_.-]|$)"),
    re.compile(r"/((?:19|20)\d\d)_(\d\d)_(\d\d)(?:[/_.-]|$)"),
)
# where the story's headline is, most specific first
_HEADLINE_SELECTORS = (
    "article h1",
    "main h1",
    "h1",
    "[itemprop=headline]",
    "article h2",
    ".entry-title, .post-title, .post_title, .article-title",
    "h2",
)
# headline selectors answered from the page's h1s: the ancestor they need (None: any h1)
_H1_SELECTORS: dict[str, frozenset[str] | None] = {
    "article h1": frozenset({"article"}),
    "main h1": frozenset({"main"}),
    "h1": None,
}
# an h1 holding the site's name, not a story's headline
_SITE_TITLE_RE = FoldedWords(r"site-?title|site-?name|logo|masthead|brand")
# Headline elements of one selector tried before the next selector (elements).
MAX_HEADLINE_TRIES = 3
_URL_DMY_RE = re.compile(r"/(\d\d)-(\d\d)-((?:19|20)\d\d)(?:[/_.-]|$)")
_URL_MONTH_RE = re.compile(r"/((?:19|20)\d\d)[/-](\d\d)(?:/|$)")
_INVISIBLE_TAGS = {"script", "style", "noscript", "template", "textarea", "select", "option", "button"}
# How many body nodes the last-resort scan reads, at most.
MAX_FALLBACK_NODES = 6000


# A UTC stamp this close to midnight may fall on another day where the page's readers live (hours).
NEAR_MIDNIGHT_HOURS = 5
# <time> elements marked as publication dates (pubdate, itemprop, class) and the others.
TIME_MARKED_RANK = 30.0
TIME_UNMARKED_RANK = 43.0
# languages with many readers in the Americas or the Pacific, where a stamp may fall on the previous day
_WORLD_LANGUAGES = frozenset({"en", "es", "pt", "fr", "ht", "qu", "gn", "sm", "to", "haw"})
# Unlisted meta keys that name a publication or creation time rank below every listed key.
GENERIC_META_RANK = 48.0
_GENERIC_PUB_KEY_RE = re.compile(r"publi|creat|upload|release|issued|pubdate|posted", re.I)
# Last resorts: data keys in inline scripts, then dates in the canonical or lead-image URL.
SCRIPT_DATA_RANK = 57.0
LINK_DATE_RANK = 62.0
MAX_DATA_SCRIPTS = 40
# Only the start of a data script is searched (characters); page-state blobs can be megabytes.
MAX_DATA_SCRIPT_CHARS = 200_000
_SCRIPT_PUB_KEY_RE = re.compile(
    r'"(?:datePublished|published_?[aA]t|publish_?[dD]ate|pub_?[dD]ate|first-?[pP]ublication|publishedFirst|'
    r'publicationDate|firstPublished|created_?[aA]t)"\s*:\s*"([^"]{8,40})"'
)
AGREEMENT_BONUS_RANK = 0.001
# Ranks below this come from explicit publication metadata (JSON-LD, og/article meta, itemprop).
STRONG_RANK_LIMIT = 20
# Generic meta dates (DC.date, 'date', 'pubdate'...) are often the CMS's last save: they rank
# below a date shown under the headline (time element 30s, title area 40s) and above the rest.
WEAK_META_RANK = 41.0


@dataclass
class _Candidate:
    """A date found on the page, with its trust rank (lower wins) and provenance."""

    rank: float
    hit: _Hit
    source: str


@dataclass
class _Context:
    """Per-page state shared by the source readers."""

    now: datetime
    dayfirst: bool | None
    page: PageData
    published: list[_Candidate] = field(default_factory=list)
    modified: list[_Candidate] = field(default_factory=list)
    wrappers: frozenset[int] = frozenset()
    headline: LexborNode | None = None
    # '3 hours ago' names a day only against a known fetch time, never against the clock of a later run
    relative: bool = True
    # the westernmost UTC offset where the page's readers plausibly live (hours)
    west_hours: int = -12
    # _first_hit per text: pages repeat a date in meta tags and JSON-LD (hits are never changed)
    parsed: dict[str, _Hit | None] = field(default_factory=dict)
    # _marked_region of an element's class and id, by element (mem_id): the dates share ancestors
    regions: dict[int, str | None] = field(default_factory=dict)

    def fresh(self) -> _Context:
        """Return an empty context with the same page settings, for a second look at one source."""
        return _Context(
            self.now,
            self.dayfirst,
            self.page,
            wrappers=self.wrappers,
            headline=self.headline,
            relative=self.relative,
            west_hours=self.west_hours,
            parsed=self.parsed,  # same now and dayfirst: the same parse
            regions=self.regions,
        )

    def add(self, fld: str, rank: float, text: Any, source: str) -> None:
        """Parse a value and record it as a candidate for `fld` if it is a plausible date."""
        if not isinstance(text, str):
            return
        if text in self.parsed:
            hit = self.parsed[text]
        else:
            hit = self.parsed[text] = _first_hit(text, self.now, self.dayfirst)
        if hit is not None:
            (self.published if fld == "published" else self.modified).append(_Candidate(rank, hit, source))


def _from_jsonld(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Collect datePublished/dateModified of article-like JSON-LD objects (any depth, @graph)."""
    for obj, types in zip(ctx.page.jsonld, ctx.page.jsonld_types, strict=True):
        if types & DATED_TYPES:
            base = 0
        elif types & _PAGE_TYPES:
            base = 1
        elif "datePublished" in obj and not types & {"Person", "Organization", "ImageObject", "Comment"}:
            base = 2
        else:
            continue
        for key in ("datePublished", "dateCreated", "uploadDate"):
            value = obj.get(key)
            if isinstance(value, list) and value:
                value = value[0]
            ctx.add("published", _JSONLD_RANKS[base] + (0 if key == "datePublished" else 1), value, "json-ld")
        ctx.add("modified", _JSONLD_RANKS[base], obj.get("dateModified"), "json-ld")


def _from_meta(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Collect dates from <meta> tags (Open Graph, article:, Dublin Core, parsely, sailthru, ...)."""
    for attrs in ctx.page.metas:
        content = attrs.get("content") or attrs.get("datetime")
        if not content:
            continue
        for attr in ("property", "name", "itemprop", "http-equiv"):
            key = attrs.get(attr)
            if not key:
                continue
            kind = _meta_key_kind(key)
            if kind is None:
                continue
            if kind is _PARSELY_PAGE:
                _from_parsely_page(content, ctx)
                continue
            fld, rank, source = kind
            ctx.add(fld, rank, content, source)
            break


_PARSELY_PAGE = ("published", 0.0, "meta:parsely")  # marks the parsely-page key (a JSON blob), by identity


@functools.lru_cache(maxsize=4096)
def _meta_key_kind(key: str) -> tuple[str, float, str] | None:
    """Return (field, rank, source) for a date meta key, _PARSELY_PAGE, or None (sites reuse a few keys)."""
    key = key.strip().lower()
    if key == "parsely-page":
        return _PARSELY_PAGE
    spec = _META_DATES.get(key)
    if spec is not None:
        fld, rank, source = spec
        return fld, (WEAK_META_RANK if rank >= 4 else 10) + rank, source
    if _GENERIC_PUB_KEY_RE.search(key) and not _MOD_HINT_RE.search(key):
        # an unlisted vendor key ('five_hundred_pixels:uploaded', 'cXenseParse:publishtime')
        return "published", GENERIC_META_RANK, "meta"
    return None


def _from_parsely_page(content: str, ctx: _Context) -> None:
    """Read pub_date from the JSON blob of a parsely-page meta tag."""
    m = re.search(r'"pub_date"\s*:\s*"([^"]+)"', content)
    if m:
        ctx.add("published", 13, m.group(1), "meta:parsely")


def _excluded(
    node: LexborNode,
    wrappers: frozenset[int] = frozenset(),
    *,
    layout: bool = True,
    regions: dict[int, str | None] | None = None,
) -> bool:
    """Say whether a node sits in comments, related links, sidebars or footers."""
    # Inside <article>/<main> only comment and related-story wrappers count: an article's own
    # footer or side column often carries its byline and date.
    current: LexborNode | None = node
    layout_hit = False
    depth = 0
    while current is not None and depth < MAX_ANCESTOR_DEPTH:
        tag = current.tag_id
        if tag in _PAGE_TAG_IDS:
            break
        if tag in _CONTENT_TAG_IDS:
            return False
        key = current.mem_id
        if regions is not None and key in regions:
            region = regions[key]
        else:
            attrs = current.attributes
            marker = f"{attrs.get('class') or ''} {attrs.get('id') or ''}"
            region = _marked_region(marker) if marker.strip() else None
            if regions is not None:
                regions[key] = region
        if region is not None:
            if region is _FOREIGN:
                return True
            if region is _LAYOUT:
                # a 'has-sidebar' page wrapper holds the headline too; a real sidebar does not
                layout_hit = layout_hit or key not in wrappers
        if tag in _EXCLUDED_TAG_IDS:
            layout_hit = True
        current = current.parent
        depth += 1
    return layout and layout_hit


_FOREIGN = "foreign"
_LAYOUT = "layout"


@functools.lru_cache(maxsize=MARKER_CACHE_SIZE)
def _marked_region(marker: str) -> str | None:
    """Return _FOREIGN or _LAYOUT for a class/id marker that names such a region, else None."""
    # (cached: the dates of one page share their ancestors, and sites their wrappers' classes)
    m = _EXCLUDED_CLASS_RE.search(marker)
    if m is None:
        return None
    return _FOREIGN if _FOREIGN_CONTENT_RE.match(m.group(1)) else _LAYOUT


def _hint(node: LexborNode) -> str:
    """Return the class, id and itemprop of a node and its parent, for publish/update cues."""
    parts = []
    current: LexborNode | None = node
    for _ in range(2):
        if current is None:
            break
        attrs = current.attributes
        parts.append(" ".join(str(attrs.get(a) or "") for a in ("class", "id", "itemprop", "property")))
        current = current.parent
    return " ".join(parts)


def _time_nodes(tree: LexborHTMLParser) -> list[LexborNode]:
    """Return what tree.css(_TIME_SELECTOR)[:MAX_TIME_ELEMENTS] selects, from the cheaper _TIME_QUERY."""
    return relisted(tree.css(_TIME_QUERY), _time_selectors_matched, MAX_TIME_ELEMENTS)


def _time_selectors_matched(node: LexborNode) -> int:
    """Count the _TIME_SELECTOR selectors `node` matches (values compared case-sensitively, as CSS does)."""
    attrs = node.attributes
    itemprop = attrs.get("itemprop")
    tag = node.tag
    return (
        (tag == "time")
        + (itemprop == "datePublished")
        + (itemprop == "dateModified")
        + (tag == "abbr" and "title" in attrs)
    )


def _from_time_elements(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Collect <time> dates and itemprop dates, trusting ones marked as publication dates."""
    for order, node in enumerate(_time_nodes(tree)):
        if node.tag == "meta":
            continue
        attrs = node.attributes
        raw = attrs.get("datetime") or attrs.get("content") or attrs.get("title") or node.text(deep=True)
        if not raw:
            continue
        if node.tag == "abbr" and not _PUB_HINT_RE.search(str(attrs.get("class") or "")):
            continue
        hint = _hint(node)
        itemprop = str(attrs.get("itemprop") or "")
        if itemprop == "dateModified" or (_MOD_HINT_RE.search(hint) and not _PUB_HINT_RE.search(hint)):
            ctx.add("modified", 30, raw, "time-element")
            continue
        if _excluded(node, ctx.wrappers, regions=ctx.regions):
            continue
        marked = "pubdate" in attrs or itemprop == "datePublished" or bool(_PUB_HINT_RE.search(hint))
        # an unmarked <time> may be a teaser's: it ranks below the date line under the headline
        rank = TIME_MARKED_RANK if marked else TIME_UNMARKED_RANK
        ctx.add("published", rank + order * 0.01, raw, "time-element")


def _headline(
    tree: LexborHTMLParser,
    selectors: tuple[str, ...] = _HEADLINE_SELECTORS[:5],
    h1s: list[LexborNode] | None = None,
) -> LexborNode | None:
    """Return the page's main headline element (`h1s`: the page's h1 elements, when already read)."""
    for selector in selectors:
        if selector not in _H1_SELECTORS:
            nodes = tree.css(selector)
        else:
            within = _H1_SELECTORS[selector]
            # 'article h1', 'main h1' and 'h1' are read from one pass over the tree
            h1s = tree.css("h1") if h1s is None else h1s
            nodes = h1s if within is None else [n for n in h1s if has_ancestor(n, within)]
        # the first h1 is often the site's logo image: an empty one is skipped for the next
        for node in nodes[:MAX_HEADLINE_TRIES]:
            if node.text(strip=True) and not _SITE_TITLE_RE.search(_marker(node)):
                return node
    return None


def _marker(node: LexborNode) -> str:
    """Return the class and id of a node and its parent."""
    parent = node.parent
    attrs = [node.attributes] + ([parent.attributes] if parent is not None else [])
    return " ".join(f"{a.get('class') or ''} {a.get('id') or ''}" for a in attrs)


def _headline_wrappers(tree: LexborHTMLParser, headline: LexborNode | None) -> frozenset[int]:
    """Return the ids of the headline's ancestors (page wrappers, whatever their class says)."""
    node = headline or _headline(tree, _HEADLINE_SELECTORS[5:])
    ids: set[int] = set()
    while node is not None and len(ids) < MAX_ANCESTOR_DEPTH:
        ids.add(node.mem_id)
        node = node.parent
    return frozenset(ids)


def _datelines(text: str) -> str:
    """Join short text lines with spaces; of a long paragraph keep only its opening words."""
    # A date inside running text is about something else; a dateline is a short line of its own
    # or opens the first paragraph ('BERLIN, 29. Juli (dpa) -').
    lines = list(filter(None, map(str.strip, text.split("\n"))))
    if max(map(len, lines), default=0) <= MAX_DATE_LINE_CHARS:
        # no paragraph to cut: the lines join as they are, without a Python step per line
        return " ".join(lines)
    return " ".join(
        line if len(line) <= MAX_DATE_LINE_CHARS else line[:PARAGRAPH_OPENING_CHARS] + " ¶" for line in lines
    )


def _in_range(text: str, hit: _Hit) -> bool:
    """Say whether a date starts or ends a range ('31.12.2021 - 06.01.2022'), which dates no article."""
    if _RANGE_END_RE.search(text[max(0, hit.start - MENTION_CONTEXT_CHARS) : hit.start]):
        return True
    return hit.end >= 0 and _RANGE_START_RE.match(text, hit.end) is not None


def _mention(text: str, hit: _Hit) -> bool:
    """Say whether a date is mentioned in prose, a photo credit or a range, not a dateline."""
    before = text[max(0, hit.start - MENTION_CONTEXT_CHARS) : hit.start]
    if _in_range(text, hit):
        return True
    if hit.has_time:
        # prose and credits rarely give the clock time; datelines do ('am 19. Mai 2010 um 23:03')
        return False
    if _CREDIT_BEFORE_RE.search(before):
        return True
    words = [w.strip(".,(:").casefold() for w in before.split()[-2:]]
    return any(w in _PREPOSITIONS for w in words) and not _DATELINE_CUE_RE.search(before)


def _from_title_area(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Search the visible text around the headline for a dateline."""
    h1 = ctx.headline
    if h1 is None:
        return
    raw_title = lines_text(ctx.page, h1)
    title = _datelines(raw_title)
    first_line = raw_title.strip().split("\n", 1)[0].strip()
    scanned: set[str] = set()
    inner, container = h1, h1.parent
    for level in range(4):
        if container is None or container.tag in ("html",):
            return
        raw = lines_text(ctx.page, container, inner)
        # only the neighbourhood of the headline matters; long pages are cut before joining lines
        anchor = max(raw.find(first_line), 0) if first_line else 0
        raw = raw[max(0, anchor - RAW_WINDOW_CHARS) : anchor + len(raw_title) + RAW_WINDOW_CHARS]
        text = _datelines(raw)
        pos = text.find(title)
        if pos < 0:
            pos = 0
        end = pos + len(title)
        after = text[end : end + TITLE_WINDOW_AFTER_CHARS]
        before = text[max(0, pos - TITLE_WINDOW_BEFORE_CHARS) : pos]
        for segment, bias in ((after, 0.0), (before, 0.5)):
            if segment in scanned:
                continue
            scanned.add(segment)
            for hit in _iter_hits(segment, ctx.now, dayfirst=ctx.dayfirst, relative=ctx.relative):
                if not _plausible(hit.value, ctx.now) or _mention(segment, hit):
                    continue
                if _MOD_HINT_RE.search(segment, max(0, hit.start - MENTION_CONTEXT_CHARS), hit.start):
                    # 'Updated June 6, 2024': the modification day; the publication line may follow
                    ctx.modified.append(_Candidate(40 + level + bias, hit, "text"))
                    continue
                ctx.published.append(_Candidate(40 + level + bias, hit, "text"))
                return
        inner, container = container, container.parent


def _from_date_lines(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Collect dates from short elements whose class names a date, time, byline or meta line."""
    seen = 0
    for node in tree.css(_DATE_LINE_SELECTOR):
        if node.tag in ("script", "style", "meta", "link", "body", "html", "time"):
            continue
        text = node.text(deep=True, separator=" ")
        if not text or len(text) > MAX_DATE_LINE_CHARS or _DIGIT_RE.search(text) is None:
            continue
        seen += 1
        if seen > MAX_DATE_LINES:
            break
        if _excluded(node, ctx.wrappers, regions=ctx.regions):
            continue
        hint = _hint(node)
        rank = 50 if _PUB_HINT_RE.search(hint) else 51
        # 'Published 12.3.2019, updated 14.3.2019': the words before 'updated' date the publication
        update = _MOD_HINT_RE.search(text)
        parts: tuple[tuple[str, str], ...]
        if _MOD_HINT_RE.search(hint) and not _PUB_HINT_RE.search(hint):
            parts = (("modified", text),)
        elif update is not None:
            parts = (("published", text[: update.start()]), ("modified", text[update.start() :]))
        else:
            parts = (("published", text),)
        for fld, part in parts:
            hit = next(
                (
                    h
                    for h in _iter_hits(part, ctx.now, dayfirst=ctx.dayfirst, relative=ctx.relative)
                    if _plausible(h.value, ctx.now)
                ),
                None,
            )
            if hit is not None:
                (ctx.published if fld == "published" else ctx.modified).append(_Candidate(rank, hit, "text"))


def _from_any_text(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Last resort: the first short visible text in the page body that holds an absolute date."""
    body = tree.body
    if body is None:
        return
    for node in islice(body.traverse(include_text=True), MAX_FALLBACK_NODES):
        # whitespace-only text holds no date: skipped before its text is copied out
        if not node.is_text_node or node.is_empty_text_node:
            continue
        text = node.text_content or ""
        if len(text) > MAX_DATE_LINE_CHARS or _DIGIT_RE.search(text) is None:
            continue
        parent = node.parent
        if parent is None or parent.tag in _INVISIBLE_TAGS:
            continue
        for hit in _iter_hits(text, ctx.now, dayfirst=ctx.dayfirst, relative=False):
            if (
                _plausible(hit.value, ctx.now)
                and not _in_range(text, hit)
                and not _MOD_HINT_RE.search(text, 0, hit.start)
                and not _excluded(parent, ctx.wrappers, layout=False, regions=ctx.regions)
            ):
                ctx.published.append(_Candidate(55, hit, "heuristic"))
                return


def _url_day(url: str | None) -> tuple[int, int, int | None] | None:
    """Return (year, month, day or None) written in the URL path."""
    if not url:
        return None
    path = url.split("://", 1)[-1]
    path = path[path.find("/") :] if "/" in path else ""
    for regex in _URL_DATE_RES:
        m = regex.search(path)
        if m and _make(int(m.group(1)), int(m.group(2)), int(m.group(3))) is not None:
            return int(m.group(1)), int(m.group(2)), int(m.group(3))
    m = _URL_DMY_RE.search(path)
    if m and _make(int(m.group(3)), int(m.group(2)), int(m.group(1))) is not None:
        return int(m.group(3)), int(m.group(2)), int(m.group(1))
    m = _URL_MONTH_RE.search(path)
    if m and 1 <= int(m.group(2)) <= 12:
        return int(m.group(1)), int(m.group(2)), None
    return None


def _from_url(url_day: tuple[int, int, int | None] | None, ctx: _Context) -> None:
    """Use the date of the URL path (/2025/07/29/, /20250729/, /2025-07-29-...) when it names a day."""
    if url_day is None or url_day[2] is None:
        return
    day = _make(url_day[0], url_day[1], url_day[2])
    if day is not None and _plausible(day, ctx.now):
        ctx.published.append(_Candidate(60, _Hit(0, day, False), "url"))


def _from_script_data(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Last resort: a publication key in the page's inline data scripts ("published_at": "...")."""
    for node in tree.css("script:not([src])")[:MAX_DATA_SCRIPTS]:
        text = node.text(deep=True) or ""
        m = _SCRIPT_PUB_KEY_RE.search(text, 0, MAX_DATA_SCRIPT_CHARS)
        if m is not None:
            hit = _first_hit(m.group(1), ctx.now, ctx.dayfirst)
            if hit is not None:
                ctx.published.append(_Candidate(SCRIPT_DATA_RANK, hit, "heuristic"))
                return


def _from_page_links(tree: LexborHTMLParser, ctx: _Context) -> None:
    """Last resort: a full date in the canonical URL or the lead image's path (/2016/05/04/)."""
    data = ctx.page  # the head's tags, already read: no query over a large page's whole tree
    for found, attr in (
        (next((a for a in data.links if a.get("rel") == "canonical"), None), "href"),
        (next((a for a in data.metas if a.get("property") == "og:url"), None), "content"),
        (next((a for a in data.metas if a.get("property") == "og:image"), None), "content"),
    ):
        link = str(found.get(attr) or "") if found is not None else ""
        day = _url_day(link)
        if day is not None and day[2] is not None:
            value = _make(day[0], day[1], day[2])
            if value is not None and _plausible(value, ctx.now):
                ctx.published.append(_Candidate(LINK_DATE_RANK, _Hit(0, value, False), "url"))
                return


def _prefer_dateline_agreement(ctx: _Context) -> None:
    """Among several <time> elements, promote the one on the day the headline's dateline shows."""
    times = [c for c in ctx.published if c.source == "time-element"]
    lines = [c for c in ctx.published if c.source == "text"]
    if not times or not lines:
        return
    best_time = min(times, key=lambda c: c.rank)
    day = min(lines, key=lambda c: c.rank).hit.value.date()
    if best_time.hit.value.date() == day:
        return
    for cand in sorted(times, key=lambda c: c.rank):
        if cand.hit.value.date() == day:
            # teaser <time>s can be marked up like the article's own; the printed dateline decides
            cand.rank = min(c.rank for c in ctx.published) - AGREEMENT_BONUS_RANK
            return


def _page_zone(ctx: _Context) -> tzinfo | None:
    """Return the local zone used by the page's own dates (non-UTC preferred), for zoneless dates."""
    zones = [c.hit.value.tzinfo for c in sorted(ctx.published + ctx.modified, key=lambda c: c.rank)]
    aware = [z for z in zones if z is not None]
    local = [z for z in aware if z.utcoffset(None) not in (None, timedelta(0))]
    chosen = local or aware
    return chosen[0] if chosen else None


def _best(cands: list[_Candidate], zone: tzinfo | None) -> _Candidate | None:
    """Return the most trusted candidate, made timezone-aware."""
    if not cands:
        return None
    best = min(cands, key=lambda c: c.rank)
    value = best.hit.value
    if value.tzinfo is None:
        # a bare date or clock time: the page's own offset if it writes one, else UTC
        value = localize(value, zone if isinstance(zone, timezone) else UTC)
    elif zone is not None and value.utcoffset() == timedelta(0):
        # a UTC stamp on a page that otherwise writes local time: same instant, local wall clock
        value = value.astimezone(zone)
    return _Candidate(best.rank, _Hit(best.hit.start, value, best.hit.has_time), best.source)


def _shift_to_day(best: _Candidate, day: datetime, west_hours: int = -12) -> _Candidate | None:
    """Show a timed instant in the nearest zone (not west of `west_hours`) where it falls on `day`."""
    value = best.hit.value
    if not best.hit.has_time or abs((value.date() - day.date()).days) != 1:
        return None
    for hours in sorted(range(west_hours, 15), key=abs):
        shifted = value.astimezone(timezone(timedelta(hours=hours)))
        if shifted.date() == day.date():
            return _Candidate(best.rank, _Hit(best.hit.start, shifted, True), best.source)
    return None


def _agree_with_url(
    best: _Candidate, url_day: tuple[int, int, int | None] | None, west_hours: int = -12
) -> _Candidate:
    """Reconcile a found date with a full date in the URL, which names the local publication day."""
    if url_day is None or url_day[2] is None:
        return best
    day = _make(url_day[0], url_day[1], url_day[2])
    value = best.hit.value
    if day is None or value.date() == day.date():
        return best
    # the same instant seen from the page's own zone (e.g. a UTC stamp of a US evening article)
    shifted = _shift_to_day(best, day, west_hours)
    if shifted is not None:
        return shifted
    if best.source in ("text", "heuristic", "time-element"):
        return _Candidate(60, _Hit(0, localize(day, value.tzinfo or UTC), False), "url")
    return best


def _agree_with_page(tree: LexborHTMLParser, ctx: _Context, best: _Candidate) -> _Candidate:
    """Show a UTC stamp near midnight on the day the page itself prints under the headline."""
    value = best.hit.value
    if (
        not best.hit.has_time
        or value.utcoffset() != timedelta(0)
        or NEAR_MIDNIGHT_HOURS <= value.hour < 24 - NEAR_MIDNIGHT_HOURS
    ):
        return best
    shown = ctx.fresh()
    _from_title_area(tree, shown)
    if not shown.published:
        _from_date_lines(tree, shown)
    if not shown.published:
        return best
    day = shown.published[0].hit.value.replace(tzinfo=None)
    return _shift_to_day(best, day, ctx.west_hours) or best


def _shown_date(
    tree: LexborHTMLParser, ctx: _Context, published: _Candidate, modified: _Candidate, zone: tzinfo | None
) -> _Candidate:
    """Prefer the date shown under the headline when it is the page's modification day."""
    # A site that re-dates a refreshed article shows (and means) the new day; its metadata keeps
    # the first datePublished. Any other disagreement keeps the metadata date.
    if published.hit.value.date() == modified.hit.value.date():
        return published
    for reader in (_from_time_elements, _from_title_area):
        shown = ctx.fresh()
        reader(tree, shown)
        visible = _best(shown.published, zone)
        if visible is not None and visible.hit.value.date() == modified.hit.value.date():
            return visible
    return published


def _lang(tree: LexborHTMLParser) -> str:
    """Return the declared page language in lower case ('de-de'), or ''."""
    html = tree.root
    return str(html.attributes.get("lang") or "").lower().replace("_", "-") if html is not None else ""


def _west_hours(lang: str) -> int:
    """Return the westernmost UTC offset of a language's readers (American offsets only if spoken there)."""
    primary = lang.split("-", 1)[0]
    if not primary or primary in _WORLD_LANGUAGES:
        return -12
    # a German or Chinese page is not read at UTC-5: its dates never shift to an American day
    return -1


def _dayfirst(lang: str) -> bool | None:
    """Guess whether numeric dates put the day first, from the page language (US English does not)."""
    if not lang:
        return None
    return lang != "en-us"


def extract_dates(
    tree: LexborHTMLParser, url: str | None, fetched_at: datetime | None = None, data: PageData | None = None
) -> Dates:
    """Find the dates of a parsed page (and its head data, when already read) without changing it."""
    lang = _lang(tree)
    data = data if data is not None else page_data(tree)
    headline = _headline(tree, h1s=data.h1s)
    ctx = _Context(
        now=_aware_now(fetched_at),
        dayfirst=_dayfirst(lang),
        page=data,
        wrappers=_headline_wrappers(tree, headline),
        headline=headline,
        relative=fetched_at is not None,
        west_hours=_west_hours(lang),
    )
    url_day = _url_day(url)
    _from_jsonld(tree, ctx)
    _from_meta(tree, ctx)
    # each reader runs only while nothing more trusted than what it can offer has been found
    for reader, better_than in (
        (_from_time_elements, STRONG_RANK_LIMIT),
        (_from_title_area, STRONG_RANK_LIMIT),
        (_from_date_lines, WEAK_META_RANK + 10),
        (_from_any_text, WEAK_META_RANK + 10),
    ):
        if any(c.rank < better_than for c in ctx.published):
            break
        reader(tree, ctx)
    if not ctx.published:
        _from_url(url_day, ctx)
    if not ctx.published:
        _from_script_data(tree, ctx)
    if not ctx.published:
        _from_page_links(tree, ctx)
    _prefer_dateline_agreement(ctx)
    zone = _page_zone(ctx)
    dates = Dates()
    published = _best(ctx.published, zone)
    modified = _best(ctx.modified, zone)
    if published is not None and modified is not None and published.source.startswith(("json-ld", "meta")):
        published = _shown_date(tree, ctx, published, modified, zone)
    if published is None and modified is not None:
        # a page that only says when it was last changed: that day is the best estimate we have
        published = _Candidate(modified.rank, modified.hit, "heuristic")
    if published is not None:
        published = _agree_with_url(published, url_day, ctx.west_hours)
        published = _agree_with_page(tree, ctx, published)
        dates.published = published.hit.value
        dates.provenance["published"] = published.source
    if modified is not None:
        dates.modified = modified.hit.value
        dates.provenance["modified"] = modified.source
    return dates
