"""The XML prolog guard: refuse entity declarations before any XML parser sees the document."""

from __future__ import annotations

import codecs
import re

# Far past any real prolog (XML declaration, comments, a DOCTYPE); a root element later than this is junk.
PROLOG_SCAN_BYTES = 64 * 1024
_COMMENT_RE = re.compile(rb"<!--.*?(?:-->|\Z)", re.DOTALL)
_PI_RE = re.compile(rb"<\?.*?(?:\?>|\Z)", re.DOTALL)
_ROOT_RE = re.compile(rb"<[A-Za-z_:]")
_ENTITY_RE = re.compile(rb"<!ENTITY", re.IGNORECASE)
_DOCTYPE_RE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


def _as_ascii_compatible(head: bytes) -> bytes:
    """Re-encode a UTF-16/32 head as UTF-8 so byte patterns see its markup."""
    for bom, codec in _WIDE_BOMS:
        if head.startswith(bom):
            return head[len(bom) :].decode(codec, errors="replace").encode("utf-8")
    # UTF-16 without a BOM still announces itself with a NUL beside the first '<'
    if head.startswith(b"<\x00\x00\x00"):
        return head.decode("utf-32-le", errors="replace").encode("utf-8")
    if head.startswith(b"\x00\x00\x00<"):
        return head.decode("utf-32-be", errors="replace").encode("utf-8")
    if head.startswith(b"<\x00"):
        return head.decode("utf-16-le", errors="replace").encode("utf-8")
    if head.startswith(b"\x00<"):
        return head.decode("utf-16-be", errors="replace").encode("utf-8")
    return head


def prolog(content: bytes) -> bytes:
    """Return the part of an XML document before its root element, comments and PIs removed."""
    head = _as_ascii_compatible(content[:PROLOG_SCAN_BYTES].lstrip())
    head = _PI_RE.sub(b"", _COMMENT_RE.sub(b"", head))
    root = _ROOT_RE.search(head)
    return head if root is None else head[: root.start()]


def declares_entities(content: bytes) -> bool:
    """Tell whether the document's prolog declares entities (the billion-laughs shape)."""
    return _ENTITY_RE.search(prolog(content)) is not None


def has_doctype(content: bytes) -> bool:
    """Tell whether the document's prolog holds a DOCTYPE (refused by the stdlib-parsed formats)."""
    return _DOCTYPE_RE.search(prolog(content)) is not None
