"""OPML: Miniflux, FreshRSS and Feedly exports read into Sources; write_opml round-trips feeds and tags."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import ConfigError
from scraper.feeds.opml import read_opml, write_opml
from scraper.models import Source

FIXTURES = Path(__file__).parent.parent / "fixtures" / "feeds"
SHAPES = ["opml-miniflux.opml", "opml-freshrss.opml", "opml-feedly.opml"]


def read(name: str) -> list[Source]:
    return read_opml((FIXTURES / name).read_bytes(), name)


def feeds(sources: list[Source]) -> list[tuple[str, str, list[str]]]:
    return [(s.name, s.url, s.tags) for s in sources if s.kind == "feed"]


def test_miniflux_categories_become_tags_and_names_stay_unique():
    assert feeds(read("opml-miniflux.opml")) == [
        ("Chip Industry Weekly", "https://chips.example.com/feed/", ["All"]),
        ("Blog", "https://blog.fab-tools.example.com/rss.xml", ["All"]),
        ("Energy Grid Bulletin", "http://grid.example.net/rss.xml", ["Energy"]),
        ("Blog (2)", "https://storage.example.com/feed.json", ["Energy"]),
    ]


def test_freshrss_feeds_scraping_outline_and_feed_scheme():
    sources = read("opml-freshrss.opml")
    assert feeds(sources) == [
        ("Mining Hardware Journal", "https://mining.example.org/atom.xml", ["Uncategorized"]),
        ("Litho & EUV", "https://litho.example.com/atom.xml", ["Chips & Fabs"]),
        ("Battery Tech Daily", "http://batteries.example.jp/rss", ["Chips & Fabs"]),
    ]
    listing = sources[-1]
    assert (listing.name, listing.kind, listing.url) == (
        "Fab news (scraped)",
        "listing",
        "https://fabs.example.com/news/",
    )


def test_feedly_duplicate_feed_merges_folder_tags():
    assert feeds(read("opml-feedly.opml")) == [
        ("Chip Industry Weekly", "https://chips.example.com/feed/", ["Semiconductors", "Must Read"]),
        ("Wafer Fab Watch", "https://fabs.example.com/feed.json", ["Semiconductors"]),
        ("HBM Tracker", "https://hbm.example.com/index.xml", ["Semiconductors", "Memory"]),
        ("Grid Storage Podcast", "https://storage.example.com/feed.json", []),
    ]


@pytest.mark.parametrize("name", SHAPES)
def test_round_trip_read_write_read(name):
    first = read(name)
    written = write_opml(first)
    assert written.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<opml version="2.0">')
    again = read_opml(written.encode("utf-8"), "written.opml")
    assert feeds(again) == feeds(first)
    assert all(s.kind == "feed" for s in again)
    # and stable from then on
    assert write_opml(again) == written


def test_write_opml_nests_under_first_tag_and_lists_all_in_category():
    text = write_opml(
        [
            Source(name="A & B", url="https://a.example/feed?x=1&y=2", tags=["Chips", "AI/ML"]),
            Source(name="Page", url="https://p.example/", kind="page"),
            Source(name="Loose", url="https://l.example/rss"),
        ]
    )
    assert 'text="Chips" title="Chips"' in text
    assert 'xmlUrl="https://a.example/feed?x=1&amp;y=2" category="/Chips"' in text
    assert "p.example" not in text
    back = read_opml(text.encode(), "x.opml")
    assert feeds(back) == [
        ("A & B", "https://a.example/feed?x=1&y=2", ["Chips"]),
        ("Loose", "https://l.example/rss", []),
    ]


def test_tag_with_a_slash_survives_as_the_folder():
    text = write_opml([Source(name="n", url="https://n.example/feed", tags=["AI/ML", "chips"])])
    assert feeds(read_opml(text.encode(), "x.opml")) == [("n", "https://n.example/feed", ["AI/ML", "chips"])]


def test_category_attribute_paths():
    doc = (
        b'<opml version="2.0"><body><outline text="f" xmlUrl="https://f.example/rss" '
        b'category="/Boston/Weather, /News"/></body></opml>'
    )
    assert read_opml(doc, "c.opml")[0].tags == ["Boston", "Weather", "News"]


def test_non_feed_outlines_are_skipped():
    doc = (
        b'<opml version="2.0"><body>'
        b'<outline text="a link" type="link" url="https://x.example/"/>'
        b'<outline text="mail" xmlUrl="mailto:x@example.com"/>'
        b'<outline text="ok" xmlUrl="https://ok.example/rss"/>'
        b"</body></opml>"
    )
    assert feeds(read_opml(doc, "s.opml")) == [("ok", "https://ok.example/rss", [])]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"<opml><body>", "bad.opml: not well-formed XML at line 1"),
        (b"<rss version='2.0'/>", "bad.opml: not an OPML file (root element <rss>)"),
        (b"<opml version='2.0'><head/></opml>", "bad.opml: not an OPML subscription list (no <body>)"),
        (b'<!DOCTYPE opml [<!ENTITY a "b">]><opml/>', "bad.opml: refused: the OPML file declares a DOCTYPE"),
        (b"<opml><body>" + b"<outline>" * 40 + b"</outline>" * 40 + b"</body></opml>", "nested more than 32"),
    ],
)
def test_errors_name_the_file(content, message):
    with pytest.raises(ConfigError) as info:
        read_opml(content, "bad.opml")
    assert message in str(info.value)
    assert "\n" not in str(info.value)
