"""StoryIndex: incremental assignment, time window, stable ids, chaining guard, restore, prune."""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from scraper.stories import StoryIndex, signature, title_tokens
from scraper.stories.decision import Features, score_features

T0 = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
FACTS = ["bitmain", "antminer", "houston", "texas", "marathon", "riot"]
FIGURES = ["120", "350", "40", "100000"]


def add_doc(index, doc_id, doc, **kw):
    """Add a StoryDoc under an id."""
    return index.add(doc_id, doc.signature, doc.title_tokens, doc.published_at, **kw)


def test_same_event_from_another_outlet_joins_the_first_story(docs):
    index = StoryIndex()
    first = add_doc(index, "g01a1", docs("g01a1"), source="Bloomberg")
    second = add_doc(index, "g01a2", docs("g01a2"), source="CoinDesk")
    assert first.new_story and first.story_id == "g01a1"
    assert second.story_id == "g01a1" and second.matched_article_id == "g01a1" and second.score > 0
    story = index.story("g01a1")
    assert story.members == ["g01a1", "g01a2"]
    assert story.first_source == "Bloomberg" and story.first_seen == docs("g01a1").published_at


def test_same_topic_other_event_starts_a_new_story(docs):
    index = StoryIndex()
    for doc_id in ("g06a1", "g06a2", "g06b1", "g06b2"):  # Canaan results, then a Canaan order 2 days later
        add_doc(index, doc_id, docs(doc_id))
    assert [s.members for s in index.stories] == [["g06a1", "g06a2"], ["g06b1", "g06b2"]]


def test_assign_does_not_change_the_index(docs):
    index = StoryIndex()
    add_doc(index, "g01a1", docs("g01a1"))
    d = docs("g01a2")
    assignment = index.assign("g01a2", d.signature, d.title_tokens, d.published_at)
    assert assignment.story_id == "g01a1"
    assert len(index) == 1 and index.story_of("g01a2") is None
    assert add_doc(index, "g01a2", d) == assignment


def test_outside_the_window_a_rewrite_is_a_new_story(docs):
    d = docs("g01a2")
    later = d.published_at + timedelta(days=4)
    index = StoryIndex()
    add_doc(index, "g01a1", docs("g01a1"))
    assert index.assign("late", d.signature, d.title_tokens, later).new_story
    wide = StoryIndex(window_s=7 * 86400)
    add_doc(wide, "g01a1", docs("g01a1"))
    assert wide.assign("late", d.signature, d.title_tokens, later).story_id == "g01a1"


def test_exact_duplicate_joins_even_after_the_window(docs):
    d = docs("g01a1")
    index = StoryIndex()
    add_doc(index, "orig", d)
    repost = index.add("repost", d.signature, ("other", "title"), d.published_at + timedelta(days=30))
    assert repost.story_id == "orig" and repost.score == 1.0


def test_story_ids_are_stable_across_replays_and_re_adds(docs):
    order = ["g13a1", "g13a2", "g13b1", "g13b2"]
    runs = []
    for _ in range(2):
        index = StoryIndex()
        runs.append([add_doc(index, i, docs(i)).story_id for i in order])
        again = add_doc(index, "g13a2", docs("g13a2"))
        assert again.story_id == runs[-1][1] and len(index) == 4
    assert runs[0] == runs[1] == ["g13a1", "g13a1", "g13b1", "g13b1"]


def test_new_story_ids_can_come_from_a_factory(docs):
    index = StoryIndex(new_story_id=lambda _article_id: str(uuid.uuid4()))
    first = add_doc(index, "g13a1", docs("g13a1"))
    uuid.UUID(first.story_id)
    assert add_doc(index, "g13a2", docs("g13a2")).story_id == first.story_id


def test_a_given_story_id_restores_a_stored_assignment_without_matching(docs):
    index = StoryIndex()
    restored = add_doc(index, "g13b1", docs("g13b1"), story_id="s-1")
    assert restored.story_id == "s-1" and restored.new_story
    # Given an existing id, the article joins it even though it would not match on its own.
    forced = add_doc(index, "g01a1", docs("g01a1"), story_id="s-1")
    assert forced.story_id == "s-1" and not forced.new_story
    assert index.story("s-1").members == ["g13b1", "g01a1"]
    # Later arrivals are matched against the restored members.
    assert add_doc(index, "g13b2", docs("g13b2")).story_id == "s-1"


def test_unknown_story_id_names_it():
    with pytest.raises(KeyError, match="nope"):
        StoryIndex().story("nope")


def test_an_earlier_article_arriving_late_becomes_the_first_sighting(docs):
    index = StoryIndex()
    add_doc(index, "g01a2", docs("g01a2"), source="CoinDesk")
    add_doc(index, "g01a1", docs("g01a1"), source="Bloomberg")
    story = index.story("g01a2")  # the id stays that of the first arrival
    assert story.first_seen == docs("g01a1").published_at
    assert story.first_source == "Bloomberg" and story.first_article_id == "g01a1"


