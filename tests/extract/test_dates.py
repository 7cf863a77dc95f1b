"""Publication/modification dates: every source, the formats, zones and the plausibility rules."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.dates import extract_dates, parse_date_text

FETCHED = datetime(2025, 7, 30, 12, 0, tzinfo=UTC)


def page(head: str = "", body: str = "", lang: str = "en") -> LexborHTMLParser:
    """Build a parsed page from head and body snippets."""
    return LexborHTMLParser(f'<html lang="{lang}"><head>{head}</head><body>{body}</body></html>')


def offset_hours(value: datetime | None) -> float:
    """Return the UTC offset of an aware datetime in hours."""
    assert value is not None and value.utcoffset() is not None
    return value.utcoffset().total_seconds() / 3600  # type: ignore[union-attr]


# --- JSON-LD ----------------------------------------------------------------------------------


def test_jsonld_inside_graph():
    tree = page(
        head='<script type="application/ld+json">{"@context": "https://schema.org", "@graph": ['
        '{"@type": "WebSite", "name": "X"},'
        '{"@type": "NewsArticle", "datePublished": "2025-07-29T09:54:00-04:00",'
        ' "dateModified": "2025-07-29T11:00:00-04:00"}]}</script>'
    )
    dates = extract_dates(tree, None, FETCHED)
    assert dates.published == datetime(2025, 7, 29, 9, 54, tzinfo=timezone(timedelta(hours=-4)))
    assert dates.modified == datetime(2025, 7, 29, 11, 0, tzinfo=timezone(timedelta(hours=-4)))
    assert dates.provenance == {"published": "json-ld", "modified": "json-ld"}


def test_jsonld_array_with_type_list_and_cdata():
    tree = page(
        head='<script type="application/ld+json">//<![CDATA[\n[{"@type": ["BlogPosting"],'
        ' "datePublished": "2024-03-05",}]\n//]]></script>'
    )
    dates = extract_dates(tree, None, FETCHED)
    assert dates.published == datetime(2024, 3, 5, tzinfo=UTC)
    assert dates.provenance["published"] == "json-ld"


def test_jsonld_beats_a_conflicting_visible_date():
    tree = page(
        head='<script type="application/ld+json">{"@type": "Article",'
        ' "datePublished": "2025-07-01T08:00:00Z"}</script>',
        body="<article><h1>Headline</h1><p class=date>Tuesday, Jul 29, 2025 9:54 am ET</p></article>",
    )
    dates = extract_dates(tree, None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-01"
    assert dates.provenance["published"] == "json-ld"


def test_broken_jsonld_is_skipped_not_raised():
    tree = page(
        head='<script type="application/ld+json">{"@type": "Article", "datePublished": </script>'
        '<meta property="article:published_time" content="2025-07-02T10:00:00+02:00">'
    )
    dates = extract_dates(tree, None, FETCHED)
    assert dates.published == datetime(2025, 7, 2, 10, 0, tzinfo=timezone(timedelta(hours=2)))
    assert dates.provenance["published"] == "meta:article"


# --- meta tags --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tag", "source"),
    [
        ('<meta property="article:published_time" content="2025-07-29T09:54:00+02:00">', "meta:article"),
        ('<meta property="og:published_time" content="2025-07-29T09:54:00+02:00">', "meta:og"),
        ('<meta name="DC.date.issued" content="2025-07-29T09:54:00+02:00">', "meta:dc"),
        ('<meta name="dcterms.created" content="2025-07-29T09:54:00+02:00">', "meta:dc"),
        ('<meta name="parsely-pub-date" content="2025-07-29T09:54:00+02:00">', "meta:parsely"),
        ('<meta name="sailthru.date" content="2025-07-29T09:54:00+02:00">', "meta"),
        ('<meta name="pubdate" content="20250729T095400+0200">', "meta"),
        ('<meta name="publish-date" content="2025-07-29T09:54:00+02:00">', "meta"),
        ('<meta itemprop="datePublished" content="2025-07-29T09:54:00+02:00">', "meta"),
    ],
)
def test_meta_variants(tag, source):
    dates = extract_dates(page(head=tag), None, FETCHED)
    assert dates.published == datetime(2025, 7, 29, 9, 54, tzinfo=timezone(timedelta(hours=2)))
    assert dates.provenance["published"] == source


def test_parsely_page_json_blob():
    tag = """<meta name="parsely-page" content='{"title": "x", "pub_date": "2025-07-29T13:54:00Z"}'>"""
    dates = extract_dates(page(head=tag), None, FETCHED)
    assert dates.published == datetime(2025, 7, 29, 13, 54, tzinfo=UTC)
    assert dates.provenance["published"] == "meta:parsely"


def test_modified_meta_is_kept_apart_from_published():
    head = (
        '<meta property="article:published_time" content="2025-07-28T08:00:00Z">'
        '<meta property="article:modified_time" content="2025-07-29T08:00:00Z">'
    )
    dates = extract_dates(page(head=head), None, FETCHED)
    assert dates.published == datetime(2025, 7, 28, 8, 0, tzinfo=UTC)
    assert dates.modified == datetime(2025, 7, 29, 8, 0, tzinfo=UTC)


# --- <time> and visible text ------------------------------------------------------------------


def test_time_element_marked_as_publication_wins_over_others():
    body = (
        "<article><h1>Headline</h1>"
        '<time datetime="2025-07-20T10:00:00+02:00">20.07.</time>'
        '<time pubdate datetime="2025-07-21T10:00:00+02:00">21.07.</time></article>'
    )
    dates = extract_dates(page(body=body), None, FETCHED)
    assert dates.published is not None and dates.published.day == 21
    assert dates.provenance["published"] == "time-element"


def test_time_element_in_comments_is_ignored():
    body = (
        '<div class="comments"><time datetime="2025-07-25T10:00:00Z">c</time></div>'
        "<div><h1>Headline</h1><p>Body text</p></div>"
    )
    dates = extract_dates(page(body=body), "https://example.com/story", FETCHED)
    assert dates.published is None


def test_seed_dateline_glued_to_reading_time():
    """The seed page's date line, as a naive scraper glued it, gives 09:54 EDT."""
    body = (
        "<h1>Bitmain to Open US Factory Amid Trump-Era Push for Domestic Production</h1>"
        "<div>Tuesday, Jul 29, 2025 9:54 am ET2min read</div><p>Bitmain Technologies ...</p>"
    )
    dates = extract_dates(page(body=body), None, FETCHED)
    assert dates.published == datetime(2025, 7, 29, 9, 54, tzinfo=timezone(timedelta(hours=-4)))
    assert dates.published.isoformat() == "2025-07-29T09:54:00-04:00"
    assert dates.provenance["published"] == "text"


