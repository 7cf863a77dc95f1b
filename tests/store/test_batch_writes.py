"""The batch forms the pipeline writes with: record_fetches, validators_many, save_validators_many."""

from __future__ import annotations

from sqlalchemy import text

from scraper.models import FetchAttempt
from scraper.store import Store


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
