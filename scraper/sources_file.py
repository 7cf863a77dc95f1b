"""Edits of sources.toml that keep its comments and order: add sources, remove one (tomlkit lives here)."""

from __future__ import annotations

import os
import re
import tempfile
import tomllib
from pathlib import Path
from typing import Any

import tomlkit
from tomlkit.exceptions import TOMLKitError

from scraper.config import Settings, load_sources
from scraper.errors import ConfigError
from scraper.feeds.fields import loose_url_key
from scraper.models import Source

_SOURCES_HEADER_RE = re.compile(r"^[ \t]*\[\[[ \t]*sources[ \t]*\]\][ \t]*(?:#.*)?$")
_ANY_HEADER_RE = re.compile(r"^[ \t]*\[")
_DEFAULT_INTERVAL_S = Source.__dataclass_fields__["interval_s"].default


def add_sources(
    path: str | os.PathLike[str], sources: list[Source], *, skip_existing: bool = False
) -> list[Source]:
    """Append [[sources]] tables for `sources`, keeping the file's text; return the sources added.

    A name or URL already in the file (or twice in `sources`) is a ConfigError, or skipped with skip_existing.
    """
    file = Path(path)
    text = _read_text(file) if file.exists() else ""
    existing = _entries(text, file)
    names = {str(e.get("name")) for e in existing}
    urls = {loose_url_key(str(e.get("url", ""))) for e in existing}
    added: list[Source] = []
    for source in sources:
        clash = "name" if source.name in names else "URL" if loose_url_key(source.url) in urls else None
        if clash is not None:
            if skip_existing:
                continue
            value = source.name if clash == "name" else source.url
            raise ConfigError(f"{file}: a source with the {clash} {value!r} is already listed")
        names.add(source.name)
        urls.add(loose_url_key(source.url))
        added.append(source)
    if not added:
        return []
    newline = "\r\n" if "\r\n" in text else "\n"
    block = _render(added).replace("\n", newline)
    body = text.rstrip("\r\n")
    new_text = f"{body}{newline}{newline}{block}" if body else block
    loaded = _write_checked(file, new_text)
    return loaded[len(existing) :]


def remove_source(path: str | os.PathLike[str], name: str) -> None:
    """Delete the [[sources]] table called `name`, keeping every other line and comment."""
    file = Path(path)
    text = _read_text(file)
    existing = _entries(text, file)
    index = next((i for i, e in enumerate(existing) if e.get("name") == name), None)
    if index is None:
        known = ", ".join(str(e.get("name")) for e in existing) or "none"
        raise ConfigError(f"{file}: unknown source {name!r} (known: {known})")
    expected = existing[:index] + existing[index + 1 :]
    for cut in (_remove_lines, _remove_structurally):
        candidate = cut(text, index, len(existing))
        # the edit must leave exactly the other sources, else try the next way
        if candidate is not None and _entries_or_none(candidate) == expected:
            _replace(file, candidate)
            return
    raise ConfigError(f"{file}: could not remove {name!r} without disturbing the rest; edit it by hand")


def _read_text(file: Path) -> str:
    """Read the sources file as text, keeping its line endings."""
    try:
        with file.open(encoding="utf-8", newline="") as fh:
            return fh.read()
    except FileNotFoundError:
        raise ConfigError(f"file not found: {file}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{file}: cannot read: {exc}") from None


