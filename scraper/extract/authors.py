"""Byline cleanup: person names out of 'By Jane Doe and John Roe | Reuters, Updated 3 hours ago'."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

# A name with more words than this is a sentence, not a byline (words).
MAX_NAME_WORDS = 6
# A name longer than this is text picked by mistake (characters).
MAX_NAME_CHARS = 70

_LEAD_RE = re.compile(
    r"^\s*(?:(?:written|posted|reported|photos?|text|story|words|interview)\s+)?"
    r"(?:by|von|vom|par|por|di|da|de|door|af|av|autor(?:in)?|author|text|von\s+der\s+redaktion)\s*[:\-]?\s+",
    re.I,
)
_LABEL_RE = re.compile(r"^\s*(?:autor(?:in|en)?|authors?|text|by|von|redakteur(?:in)?|bylines?)\s*:\s*", re.I)
# where a byline stops naming people: agency after a bar, a date, a 'updated' note
_CUT_RE = re.compile(
    r"\s[|•·]\s.*$|\s*\|.*$|\s+(?:updated|published|posted|aktualisiert|veröffentlicht|am|on|le|el)\s+.*$"
    r"|\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}.*$|\s*\d{4}-\d\d-\d\d.*$|\s*\d{1,2}:\d\d.*$",
    re.I,
)
_SPLIT_RE = re.compile(r"\s*(?:,|;|&|\+|/|\band\b|\bund\b|\bet\b|\by\b|\be\b|\ben\b|\bsowie\b)\s*", re.I)
_ROLE_RE = re.compile(
    r"\b(?:staff|writer|reporter|editor|editorial|correspondent|contributor|columnist|photographer|"
    r"redaktion|redakteur(?:in)?|korrespondent(?:in)?|chefredakteur(?:in)?|journalist(?:in)?|"
    r"senior|associate|contributing|team|desk|newsroom|admin|administrator|guest|gastautor(?:in)?|"
    r"rédaction|rédacteur|redacción|press|presse|agency|agentur|wire|services?|news|media|"
    r"published|updated|minutes?|min|read|comments?|share|follow|email|twitter|facebook)\b",
    re.I,
)
_JUNK_RE = re.compile(r"https?://|www\.|@|\d")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _norm(text: str) -> str:
    """Collapse whitespace and normalise Unicode."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def _clean_one(part: str) -> str | None:
    """Return a bare person name from one byline fragment, or None if it is not a name."""
    part = _PAREN_RE.sub(" ", part)
    part = _norm(part).strip(" -–—:,.;|•·\"'“”„")
    part = _LEAD_RE.sub("", part)
    part = part.strip(" -–—:,.;|•·\"'“”„")
    if not part or len(part) > MAX_NAME_CHARS or _JUNK_RE.search(part):
        return None
    words = part.split()
    if len(words) > MAX_NAME_WORDS:
        return None
    if len(words) > 1 and _ROLE_RE.search(part):
        # 'Jane Doe, Staff Writer' is split already; a fragment naming a role is not a name
        return None
    if len(words) == 1 and _ROLE_RE.fullmatch(part):
        return None
    if not any(c.isalpha() for c in part):
        return None
    return part


def clean_authors(raw: Iterable[str]) -> list[str]:
    """Return deduplicated person names from raw byline strings, without 'By', dates, roles or agencies."""
    names: list[str] = []
    seen: set[str] = set()
    for text in raw:
        if not isinstance(text, str):
            continue
        text = _norm(text)
        text = _LABEL_RE.sub("", text)
        text = _LEAD_RE.sub("", text)
        text = _CUT_RE.sub("", text)
        for part in _SPLIT_RE.split(text):
            name = _clean_one(part)
            if name is None:
                continue
            key = name.casefold()
            if key not in seen:
                seen.add(key)
                names.append(name)
    return names
