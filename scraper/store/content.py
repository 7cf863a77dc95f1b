"""What counts as an article's content: normalisation, content hash, and what changed between versions."""

from __future__ import annotations

import difflib
import hashlib
import unicodedata
from datetime import UTC, datetime
from typing import Any

from scraper.models import Article

# Fields whose change is reported by `history` / `diff` (the hashed ones first).
HASHED_FIELDS = ("title", "body", "authors", "published", "modified")
COMPARED_FIELDS = (*HASHED_FIELDS, "description", "tags", "language", "site_name", "image")
DIFF_CONTEXT_PARAGRAPHS = 1
HASH_RECIPE = "content-v1"  # change only with a migration: a new recipe makes every article look edited
BODY_HASH_RECIPE = "body-v1"  # change only with a migration that recomputes articles.body_hash
# Shorter bodies (paywall stubs, consent notices, feed teasers, "enable JavaScript") are too generic:
# two pages sharing one are not the same article. A wire story runs to thousands of characters.
DUPLICATE_MIN_BODY_CHARS = 500


def normalize_text(text: str | None) -> str:
    """Return text in Unicode NFC with every whitespace run collapsed to one space, stripped."""
    if not text:
        return ""
    # str.split() with no argument splits on every Unicode whitespace run, many times faster than re.sub
    return " ".join(_nfc(text).split())


def _nfc(text: str) -> str:
    """Return text in NFC, skipping the work for ASCII and already-normalized text."""
    if text.isascii() or unicodedata.is_normalized("NFC", text):
        return text
    return unicodedata.normalize("NFC", text)


def _collapse(line: str) -> str:
    """Collapse whitespace runs of one line to single spaces, stripped."""
    # isprintable() is False for every whitespace but " ", so such lines need no split/join
    if line.isprintable() and "  " not in line and line[:1] != " " and line[-1:] != " ":
        return line
    return " ".join(line.split())


def paragraphs(body: str | None) -> list[str]:
    """Split a body into normalized, non-empty paragraphs (one per line)."""
    if not body:
        return []
    return [p for p in map(_collapse, _nfc(body).splitlines()) if p]


def parse_datetime(value: str | None) -> datetime | None:
    """Parse an ISO 8601 timestamp to an aware UTC datetime (naive taken as UTC); None if unreadable."""
    if not value:
        return None
    text = value.strip()
    if text.endswith(("Z", "z")):
        text = text[:-1] + "+00:00"
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def _normalize_date(value: str | None) -> str:
    """Return a date string as UTC ISO when it parses, so one instant in two offsets is one value."""
    parsed = parse_datetime(value)
    return parsed.isoformat() if parsed else normalize_text(value)


def content_hash(article: Article, body_paragraphs: list[str] | None = None) -> str:
    """Return the sha256 over normalized title, body (by paragraph), authors, published and modified."""
    # Normalized text holds no control characters (str.split() treats \x1c-\x1f as whitespace), so these
    # separators cannot be forged by content; the leading tag versions the recipe.
    parts = [
        HASH_RECIPE,
        normalize_text(article.title),
        "\x1e".join(paragraphs(article.body) if body_paragraphs is None else body_paragraphs),
        "\x1e".join(a for a in (normalize_text(x) for x in article.authors) if a),
        _normalize_date(article.published),
        _normalize_date(article.modified),
    ]
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()


def body_hash(body_paragraphs: list[str]) -> str | None:
    """Return the sha256 identifying a body's text (paragraph breaks count as spaces); None when too short."""
    # Outlets reprinting a wire story break its paragraphs differently, so only the words and their
    # order count: NFC, every whitespace run (line breaks included) one space.
    text = " ".join(body_paragraphs)
    if len(text) < DUPLICATE_MIN_BODY_CHARS:
        return None
    return hashlib.sha256(f"{BODY_HASH_RECIPE}\x1f{text}".encode()).hexdigest()


def _field_value(record: dict[str, Any], name: str) -> Any:
    """Return a field in the normalized form used to decide whether it changed."""
    value = record.get(name)
    if name == "body":
        return paragraphs(value)
    if name in ("published", "modified"):
        return _normalize_date(value)
    if isinstance(value, list):
        return [normalize_text(str(v)) for v in value]
    return normalize_text(value) if isinstance(value, str) or value is None else value


def changed_fields(old: dict[str, Any], new: dict[str, Any]) -> list[str]:
    """List the compared fields whose normalized value differs between two version records."""
    return [f for f in COMPARED_FIELDS if _field_value(old, f) != _field_value(new, f)]


def body_change(old_body: str | None, new_body: str | None) -> dict[str, int]:
    """Count paragraphs and characters added and removed between two bodies."""
    a, b = paragraphs(old_body), paragraphs(new_body)
    stats = {"paragraphs_added": 0, "paragraphs_removed": 0, "chars_added": 0, "chars_removed": 0}
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        stats["paragraphs_removed"] += i2 - i1
        stats["paragraphs_added"] += j2 - j1
        stats["chars_removed"] += sum(len(p) for p in a[i1:i2])
        stats["chars_added"] += sum(len(p) for p in b[j1:j2])
    return stats


def initial_changes(paras: list[str]) -> dict[str, Any]:
    """Describe a first version from its normalized paragraphs: every paragraph added."""
    return {
        "initial": True,
        "fields": [],
        "paragraphs_added": len(paras),
        "paragraphs_removed": 0,
        "chars_added": sum(len(p) for p in paras),
        "chars_removed": 0,
    }


def summarize_changes(old: dict[str, Any] | None, new: dict[str, Any]) -> dict[str, Any]:
    """Describe a version against its predecessor: changed fields and the size of the body change."""
    if old is None:
        return initial_changes(paragraphs(new.get("body")))
    return {
        "initial": False,
        "fields": changed_fields(old, new),
        **body_change(old.get("body"), new.get("body")),
    }


def body_unified_diff(
    old_body: str | None, new_body: str | None, from_label: str, to_label: str
) -> list[str]:
    """Return a unified diff of two bodies, one line per paragraph."""
    return list(
        difflib.unified_diff(
            paragraphs(old_body),
            paragraphs(new_body),
            fromfile=from_label,
            tofile=to_label,
            lineterm="",
            n=DIFF_CONTEXT_PARAGRAPHS,
        )
    )
