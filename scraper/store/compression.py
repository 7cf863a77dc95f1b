"""zstd compression of bodies and raw HTML, one (de)compressor per thread since they are not thread-safe."""

from __future__ import annotations

import threading

import zstandard

# Measured on 400 real pages (/work/shared/bench, 149 KB average): level 1 compresses at 324 MB per CPU
# second to 20.5% of the HTML, level 3 at 148 MB/s to 19.4%; level 6 saves ~1% more for 4x level 3's
# time. Extracted bodies (3-8 KB) compress equally at levels 1 and 3 (48.9%), level 1 20% faster.
RAW_ZSTD_LEVEL = 1
TEXT_ZSTD_LEVEL = 1
COMPRESSION_NAME = "zstd"
# C threads one compress_many call spreads its inputs over (a batch of pages uses both cores)
COMPRESS_THREADS = 2
COMPRESS_THREADS_MIN_ITEMS = 8  # fewer items compress in the calling thread: starting threads costs more

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


def compress_many(items: list[bytes], level: int = TEXT_ZSTD_LEVEL) -> list[bytes]:
    """Compress each item as `compress` would, in one call that releases the GIL once for all of them."""
    # Python threads that take the GIL back after each of many short C calls wait up to the switch
    # interval (5 ms) each time another thread runs Python: a batch compressed item by item on a
    # helper thread took 80x longer beside a busy writer (measured); one call for all does not wait.
    comp = _compressor(level)
    # (the batch call refuses empty inputs; an empty input's frame is the same every time)
    full: list[bytes | bytearray | memoryview] = [item for item in items if item]
    if not full:
        return [comp.compress(item) for item in items]
    threads = COMPRESS_THREADS if len(full) >= COMPRESS_THREADS_MIN_ITEMS else 0
    batch = comp.multi_compress_to_buffer(full, threads=threads)
    frames = iter(batch[k].tobytes() for k in range(len(batch)))
    empty = comp.compress(b"")
    return [next(frames) if item else empty for item in items]


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
