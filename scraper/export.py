"""Export stored articles as JSON or JSON Lines, streamed from one consistent snapshot of the store."""

from __future__ import annotations

import hashlib
import json
import os
import re
import tempfile
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from scraper.errors import ExportError
from scraper.store import RECORD_FIELDS, Store

FORMATS = ("json", "jsonl")
SUFFIXES = {"json": ".json", "jsonl": ".jsonl"}
WRITE_BUFFER_BYTES = 1024 * 1024  # fewer, larger writes; bounded, so memory stays flat
MAX_FILENAME_CHARS = 100
SCHEMA_PATH = Path(__file__).with_name("export_schema.json")
# Names Windows refuses whatever the extension; exports are often copied there.
_RESERVED_NAMES = frozenset(
    {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(1, 10)), *(f"lpt{i}" for i in range(1, 10))}
)
_UNSAFE_CHARS_RE = re.compile(r"[^A-Za-z0-9._-]+")


def export_schema() -> dict[str, Any]:
    """Return the JSON Schema of one export record."""
    schema: dict[str, Any] = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return schema


def write_records(records: Iterator[str], out: TextIO, fmt: str) -> int:
    """Write JSON-encoded records to an open text stream as a JSON array or JSON Lines; return how many."""
    count = 0
    if fmt == "jsonl":
        for record in records:
            out.write(record)
            out.write("\n")
            count += 1
        return count
    out.write("[")
    for record in records:
        out.write(",\n" if count else "\n")
        out.write(record)
        count += 1
    out.write("\n]\n" if count else "]\n")
    return count


def _fsync_dir(folder: Path) -> None:
    """Flush a folder's entries to disk so a rename survives a crash (no-op where unsupported)."""
    with suppress(OSError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextmanager
def atomic_text_file(path: Path) -> Iterator[TextIO]:
    """Open a temporary file beside `path`; on success fsync and rename it over `path`, else delete it."""
    folder = path.parent
    if not folder.is_dir():
        raise ExportError(f"folder does not exist: {folder}")
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=folder)
    except OSError as exc:
        raise ExportError(f"cannot write in {folder}: {exc.strerror}") from None
    tmp = Path(tmp_name)
    try:
        fh: TextIO = open(fd, "w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER_BYTES)  # noqa: SIM115
        with fh:
            yield fh
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        _fsync_dir(folder)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise ExportError(f"cannot write {path}: {exc.strerror}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def export_articles(
    store: Store,
    out: TextIO | str | os.PathLike[str],
    *,
    fmt: str = "jsonl",
    since: datetime | None = None,
    since_field: str = "fetched",
    source: str | None = None,
    tag: str | None = None,
    fields: Sequence[str] | None = None,
    all_versions: bool = False,
) -> int:
    """Stream articles (latest versions, or every version) to a stream or a file written atomically."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (use {' or '.join(FORMATS)})")
    if all_versions and fields is not None and "changes" not in fields:
        fields = [*fields, "changes"]
    elif all_versions and fields is None:
        fields = [*list(RECORD_FIELDS), "changes"]
    records = store.iter_json(
        since=since, since_field=since_field, source=source, tag=tag, fields=fields, all_versions=all_versions
    )
    if isinstance(out, str | os.PathLike):
        with atomic_text_file(Path(out)) as fh:
            return write_records(records, fh, fmt)
    return write_records(records, out, fmt)


def safe_filename(name: str) -> str:
    """Turn article data (a source name) into a file name that stays inside its folder."""
    text = unicodedata.normalize("NFKC", name)
    clean = _UNSAFE_CHARS_RE.sub("_", text).strip("._-")[:MAX_FILENAME_CHARS] or "_"
    if clean.split(".")[0].lower() in _RESERVED_NAMES:
        clean = f"_{clean}"
    if clean != name:
        # two different names must not end in one file
        clean = f"{clean}-{hashlib.sha256(name.encode('utf-8')).hexdigest()[:8]}"
    return clean


def export_per_source(
    store: Store,
    folder: str | os.PathLike[str],
    *,
    fmt: str = "jsonl",
    since: datetime | None = None,
    since_field: str = "fetched",
    tag: str | None = None,
    fields: Sequence[str] | None = None,
    all_versions: bool = False,
) -> dict[str, Path]:
    """Export one file per source into `folder` (names sanitised); return source -> file written."""
    if fmt not in FORMATS:
        raise ExportError(f"unknown format {fmt!r} (use {' or '.join(FORMATS)})")
    base = Path(folder)
    if not base.is_dir():
        raise ExportError(f"folder does not exist: {base}")
    wanted = list(fields) if fields is not None else list(RECORD_FIELDS)
    if "source" not in wanted:
        wanted.append("source")
    if all_versions and "changes" not in wanted:
        wanted.append("changes")
    records = store.iter_latest(
        since=since, since_field=since_field, tag=tag, fields=wanted, all_versions=all_versions
    )
    written: dict[str, Path] = {}
    # one temp file per source, all renamed only after the whole snapshot was read
    handles: dict[str, tuple[Path, Path, TextIO, list[int]]] = {}
    try:
        for record in records:
            name = record["source"] or "unknown-source"
            entry = handles.get(name)
            if entry is None:
                target = base / (safe_filename(name) + SUFFIXES[fmt])
                if target.resolve().parent != base.resolve():
                    raise ExportError(f"refusing to write outside {base}: {target}")
                fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=base)
                new_fh: TextIO = open(fd, "w", encoding="utf-8", newline="\n", buffering=WRITE_BUFFER_BYTES)  # noqa: SIM115
                entry = handles[name] = (target, Path(tmp_name), new_fh, [0])
                if fmt == "json":
                    new_fh.write("[")
            target, _, fh, count = entry
            # the same compact encoding as Store.iter_json, so both exports give identical lines
            line = json.dumps(record, ensure_ascii=False, separators=(",", ":"))
            if fmt == "json":
                fh.write(",\n" if count[0] else "\n")
                fh.write(line)
            else:
                fh.write(line)
                fh.write("\n")
            count[0] += 1
        for name, (target, tmp, fh, count) in handles.items():
            if fmt == "json":
                fh.write("\n]\n" if count[0] else "]\n")
            fh.flush()
            os.fsync(fh.fileno())
            fh.close()
            os.replace(tmp, target)
            written[name] = target
        _fsync_dir(base)
    except OSError as exc:
        raise ExportError(f"cannot write in {base}: {exc.strerror}") from None
    finally:
        for _, tmp, fh, _ in handles.values():
            fh.close()
            tmp.unlink(missing_ok=True)
    return written


__all__ = ["ExportError", "export_articles", "export_per_source", "export_schema", "safe_filename"]