def test_date_line_by_class_when_no_headline():
    body = '<div class="post-meta">Veröffentlicht am 29. Juli 2025, 14:30 Uhr</div><p>Text</p>'
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None
    assert (dates.published.date().isoformat(), dates.published.hour, dates.published.minute) == (
        "2025-07-29",
        14,
        30,
    )


def test_relative_date_uses_fetch_time():
    body = "<h1>Headline</h1><span class=time>3 hours ago</span>"
    dates = extract_dates(page(body=body), None, FETCHED)
    assert dates.published == FETCHED - timedelta(hours=3)


def test_relative_date_needs_a_fetch_time():
    """Without a fetch time '3 hours ago' names no day (a saved page is parsed long after)."""
    body = "<h1>Headline</h1><span class=time>3 hours ago</span>"
    dates = extract_dates(page(body=body), None)
    assert dates.published is None


def test_url_date_is_the_last_resort():
    dates = extract_dates(page(body="<p>no dates here</p>"), "https://example.com/2025/07/29/story/", FETCHED)
    assert dates.published == datetime(2025, 7, 29, tzinfo=UTC)
    assert dates.provenance["published"] == "url"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/news/20250729/story.html",
        "https://example.com/2025-07-29-story",
        "https://example.com/a/2025/7/29/b",
    ],
)
def test_url_date_forms(url):
    dates = extract_dates(page(), url, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-29"


def test_utc_stamp_is_shown_on_the_url_day():
    """A UTC stamp of a US evening article keeps its instant but is shown on the URL's day."""
    head = '<meta property="article:published_time" content="2023-11-09T03:30:00Z">'
    dates = extract_dates(page(head=head), "https://example.com/2023/11/08/story/", FETCHED)
    assert dates.published is not None
    assert dates.published.date().isoformat() == "2023-11-08"
    assert dates.published == datetime(2023, 11, 9, 3, 30, tzinfo=UTC)


def test_tree_is_not_changed():
    html = (
        '<html><head><script type="application/ld+json">{"@type": "Article",'
        ' "datePublished": "2025-07-29"}</script></head><body><h1>T</h1><time datetime="2025-07-29">x</time>'
        "<div class=date>29.07.2025</div></body></html>"
    )
    tree = LexborHTMLParser(html)
    before = tree.html
    extract_dates(tree, "https://example.com/2025/07/29/x", FETCHED)
    assert tree.html == before


def test_empty_page_gives_no_dates():
    dates = extract_dates(LexborHTMLParser(""), None, FETCHED)
    assert (dates.published, dates.modified, dates.provenance) == (None, None, {})


# --- parse_date_text: formats -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-07-29T09:54:00+02:00", "2025-07-29T09:54:00+02:00"),
        ("2025-07-29T07:54:00.123Z", "2025-07-29T07:54:00+00:00"),
        ("Tue, 29 Jul 2025 09:54:00 GMT", "2025-07-29T09:54:00+00:00"),
        ("July 29, 2025", "2025-07-29T00:00:00+00:00"),
        ("29.07.2025", "2025-07-29T00:00:00+00:00"),
        ("29. Juli 2025, 09:54 Uhr", "2025-07-29T09:54:00+00:00"),
        ("29 juillet 2025 à 9h54", "2025-07-29T09:54:00+00:00"),
        ("29 de julio de 2025", "2025-07-29T00:00:00+00:00"),
        ("29 luglio 2025", "2025-07-29T00:00:00+00:00"),
        ("2025年7月29日", "2025-07-29T00:00:00+00:00"),
        ("2025年7月29日 9時54分", "2025-07-29T09:54:00+00:00"),
        ("2025년 7월 29일", "2025-07-29T00:00:00+00:00"),
        ("Posted on 29th July 2025", "2025-07-29T00:00:00+00:00"),
        ("20250729", "2025-07-29T00:00:00+00:00"),
        ("29 | 07 | 2025", "2025-07-29T00:00:00+00:00"),
    ],
)
def test_formats(text, expected):
    parsed = parse_date_text(text, now=FETCHED)
    assert parsed is not None and parsed.isoformat() == expected


