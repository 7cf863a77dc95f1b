"""Stories kept in the store: incremental assignment, reload by another process, listing, on both engines."""

from __future__ import annotations

import dataclasses
import json
from datetime import UTC, datetime
from pathlib import Path

from scraper.models import Article
from scraper.store import Store
from scraper.store.stories import StoryKeeper, list_stories

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "pairs.json"


def _articles() -> dict[str, Article]:
    data = json.loads(FIXTURE.read_text())
    out = {}
    for a in data["articles"]:
        out[a["id"]] = Article(
            url=f"https://{a['outlet'].lower().replace(' ', '')}.example/{a['id']}",
            source=a["outlet"],
            title=a["title"],
            body=a["body"],
            published=a["published_at"],
            fetched_at=a["published_at"],
            tags=[f"group-{a['group']}"],
        )
    return out


def test_coverage_of_one_event_is_one_story_and_survives_a_restart(db_url: str) -> None:
    arts = _articles()
    events = {a["id"]: a["event"] for a in json.loads(FIXTURE.read_text())["articles"]}
    chosen = [k for k in arts if k.startswith(("g01", "g02"))]
    first_half, second_half = chosen[: len(chosen) // 2], chosen[len(chosen) // 2 :]
    store = Store.open(db_url)
    try:
        keeper = StoryKeeper(store)
        story_of = {}
        for key in first_half:
            store.save_article(arts[key])
            story_of[key] = keeper.assign(arts[key])
        # a second process (a worker, or the service after a restart) sees the stored stories
        other = StoryKeeper(store)
        for key in second_half:
            store.save_article(arts[key])
            story_of[key] = other.assign(arts[key])
        assert keeper.assign(arts[first_half[0]]) == story_of[first_half[0]]  # assigned once, kept
        for a in chosen:
            for b in chosen:
                assert (story_of[a] == story_of[b]) == (events[a] == events[b]), (a, b)

        listed = list(list_stories(store))
        assert len(listed) == len({events[k] for k in chosen})
        assert sum(s["size"] for s in listed) == len(chosen)
        first_seen = [s["first_seen_at"] for s in listed]
        assert first_seen == sorted(first_seen, reverse=True)  # newest first
        one = next(s for s in listed if s["size"] > 1)
        assert {"url", "source", "title", "published"} <= set(one["articles"][0])
        assert one["first_source"] in {m["source"] for m in one["articles"]}
        assert [s["story_id"] for s in list_stories(store, tag="group-1")] != []
        assert list(list_stories(store, tag="no-such-tag")) == []
    finally:
        store.close()


def _story_rows(store: Store) -> int:
    from sqlalchemy import func, select

    from scraper.store.stories import story_members

    with store._read("count") as conn:
        return int(conn.execute(select(func.count()).select_from(story_members)).scalar() or 0)


def test_a_batch_and_its_stories_are_written_in_one_transaction(db_url: str) -> None:
    from scraper.store.records import ToSave

    arts = _articles()
    chosen = [arts[k] for k in sorted(arts) if k.startswith(("g01", "g02"))]
    store = Store.open(db_url)
    try:
        keeper = StoryKeeper(store)
        got: list[str | None] = []

        def assign(conn, chunk, saved):  # type: ignore[no-untyped-def]
            got.extend(keeper.assign_many(conn, [(r.article, None) for r in saved if r.created]))

        results = store.save_articles([ToSave(a) for a in chosen], on_saved=assign)
        assert all(r.created for r in results) and all(got)
        assert _story_rows(store) == len(chosen)
        # the same stories as one at a time, in another process's keeper (read back, not recomputed)
        other = StoryKeeper(store)
        assert [other.assign(a) for a in chosen] == got
    finally:
        store.close()


def test_a_failing_story_write_keeps_the_batch_of_articles(db_url: str) -> None:
    from scraper.errors import StoreError
    from scraper.store.records import ToSave

    arts = _articles()
    chosen = [arts[k] for k in sorted(arts)[:4]]
    store = Store.open(db_url)
    try:
        keeper = StoryKeeper(store)
        failures: list[StoreError] = []

        def assign(conn, chunk, saved):  # type: ignore[no-untyped-def]
            items = [(r.article, b"not a signature") for r in saved]
            try:
                keeper.assign_many(conn, items)
            except StoreError as exc:
                failures.append(exc)

        results = store.save_articles([ToSave(a) for a in chosen], on_saved=assign)
        assert len(failures) == 1 and all(r.created for r in results)
        assert _story_rows(store) == 0  # rolled back to the savepoint, articles kept
        assert all(store.has_article(a.url or "") for a in chosen)
        assert len(keeper.index) == 0  # the index forgot what the store does not hold
        # their next assignment works
        assert all(keeper.assign(a) for a in chosen) and _story_rows(store) == len(chosen)
    finally:
        store.close()


def test_signatures_of_an_older_version_are_made_again_from_the_stored_body(db_url: str) -> None:
    from sqlalchemy import select, update

    from scraper.store.stories import story_signatures
    from scraper.stories.signature import SIGNATURE_VERSION, signature

    arts = _articles()
    recent = datetime.now(UTC).isoformat()  # only signatures inside the story window are loaded
    first, second = (dataclasses.replace(arts[k], published=recent) for k in sorted(arts)[:2])
    store = Store.open(db_url)
    try:
        store.save_article(first)
        StoryKeeper(store).assign(first)
        old = b"\x01" + signature(first.body or "")[1:]  # as an earlier release stored it
        with store._write("age") as conn:
            conn.execute(update(story_signatures).values(signature=old))
        store.save_article(second)
        other = StoryKeeper(store)  # another process loads the stored signatures
        other.assign(second)
        with store._read("read") as conn:
            stored = [r.signature for r in conn.execute(select(story_signatures.c.signature))]
        assert sorted(stored) == sorted([signature(first.body or ""), signature(second.body or "")])
        assert all(s[0] == SIGNATURE_VERSION for s in stored)
    finally:
        store.close()


def test_a_bug_in_assignment_leaves_no_story_and_an_empty_index(db_url: str, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import pytest

    arts = _articles()
    first, second = (arts[k] for k in sorted(arts)[:2])
    store = Store.open(db_url)
    try:
        keeper = StoryKeeper(store)
        store.save_article(first)
        keeper.assign(first)
        store.save_article(second)
        real_add = keeper.index.add

        def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
            real_add(*args, **kwargs)  # the index changes, then something goes wrong
            raise KeyError("bug")

        monkeypatch.setattr(keeper.index, "add", broken)
        with pytest.raises(KeyError):
            keeper.assign(second)
        assert len(keeper.index) == 0 and _story_rows(store) == 1
        assert keeper.assign(second) and _story_rows(store) == 2  # a fresh index, reloaded from the store
    finally:
        store.close()
