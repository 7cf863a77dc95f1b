"""parse_feed on every feed shape: RSS 0.91/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1, broken and hostile."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import FeedError
from scraper.feeds import parse_feed

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"


def load(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def test_rss20_entries_links_dates_and_fields():
    feed = parse_feed(load("rss20.xml"), "https://chips.example.com/feed/")
    assert feed.title == "Chip Industry Weekly"
    assert feed.error is None
    assert [e.link for e in feed.entries] == [
        "https://chips.example.com/2025/07/29/foundry-capacity-2nm/",
        "https://chips.example.com/2025/07/28/hbm-supply/",
    ]
    first, second = feed.entries
    assert first.title == "Foundry capacity & the 2 nm race"
    assert first.guid == "https://chips.example.com/?p=4211"
    assert first.published == "2025-07-29T09:54:00-04:00"
    assert first.authors == ["Jo Smith"]
    assert first.tags == ["Foundry", "2 nm"]
    assert first.summary == "<p>Capacity is tight.</p>"
    assert first.content is not None and "TSMC" in first.content
    assert first.enclosures == ["https://cdn.example.com/podcast/ep12.mp3"]
    assert second.published == "2025-07-28T18:30:00+00:00"
    assert second.updated is None
    assert second.authors == ["Ana Lee"]
    assert second.enclosures == []


def test_atom10_xml_base_authors_and_summary():
    feed = parse_feed(load("atom10.xml"), "https://mining.example.org/atom.xml")
    assert feed.title == "Mining Hardware Journal"
    first, second = feed.entries
    assert first.link == "https://mining.example.org/posts/asic-miners-ship.html"
    assert first.guid == "tag:mining.example.org,2025:asic-miners-ship"
    assert first.published == "2025-07-29T09:54:00+02:00"
    assert first.updated == "2025-07-29T11:00:00+02:00"
    assert first.authors == ["Ravi Patel"]
    assert first.tags == ["asic", "hardware"]
    assert first.summary == "Shipments start this week."
    assert first.content == "<p>Shipments start this week, <em>finally</em>.</p>"
    assert first.enclosures == ["https://mining.example.org/img/asic.jpg"]
    # no summary of its own: feedparser's copy of the content is not reported as one
    assert second.summary is None
    assert second.content == "<p>A record.</p>"
    assert second.updated == "2025-07-28T08:00:00+00:00"
    assert second.authors == ["Editorial Desk"]


def test_max_entries_caps_the_list():
    feed = parse_feed(load("rss20.xml"), "https://chips.example.com/feed/", max_entries=1)
    assert len(feed.entries) == 1


def test_html_page_is_not_a_feed():
    with pytest.raises(FeedError) as info:
        parse_feed(b"<!doctype html><html><body><p>Hello</p></body></html>", "https://ex.com/")
    assert "https://ex.com/" in str(info.value)
    assert str(info.value).startswith("feeds: not a feed")


def test_empty_document_is_not_a_feed():
    with pytest.raises(FeedError, match="not a feed"):
        parse_feed(b"", "https://ex.com/feed")


def test_bytes_naming_a_local_file_are_not_opened(tmp_path):
    secret = tmp_path / "secret.xml"
    secret.write_bytes(Path(FIXTURES / "rss20.xml").read_bytes())
    # feedparser opens a bare string as a path; parse_feed must treat the bytes as the document
    with pytest.raises(FeedError):
        parse_feed(str(secret).encode(), "https://ex.com/feed")
