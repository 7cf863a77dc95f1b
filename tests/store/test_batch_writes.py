"""The batch forms the pipeline writes with: record_fetches, validators_many, save_validators_many."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

from sqlalchemy import text
from sqlalchemy.dialects import sqlite

from scraper.models import FetchAttempt
from scraper.store import Store
from scraper.store.schema import UTCDateTime
from scraper.store.store import _sqlite_time


def test_record_fetches_writes_every_attempt_with_its_source_in_one_call(store: Store) -> None:
    a = FetchAttempt(url="https://e.com/a", started_at="2025-07-29T10:00:00Z", outcome="ok", status=200)
    b = FetchAttempt(
        url="https://f.com/b", started_at="2025-07-29T10:00:01Z", outcome="not-modified", status=304
    )
    store.record_fetches([([a], "e"), ([], "nothing"), ([b], "f")])
    store.record_fetches([])
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT url, outcome, source FROM fetches ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [
        ("https://e.com/a", "ok", "e"),
        ("https://f.com/b", "not-modified", "f"),
    ]


def test_validators_many_reads_what_save_validators_many_wrote(store: Store) -> None:
    store.save_validators("https://e.com/gone", '"old"', None)
    store.save_validators_many(
        [
            ("https://e.com/a", '"a1"', None),
            ("https://e.com/a", '"a2"', "Tue, 29 Jul 2025 13:54:00 GMT"),  # the later one wins
            ("https://e.com/b", None, "Wed, 30 Jul 2025 08:00:00 GMT"),
            ("https://e.com/gone", None, None),  # both None forgets, as save_validators does
        ]
    )
    found = store.validators_many(
        ["HTTPS://E.com/a#top", "https://e.com/b", "https://e.com/gone", "https://x.org/"]
    )
    assert found == {
        "HTTPS://E.com/a#top": ('"a2"', "Tue, 29 Jul 2025 13:54:00 GMT"),
        "https://e.com/b": (None, "Wed, 30 Jul 2025 08:00:00 GMT"),
    }
    assert store.validators("https://e.com/a") == found["HTTPS://E.com/a#top"]
    store.save_validators_many([("https://e.com/a", '"a3"', None)])  # an update, not a second row
    assert store.validators_many(["https://e.com/a"]) == {"https://e.com/a": ('"a3"', None)}


def test_sqlite_fast_path_writes_times_as_sqlalchemy_does() -> None:
    # the bulk inserts bypass SQLAlchemy on SQLite; their text must sort and parse like its own
    dialect = sqlite.dialect()
    column = UTCDateTime()
    to_text = column.impl.dialect_impl(dialect).bind_processor(dialect)
    for value in (
        datetime(2025, 7, 29, 9, 54, 3, 12, tzinfo=timezone(timedelta(hours=-4))),
        datetime(2026, 1, 1, tzinfo=UTC),
        datetime(5, 1, 2, 3, 4, 5),
    ):
        assert _sqlite_time(value) == to_text(column.process_bind_param(value, dialect))
    assert _sqlite_time(None) is None
