"""Syndicated copies: one body text reached through several URLs is one article with several seen_at URLs."""

from __future__ import annotations

import dataclasses
import io
import json

from alembic import command
from sqlalchemy import create_engine

from scraper.export import export_articles, export_schema
from scraper.models import Article
from scraper.store import Store, ToSave
from scraper.store.content import DUPLICATE_MIN_BODY_CHARS
from scraper.store.migrate import alembic_config
from tests.store.factories import make_article
from tests.store.schema_check import validate

WIRE_BODY = "\n".join(
    f"Paragraph {i}: the chip maker said on Tuesday that output at its new fabrication plant would "
    "reach full capacity next year, citing strong demand from data-centre customers."
    for i in range(6)
)
ORIGINAL = "https://wire.example.org/2025/07/fab-output"
REPRINT = "https://daily.example.net/business/fab-output-rises"


def _wire(url: str, **overrides: object) -> Article:
    """The wire story as one outlet printed it (own URL, headline, byline and fetch time)."""
    values: dict[str, object] = {"url": url, "canonical_url": url, "body": WIRE_BODY, "source": url[8:13]}
    values.update(overrides)
    return make_article(**values)  # type: ignore[arg-type]


def _urls(record: dict[str, object]) -> list[str]:
    return [s["url"] for s in record["seen_at"]]  # type: ignore[attr-defined,index]


def test_reprint_is_one_article_reached_by_either_url(store: Store) -> None:
    first = store.save_article(_wire(ORIGINAL, fetched_at="2025-07-29T14:00:00+00:00"))
    copy = store.save_article(
        _wire(REPRINT + "?utm_source=rss", canonical_url=None, title="Fab output to rise",
              authors=["Staff"], fetched_at="2025-07-29T16:30:00+00:00")
    )  # fmt: skip
    assert first.new_article and first.created
    assert (copy.new_article, copy.created, copy.version, copy.copy_of) == (False, False, 1, ORIGINAL)
    assert store.count_versions() == 1
    shown = store.get_version(REPRINT)
    assert shown is not None and shown["canonical_url"] == ORIGINAL and shown["title"] == first.article.title
    assert shown["seen_at"] == [
        {"url": ORIGINAL, "first_seen": "2025-07-29T14:00:00+00:00"},
        {"url": REPRINT, "first_seen": "2025-07-29T16:30:00+00:00"},
    ]
    assert [v.version for v in store.history(REPRINT)] == [1]
    assert store.diff(REPRINT).to_version == 1
    assert store.unknown_urls([REPRINT, ORIGINAL]) == []


def test_export_carries_seen_at_and_matches_schema(store: Store) -> None:
    store.save_article(_wire(ORIGINAL))
    store.save_article(_wire(REPRINT, title="Other headline", fetched_at="2025-07-30T09:00:00+00:00"))
    store.save_article(make_article(1))  # an article of its own: one URL seen
    out = io.StringIO()
    assert export_articles(store, out, fmt="jsonl") == 2
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    for record in records:
        assert validate(record, export_schema()) == []
        assert list(record) == list(export_schema()["properties"])[: len(record)]
    assert [_urls(r) for r in records] == [[ORIGINAL, REPRINT], [make_article(1).canonical_url]]
    assert records[1]["seen_at"][0]["first_seen"] == "2025-07-29T14:00:00+00:00"
    listed = list(store.iter_latest())
    assert [_urls(r) for r in listed] == [_urls(r) for r in records]


def test_layout_and_unicode_form_do_not_hide_a_copy(store: Store) -> None:
    store.save_article(_wire(ORIGINAL, body=WIRE_BODY.replace("data-centre", "caf\u00e9")))
    reflowed = "  ".join(WIRE_BODY.replace("data-centre", "cafe\u0301").split("\n"))  # one paragraph, NFD
    assert store.save_article(_wire(REPRINT, body=reflowed)).copy_of == ORIGINAL
    assert store.count_versions() == 1


def test_short_bodies_never_merge(store: Store) -> None:
    stub = "Subscribe to read this article. " * 3
    assert len(stub) < DUPLICATE_MIN_BODY_CHARS
    store.save_article(_wire(ORIGINAL, body=stub))
    other = store.save_article(_wire(REPRINT, body=stub))
    assert other.new_article and other.copy_of is None
    assert store.count_versions() == 2


