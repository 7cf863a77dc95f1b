"""Body extraction rules: safe HTML, links, duplicates, furniture lines, tables and lists."""

from __future__ import annotations

import random
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extract import extract_article
from scraper.extract.body import NEAR_DUP_JACCARD, NEAR_DUP_SKETCH_MASK, NEAR_DUP_SPREAD

LONG = "The plant will make power electronics for electric cars and wind turbines from next year onwards. "
ALLOWED_TAGS = {"p", "h2", "h3", "h4", "ul", "ol", "li", "blockquote", "pre", "a", "img"}


def _page(inner: str, extra: str = "") -> str:
    return (
        "<html><head><title>Plant opens</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/x'>Section</a></nav>"
        f"<article><h1>Plant opens</h1>{inner}</article>{extra}"
        "<footer>Imprint | Privacy</footer></body></html>"
    )


def test_body_html_is_safe_and_links_are_absolute():
    inner = (
        f"<p onclick='evil()' style='color:red'>{LONG}<a href='/report.pdf' onmouseover='x()'>report</a> "
        "<a href='javascript:alert(1)'>click</a> <script>alert(2)</script><iframe src='x'></iframe></p>"
        f"<h3>Outlook</h3><p>{LONG}<img src='/chart.png' onerror='y()' alt='Chart'></p>"
        f"<blockquote>{LONG}</blockquote><pre>code  block</pre>"
    )
    article = extract_article(_page(inner), "https://news.example.com/2024/plant")
    tags = set(re.findall(r"<\s*([a-zA-Z0-9]+)", article.body_html))
    assert tags <= ALLOWED_TAGS, tags
    assert "onclick" not in article.body_html and "javascript:" not in article.body_html
    assert "alert" not in article.body
    assert '<a href="https://news.example.com/report.pdf">report</a>' in article.body_html
    assert '<img src="https://news.example.com/chart.png" alt="Chart">' in article.body_html
    assert "<h3>Outlook</h3>" in article.body_html
    assert article.links == ["https://news.example.com/report.pdf"]
    for href in re.findall(r'href="([^"]+)"', article.body_html):
        assert href.startswith("https://")


def test_paragraphs_are_separated_by_one_blank_line_and_repeats_dropped():
    inner = f"<p>{LONG}One.</p><p>{LONG}Two.</p><p>{LONG}One.</p><div><p>  {LONG}Two. </p></div>"
    article = extract_article(_page(inner))
    assert article.body == f"{LONG}One.\n\n{LONG}Two."


def test_title_repeated_in_body_is_dropped():
    article = extract_article(_page(f"<p>{LONG}</p><h2>Plant opens</h2><p>Plant opens</p>"))
    assert "Plant opens" not in article.body
    assert article.title == "Plant opens"


def test_furniture_lines_inside_the_article_are_dropped():
    inner = (
        "<div class='byline'>By Jane Doe</div><p class='date'>Monday, March 4, 2024 10:15 am</p>"
        f"<p>{LONG}</p><p>Photo: Reuters/John Smith</p>"
        "<div class='share-buttons'><a href='#'>Share on X</a></div>"
        f"<p>{LONG}Second.</p><div class='newsletter-signup'><p>Sign up for our newsletter and get the news "
        "first every morning in your inbox.</p></div><p>Advertisement</p>"
        "<div class='related-articles'><h3>Related</h3><ul><li><a href='/a'>Other story one here</a></li>"
        "<li><a href='/b'>Other story two here</a></li></ul></div>"
    )
    article = extract_article(_page(inner))
    for junk in (
        "Jane Doe",
        "March 4",
        "Photo:",
        "Share on X",
        "Sign up",
        "Advertisement",
        "Other story",
        "Related",
    ):
        assert junk not in article.body, junk
    assert article.body.count(LONG.strip()) == 2


def test_notes_to_the_reader_inside_the_article_are_dropped():
    inner = (
        f"<p>{LONG}</p><p>Subscribe now to our print edition for the full story.</p><p>{LONG}Second.</p>"
        "<p>Wenn Ihnen der Beitrag gefällt, abonnieren Sie unseren Newsletter.</p>"
        "<p>Abbildung 2: Die neue Halle im Bau.</p>"
        f"<p>{LONG}Third.</p><p>This article is the copyrighted property of Example News.</p>"
    )
    article = extract_article(_page(inner))
    assert article.body.count(LONG.strip()) == 3
    for junk in ("Subscribe", "Newsletter", "copyrighted", "Abbildung"):
        assert junk not in article.body, junk


