"""Read a response body with its Content-Encoding undone, never holding more than the cap."""

from __future__ import annotations

import zlib
from collections.abc import AsyncIterable

SUPPORTED_ENCODINGS = ("gzip", "deflate")  # what we can inflate with a bounded output
ACCEPT_ENCODING = ", ".join(SUPPORTED_ENCODINGS)
# largest piece inflated per zlib call: zlib grows then copies its output buffer, so one big call
# would briefly hold twice its size
INFLATE_STEP_BYTES = 256 * 1024


class BodyTooLarge(Exception):
    """The decoded body went past the cap."""


class BadEncoding(Exception):
    """The body's Content-Encoding is unknown or its data is corrupt."""


def check_encoding(content_encoding: str) -> None:
    """Raise BadEncoding unless we can undo this Content-Encoding with a bounded output."""
    if content_encoding.strip().lower() not in ("", "identity", "gzip", "x-gzip", "deflate"):
        raise BadEncoding(f"unsupported Content-Encoding {content_encoding.strip().lower()!r}")


class _Inflater:
    """zlib inflation whose output per call is bounded, so a bomb cannot balloon in one chunk."""

    def __init__(self, encoding: str) -> None:
        self._deflate = encoding == "deflate"
        self._obj = zlib.decompressobj(
            zlib.MAX_WBITS | 16 if encoding in ("gzip", "x-gzip") else zlib.MAX_WBITS
        )
        self._first = True

    def feed(self, data: bytes, room: int, out: list[bytes]) -> int:
        """Inflate data into out, at most room + 1 bytes; return how many bytes were added."""
        added = 0
        try:
            chunk = self._obj.decompress(data, min(room + 1, INFLATE_STEP_BYTES))
        except zlib.error:
            if not (self._deflate and self._first):
                raise BadEncoding("corrupt compressed body") from None
            # some servers send raw deflate without the zlib header
            self._obj = zlib.decompressobj(-zlib.MAX_WBITS)
            chunk = self._decompress(data, min(room + 1, INFLATE_STEP_BYTES))
        self._first = False
        while True:
            if chunk:
                out.append(chunk)
                added += len(chunk)
                if added > room:
                    return added
            tail = self._obj.unconsumed_tail
            if not tail:
                return added
            chunk = self._decompress(tail, min(room - added + 1, INFLATE_STEP_BYTES))

    def _decompress(self, data: bytes, limit: int) -> bytes:
        """Inflate with an output limit, mapping zlib errors."""
        try:
            return self._obj.decompress(data, limit)
        except zlib.error:
            raise BadEncoding("corrupt compressed body") from None

    def flush(self) -> bytes:
        """Return what is left in the inflater."""
        try:
            return self._obj.flush()
        except zlib.error:
            raise BadEncoding("corrupt compressed body") from None


async def read_body(
    raw: AsyncIterable[bytes], content_encoding: str, cap: int, *, truncate: bool = False
) -> bytes:
    """Return the decoded body: BodyTooLarge past cap (cut there if truncate), BadEncoding if unreadable."""
    try:
        return await _read(raw, content_encoding, cap)
    except _Overflow as over:
        if truncate:
            return b"".join(over.parts)[:cap]
        raise BodyTooLarge() from None


class _Overflow(Exception):
    """Internal: the body passed the cap; carries what was read."""

    def __init__(self, parts: list[bytes]) -> None:
        super().__init__()
        self.parts = parts


async def _read(raw: AsyncIterable[bytes], content_encoding: str, cap: int) -> bytes:
    """Decode and collect the body, raising _Overflow once it passes cap."""
    encoding = content_encoding.strip().lower()
    out: list[bytes] = []
    total = 0
    if encoding in ("", "identity"):
        async for chunk in raw:
            total += len(chunk)
            out.append(chunk)
            if total > cap:
                raise _Overflow(out)
        return b"".join(out)
    check_encoding(encoding)
    inflater = _Inflater(encoding)
    async for chunk in raw:
        total += inflater.feed(chunk, cap - total, out)
        if total > cap:
            raise _Overflow(out)
    tail = inflater.flush()
    out.append(tail)
    if total + len(tail) > cap:
        raise _Overflow(out)
    return b"".join(out)