def test_copies_in_one_batch_are_one_article(store: Store) -> None:
    results = store.save_articles(
        [ToSave(_wire(ORIGINAL)), ToSave(_wire(REPRINT, title="Reprint")), ToSave(make_article(1))]
    )
    assert [(r.new_article, r.copy_of) for r in results] == [(True, None), (False, ORIGINAL), (True, None)]
    assert store.count_versions() == 2
    shown = store.get_version(REPRINT)
    assert shown is not None and sorted(_urls(shown)) == sorted([ORIGINAL, REPRINT])


def test_unchanged_reprint_refetch_keeps_its_first_seen(store: Store) -> None:
    store.save_article(_wire(ORIGINAL))
    store.save_article(_wire(REPRINT, fetched_at="2025-07-30T00:00:00+00:00"))
    again = store.save_article(_wire(REPRINT, title="Retitled", fetched_at="2025-08-02T00:00:00+00:00"))
    assert (again.created, again.copy_of) == (False, ORIGINAL)
    shown = store.get_version(ORIGINAL)
    assert shown is not None and shown["seen_at"][1]["first_seen"] == "2025-07-30T00:00:00+00:00"
    assert store.count_versions() == 1


def test_reprint_edited_later_becomes_its_own_article(store: Store) -> None:
    store.save_article(_wire(ORIGINAL))
    store.save_article(_wire(REPRINT))
    edited = store.save_article(
        _wire(REPRINT, body=WIRE_BODY + "\nLocal angle: the plant employs 300 people in the county.")
    )
    assert (edited.new_article, edited.created, edited.version, edited.copy_of) == (True, True, 1, None)
    reprint, original = store.get_version(REPRINT), store.get_version(ORIGINAL)
    assert reprint is not None and reprint["canonical_url"] == REPRINT and _urls(reprint) == [REPRINT]
    assert original is not None and _urls(original) == [ORIGINAL] and original["version"] == 1
    assert [v.version for v in store.history(ORIGINAL)] == [1]


def test_original_edited_then_stale_reprint_splits_off(store: Store) -> None:
    store.save_article(_wire(ORIGINAL))
    store.save_article(_wire(REPRINT))
    update = _wire(ORIGINAL, body=WIRE_BODY + "\nUpdated with the company's statement.")
    assert store.save_article(update).version == 2
    stale = store.save_article(_wire(REPRINT))  # the reprint still carries the first text
    assert (stale.new_article, stale.version) == (True, 1)
    assert [v.version for v in store.history(ORIGINAL)] == [1, 2]
    assert [v.version for v in store.history(REPRINT)] == [1]
    # a third outlet printing the update joins the edited article
    third = store.save_article(
        dataclasses.replace(update, url="https://third.example.com/a", canonical_url=None)
    )
    assert third.copy_of == ORIGINAL


def test_articles_stored_before_migration_0005_are_found_by_copies(db_url: str) -> None:
    with Store.open(db_url) as store:
        store.save_article(_wire(ORIGINAL, fetched_at="2025-07-29T14:00:00+00:00"))
    engine = create_engine(db_url)
    with engine.begin() as conn:
        cfg = alembic_config()
        cfg.attributes["connection"] = conn
        command.downgrade(cfg, "0004_stories")
    engine.dispose()
    with Store.open(db_url) as store:
        assert store.save_article(_wire(REPRINT, fetched_at="2025-08-01T00:00:00+00:00")).copy_of == ORIGINAL
        shown = store.get_version(REPRINT)
    assert shown is not None and shown["seen_at"][0] == {
        "url": ORIGINAL,
        "first_seen": "2025-07-29T14:00:00+00:00",
    }


def test_seen_at_times_read_alike_on_every_path(store: Store) -> None:
    # one URL takes a fast path; several are parsed and ordered: both give isoformat() text
    store.save_article(_wire(ORIGINAL, fetched_at="2025-07-29T14:00:00.250000+02:00"))
    alone = store.get_version(ORIGINAL)
    store.save_article(_wire(REPRINT, fetched_at="2025-07-29T16:00:00+02:00"))
    both = store.get_version(ORIGINAL)
    assert alone is not None and both is not None
    assert (
        alone["seen_at"]
        == both["seen_at"][:1]
        == [{"url": ORIGINAL, "first_seen": "2025-07-29T12:00:00.250000+00:00"}]
    )
    assert both["seen_at"][1]["first_seen"] == "2025-07-29T14:00:00+00:00"