def test_naive_times_are_taken_as_utc(make_sig):
    index = StoryIndex()
    sig = make_sig(FACTS, FIGURES, 1)
    index.add("a", sig, ["bitmain", "texas", "factory"], T0.replace(tzinfo=None))
    b = index.add("b", make_sig(FACTS, FIGURES, 2), ["bitmain", "texas", "factory"], T0 + timedelta(hours=1))
    assert b.story_id == "a"


def test_chaining_guard_compares_with_the_story_members_not_just_one(make_sig):
    # A, B, C cover one event; D shares half its facts with C only (C mentions both events).
    shared, other = FACTS, ["canaan", "avalon", "cipher", "barber", "lake", "singapore"]
    title = ["bitmain", "texas", "factory"]
    a = make_sig(shared, FIGURES, 1)
    b = make_sig(shared, FIGURES, 2)
    c = make_sig(shared + other, [*FIGURES, "50000", "14"], 3)
    d = make_sig(other, ["50000", "14"], 4)
    times = [T0 + timedelta(hours=h) for h in range(4)]
    feats = {k: Features.of(s, title, t) for k, s, t in zip("abcd", (a, b, c, d), times, strict=True)}
    index = StoryIndex()
    threshold = index.threshold
    assert score_features(feats["d"], feats["c"]) >= threshold  # D alone would chain onto C ...
    assert score_features(feats["d"], feats["a"]) < threshold  # ... but matches no other member
    assert score_features(feats["d"], feats["b"]) < threshold
    for k, s, t in zip("abc", (a, b, c), times, strict=False):
        index.add(k, s, title, t)
    assert index.story_of("c") == "a"
    assert index.add("d", d, title, times[3]).new_story
    # Without the guard the same arrivals chain D into the story.
    loose = StoryIndex(min_member_agreement=0.0)
    for k, s, t in zip("abc", (a, b, c), times, strict=False):
        loose.add(k, s, title, t)
    assert loose.add("d", d, title, times[3]).story_id == "a"


def test_chinese_coverage_of_one_event_is_grouped(docs):
    index = StoryIndex()
    for doc_id in ("g09b1", "g09b2", "g09a1", "g09a2"):  # 2nm fab in Kaohsiung, then Q3 results
        add_doc(index, doc_id, docs(doc_id))
    assert [s.members for s in index.stories] == [["g09b1", "g09b2"], ["g09a1", "g09a2"]]


def test_japanese_coverage_of_one_event_is_grouped():
    index = StoryIndex()
    body_a = (
        "ラピダスは18日、北海道千歳市の工場で2ナノメートルの半導体の試作ラインを稼働させた。"
        "2027年の量産開始を目指す。政府は1兆7000億円を支援している。"
    )
    body_b = (
        "ラピダスが千歳市の拠点で2nm世代の試作ラインを稼働させたと発表した。"
        "量産は2027年の予定で、政府支援は1兆7000億円を超える。"
    )
    index.add("a", signature(body_a), title_tokens("ラピダス、2ナノ試作ライン稼働"), T0)
    title_b = title_tokens("ラピダスが2nm試作ラインを稼働")
    b = index.add("b", signature(body_b), title_b, T0 + timedelta(hours=5))
    assert b.story_id == "a"


def test_prune_forgets_old_signatures_but_keeps_stories(make_sig):
    index = StoryIndex()
    title = ["bitmain", "texas", "factory"]
    index.add("old", make_sig(FACTS, FIGURES, 1), title, T0)
    assert index.prune(T0 + timedelta(days=1)) == 1
    late = index.add("new", make_sig(FACTS, FIGURES, 2), title, T0 + timedelta(hours=2))
    assert late.new_story
    assert index.story("old").members == ["old"]


@pytest.mark.parametrize("group", ["g03", "g05", "g09", "g12"])
def test_grouping_does_not_depend_on_arrival_order(docs, group):
    ids = [f"{group}{e}" for e in ("a1", "a2", "b1", "b2")]
    expected = sorted([sorted(ids[:2]), sorted(ids[2:])])
    for order in itertools.permutations(ids):
        index = StoryIndex()
        for doc_id in order:
            add_doc(index, doc_id, docs(doc_id))
        assert sorted(sorted(s.members) for s in index.stories) == expected, order


def test_exact_duplicates_still_match_after_prune(docs):
    d = docs("g01a1")
    index = StoryIndex()
    add_doc(index, "orig", d)
    index.prune(d.published_at + timedelta(days=10))
    copy = index.add("copy", d.signature, d.title_tokens, d.published_at + timedelta(days=20))
    assert copy.story_id == "orig"


def test_a_bad_signature_is_refused_naming_the_article_and_nothing_is_added():
    index = StoryIndex()
    with pytest.raises(ValueError, match=r"stories: bad signature.*\(article 'broken'\)"):
        index.add("broken", b"\x01\x40", ["x"], T0)
    assert len(index) == 0 and not index.stories
