"""Turn fetched page bytes into text: BOM, then <meta charset>, then detection, then UTF-8."""

from __future__ import annotations

import codecs
import re

from charset_normalizer import from_bytes

META_SNIFF_BYTES = 4096  # the HTML spec's prescan window for <meta charset>
DETECT_SAMPLE_BYTES = 65536  # enough for charset-normalizer to decide, cheap on 5 MB pages

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_OTHER_BOMS = tuple(bom for bom, name in _BOMS if name != "utf-8")
_META_CHARSET = re.compile(
    rb"""<meta[^>]+?charset\s*=\s*["']?\s*([a-zA-Z0-9_:.\-]+)"""
    rb"""|<\?xml[^>]+?encoding\s*=\s*["']([a-zA-Z0-9_:.\-]+)""",
    re.IGNORECASE,
)


def _known(name: str) -> str | None:
    """Return the codec name Python uses for `name`, or None if Python has no such codec."""
    try:
        codec = codecs.lookup(name).name
    except LookupError:
        return None
    # pages labelled latin-1/ascii are in practice windows-1252 (the HTML spec maps them so)
    return "cp1252" if codec in {"latin-1", "iso8859-1", "ascii"} else codec


def _declared(data: bytes) -> str | None:
    """Return the codec a <meta charset> (or XML declaration) in the first 4 KB names, else None."""
    match = _META_CHARSET.search(data[:META_SNIFF_BYTES])
    if match is None:
        return None
    label = match.group(1) or match.group(2) or b""
    declared = _known(label.decode("ascii", errors="ignore"))
    # a utf-16 label on a byte-oriented page is a lie the spec tells us to read as utf-8
    if declared is not None and declared.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return declared


def _detected(data: bytes) -> str:
    """Return the codec charset-normalizer guesses from the page's start, else utf-8."""
    best = from_bytes(data[:DETECT_SAMPLE_BYTES]).best()
    detected = _known(best.encoding) if best is not None and best.encoding else None
    return detected or "utf-8"


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, <meta charset> in the first 4 KB, charset-normalizer, else UTF-8."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace")
    codec = _declared(data)
    if codec is None:
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError:
            codec = _detected(data)
    return data.decode(codec, errors="replace")


def parser_input(data: bytes) -> str | bytes:
    """Return what the HTML parser should read: `data` itself when it is UTF-8, else decode_html's text."""
    if data.startswith(codecs.BOM_UTF8):
        return data[len(codecs.BOM_UTF8) :]
    if data.startswith(_OTHER_BOMS):
        return decode_html(data)
    codec = _declared(data)
    if codec is None:
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            return data.decode(_detected(data), errors="replace")
        return data
    # declared UTF-8 goes unchecked: selectolax decodes lexbor's bytes with errors="replace" as
    # decode_html would, and checking a valid page costs a decode of all of it
    return data if codec == "utf-8" else data.decode(codec, errors="replace")