@pytest.mark.parametrize("text", ["Seite 3 | 07 | 25", "1 | 2 | 3"])
def test_bars_between_small_numbers_are_no_date(text):
    assert parse_date_text(text, now=FETCHED) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("3 hours ago", FETCHED - timedelta(hours=3)),
        ("vor 2 Tagen", FETCHED - timedelta(days=2)),
        ("il y a 5 minutes", FETCHED - timedelta(minutes=5)),
        ("hace 1 hora", FETCHED - timedelta(hours=1)),
        ("3小时前", FETCHED - timedelta(hours=3)),
        ("yesterday at 9:54 am", datetime(2025, 7, 29, 9, 54, tzinfo=UTC)),
    ],
)
def test_relative(text, expected):
    assert parse_date_text(text, now=FETCHED) == expected


@pytest.mark.parametrize("text", ["Heute im Angebot", "hier 1 Arduino Nano", "today 3 deals"])
def test_bare_today_is_not_a_date(text):
    """Relative day words count only with a clock time; 'hier' is also German for 'here'."""
    assert parse_date_text(text, now=FETCHED) is None


# --- zones ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "hours"),
    [
        ("Jul 29, 2025 9:54 am ET", -4),  # daylight saving: EDT
        ("Jan 15, 2025 9:54 am ET", -5),  # winter: EST
        ("Jul 29, 2025 9:54 am PT", -7),
        ("Jan 15, 2025 9:54 am CT", -6),
        ("Jul 29, 2025 9:54 am MT", -6),
        ("Jul 29, 2025 9:54 EST", -5),
        ("29.07.2025 09:54 MESZ", 2),
        ("15.01.2025 09:54 MEZ", 1),
        ("29 July 2025 09:54 BST", 1),
        ("29 July 2025 09:54 CEST", 2),
        ("29 July 2025 09:54 CET", 1),
        ("29 July 2025 09:54 GMT", 0),
        ("29 July 2025 09:54 UTC+02:00", 2),
    ],
)
def test_zone_abbreviations(text, hours):
    assert offset_hours(parse_date_text(text, now=FETCHED)) == hours


def test_dst_change_day_in_new_york():
    before = parse_date_text("Mar 9, 2025 1:30 am ET", now=FETCHED)
    after = parse_date_text("Mar 9, 2025 3:30 am ET", now=FETCHED)
    assert (offset_hours(before), offset_hours(after)) == (-5, -4)


