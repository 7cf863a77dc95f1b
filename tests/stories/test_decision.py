"""Pairwise same-story decision on fixture articles and on crafted edge cases."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from scraper.models import Article
from scraper.stories import SAME_STORY_SCORE, StoryDoc, same_story


@pytest.mark.parametrize(
    ("a", "b"),
    [("g01a1", "g01a2"), ("g05a1", "g05a2"), ("g07a1", "g07a2"), ("g09a1", "g09a2"), ("g10b1", "g10b2")],
)
def test_rewrites_of_one_event_by_different_outlets_are_the_same_story(docs, a, b):
    decided, score = same_story(docs(a), docs(b))
    assert decided and score >= SAME_STORY_SCORE


@pytest.mark.parametrize(
    ("a", "b"),
    [("g03a1", "g03b1"), ("g05a1", "g05b1"), ("g08a1", "g08b1"), ("g09a1", "g09b1"), ("g02a1", "g14a1")],
)
def test_other_events_on_the_same_topic_within_the_window_are_not(docs, a, b):
    decided, score = same_story(docs(a), docs(b))
    assert not decided and score < SAME_STORY_SCORE


def test_time_window_separates_a_rewrite_published_a_week_later(docs):
    a, b = docs("g01a1"), docs("g01a2")
    assert same_story(a, b)[0]
    late = replace(b, published_at=b.published_at + timedelta(days=7))
    assert same_story(a, late) == (False, 0.0)
    assert same_story(a, late, window_s=10 * 86400)[0]


def test_exact_and_near_duplicates_are_the_same_story_regardless_of_title(docs):
    a = docs("g16a1")
    repost = replace(a, title_tokens=("x",), published_at=a.published_at + timedelta(days=60))
    assert same_story(a, repost) == (True, 1.0)
    decided, score = same_story(a, docs("g16a2"))  # a wire story reprinted with two sentences added
    assert decided and score > 0.8


def test_from_article_uses_published_then_fetched_at(fixture_articles):
    src = fixture_articles["g01a1"]
    art = Article(title=src["title"], body=src["body"], published=src["published_at"])
    assert StoryDoc.from_article(art).published_at.isoformat() == "2026-03-10T13:05:00+00:00"
    fetched = Article(title="t", body="b", fetched_at="2026-03-11T00:00:00Z")
    assert StoryDoc.from_article(fetched).published_at.day == 11
    with pytest.raises(ValueError, match="neither published nor fetched_at"):
        StoryDoc.from_article(Article(url="https://example.org/a", body="b"))
    with pytest.raises(ValueError, match="bad date 'soon'"):
        StoryDoc.from_article(Article(url="https://example.org/a", body="b", published="soon"))
