"""Byline cleanup: person names out of 'By Jane Doe and John Roe | Reuters, Updated 3 hours ago'."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterable

# A name with more words than this is a sentence, not a byline (words).
MAX_NAME_WORDS = 6
# A name needs at least this many letters ('V' is a stray initial).
MIN_NAME_LETTERS = 2
# A name longer than this is text picked by mistake (characters).
MAX_NAME_CHARS = 70

_LEAD_RE = re.compile(
    r"^\s*[~–—-]?\s*(?:(?:written|posted|published|reported|text|story|words|veröffentlicht|eingestellt|"
    r"erstellt|geschrieben|verfasst|ein\s+beitrag|beitrag|publié|écrit|escrito|publicado|scritto|pubblicato)\s+)?"
    r"(?:by|von|vom|par|por|di|da|de|door|af|av|autor(?:in)?|author|text|von\s+der\s+redaktion|about|über)"
    r"\s*[:\-]?\s+",
    re.I,
)
# a compound naming the role before the name ('FOCUS-Online-Experte Robin Tschöpe')
_ROLE_COMPOUND_RE = re.compile(
    r"^\S+-(?:experte|expertin|autor|autorin|redakteur|redakteurin|korrespondent|korrespondentin|reporter|"
    r"reporterin|kolumnist|kolumnistin|chefredakteur|chefredakteurin|editor|correspondent|columnist)\s+",
    re.I,
)
_LABEL_RE = re.compile(
    r"^\s*(?:autor(?:in|en)?|auteur|authors?|text|texte|by|von|redakteur(?:in)?|bylines?|interview)\s*:\s*",
    re.I,
)
# an author label inside a meta line, after other fields ('Datum: 03.11.2021 Autor: ...')
_INNER_LABEL_RE = re.compile(
    r"(?<=\S)\s+(?:autor(?:in|en)?|authors?|verfasser(?:in)?|redaktion)\s*:\s+", re.I
)
# the next field's label ('Quelle: Livenet', 'Tags: ...')
_NEXT_LABEL_RE = re.compile(r"\s+[^\W\d_]{3,}:(?:\s.*)?$")
# where a byline stops naming people: agency after a bar, a date, a 'updated' note
_CUT_RE = re.compile(
    r"\s[|•·]\s.*$|\s*\|.*$|\s+(?:updated|published|posted|aktualisiert|veröffentlicht)\s+.*$"
    # 'am', 'on', 'le', 'el' before a date ('Publié le 18 février'), not in a name ('Loïc Le Clerc');
    # 'for' before the publication ('Brendan Carlin For The Mail On Sunday')
    r"|\s+(?:am|on|le|el)\s+(?=(?:\S+\s+)?\d).*$|\s+for\s+.*$"
    r"|\s*\d{1,2}[./]\d{1,2}[./]\d{2,4}.*$|\s*\d{4}-\d\d-\d\d.*$|\s*\d{1,2}:\d\d.*$"
    # a weekday opens a date ('Tomas Spahn Fr, 18. Oktober')
    r"|\s+(?:mo|di|mi|do|fr|sa|so|mon|tue|wed|thu|fri|sat|sun)\.?,?\s+\d.*$",
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
# a dash between spaces before a role ends the names ('Jane Doe - Chrome Safe Browsing team'); before
# anything else it may join two names or a name and its publisher, which are judged as they stand
_DASH_ROLE_RE = re.compile(rf"\s[-–—]\s(?=.*?{_ROLE_RE.pattern}).*$", re.I)
_JUNK_RE = re.compile(r"https?://|www\.|@|\d|\.(?:com|de|net|org|at|ch|fr|es|it|uk)\b", re.I)
# lower-case words allowed inside a name (particles); any other lower-case word makes it prose
_PARTICLES = frozenset(
    re.findall(
        r"\S+", "von van der den de del della di da dos das du le la les bin ibn al el zu vom ter ten y e"
    )
)
# capitalised words that are link labels or headings, never names
_NOT_NAME_WORDS = frozenset(
    re.findall(
        r"\S+",
        "artikel articles article profile profil more mehr alle all weitere posts post beiträge beitrag view "
        "read lesen kontakt contact home startseite newsletter share teilen facebook twitter instagram menu "
        "redaktion editor editors staff team admin administrator anonymous gast guest author autor "
        "auteur autorin "
        "by von por par posted published veröffentlicht datum date eingestellt erstellt interview foto photo "
        "monday tuesday wednesday thursday friday saturday sunday "
        "montag dienstag mittwoch donnerstag freitag "
        "samstag sonntag lundi mardi mercredi jeudi vendredi samedi dimanche phd md msc mba rd",
    )
)
_HANDLE_RE = re.compile(r"(?=.*[^\W\d_])[\w][\w.-]{1,29}")
# fragments that credit something other than the text (photos, sources)
_CREDIT_RE = re.compile(
    r"^\s*(?:foto|fotos|photo|photos|bild|bilder|image|images|quelle|source|illustration)s?\b", re.I
)
_INITIAL_END_RE = re.compile(r"[^\W\d_]{2,}\s+(?:[A-ZÄÖÜ]|Jr|Sr)\.$")
# soft hyphens and zero-width characters ('Mei\xadne') are invisible in print
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_PAREN_RE = re.compile(r"\([^)]*\)|\[[^\]]*\]")


def _norm(text: str) -> str:
    """Collapse whitespace and normalise Unicode."""
    # metadata is sometimes escaped twice ('Redacci&oacute;n'); '&' must not split it into two names
    text = html.unescape(text)
    if not text.isascii():
        # (ASCII text holds no invisible character and is its own NFC form)
        text = unicodedata.normalize("NFC", _INVISIBLE_RE.sub("", text))
    return " ".join(text.split())


def _clean_one(part: str, *, handles: bool = False) -> str | None:
    """Return a bare person name (or, if allowed, a user handle) from one byline fragment, or None."""
    if _CREDIT_RE.match(part):
        return None
    part = _LABEL_RE.sub("", _PAREN_RE.sub(" ", part))
    part = _norm(part)
    # 'Joe S.': the dot belongs to a closing initial
    initial_dot = _INITIAL_END_RE.search(part.rstrip(" ~-–—:,;|•·\"'“”„")) is not None
    part = part.strip(" ~-–—:,.;|•·\"'“”„")
    part = _ROLE_COMPOUND_RE.sub("", _LEAD_RE.sub("", part))
    part = part.strip(" -–—:,.;|•·\"'“”„") + ("." if initial_dot else "")
    if handles and _HANDLE_RE.fullmatch(part) and part.casefold() not in _NOT_NAME_WORDS:
        # a blog or forum signs with its user name ('gizzmo', 'freeman1984')
        return part
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
    if not _looks_like_name(words):
        return None
    return part


def _looks_like_name(words: list[str]) -> bool:
    """Say whether words read as a person's name: capitalised words, particles and initials."""
    letters = [c for c in "".join(words) if c.isalpha()]
    if len(letters) < MIN_NAME_LETTERS:
        return False
    if not any(c.isupper() for c in letters) and all(c.isascii() for c in letters):
        # lower-case Latin text is prose or a user handle, not a byline name
        return False
    for word in words:
        bare = word.strip(".,'’-")
        if not bare:
            continue
        if bare.casefold() in _PARTICLES and word is not words[0]:
            # 'Christoph von Ritter': inside a name 'von' is a particle, not a byline's 'by'; one
            # surname ends it ('Pressemitteilung von Katja Kipping' is a sentence)
            rest = [w for w in words[words.index(word) + 1 :] if w.casefold() not in _PARTICLES]
            if bare.casefold() in ("von", "van") and len(rest) != 1:
                return False
            continue
        if bare.casefold() in _NOT_NAME_WORDS:
            return False
        if bare[0].isalpha() and bare[0].islower() and bare.casefold() not in _PARTICLES:
            return False
    return True