def test_date_without_zone_takes_the_pages_offset():
    head = '<meta property="article:modified_time" content="2025-07-29T12:00:00+02:00">'
    body = "<h1>Headline</h1><p class=date>29.07.2025</p>"
    dates = extract_dates(page(head=head, body=body, lang="de"), None, FETCHED)
    assert dates.published == datetime(2025, 7, 29, tzinfo=timezone(timedelta(hours=2)))


def test_date_without_zone_defaults_to_utc():
    assert parse_date_text("29.07.2025", now=FETCHED) == datetime(2025, 7, 29, tzinfo=UTC)


# --- plausibility -----------------------------------------------------------------------------


@pytest.mark.parametrize("text", ["2025-08-05", "1994-12-31", "August 5, 2025", "31.12.1990"])
def test_future_and_pre_1995_dates_are_rejected(text):
    assert parse_date_text(text, now=FETCHED) is None


def test_next_day_is_still_accepted():
    """Time zones ahead of the fetcher's clock can already be on the next day."""
    assert parse_date_text("2025-07-31", now=FETCHED) is not None


def test_implausible_meta_date_falls_through_to_the_next_source():
    head = '<meta property="article:published_time" content="1970-01-01T00:00:00Z">'
    dates = extract_dates(page(head=head), "https://example.com/2025/07/29/x", FETCHED)
    assert dates.provenance["published"] == "url"


def test_invalid_calendar_dates_are_ignored():
    assert parse_date_text("31.02.2025", now=FETCHED) is None
    assert parse_date_text("2025-13-01", now=FETCHED) is None


def test_us_slash_order_for_us_pages_and_day_first_elsewhere():
    us = extract_dates(page(body="<h1>H</h1><p class=date>07/04/2025</p>", lang="en-US"), None, FETCHED)
    de = extract_dates(page(body="<h1>H</h1><p class=date>07/04/2025</p>", lang="de"), None, FETCHED)
    assert us.published is not None and us.published.date().isoformat() == "2025-07-04"
    assert de.published is not None and de.published.date().isoformat() == "2025-04-07"


# --- later rules: weak meta, shown dates, last resorts ------------------------------------------


