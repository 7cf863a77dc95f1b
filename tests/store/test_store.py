"""The store on both engines: opening, sources, fetch log, versioning, reads."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from sqlalchemy import create_engine, func, select, text

from scraper.errors import StoreError
from scraper.models import FetchAttempt, Source
from scraper.store import Store, ToSave, check_schema, head_revision, upgrade
from scraper.store.schema import article_versions, articles, blobs
from tests.store.factories import make_article, make_fetch, page


def _count(store: Store, table) -> int:
    with store.engine.connect() as conn:
        return int(conn.execute(select(func.count()).select_from(table)).scalar_one())


def test_open_creates_schema_and_reopen_without_migrate(db_url: str) -> None:
    Store.open(db_url).close()
    assert check_schema(db_url) == head_revision()
    Store.open(db_url, migrate=False).close()


def test_open_without_migrate_refuses_empty_database(db_url: str) -> None:
    with pytest.raises(StoreError, match="no scraper schema; run `scraper db upgrade`"):
        Store.open(db_url, migrate=False)


def test_unknown_revision_is_refused(db_url: str) -> None:
    upgrade(db_url)
    engine = create_engine(db_url)
    with engine.begin() as conn:
        conn.execute(text("UPDATE alembic_version SET version_num = 'from_the_future'"))
    engine.dispose()
    with pytest.raises(StoreError, match=r"'from_the_future'.*unknown"):
        Store.open(db_url, migrate=False)
    with pytest.raises(StoreError, match=r"'from_the_future'.*not know"):
        Store.open(db_url)


def test_unreachable_database_is_one_line_without_password() -> None:
    url = "postgresql+psycopg://bob:s3cret@127.0.0.1:1/nowhere"
    with pytest.raises(StoreError) as info:
        Store.open(url)
    message = str(info.value)
    assert message.startswith("store: cannot open the database")
    assert "s3cret" not in message and "127.0.0.1:1/nowhere" in message
    assert "\n" not in message


def test_unwritable_sqlite_path_is_a_store_error(tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StoreError, match="folder"):
        Store.open(f"sqlite:///{blocker}/sub/db.sqlite")


def test_sqlite_pragmas(sqlite_url: str) -> None:
    store = Store.open(sqlite_url)
    with store.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() > 0
    store.close()


def test_sync_sources_upserts(store: Store) -> None:
    store.sync_sources(
        [Source("a", "https://a.example/feed"), Source("b", "https://b.example/", kind="page")]
    )
    store.sync_sources([Source("a", "https://a.example/new-feed", enabled=False)])
    statuses = {s.name: s for s in store.source_statuses()}
    assert statuses["a"].url == "https://a.example/new-feed" and statuses["a"].enabled is False
    assert statuses["b"].kind == "page" and statuses["b"].articles == 0


def test_source_results_and_counts(store: Store) -> None:
    store.sync_sources([Source("example", "https://news.example.com/feed")])
    t1, t2, t3 = (datetime(2025, 7, 29, h, tzinfo=UTC) for h in (10, 11, 12))
    store.record_source_result("example", outcome="timeout", error="fetch: timeout", at=t1)
    store.record_source_result("example", outcome="http-5xx", error="fetch: http-5xx", at=t2)
    (s,) = store.source_statuses()
    assert (s.consecutive_failures, s.last_outcome, s.last_success_at) == (2, "http-5xx", None)
    store.record_source_result("example", outcome="ok", error=None, at=t3)
    store.save_article(make_article(1))
    (s,) = store.source_statuses()
    assert (s.consecutive_failures, s.last_success_at, s.last_attempt_at, s.articles) == (0, t3, t3, 1)
    with pytest.raises(StoreError, match="unknown source 'nope'"):
        store.record_source_result("nope", outcome="ok", error=None, at=t3)


def test_record_fetch_writes_one_row_per_attempt(store: Store) -> None:
    attempts = [
        FetchAttempt(
            url="https://e.com/a", started_at="2025-07-29T10:00:00Z", outcome="timeout", error="slow"
        ),
        FetchAttempt(
            url="https://e.com/a", started_at="2025-07-29T10:00:05Z", outcome="ok", status=200, etag='"x"'
        ),
    ]
    store.record_fetch(attempts, source="example")
    with store.engine.connect() as conn:
        rows = conn.execute(text("SELECT outcome, status, etag, source FROM fetches ORDER BY id")).all()
    assert [tuple(r) for r in rows] == [("timeout", None, None, "example"), ("ok", 200, '"x"', "example")]


def test_validators_roundtrip(store: Store) -> None:
    assert store.validators("https://e.com/a") == (None, None)
    store.save_validators("https://e.com/a", '"v1"', "Tue, 29 Jul 2025 13:54:00 GMT")
    store.save_validators("https://e.com/a", '"v2"', None)
    assert store.validators("HTTPS://E.com/a#top") == ('"v2"', None)
    store.save_validators("https://e.com/a", None, None)
    assert store.validators("https://e.com/a") == (None, None)


def test_first_save_creates_version_one(store: Store) -> None:
    art = make_article()
    result = store.save_article(art, raw_html=page(art), fetch=make_fetch(art))
    assert (result.created, result.version, result.new_article) == (True, 1, True)
    assert result.article.version == 1 and result.article.source == "example"
    assert result.article.content_hash is not None and len(result.article.content_hash) == 64
    assert art.version is None  # the caller's object is not mutated


def test_unchanged_refetch_adds_no_version_even_with_new_ads_and_tracking(store: Store) -> None:
    art = make_article()
    store.save_article(art, raw_html=page(art, ad="ad-1"))
    again = dataclasses.replace(
        art,
        url=art.url + "&fbclid=zzz",
        body="  " + art.body.replace(" ", "  ") + "\n\n",
        fetched_at="2025-07-30T00:00:00+00:00",
    )
    result = store.save_article(again, raw_html=page(art, ad="ad-2"))
    assert (result.created, result.version, result.new_article) == (False, 1, False)
    assert _count(store, article_versions) == 1 and _count(store, blobs) == 1


def test_same_instant_in_another_offset_is_not_a_change(store: Store) -> None:
    store.save_article(make_article(published="2025-07-29T09:54:00-04:00"))
    assert not store.save_article(make_article(published="2025-07-29T13:54:00Z")).created


def test_a_b_a_gives_three_versions(store: Store) -> None:
    a = make_article()
    b = dataclasses.replace(
        a, title="Bitmain to Open US Factory in Texas", fetched_at="2025-07-30T00:00:00+00:00"
    )
    a2 = dataclasses.replace(a, fetched_at="2025-07-31T00:00:00+00:00")
    assert [store.save_article(x).version for x in (a, b, a2)] == [1, 2, 3]
    hist = store.history(a.url or "")
    assert [v.version for v in hist] == [1, 2, 3]
    assert hist[0].changes["initial"] is True
    assert hist[1].changes["fields"] == ["title"] and hist[2].changes["fields"] == ["title"]
    assert hist[0].content_hash == hist[2].content_hash != hist[1].content_hash


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("title", "New title"),
        ("body", "Completely new text."),
        ("authors", ["John Roe"]),
        ("published", "2025-07-30T09:54:00-04:00"),
        ("modified", "2025-07-30T10:00:00Z"),
    ],
)
def test_each_hashed_field_makes_a_version(store: Store, field: str, value) -> None:
    store.save_article(make_article())
    result = store.save_article(make_article(**{field: value}))
    assert result.created and result.version == 2
    assert store.history(make_article().url or "")[1].changes["fields"][0] == field


def test_description_alone_is_not_a_version(store: Store) -> None:
    store.save_article(make_article())
    assert not store.save_article(make_article(description="Another teaser")).created


def test_two_urls_one_article(store: Store) -> None:
    amp = make_article(url="https://news.example.com/amp/bitmain-us-factory-0")
    store.save_article(make_article())
    result = store.save_article(amp)
    assert not result.created and not result.new_article
    assert _count(store, articles) == 1
    # the AMP address now leads to the article too
    assert store.get_version("https://news.example.com/amp/bitmain-us-factory-0")["version"] == 1


def test_fetched_url_finds_article_whose_canonical_was_missing_later(store: Store) -> None:
    store.save_article(make_article())
    no_canonical = make_article(
        canonical_url=None, url="https://news.example.com/2025/07/bitmain-us-factory-0"
    )
    assert not store.save_article(no_canonical).new_article


def test_guid_is_a_secondary_key(store: Store) -> None:
    store.save_article(make_article(url="https://e.com/old-slug", canonical_url=None), guid="urn:post:42")
    moved = make_article(url="https://e.com/new-slug", canonical_url=None)
    result = store.save_article(moved, guid="urn:post:42")
    assert not result.new_article and _count(store, articles) == 1
    other_source = make_article(url="https://other.example/x", canonical_url=None, source="other")
    assert store.save_article(other_source, guid="urn:post:42").new_article


def test_raw_html_is_deduplicated_and_compressed(store: Store) -> None:
    a = make_article(0)
    html = page(a) + b"<!--" + b"padding " * 2000 + b"-->"
    store.save_article(a, raw_html=html)
    store.save_article(make_article(1), raw_html=html)  # another article, same bytes: one blob
    assert _count(store, blobs) == 1
    with store.engine.connect() as conn:
        size, stored = conn.execute(select(blobs.c.size, func.length(blobs.c.data))).one()
    assert size == len(html) and stored < len(html) / 10
    assert store.get_raw_html(a.url or "") == html


def test_raw_html_can_be_turned_off(db_url: str) -> None:
    store = Store.open(db_url, store_raw_html=False)
    a = make_article()
    store.save_article(a, raw_html=page(a))
    assert _count(store, blobs) == 0 and store.get_raw_html(a.url or "") is None
    store.close()


def test_version_records_fetch_and_provenance(store: Store) -> None:
    a = make_article()
    store.save_article(a, raw_html=page(a), fetch=make_fetch(a, etag='"e1"'))
    shown = store.get_version(a.url or "")
    assert shown is not None
    assert shown["fetch"] == {
        "fetched_at": "2025-07-29T14:00:00+00:00",
        "final_url": a.url,
        "http_status": 200,
        "etag": '"e1"',
        "last_modified": "Tue, 29 Jul 2025 13:54:00 GMT",
    }
    assert shown["provenance"] == a.provenance and shown["has_raw_html"] is True
    assert shown["canonical_url"] == "https://news.example.com/2025/07/bitmain-us-factory-0"


def test_get_version_and_missing(store: Store) -> None:
    a = make_article()
    store.save_article(a)
    store.save_article(make_article(title="Changed", fetched_at="2025-08-01T00:00:00+00:00"))
    assert store.get_version(a.url or "", 1)["title"] == a.title
    assert store.get_version(a.url or "")["title"] == "Changed"
    assert store.get_version(a.url or "", 9) is None
    with pytest.raises(StoreError, match="no article stored under this URL"):
        store.get_version("https://nowhere.example/x")


def test_diff_defaults_to_last_two_versions(store: Store) -> None:
    a = make_article()
    paras = a.body.splitlines()
    b = make_article(body="\n".join([paras[0], "A new second paragraph.", *paras[2:]]), title="T2")
    c = make_article(body=b.body + "\nA closing paragraph.", title="T2")
    for x in (a, b, c):
        store.save_article(x)
    d = store.diff(a.url or "")
    assert (d.from_version, d.to_version) == (2, 3)
    assert "+A closing paragraph." in d.body_diff and "title" not in d.fields
    d12 = store.diff(a.url or "", from_n=1, to_n=2)
    assert d12.fields["title"] == {"from": a.title, "to": "T2"}
    assert f"-{paras[1]}" in d12.body_diff and "+A new second paragraph." in d12.body_diff
    assert d12.changes["paragraphs_added"] == 1 and d12.changes["paragraphs_removed"] == 1
    text_ = d12.to_text()
    assert "title:" in text_ and "+A new second paragraph." in text_
    with pytest.raises(StoreError, match="no version 7"):
        store.diff(a.url or "", to_n=7)


def test_iter_latest_filters(store: Store) -> None:
    store.save_article(make_article(1, source="s1", tags=["chips"], fetched_at="2025-07-01T00:00:00Z"))
    store.save_article(make_article(2, source="s2", tags=["mining"], published="2025-01-01T00:00:00Z"))
    store.save_article(make_article(3, source="s2", tags=["mining-news"], fetched_at="2025-08-01T00:00:00Z"))
    urls = lambda **kw: [r["canonical_url"][-1] for r in store.iter_latest(**kw)]  # noqa: E731
    assert urls() == ["1", "2", "3"]
    assert urls(source="s2") == ["2", "3"]
    assert urls(tag="mining") == ["2"]  # exact tag, not a substring
    assert urls(since=datetime(2025, 7, 15, tzinfo=UTC)) == ["2", "3"]
    assert urls(since=datetime(2025, 7, 1, tzinfo=UTC), since_field="published") == ["1", "3"]
    (rec,) = store.iter_latest(source="s1", fields=["title", "version"])
    assert rec == {"title": "Bitmain to Open US Factory 1", "version": 1}
    with pytest.raises(StoreError, match="unknown field"):
        store.iter_latest(fields=["title", "bogus"])


def test_all_versions_and_edited_flags(store: Store) -> None:
    a = make_article()
    store.save_article(a)
    store.save_article(make_article(title="Edited", fetched_at="2025-08-01T00:00:00+00:00"))
    latest = list(store.iter_latest())
    assert [(r["version"], r["edited"], r["edited_at"]) for r in latest] == [
        (2, True, "2025-08-01T00:00:00+00:00")
    ]
    every = list(store.iter_latest(all_versions=True, fields=["version", "edited", "changes"]))
    assert [(r["version"], r["edited"], r["changes"]["fields"]) for r in every] == [
        (1, False, []),
        (2, True, ["title"]),
    ]


def test_save_articles_batch_matches_single_saves(store: Store) -> None:
    items = [ToSave(make_article(i), raw_html=page(make_article(i))) for i in range(5)]
    items.append(ToSave(make_article(2)))  # duplicate inside one batch: no second article
    items.append(ToSave(make_article(3, title="changed in the same batch")))
    results = store.save_articles(items)
    assert [(r.version, r.created, r.new_article) for r in results] == [
        (1, True, True), (1, True, True), (1, True, True), (1, True, True), (1, True, True),
        (1, False, False), (2, True, False),
    ]  # fmt: skip
    assert _count(store, articles) == 5 and _count(store, article_versions) == 6
    again = store.save_articles([make_article(i) for i in range(5)])
    assert [r.created for r in again] == [False, False, False, True, False]  # 3 goes back to its old title


def test_save_articles_isolates_a_bad_article(store: Store) -> None:
    bad = make_article(url=None, canonical_url=None)
    results = store.save_articles([make_article(1), bad, make_article(2)])
    assert results[1].error is not None and "neither url nor canonical_url" in results[1].error
    assert [r.version for r in results] == [1, 0, 1]
    assert _count(store, articles) == 2


def test_retention_keeps_first_and_last_n(db_url: str) -> None:
    store = Store.open(db_url, keep_versions=2)
    for i in range(6):
        art = make_article(title=f"title {i}", fetched_at=f"2025-08-0{i + 1}T00:00:00+00:00")
        store.save_article(art, raw_html=page(art, ad=f"ad {i}"))
    assert [v.version for v in store.history(make_article().url or "")] == [1, 5, 6]
    assert _count(store, blobs) == 3  # raw pages of deleted versions went with them
    assert store.diff(make_article().url or "").from_version == 5
    store.close()


def test_retention_by_age(db_url: str) -> None:
    store = Store.open(db_url, keep_days=30)
    old = ["2020-01-01", "2020-02-01", "2020-03-01"]
    for i, day in enumerate(old):
        store.save_article(make_article(title=f"t{i}", fetched_at=f"{day}T00:00:00+00:00"))
    now = datetime.now(UTC).isoformat()
    store.save_article(make_article(title="fresh", fetched_at=now))
    assert [v.version for v in store.history(make_article().url or "")] == [1, 4]
    store.close()


def test_writes_are_atomic_on_failure(store: Store, monkeypatch) -> None:
    store.save_article(make_article(0))
    import scraper.store.store as store_module

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(store_module, "initial_changes", boom)
    with pytest.raises(RuntimeError):
        store.save_article(make_article(1))  # fails after the articles row was inserted
    monkeypatch.undo()
    assert _count(store, articles) == 1 and _count(store, article_versions) == 1
    assert store.save_article(make_article(1)).new_article


def test_from_settings_honours_raw_html_switch(db_url: str) -> None:
    from scraper.config import Settings

    store = Store.from_settings(Settings(db_url=db_url, store_raw_html=False))
    a = make_article()
    store.save_article(a, raw_html=page(a))
    assert _count(store, blobs) == 0 and store.store_raw_html is False
    store.close()


def test_history_summary_line(store: Store) -> None:
    a = make_article()
    store.save_article(a)
    edited = make_article(title="New", body=a.body + "\nOne more.", fetched_at="2025-08-01T00:00:00Z")
    store.save_article(edited)
    first, second = store.history(a.url or "")
    assert first.summary().startswith("v1  2025-07-29T14:00:00+00:00  first capture  (+3/-0 paragraphs")
    assert second.summary() == "v2  2025-08-01T00:00:00+00:00  title, body  (+1/-0 paragraphs, +9/-0 chars)"
    assert second.to_dict()["changes"]["fields"] == ["title", "body"]


def test_prune_applies_age_retention_to_every_article(db_url: str) -> None:
    store = Store.open(db_url)
    for n in (1, 2):
        for i, day in enumerate(["2020-01-01", "2020-02-01", "2020-03-01"]):
            art = make_article(n, title=f"t{i}", fetched_at=f"{day}T00:00:00+00:00")
            store.save_article(art, raw_html=page(art, ad=str(i)))
    store.close()
    plain = Store.open(db_url)
    assert plain.prune() == 0  # no retention configured: nothing goes
    plain.close()
    pruned = Store.open(db_url, keep_days=1)
    assert pruned.prune() == 2  # per article: first and latest stay, the middle one goes
    assert [v.version for v in pruned.history(make_article(1).url or "")] == [1, 3]
    assert _count(pruned, blobs) == 2  # pages are shared by both articles; the middle page is gone
    pruned.close()


def test_has_article_and_unknown_urls(store: Store) -> None:
    store.save_article(make_article(1))
    assert store.has_article("https://NEWS.example.com/2025/07/bitmain-us-factory-1?utm_medium=x#c")
    assert not store.has_article("https://news.example.com/2025/07/bitmain-us-factory-2")
    urls = [f"https://news.example.com/2025/07/bitmain-us-factory-{i}" for i in range(3)]
    assert store.unknown_urls(urls) == [urls[0], urls[2]]
    assert store.unknown_urls([]) == []