def is_labelled_byline(text: str) -> bool:
    """Say whether a byline opens with a label or 'by' ('Author: ...', 'von ...', 'Posted by ...')."""
    text = _norm(text)
    return bool(_LABEL_RE.match(text) or _LEAD_RE.match(text))


def clean_authors(raw: Iterable[str], *, handles: bool = False) -> list[str]:
    """Return deduplicated names from raw bylines, without 'By', dates, roles; `handles` keeps user names."""
    names: list[str] = []
    seen: set[str] = set()
    for text in raw:
        if not isinstance(text, str):
            continue
        text = _norm(text)
        inner = _INNER_LABEL_RE.search(text)
        if inner is not None:
            # 'Datum: 03.11.2021 Autor: Fritz Imhof Quelle: Livenet': the name follows its label
            text = text[inner.end() :]
        labelled = _LABEL_RE.sub("", text)
        if inner is not None or labelled != text:
            # ... and ends at the next one
            labelled = _NEXT_LABEL_RE.sub("", labelled)
        text = labelled
        text = _LEAD_RE.sub("", text)
        text = _CUT_RE.sub("", text)
        text = _DASH_ROLE_RE.sub("", text)
        for part in _SPLIT_RE.split(text):
            name = _clean_one(part, handles=handles)
            if name is None:
                continue
            key = name.casefold()
            if key in seen or any(key in other for other in seen):
                continue
            # a longer form of a name already kept ('Paddy' then 'Paddy Patrick Ludolph') replaces it
            shorter = [n for n in names if n.casefold() in key]
            for old in shorter:
                names.remove(old)
            seen.add(key)
            names.append(name)
    return names