def test_closing_author_note_is_dropped():
    inner = f"<p>{LONG}</p><p>{LONG}Second.</p><p>Jane Doe is a senior writer for Example News.</p>"
    article = extract_article(_page(inner))
    assert "Jane Doe" not in article.body
    assert article.body.count(LONG.strip()) == 2


def test_lead_outside_the_article_container_is_kept_when_the_description_repeats_it():
    lead = "The town council approved the new power electronics plant on Monday after a long debate."
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(12))
    page = (
        "<html><head><title>Plant opens</title>"
        f"<meta name='description' content='{lead[:70]}…'></head><body>"
        f"<header><h1>Plant opens</h1><p class='intro'>{lead}</p><ul>{menu}</ul></header>"
        f"<div class='story'><p>{LONG}</p><p>{LONG}Second.</p><p>{LONG}Third.</p></div>"
        "<footer>Imprint | Privacy</footer></body></html>"
    )
    article = extract_article(page)
    assert article.body.startswith(lead)
    assert article.body.count(LONG.strip()) == 3


def test_site_tagline_repeating_the_description_is_not_taken_for_a_lead():
    tagline = "Example News brings you the latest industry news from around the world, every day."
    menu = "".join(f"<li><a href='/s{i}'>Section number {i} of the site</a></li>" for i in range(12))
    page = (
        f"<html><head><title>Plant opens</title><meta name='description' content='{tagline}'></head>"
        f"<body><header><p class='tagline'>{tagline}</p><ul>{menu}</ul><h1>Plant opens</h1></header>"
        f"<div class='story'><p>{LONG}</p><p>{LONG}Second.</p></div></body></html>"
    )
    article = extract_article(page)
    assert "Example News brings" not in article.body
    assert article.body.count(LONG.strip()) == 2


def test_labels_of_teaser_boxes_are_dropped():
    inner = (
        f"<p>{LONG}</p><h3>Ähnliche Beiträge</h3><p>{LONG}Second.</p>"
        "<div>Weitere Tourentipps in Schweden</div>"
    )
    article = extract_article(_page(inner))
    assert "Ähnliche" not in article.body and "Tourentipps" not in article.body
    assert article.body.count(LONG.strip()) == 2


def test_lists_tables_and_quotes_are_kept_as_text():
    inner = (
        f"<p>{LONG}</p><ul><li>First point</li><li>Second point</li></ul>"
        "<table><tr><th>Year</th><th>Output</th></tr><tr><td>2023</td><td>1.2 GW</td></tr></table>"
        f"<blockquote>We are proud of this plant.</blockquote><p>{LONG}End.</p>"
    )
    article = extract_article(_page(inner))
    for text in ("First point", "Second point", "Year", "1.2 GW", "We are proud of this plant."):
        assert text in article.body, text
    assert "<ol>" not in article.body_html and "<li>First point</li>" in article.body_html


def test_comment_section_is_kept_apart():
    comments = (
        "<section id='comments'><h2>Comments</h2><div class='comment'><div class='comment-author'>Ann</div>"
        "<div class='comment-text'><p>Great news for the town, finally some jobs here.</p></div></div>"
        "<div class='comment'><div class='comment-text'><p>What about the water use?</p></div></div>"
        "</section>"
    )
    article = extract_article(_page(f"<p>{LONG}</p><p>{LONG}More.</p>", comments))
    assert "Great news" not in article.body and "water use" not in article.body
    assert article.comments == [
        "Great news for the town, finally some jobs here.",
        "What about the water use?",
    ]


def test_article_inside_a_furniture_class_wrapper_is_still_found():
    # furniture elements are only measured, not walked: one holding the article must be walked after all
    page = (
        "<html><body><div class='content-sidebar-wrap'><div class='share'><a href='/s'>Share</a></div>"
        f"<p>{LONG}</p><p>{LONG}Second.</p><div class='newsletter'><p>Get our newsletter every "
        "morning in your inbox, free of charge.</p></div></div>"
        "<footer><a href='/imprint'>Imprint</a> <a href='/privacy'>Privacy</a></footer></body></html>"
    )
    article = extract_article(page)
    assert article.body.count(LONG.strip()) == 2
    for junk in ("Share", "newsletter", "Imprint"):
        assert junk not in article.body, junk


def test_language_falls_back_to_detection_when_undeclared():
    german = (
        "<p>Die Fabrik wird im nächsten Jahr eröffnet und soll mehr als tausend Menschen beschäftigen.</p>"
        * 3
    )
    article = extract_article(_page(german))
    assert article.language == "de"
    assert article.provenance["language"] == "heuristic"


