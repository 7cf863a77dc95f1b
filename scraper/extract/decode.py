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


def decode_html(data: bytes) -> str:
    """Decode page bytes: BOM, <meta charset> in the first 4 KB, charset-normalizer, else UTF-8."""
    return decode_html_utf8(data)[0]


def decode_html_utf8(data: bytes) -> tuple[str, bool]:
    """Decode as decode_html does; the flag says the text is `data` read as valid UTF-8, byte for byte."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            return data[len(bom) :].decode(name, errors="replace"), False
    match = _META_CHARSET.search(data[:META_SNIFF_BYTES])
    if match:
        label = match.group(1) or match.group(2) or b""
        declared = _known(label.decode("ascii", errors="ignore"))
        if declared is not None:
            # a utf-16 label on a byte-oriented page is a lie the spec tells us to read as utf-8
            if declared.startswith(("utf-16", "utf-32")):
                declared = "utf-8"
            text = data.decode(declared, errors="replace")
            # no replacement character: nothing was invalid (or the page wrote one itself, then it is kept)
            return text, declared == "utf-8" and "\ufffd" not in text
    try:
        return data.decode("utf-8"), True
    except UnicodeDecodeError:
        pass
    best = from_bytes(data[:DETECT_SAMPLE_BYTES]).best()
    if best is not None and best.encoding:
        detected = _known(best.encoding)
        if detected is not None:
            return data.decode(detected, errors="replace"), False
    return data.decode("utf-8", errors="replace"), False
