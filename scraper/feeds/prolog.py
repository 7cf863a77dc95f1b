"""The XML prolog guard: refuse entity declarations (and, for sitemaps/OPML, any DOCTYPE) before parsing."""

from __future__ import annotations

import codecs
import re

_DECLARED_ENCODING_RE = re.compile(
    rb"""^\s*<\?xml[^>]{0,200}?encoding\s*=\s*["']([A-Za-z0-9._:-]{1,40})["']"""
)
_ROOT_RE = re.compile(r"<\w")
_ENTITY_RE = re.compile(r"<!ENTITY", re.IGNORECASE)
_DOCTYPE_RE = re.compile(r"<!DOCTYPE", re.IGNORECASE)
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
# how '<?xm' starts a document in encodings where it is not ASCII (as feedparser sniffs them)
_SNIFFED = (
    (b"<\x00\x00\x00", "utf-32-le"),
    (b"\x00\x00\x00<", "utf-32-be"),
    (b"<\x00?\x00", "utf-16-le"),
    (b"\x00<\x00?", "utf-16-be"),
    (b"\x4c\x6f\xa7\x94", "cp037"),
)


def _as_text(content: bytes) -> str:
    """Decode the document the way an XML parser would see its markup (BOM, sniffing, declared encoding)."""
    for bom, codec in _WIDE_BOMS:
        if content.startswith(bom):
            return content[len(bom) :].decode(codec, errors="replace")
    for start, codec in _SNIFFED:
        if content.startswith(start):
            return content.decode(codec, errors="replace")
    declared = _DECLARED_ENCODING_RE.match(content)
    if declared:
        # e.g. UTF-7, where "+ADw-!ENTITY" is "<!ENTITY" once decoded
        try:
            return content.decode(declared[1].decode("ascii"), errors="replace")
        except (LookupError, ValueError):
            pass
    return content.decode("latin-1")


def _skip_prolog(text: str) -> list[str]:
    """The DOCTYPE declarations of the real prolog, stepping over whitespace, comments and PIs."""
    doctypes: list[str] = []
    pos, size = 0, len(text)
    while pos < size:
        if text[pos].isspace() or text[pos] == "\ufeff":
            pos += 1
        elif text.startswith("<?", pos):
            end = text.find("?>", pos + 2)
            pos = size if end < 0 else end + 2
        elif text.startswith("<!--", pos):
            end = text.find("-->", pos + 4)
            pos = size if end < 0 else end + 3
        elif text[pos : pos + 9].upper() == "<!DOCTYPE":
            end = _doctype_end(text, pos)
            doctypes.append(text[pos:end])
            pos = end
        else:
            break
    return doctypes


def _doctype_end(text: str, start: int) -> int:
    """Index just past a DOCTYPE declaration, internal subset included."""
    bracket = text.find("[", start)
    close = text.find(">", start)
    if bracket != -1 and (close == -1 or bracket < close):
        end = text.find("]", bracket)
        close = text.find(">", end) if end != -1 else -1
    return len(text) if close == -1 else close + 1


def _heads(content: bytes) -> list[str]:
    """What parsers take for the prolog: the real one (expat), all text before the first tag (feedparser)."""
    text = _as_text(content)
    root = _ROOT_RE.search(text)
    return [*_skip_prolog(text), text if root is None else text[: root.start()]]


def declares_entities(content: bytes) -> bool:
    """Tell whether the document's prolog declares entities (billion-laughs and quadratic-blowup shapes)."""
    return any(_ENTITY_RE.search(head) for head in _heads(content))


def has_doctype(content: bytes) -> bool:
    """Tell whether the document's prolog holds a DOCTYPE (refused by the stdlib-parsed formats)."""
    return any(_DOCTYPE_RE.search(head) for head in _heads(content))
