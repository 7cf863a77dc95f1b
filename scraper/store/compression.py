"""zstd compression of bodies and raw HTML, one (de)compressor per thread since they are not thread-safe."""

from __future__ import annotations

import threading

import zstandard

# Measured on news-like pages: level 6 saves ~1% of the size of level 3 for 4x the time.
RAW_ZSTD_LEVEL = 3
TEXT_ZSTD_LEVEL = 3
COMPRESSION_NAME = "zstd"

_local = threading.local()


def _compressor(level: int) -> zstandard.ZstdCompressor:
    """Return this thread's compressor for `level`."""
    cache: dict[int, zstandard.ZstdCompressor] | None = getattr(_local, "compressors", None)
    if cache is None:
        cache = _local.compressors = {}
    comp = cache.get(level)
    if comp is None:
        comp = cache[level] = zstandard.ZstdCompressor(level=level)
    return comp


def compress(data: bytes, level: int = TEXT_ZSTD_LEVEL) -> bytes:
    """Compress bytes with zstd (content size written in the frame header)."""
    result: bytes = _compressor(level).compress(data)
    return result


def decompress(data: bytes) -> bytes:
    """Decompress one zstd frame."""
    dec: zstandard.ZstdDecompressor | None = getattr(_local, "decompressor", None)
    if dec is None:
        dec = _local.decompressor = zstandard.ZstdDecompressor()
    result: bytes = dec.decompress(data)
    return result


def compress_text(text: str) -> bytes:
    """Compress a str as UTF-8."""
    return compress(text.encode("utf-8"), TEXT_ZSTD_LEVEL)


def decompress_text(data: bytes | None) -> str:
    """Decompress a UTF-8 str; None gives ""."""
    return decompress(bytes(data)).decode("utf-8") if data else ""