def _entries(text: str, file: Path) -> list[dict[str, Any]]:
    """The raw [[sources]] tables of a sources file's text."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: TOML syntax error: {exc}") from None
    entries = data.get("sources", [])
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise ConfigError(f"{file}: 'sources' must be an array of tables ([[sources]])")
    return entries


def _render(sources: list[Source]) -> str:
    """TOML text of [[sources]] tables for the sources, only non-default keys besides name and url."""
    tables = tomlkit.aot()
    for source in sources:
        table = tomlkit.table()
        table.add("name", source.name)
        table.add("url", source.url)
        if source.kind != "feed":
            table.add("kind", source.kind)
        if source.interval_s != _DEFAULT_INTERVAL_S:
            interval = source.interval_s
            table.add("interval", int(interval) if float(interval).is_integer() else interval)
        if not source.enabled:
            table.add("enabled", False)
        if source.tags:
            table.add("tags", list(source.tags))
        if source.selector is not None:
            table.add("selector", source.selector)
        if source.pattern is not None:
            table.add("pattern", source.pattern)
        if source.fallback:
            fallback = tomlkit.array()
            for kind, url in source.fallback:
                alt = tomlkit.inline_table()
                alt.update({"kind": kind, "url": url})
                fallback.append(alt)
            table.add("fallback", fallback)
        tables.append(table)
    doc = tomlkit.document()
    doc.append("sources", tables)
    # tomlkit glues consecutive [[sources]] tables together; a blank line between them reads better
    return re.sub(r"(?<=[^\n])\n(?=\[\[sources\]\])", "\n\n", tomlkit.dumps(doc))


def _is_trivia(line: str) -> bool:
    """A blank or comment-only line."""
    stripped = line.strip()
    return not stripped or stripped.startswith("#")


def _remove_lines(text: str, index: int, count: int) -> str | None:
    """Cut the index-th [[sources]] table out by lines, leaving comments that lead into the next table."""
    lines = text.splitlines(keepends=True)
    headers = [i for i, line in enumerate(lines) if _SOURCES_HEADER_RE.match(line.rstrip("\r\n"))]
    if len(headers) != count:
        return None  # a header inside a multi-line string, or an inline-array file: let tomlkit do it
    start = headers[index]
    end = next((i for i in range(start + 1, len(lines)) if _ANY_HEADER_RE.match(lines[i])), len(lines))
    # blank and comment lines at the end of the block introduce whatever follows; keep them
    while end > start + 1 and _is_trivia(lines[end - 1]):
        end -= 1
    kept = lines[:start] + lines[end:]
    # no double blank line where the table was
    while 0 < start < len(kept) and not kept[start - 1].strip() and not kept[start].strip():
        del kept[start]
    return "".join(kept)


def _remove_structurally(text: str, index: int, count: int) -> str | None:
    """Delete the table with tomlkit (comments inside it may go too); the fallback of _remove_lines."""
    try:
        doc = tomlkit.parse(text)
        tables = doc["sources"]
        if not isinstance(tables, list) or len(tables) != count:
            return None
        del tables[index]
        return tomlkit.dumps(doc)
    except (TOMLKitError, KeyError, TypeError, IndexError):
        return None


def _entries_or_none(text: str) -> list[dict[str, Any]] | None:
    """The raw [[sources]] tables of the text, or None when it does not parse."""
    try:
        entries = tomllib.loads(text).get("sources", [])
    except tomllib.TOMLDecodeError:
        return None
    return entries if isinstance(entries, list) else None


def _replace(file: Path, text: str) -> None:
    """Replace the file's content atomically, keeping its permissions."""
    tmp = _temp_copy(file, text)
    try:
        if file.exists():
            os.chmod(tmp, file.stat().st_mode & 0o7777)
        os.replace(tmp, file)
    except OSError as exc:
        raise ConfigError(f"{file}: cannot write: {exc.strerror or exc}") from None
    finally:
        tmp.unlink(missing_ok=True)


def _write_checked(file: Path, text: str) -> list[Source]:
    """Validate the new text as load_sources would, then replace the file atomically; return its sources."""
    tmp = _temp_copy(file, text)
    try:
        loaded = _load(tmp, file)
    finally:
        tmp.unlink(missing_ok=True)
    _replace(file, text)
    return loaded


def _load(tmp: Path, file: Path) -> list[Source]:
    """Run load_sources on a temporary copy, naming the real file in errors."""
    try:
        return load_sources(Settings(sources_file=str(tmp.resolve())))
    except ConfigError as exc:
        raise ConfigError(exc.message.replace(str(tmp.resolve()), str(file))) from None


def _temp_copy(file: Path, text: str) -> Path:
    """Write text to a temporary file beside `file` (same filesystem, so os.replace is atomic)."""
    folder = file.resolve().parent
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=f".{file.name}.", suffix=".tmp", dir=folder)
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
    except OSError as exc:
        raise ConfigError(f"{file}: cannot write: {exc.strerror or exc}") from None
    return Path(name)
