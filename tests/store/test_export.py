"""Export: JSON and JSON Lines, streamed, atomic files, checked against the shipped JSON Schema."""

from __future__ import annotations

import dataclasses
import io
import json
import os
from pathlib import Path

import pytest

from scraper.errors import StoreError
from scraper.export import ExportError, export_articles, export_per_source, export_schema, safe_filename
from scraper.store import ALL_FIELDS, Store
from tests.store.factories import make_article
from tests.store.schema_check import validate


def _fill(store: Store) -> None:
    store.save_article(make_article(1, source="s1", tags=["chips"]))
    second = make_article(2, source="s2", authors=["Ana Ruiz", "Li Wei"], description=None)
    store.save_article(second)
    store.save_article(dataclasses.replace(second, title="Edited title", fetched_at="2025-08-01T00:00:00Z"))


def test_jsonl_records_match_schema(store: Store) -> None:
    _fill(store)
    out = io.StringIO()
    assert export_articles(store, out, fmt="jsonl") == 2
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    schema = export_schema()
    for record in records:
        assert validate(record, schema) == []
        assert list(record) == list(schema["properties"])[: len(record)]
    assert records[1]["edited"] is True and records[1]["version"] == 2


def test_all_versions_match_schema_and_carry_changes(store: Store) -> None:
    _fill(store)
    out = io.StringIO()
    assert export_articles(store, out, fmt="json", all_versions=True) == 3
    records = json.loads(out.getvalue())
    assert [(r["version"], r["changes"]["fields"]) for r in records] == [(1, []), (1, []), (2, ["title"])]
    for record in records:
        assert validate(record, export_schema()) == []


def test_schema_check_catches_a_bad_record() -> None:
    bad = {"url": 3, "version": 0, "content_hash": "xyz", "surprise": True}
    problems = validate(bad, export_schema())
    assert len(problems) == 4


def test_json_array_empty_and_fields(store: Store) -> None:
    out = io.StringIO()
    assert export_articles(store, out, fmt="json") == 0
    assert json.loads(out.getvalue()) == []
    _fill(store)
    out = io.StringIO()
    export_articles(store, out, fmt="json", source="s2", fields=["canonical_url", "authors"])
    assert json.loads(out.getvalue()) == [
        {
            "canonical_url": "https://news.example.com/2025/07/bitmain-us-factory-2",
            "authors": ["Ana Ruiz", "Li Wei"],
        }
    ]


def test_bad_arguments_write_nothing(store: Store, tmp_path: Path) -> None:
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "out.json"
    with pytest.raises(ExportError, match="unknown format 'xml'"):
        export_articles(store, target, fmt="xml")
    with pytest.raises(StoreError, match="unknown field"):
        export_articles(store, target, fields=["nope"])
    assert not target.exists() and list(tmp_path.iterdir()) == []


def test_file_export_is_atomic(store: Store, tmp_path: Path) -> None:
    _fill(store)
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    target = tmp_path / "dump.jsonl"
    target.write_text("previous export\n")

    class Boom(Exception):
        pass

    def exploding(*args, **kwargs):
        yield '{"title": "first"}'
        raise Boom

    original = store.iter_json
    store.iter_json = exploding  # type: ignore[method-assign]
    with pytest.raises(Boom):
        export_articles(store, target)
    store.iter_json = original  # type: ignore[method-assign]
    assert target.read_text() == "previous export\n"  # the old file survives a failed export
    assert [p.name for p in tmp_path.iterdir()] == ["dump.jsonl"]  # no temp file left behind
    assert export_articles(store, str(target)) == 2
    assert len(target.read_text().splitlines()) == 2


def test_missing_folder_is_a_clear_error(store: Store, tmp_path: Path) -> None:
    with pytest.raises(ExportError, match="folder does not exist"):
        export_articles(store, tmp_path / "nope" / "x.json")


@pytest.mark.parametrize(
    "name", ["../../etc/passwd", "/abs/path", "a/b", "..", ".", "", "con", "NUL.txt", "ünï cödé", "x" * 300]
)
def test_safe_filename_stays_inside(tmp_path: Path, name: str) -> None:
    safe = safe_filename(name)
    assert "/" not in safe and "\\" not in safe and safe not in ("", ".", "..")
    assert (tmp_path / safe).resolve().parent == tmp_path.resolve()
    assert len(safe) <= 120


def test_safe_filename_keeps_distinct_names_distinct() -> None:
    assert safe_filename("a/b") != safe_filename("a_b") and safe_filename("plain-name") == "plain-name"


def test_export_per_source(store: Store, tmp_path: Path) -> None:
    _fill(store)
    store.save_article(make_article(9, source="../evil"))
    tmp_path = tmp_path / "out"
    tmp_path.mkdir()
    written = export_per_source(store, tmp_path, fmt="json")
    assert set(written) == {"s1", "s2", "../evil"}
    for path in written.values():
        assert path.parent == tmp_path
    assert len(json.loads(written["s2"].read_text())) == 1
    assert sorted(os.listdir(tmp_path)) == sorted(p.name for p in written.values())


def test_json_stream_equals_records(store: Store) -> None:
    _fill(store)
    store.save_article(make_article(5, title="Ünïcödé “quotes” — 中文", body="Zwölf Boxkämpfer\nδ", tags=[]))
    for kwargs in ({}, {"all_versions": True, "fields": [*ALL_FIELDS]}, {"fields": ["edited_at", "body"]}):
        encoded = [json.loads(line) for line in store.iter_json(**kwargs)]
        assert encoded == list(store.iter_latest(**kwargs))
    line = next(store.iter_json(source="example"))
    assert "Ünïcödé “quotes” — 中文" in line  # UTF-8 as is, not \\u escapes


def test_per_source_lines_equal_the_filtered_export(store: Store, tmp_path: Path) -> None:
    _fill(store)
    written = export_per_source(store, tmp_path, fmt="jsonl")
    for name, path in written.items():
        out = io.StringIO()
        export_articles(store, out, fmt="jsonl", source=name)
        assert path.read_text(encoding="utf-8") == out.getvalue()
