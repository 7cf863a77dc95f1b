"""Turn body bytes into text: BOM, then the declared charset (header, meta, XML), then detection."""

from __future__ import annotations

import codecs
import re

import charset_normalizer

META_SCAN_BYTES = 4096  # where HTML puts <meta charset>; the spec's prescan reads 1024, pages stray further
# share of invalid UTF-8 bytes standing alone (between valid characters) that marks cp1252 text: Western
# accented letters and curly quotes come one at a time, multi-byte encodings (Shift_JIS, GBK) in runs
CP1252_MIN_LONE_SHARE = 0.8
DETECT_SAMPLE_BYTES = 64 * 1024  # charset-normalizer reads at most this much

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_META_RE = re.compile(rb"""<meta[^>]*?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)
_XML_DECL_RE = re.compile(rb"""^\s*<\?xml[^>]*?encoding\s*=\s*["']([a-zA-Z0-9_:.+-]+)""", re.I)
_CHARSET_PARAM_RE = re.compile(r"""charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)
# labels browsers read as a superset (WHATWG Encoding), so the text matches what a reader saw
_SUPERSETS = {
    "latin-1": "cp1252",
    "iso8859-1": "cp1252",
    "ascii": "cp1252",
    "iso8859-9": "cp1254",
    "shift_jis": "cp932",
    "euc_jp": "euc_jp",
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "euc_kr": "cp949",
    "iso8859-11": "cp874",
    "tis-620": "cp874",
    "big5": "big5hkscs",
    # a page cannot declare UTF-16 in a meta tag it could be read by; browsers use UTF-8
    "utf-16": "utf-8",
    "utf-16-le": "utf-8",
    "utf-16-be": "utf-8",
}


def normalize_charset(label: str | None) -> str | None:
    """Return the Python codec name for a charset label (browser superset where one exists), or None."""
    if not label:
        return None
    try:
        name = codecs.lookup(label.strip().strip("'\"")).name
    except LookupError:
        return None
    return _SUPERSETS.get(name, name)


def charset_from_content_type(content_type: str) -> str | None:
    """Return the charset parameter of a Content-Type header, normalized, or None."""
    if "charset" not in content_type.lower():
        return None
    m = _CHARSET_PARAM_RE.search(content_type)
    return normalize_charset(m.group(1)) if m else None


def declared_in_document(data: bytes) -> str | None:
    """Return the charset an XML declaration or <meta> in the first 4 KB names, or None."""
    head = data[:META_SCAN_BYTES]
    m = _XML_DECL_RE.match(head) or _META_RE.search(head)
    return normalize_charset(m.group(1).decode("ascii")) if m else None


_ESCAPED_RE = re.compile("[\udc80-\udcff]+")  # runs of bytes kept by the surrogateescape handler


def _mend_cp1252(match: re.Match[str]) -> str:
    """Read bytes that are not UTF-8 as cp1252 (latin-1 for cp1252's five unassigned bytes)."""
    return "".join(
        bytes((ord(c) - 0xDC00,)).decode("cp1252", errors="ignore") or chr(ord(c) - 0xDC00)
        for c in match.group()
    )


def detect(data: bytes) -> str | None:
    """Guess the charset of undeclared bytes with charset-normalizer."""
    matches = list(charset_normalizer.from_bytes(data[:DETECT_SAMPLE_BYTES]))
    if not matches:
        return None
    best = matches[0]
    # Mac code pages tie with the Windows ones on short text; the web almost never uses them
    if best.encoding.startswith("mac_"):
        for other in matches[1:]:
            if other.chaos <= best.chaos and not other.encoding.startswith("mac_"):
                best = other
                break
    return normalize_charset(best.encoding)


def decode_body(data: bytes, content_type: str = "") -> tuple[str, str]:
    """Decode a body; return (text, codec used)."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), name
    declared = charset_from_content_type(content_type) or declared_in_document(data)
    if declared is None and data.isascii():
        return data.decode("ascii"), "utf-8"
    candidate = declared or "utf-8"
    try:
        return data.decode(candidate), candidate
    except UnicodeDecodeError:
        pass
    if candidate == "utf-8":
        escaped = data.decode("utf-8", errors="surrogateescape")
        runs = [len(run) for run in _ESCAPED_RE.findall(escaped)]
        if runs.count(1) >= CP1252_MIN_LONE_SHARE * sum(runs):
            # a cp1252 page labelled UTF-8, or a UTF-8 template around pasted cp1252 text: mend byte by byte
            return _ESCAPED_RE.sub(_mend_cp1252, escaped), "utf-8+cp1252"
    guessed = detect(data)
    if guessed:
        try:
            return data.decode(guessed), guessed
        except UnicodeDecodeError:
            pass
    return data.decode(declared or guessed or "utf-8", errors="replace"), declared or guessed or "utf-8"