def test_generic_meta_date_loses_to_the_dateline_under_the_headline():
    """A plain <meta name="date"> is often the CMS's last save; the printed dateline wins."""
    head = '<meta name="date" content="2025-07-25">'
    body = "<article><h1>Headline</h1><p>29.07.2025</p><p>Body text</p></article>"
    dates = extract_dates(page(head=head, body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-29"
    assert dates.provenance["published"] == "text"


def test_date_inside_running_text_is_not_a_dateline():
    body = (
        "<article><h1>Headline</h1><p>" + "Lorem ipsum dolor sit amet. " * 12 + "Am 15.07.2025 begann alles. "
        "</p></article>"
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is None or dates.published.date().isoformat() != "2025-07-15"


def test_shown_date_equal_to_modification_day_wins_over_old_jsonld():
    """A refreshed article re-dated on the page keeps its old datePublished in the metadata."""
    head = (
        '<script type="application/ld+json">{"@type": "Article", "datePublished": "2021-01-10T08:00:00Z",'
        ' "dateModified": "2025-07-28T08:00:00Z"}</script>'
    )
    body = "<article><h1>Headline</h1><p class=date>July 28, 2025</p></article>"
    dates = extract_dates(page(head=head, body=body), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-28"


def test_utc_midnight_stamp_is_shown_on_the_printed_day():
    head = '<meta property="article:published_time" content="2021-11-04T23:00:00+00:00">'
    body = "<article><h1>Headline</h1><p class=date>05.11.2021</p></article>"
    dates = extract_dates(page(head=head, body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2021-11-05"
    assert dates.published == datetime(2021, 11, 4, 23, 0, tzinfo=UTC)


def test_utc_stamp_of_a_german_page_is_not_shown_on_an_american_day():
    """A German page's early-morning UTC stamp keeps its day although a teaser line shows the day before."""
    head = '<meta property="article:published_time" content="2023-10-31T04:41:58Z">'
    body = "<article><h1>Headline</h1></article><div class=teaser-date>30.10.2023</div>"
    dates = extract_dates(page(head=head, body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2023-10-31"


def test_utc_stamp_of_an_english_page_may_be_shown_on_the_american_day():
    head = '<meta property="article:published_time" content="2023-10-31T04:41:58Z">'
    body = "<article><h1>Headline</h1></article><div class=teaser-date>October 30, 2023</div>"
    dates = extract_dates(page(head=head, body=body, lang="en-us"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2023-10-30"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("15 августа 2016, 13:43", "2016-08-15"),
        ("3 października 2019", "2019-10-03"),
        ("5 Ekim 2020", "2020-10-05"),
    ],
)
def test_more_languages(text, expected):
    parsed = parse_date_text(text, now=FETCHED)
    assert parsed is not None and parsed.date().isoformat() == expected


def test_unlisted_vendor_meta_key():
    head = '<meta property="five_hundred_pixels:uploaded" content="2013-02-16T04:36:36-05:00">'
    dates = extract_dates(page(head=head), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2013-02-16"


def test_publication_key_in_inline_data_script():
    body = '<script>window.__DATA__ = {"product": {"published_at": "2019-03-02T06:22:28+01:00"}};</script>'
    dates = extract_dates(page(body=body), None, FETCHED)
    assert dates.published == datetime(2019, 3, 2, 6, 22, 28, tzinfo=timezone(timedelta(hours=1)))


def test_date_in_lead_image_path_is_the_last_resort():
    head = '<meta property="og:image" content="https://www.eff.org/files/2016/05/04/ar-2015-og.png">'
    dates = extract_dates(page(head=head), "https://www.eff.org/files/annual-report/2015/index.html", FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2016-05-04"
    assert dates.provenance["published"] == "url"


def test_untyped_jsonld_script():
    head = (
        '<script>{"@context": "https://schema.org", "@type": "NewsArticle",'
        ' "datePublished": "2022-01-28"}</script>'
    )
    dates = extract_dates(page(head=head), None, FETCHED)
    assert dates.provenance.get("published") == "json-ld"


def test_date_in_a_page_wide_sidebar_wrapper_still_counts():
    """Themes mark the whole content column 'has-sidebar'; only real sidebars are excluded."""
    body = (
        '<div class="wrap has-sidebar sidebar"><h1>Headline</h1><div class="post-meta">08/08/2017</div></div>'
        '<aside class="sidebar"><p class="date">01.01.2017</p></aside>'
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2017-08-08"


def test_site_title_h1_is_not_the_headline_whose_neighbourhood_dates_the_story():
    """A menu entry '12. Mai 2012' next to the blog-name h1 is no dateline; the post's line is."""
    body = (
        '<div id="branding"><h1 id="site-title"><a href="/">Echte Demokratie Jetzt</a></h1>'
        '<ul class="menu"><li class="menu-item"><a href="/12m/">12M – 12. Mai 2012</a></li></ul></div>'
        '<div class="post"><h1 class="entry-title">Liebe Menschen Europas</h1>'
        '<div class="entry-meta">Publiziert am <span class="entry-date">13. Januar 2014</span></div></div>'
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2014-01-13"


def test_todays_date_in_the_navigation_bar_is_not_the_publication_date():
    """A header 'Mittwoch, 01. November 2023' in a nav-classed bar is the render day, not the story's."""
    body = (
        '<header><div id="navwrap"><div class="navtop"><span class="mod_datetime">'
        '<time datetime="2023-11-01T13:56:20+01:00">Mittwoch, 01. November 2023</time>'
        "</span></div></div></header>"
        '<div class="intro"><p class="text_titel">Im Schlepptau</p>'
        '<p><span class="text_datum">31. Oktober 2023.</span> Dragqueens sind Kunstfiguren.</p></div>'
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2023-10-31"


# --- robustness -------------------------------------------------------------------------------

DATEISH = st.text(alphabet="0123456789 -./:TZ+年月日amp,ETCESUhJulyjuilletMärzvorago", max_size=60)


@settings(max_examples=300, deadline=None)
@given(st.one_of(st.text(max_size=80), DATEISH))
def test_parse_never_raises_and_stays_in_range(text):
    parsed = parse_date_text(text, now=FETCHED)
    if parsed is not None:
        assert parsed.tzinfo is not None
        assert datetime(1995, 1, 1, tzinfo=UTC) <= parsed <= FETCHED + timedelta(days=1)


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=200), DATEISH)
def test_extract_never_raises_on_junk_html(junk, dateish):
    html = (
        f"<html><head><meta name=date content='{dateish}'></head><body><h1>{junk}</h1><time>{dateish}</time>"
    )
    dates = extract_dates(LexborHTMLParser(html), f"https://example.com/{dateish}", FETCHED)
    for value in (dates.published, dates.modified):
        assert value is None or value.tzinfo is not None


@pytest.mark.parametrize(
    "text",
    [
        "2020-01-01T99:00",
        "2020-01-01 25:61",
        "2020-01-01T23:59:99Z",
        "99999999999999 days ago",
        "3000 years ago",
    ],
)
def test_impossible_clock_times_and_huge_relative_dates_do_not_raise(text):
    parsed = parse_date_text(text, now=FETCHED)
    assert parsed is None or parsed.time().isoformat() == "00:00:00"


def test_published_and_updated_in_one_date_line():
    body = '<div class="meta">Published 12.03.2025 10:00 | Updated 14.03.2025 08:00</div><p>Text</p>'
    dates = extract_dates(page(body=body, lang="en-GB"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-03-12"
    assert dates.modified is not None and dates.modified.date().isoformat() == "2025-03-14"


@pytest.mark.parametrize(
    "line",
    [
        "Mit der am 15. Juli 2025 in Kraft getretenen Verordnung",
        "Foto: Jane Doe, 15.07.2025",
        "Wochenende in Wien 12.07. - 15.07.2025",
    ],
)
def test_dates_mentioned_in_prose_credits_or_ranges_are_not_datelines(line):
    body = f"<article><h1>Headline</h1><p>{line}</p><p>Text</p><div>20.07.2025</div></article>"
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-20"


def test_a_dateline_with_clock_time_counts_even_after_am():
    body = (
        "<article><h1>Headline</h1><p>Dieser Artikel wurde am 15. Juli 2025 um 23:03 Uhr gepostet</p>"
        "</article>"
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2025-07-15"


def test_range_start_is_not_a_date_but_date_dash_time_is():
    ranged = extract_dates(
        page(body="<p>Wochenbericht 31.12.2024 - 06.01.2025</p>", lang="de"), None, FETCHED
    )
    timed = extract_dates(
        page(body="<p>Kathrin am Mittwoch, 26.01.2022 - 14:30</p>", lang="de"), None, FETCHED
    )
    assert ranged.published is None
    assert timed.published is not None and (timed.published.day, timed.published.hour) == (26, 14)


def test_time_element_agreeing_with_the_printed_dateline_wins():
    body = (
        "<article><h1>Headline</h1><p>29.04.2025, 12:01 Uhr</p>"
        '<time datetime="2025-04-29T12:01:00+02:00">29.04.</time></article>'
        '<div class="more"><time class="published" datetime="2025-04-30">30.04.</time></div>'
    )
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published == datetime(2025, 4, 29, 12, 1, tzinfo=timezone(timedelta(hours=2)))


def test_last_change_line_is_skipped_for_the_publication_line():
    body = "<div><p>Text</p><p>Letzte Änderung: 31.10.2023 - 14:49:39<br>Erschienen am: 01.11.2023</p></div>"
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.published is not None and dates.published.date().isoformat() == "2023-11-01"


def test_only_an_update_date_is_the_best_estimate_of_publication():
    body = '<div><p>Text</p><p class="info">Aktualisiert: 30.12.2016</p></div>'
    dates = extract_dates(page(body=body, lang="de"), None, FETCHED)
    assert dates.modified is not None and dates.modified.date().isoformat() == "2016-12-30"
    assert dates.published == dates.modified
    assert dates.provenance["published"] == "heuristic"


def test_updated_line_under_the_headline_is_the_modification_not_the_publication():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "datePublished": "2024-06-04T10:00:00+00:00", "dateModified": "2024-06-06T08:30:00+00:00"}</script>'
    )
    body = (
        '<article><h1>Recall</h1><p class="dateline">Updated June 6, 2024 8:30 am UTC</p>'
        "<p>Text</p></article>"
    )
    dates = extract_dates(page(head=head, body=body), "https://example.com/2024/06/04/recall/", FETCHED)
    assert dates.published == datetime(2024, 6, 4, 10, 0, tzinfo=UTC)
    assert dates.modified == datetime(2024, 6, 6, 8, 30, tzinfo=UTC)
    assert dates.provenance["published"] == "json-ld"
