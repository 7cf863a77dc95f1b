"""End to end: fixture articles in publication order through signature, title tokens and StoryIndex."""

from __future__ import annotations

from datetime import datetime

from scraper.stories import StoryIndex, signature, title_tokens

# Bitmain (factory vs miner launch), TSMC Q2 vs Q3 in English and Chinese, Rapidus in Japanese.
IDS = [
    *("g01a1", "g01a2", "g01b1", "g01b2"),
    *("g02a1", "g02a2", "g02b1", "g02b2"),
    *("g09a1", "g09a2", "g12a1", "g12b1"),
]


def test_stories_follow_events(fixture_articles):
    chosen = sorted((fixture_articles[i] for i in IDS), key=lambda a: a["published_at"])
    index = StoryIndex()
    for a in chosen:
        index.add(
            a["id"],
            signature(a["body"]),
            title_tokens(a["title"]),
            datetime.fromisoformat(a["published_at"]),
            source=a["outlet"],
        )
    got = sorted(sorted(s.members) for s in index.stories)
    by_event: dict[str, list[str]] = {}
    for a in chosen:
        by_event.setdefault(a["event"], []).append(a["id"])
    assert got == sorted(sorted(m) for m in by_event.values())
    story = index.story("g01a1")
    assert story.first_source == "Bloomberg" and story.members == ["g01a1", "g01a2"]