def test_near_duplicate_paragraph_is_dropped_among_many_of_the_same_length():
    rng = random.Random(7)
    words = [f"w{i}" for i in range(200)]
    # forty different paragraphs of the same vocabulary size, then one that differs from the 7th by a word
    paragraphs = [" ".join(rng.sample(words, 40)) + "." for _ in range(40)]
    near = paragraphs[6].replace(paragraphs[6].split()[3], "changed", 1)
    inner = "".join(f"<p>{p}</p>" for p in paragraphs) + f"<p>{near}</p>"
    article = extract_article(_page(inner))
    kept = article.body.split("\n\n")
    assert near not in kept
    assert len(kept) == len(set(paragraphs))


@settings(max_examples=300, deadline=None)
@given(
    st.sets(st.text(alphabet="abcdefgh", min_size=1, max_size=3), min_size=20, max_size=60),
    st.sets(st.text(alphabet="abcdefgh", min_size=1, max_size=3), max_size=8),
    st.integers(min_value=0, max_value=8),
)
def test_sketch_bound_never_hides_a_near_duplicate(base, extra, drop):
    a = set(base)
    b = (a - set(sorted(a)[:drop])) | extra
    common = len(a & b)
    if common < NEAR_DUP_JACCARD * (len(a) + len(b) - common):
        return
    sketch_a = sketch_b = 0
    for word in a:
        sketch_a |= 1 << (hash(word) & NEAR_DUP_SKETCH_MASK)
    for word in b:
        sketch_b |= 1 << (hash(word) & NEAR_DUP_SKETCH_MASK)
    assert (sketch_a ^ sketch_b).bit_count() <= NEAR_DUP_SPREAD * (len(a) + len(b))


_CLASS_CHARS = st.sampled_from(
    ["-", "--", " ", "_", "tag", "category", "has", "no", "is", "with", "type", "live", "hentry", "x"]
)


@given(st.lists(_CLASS_CHARS, max_size=8).map("".join))
def test_class_exception_search_matches_a_search_for_any_marker(words):
    from scraper.extract.body import _CLASS_EXCEPTION_DASH_RE, _CLASS_EXCEPTION_MARKERS

    plain = re.compile("|".join(re.escape(marker) for marker in _CLASS_EXCEPTION_MARKERS))
    fast = "live" in words or "hentry" in words or _CLASS_EXCEPTION_DASH_RE.search(words) is not None
    assert fast == (plain.search(words) is not None)


def test_every_hidden_class_holds_a_mark_that_class_flags_tests_first():
    from scraper.extract.body import _HIDDEN_CLASSES, _class_flags

    for name in _HIDDEN_CLASSES:
        assert any(mark in name for mark in ("hid", "none", "only", "screen"))
        assert _class_flags(f"box {name.upper()}")[5]
    assert _class_flags("article_Body")[4] and _class_flags("article-body main")[4]
    assert not _class_flags("article body")[4]


def test_every_whitespace_character_but_space_is_unprintable():
    # _Walk.flush keeps a printable run with single inner spaces as it is, without collapsing it
    assert all(not c.isprintable() for c in map(chr, range(0x110000)) if c.isspace() and c != " ")


@given(st.text(st.sampled_from(" a\n\t\xa0\u2003é\x00x")))
def test_a_printable_run_without_double_or_edge_spaces_is_already_collapsed(raw):
    if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
        assert " ".join(raw.split()) == raw


def test_junk_line_pattern_is_lower_case_so_the_ascii_copy_matches_lowered_lines_alike():
    from scraper.extract.body import _JUNK_LINE_ASCII_RE, _JUNK_LINE_RE, _is_junk_line

    assert _JUNK_LINE_RE.pattern == _JUNK_LINE_RE.pattern.lower() == _JUNK_LINE_ASCII_RE.pattern
    for line in (
        "SHARE THIS",
        "Read More",
        "Getty Images",
        "Print media is losing its readers.",
        "Über den Autor",
    ):
        assert bool(_is_junk_line(line)) == (line != "Print media is losing its readers.")


