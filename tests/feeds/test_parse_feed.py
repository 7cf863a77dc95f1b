"""parse_feed on every feed shape: RSS 0.91/1.0/2.0, Atom 0.3/1.0, JSON Feed 1.0/1.1, broken and hostile."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import FeedError
from scraper.feeds import feed_site_link, parse_feed

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


def test_rss091_latin1_without_dates():
    feed = parse_feed(load("rss091.xml"), "http://grid.example.net/rss.xml")
    assert feed.error is None
    assert [e.title for e in feed.entries] == [
        "Transformer shortage eases",
        "Café owners install rooftop solar",
    ]
    assert feed.entries[1].summary == "A Latin-1 byte: café."
    assert all(e.published is None and e.guid is None for e in feed.entries)


def test_rss10_rdf_dc_fields():
    feed = parse_feed(load("rss10-rdf.xml"), "https://batteries.example.jp/rss")
    first, second = feed.entries
    assert first.link == "https://batteries.example.jp/articles/solid-state"
    assert first.authors == ["Kenji Sato"]
    assert first.tags == ["solid-state"]
    # feedparser calls dc:date "updated"; in an RSS item it is the date of issue, so it is published too
    assert first.updated == "2025-07-29T09:54:00+09:00"
    assert first.published == "2025-07-29T09:54:00+09:00"
    assert second.published == second.updated == "2025-07-28T00:00:00+00:00"


def test_atom03_issued_and_modified():
    feed = parse_feed(load("atom03.xml"), "https://litho.example.com/atom.xml")
    assert feed.title == "Old Blog on Lithography"
    (entry,) = feed.entries
    assert entry.published == "2025-07-29T09:54:00-07:00"
    assert entry.updated == "2025-07-29T17:30:00+00:00"
    assert entry.content == "<p>Pellicle yields are up.</p>"
    assert entry.authors == ["Mei Chen"]


def test_jsonfeed_10():
    feed = parse_feed(load("jsonfeed-1.0.json"), "https://fabs.example.com/feed.json")
    assert feed.title == "Wafer Fab Watch"
    assert feed.error is None
    assert [e.link for e in feed.entries] == [
        "https://fabs.example.com/2025/07/29/intel-ohio/",
        "https://other.example.org/report.pdf",
    ]
    first, second = feed.entries
    assert first.guid == "2025-07-29-intel-ohio"
    assert first.summary == "A delay."
    assert first.content == "<p>The first fab moves to 2030.</p>"
    assert first.published == "2025-07-29T09:54:00-04:00"
    assert first.updated == "2025-07-29T12:00:00-04:00"
    assert first.authors == ["Dana Ortiz"]
    assert first.tags == ["intel", "fabs"]
    assert second.authors == ["Fab Watch Staff"]
    assert second.content == "Link post to an outside report."
    assert second.published == "2025-07-28T08:00:00+00:00"


def test_jsonfeed_11():
    feed = parse_feed(load("jsonfeed-1.1.json"), "https://storage.example.com/feed.json")
    first, second = feed.entries
    assert first.authors == ["Sam Hill", "Priya Rao"]
    assert first.tags == ["iron-air", "podcast"]
    assert first.enclosures == [
        "https://cdn.example.com/ep42.mp3",
        "https://storage.example.com/transcripts/ep42.txt",
    ]
    assert second.link == "https://storage.example.com/ep/41"
    assert second.authors == ["Storage Desk"]


def test_jsonfeed_site_link_and_rss_site_link():
    assert feed_site_link(load("jsonfeed-1.1.json"), "https://storage.example.com/feed.json") == (
        "https://storage.example.com/"
    )
    assert (
        feed_site_link(load("rss20.xml"), "https://chips.example.com/feed/") == "https://chips.example.com/"
    )
    assert feed_site_link(load("atom10.xml"), "https://mining.example.org/atom.xml") == (
        "https://mining.example.org/"
    )


def test_json_that_is_not_a_json_feed():
    with pytest.raises(FeedError, match=r"jsonfeed\.org version.*https://ex\.com/api"):
        parse_feed(b'{"version": "2.0", "items": []}', "https://ex.com/api")
    with pytest.raises(FeedError, match="not well-formed JSON at line 1"):
        parse_feed(b'{"version": "https://jsonfeed.org/version/1.1", "items": [', "https://ex.com/feed.json")


def test_malformed_feed_keeps_readable_entries_and_says_why():
    feed = parse_feed(load("malformed-rss.xml"), "https://broken.example.com/feed")
    assert feed.error is not None
    assert feed.error.startswith("feeds: not well-formed XML at line 22: ")
    links = [e.link for e in feed.entries]
    assert links[:2] == ["https://broken.example.com/first", "https://broken.example.com/second"]


def test_truncated_feed_keeps_entries_before_the_cut():
    whole = load("rss20.xml")
    cut = whole[: whole.index(b"<title>HBM supply update")]
    feed = parse_feed(cut, "https://chips.example.com/feed/")
    assert feed.error is not None and "not well-formed XML" in feed.error
    assert [e.link for e in feed.entries] == ["https://chips.example.com/2025/07/29/foundry-capacity-2nm/"]


def test_entity_declaring_feed_is_refused():
    with pytest.raises(FeedError) as info:
        parse_feed(load("entities-billion-laughs.xml"), "https://evil.example.com/feed")
    assert str(info.value) == (
        "feeds: refused: the document declares XML entities (https://evil.example.com/feed)"
    )


def test_entity_declaration_in_utf16_is_refused():
    doc = load("entities-billion-laughs.xml").decode("utf-8").replace('encoding="UTF-8"', 'encoding="UTF-16"')
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(doc.encode("utf-16"), "https://evil.example.com/feed")


def test_entity_text_inside_an_entry_is_not_refused():
    doc = (
        b'<?xml version="1.0"?><rss version="2.0"><channel><title>XML tips</title>'
        b"<item><title>DTDs</title><link>https://ex.com/dtd</link>"
        b'<description><![CDATA[Write <!ENTITY x "y"> in the DOCTYPE.]]></description></item>'
        b"</channel></rss>"
    )
    feed = parse_feed(doc, "https://ex.com/feed")
    assert feed.entries[0].link == "https://ex.com/dtd"
    assert "ENTITY x" in (feed.entries[0].summary or "")


def test_relative_non_url_guid_is_not_a_link():
    doc = (
        b'<rss version="2.0"><channel><title>t</title>'
        b'<item><title>a</title><guid isPermaLink="false">4211</guid></item></channel></rss>'
    )
    assert parse_feed(doc, "https://ex.com/feed").entries == []


@pytest.mark.parametrize(
    "doc",
    [
        # a tag-like string inside a comment must not end the prolog early
        b'<?xml version="1.0"?><!-- see <b>below</b> --><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss/>',
        # a prolog padded past any fixed scan window
        b"<?xml version='1.0'?><!--" + b" " * 200_000 + b'--><!DOCTYPE rss [<!ENTITY a "aaaa">]><rss/>',
        # UTF-7 hides "<!ENTITY" from byte patterns
        b'<?xml version="1.0" encoding="UTF-7"?>'
        b"+ADw-!DOCTYPE rss +AFs-+ADw-!ENTITY a 'b'+AD4-+AF0-+AD4-<rss/>",
        # lowercase keyword
        b'<!doctype rss [<!entity a "b">]><rss/>',
    ],
)
def test_hidden_entity_declarations_are_refused(doc):
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(doc, "https://evil.example.com/feed")


def test_quadratic_blowup_is_refused_before_parsing():
    big = b"a" * 50_000
    doc = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY big "' + big + b'">]>'
        b"<rss version='2.0'><channel><title>" + b"&big;" * 20_000 + b"</title></channel></rss>"
    )
    with pytest.raises(FeedError, match="declares XML entities"):
        parse_feed(doc, "https://evil.example.com/feed")


def test_wrong_declared_charset_is_not_an_error():
    doc = (
        '<?xml version="1.0" encoding="us-ascii"?><rss version="2.0"><channel><title>Café</title>'
        "<item><title>é</title><link>https://e.com/a</link></item></channel></rss>"
    ).encode()
    # feedparser flags it (CharacterEncodingOverride) but decoded it as UTF-8: nothing was lost
    feed = parse_feed(doc, "https://e.com/feed")
    assert feed.error is None
    assert feed.title == "Café" and feed.entries[0].title == "é"