@given(st.text(st.sampled_from("aAbBeEsSrRhH tT:©()-'.0123456789"), max_size=40))
def test_junk_line_ascii_match_on_lowered_text_equals_the_ignorecase_match(text):
    from scraper.extract.body import _JUNK_LINE_ASCII_RE, _JUNK_LINE_RE

    found = _JUNK_LINE_RE.match(text)
    lowered = _JUNK_LINE_ASCII_RE.match(text.lower())
    assert (found is None) == (lowered is None)
    if found is not None and lowered is not None:
        assert found.end() == lowered.end()


def _class_flags_reference(value: str) -> tuple[bool, bool, bool, bool, bool, bool]:
    """_class_flags as it was before its substring pre-tests, to check they change nothing."""
    from scraper.extract import body as b

    lowered = value.lower()
    words = lowered if value.islower() else b._CAMEL_RE.sub("-", value).lower()
    hidden = not b._HIDDEN_CLASSES.isdisjoint(lowered.split())
    article_body = "articlebody" in words.replace("-", "").replace("_", "")
    if "live" not in words and "hentry" not in words and b._CLASS_EXCEPTION_DASH_RE.search(words) is None:
        parts = b._CLASS_WORD_RE.findall(words)
        neg = not b._NEG_SET.isdisjoint(parts) or b._is_widget(parts, words)
        pos = not b._POS_SET.isdisjoint(parts)
        comment = not b._COMMENT_SET.isdisjoint(parts)
        return neg, pos, comment, comment and b._is_comment_item(parts), article_body, hidden
    neg = pos = comment = item = False
    names = lowered.split()
    post = "hentry" in names or any(name.startswith("type-") for name in names)
    for name in words.split():
        name = name.split("--", 1)[0]
        parts = b._CLASS_WORD_RE.findall(name)
        if not parts:
            continue
        pos = pos or not b._POS_SET.isdisjoint(parts)
        if post or name.startswith(b._STATE_PREFIXES) or "live" in name:
            continue
        neg = neg or not b._NEG_SET.isdisjoint(parts) or b._is_widget(parts, name)
        comment = comment or not b._COMMENT_SET.isdisjoint(parts)
        item = item or b._is_comment_item(parts)
    return neg, pos, comment, item, article_body, hidden


_CLASS_PIECES = (
    "comment", "Comment", "kommentar", "body", "text", "content", "widget", "widgets", "elementor", "type-",
    "post", "hentry", "live", "tag-", "has-", "is-", "--", "-", "_", " ", "  ", "\t", "share", "entry",
    "hidden", "sr-only", "Article", "Body", "nav", "x", "9", "ad", "s",
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(st.sampled_from(_CLASS_PIECES), max_size=12).map("".join))
def test_class_flags_equal_the_reference_without_pre_tests(value):
    from scraper.extract.body import _class_flags

    assert _class_flags.__wrapped__(value) == _class_flags_reference(value)


@settings(max_examples=300)
@given(
    st.dictionaries(
        st.sampled_from(
            ["class", "id", "href", "style", "role", "itemprop", "hidden", "aria-hidden", "title"]
        ),
        st.one_of(
            st.none(),
            st.sampled_from(
                ["", "comment-body", "share", "display:none", "navigation", "banner", "articleBody"]
            ),
            st.sampled_from(["true", "Comment", "x hidden", "main content", "visibility: hidden"]),
        ),
    )
)
def test_element_flags_equal_the_step_by_step_reading(attrs):
    from scraper.extract.body import _FURNITURE_ROLES, _NO_FLAGS, _class_flags, _element_flags

    # _element_flags as it was before its shortcuts for common attribute sets
    expected: tuple[bool, ...] | None
    style = attrs.get("style") or ""
    compact = style.replace(" ", "").lower()
    hides = (
        "hidden" in attrs
        or attrs.get("aria-hidden") == "true"
        or "display:none" in compact
        or "visibility:hidden" in compact
        or attrs.get("role") in {"navigation", "dialog", "alertdialog"}
    )
    if hides:
        expected = None
    else:
        cls, ident = attrs.get("class"), attrs.get("id")
        flags = (
            _class_flags(f"{cls} {ident}")
            if cls and ident
            else _class_flags(cls or ident)
            if cls or ident
            else _NO_FLAGS
        )
        itemprop = (attrs.get("itemprop") or "").lower()
        if itemprop == "comment":
            flags = (flags[0], flags[1], True, True, flags[4], flags[5])
        elif itemprop == "articlebody":
            flags = (flags[0], flags[1], flags[2], flags[3], True, flags[5])
        if attrs.get("role") in _FURNITURE_ROLES:
            flags = (True, *flags[1:])
        expected = None if flags[5] else flags
    assert _element_flags(attrs) == expected
