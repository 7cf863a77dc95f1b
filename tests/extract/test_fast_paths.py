"""Property tests: the fast paths of metadata, dates and authors helpers agree with the plain versions."""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract import authors, dates, jsonld, metadata, page_data

# characters that exercise the fast paths' edges: ASCII punctuation and whitespace, invisible
# characters, combining marks, non-ASCII whitespace, letters with case folding quirks, CJK
_EDGE_CHARS = (
    "aZ09_ -|:.,\t\n\r\x0b\x0c\x1c\x1f\x7f\u00a0\u00ad\u200b\u200c\u200d\u2060\ufeff"
    "e\u0301\u0308\u00e9\u00df\u0130\u1e9e\u2028\u3000\u4e2d\uff21\u00bd\u00b2\u0660"
)
_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=127)),
    st.text(alphabet=st.sampled_from(_EDGE_CHARS)),
)

_INVISIBLE_CHARS_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_NON_ALNUM_RE = re.compile(r"[\W_]+")


def _plain_norm(text: str | None) -> str:
    """The metadata _norm before its ASCII fast path."""
    return " ".join(unicodedata.normalize("NFC", _INVISIBLE_CHARS_RE.sub("", text or "")).split())


def _plain_key(text: str | None) -> str:
    """The metadata _key before its fast paths."""
    return _NON_ALNUM_RE.sub("", _plain_norm(text).casefold())


@settings(max_examples=1000)
@given(st.one_of(st.none(), _TEXT))
def test_norm_matches_plain(text: str | None) -> None:
    assert metadata._norm(text) == _plain_norm(text)


@settings(max_examples=1000)
@given(st.one_of(st.none(), _TEXT))
def test_key_matches_plain(text: str | None) -> None:
    assert metadata._key(text) == _plain_key(text)


_PLAIN_BYLINE_TEXT_RE = re.compile(
    r"(?:^|[\s|•·])(?:[Bb]y|[Vv]on|[Pp]ar|[Pp]or|[Dd]i|Text:|Autor(?:in)?:|Author:)\s+"
    rf"({metadata._BYLINE_NAME}(?:(?:\s*,|\s+(?:und|and|&|et|y))\s+{metadata._BYLINE_NAME}){{0,2}})"
)
_BYLINE_PIECES = st.sampled_from(
    [" ", "\n", "\t", "|", "•", "·", "x", "By", "by", "Von", "von", "Par", "Di", "di", "Text:", "Autor:",
     "Autorin:", "Author:", "Jane", "Doe", "Émile", "van", "der", "und", "and", ",", "&", "Foto ", "."]
)  # fmt: skip
_BYLINE_TEXT = st.one_of(_TEXT, st.lists(_BYLINE_PIECES, max_size=30).map("".join))


@settings(max_examples=1000)
@given(_BYLINE_TEXT)
def test_byline_pattern_matches_plain(text: str) -> None:
    # the pattern starts at the word, the plain one at the space or bar before it
    found = [(max(m.start() - 1, 0), m.end(), m.group(1)) for m in metadata._BYLINE_TEXT_RE.finditer(text)]
    assert found == [(m.start(), m.end(), m.group(1)) for m in _PLAIN_BYLINE_TEXT_RE.finditer(text)]


_DATED_PIECES = st.sampled_from(
    ["\n", " ", "\t", "1", "04", "2022", ".", ". ", "|", " | ", "13:10", " Uhr", "–", "Jane Doe", "x"]
)


@settings(max_examples=1000)
@given(st.one_of(_TEXT, st.lists(_DATED_PIECES, max_size=20).map("".join)))
def test_dated_name_hint_is_necessary(text: str) -> None:
    if metadata._DATED_NAME_RE.search(text):
        assert metadata._DATED_NAME_HINT_RE.search(text)


_PLAIN_ISO_RE = re.compile(
    r"(?<![\d.])((?:19|20)\d\d)([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"
    r"(?:[T\s]+(\d{1,2}):(\d\d)(?::(\d\d)(?:[.,]\d+)?)?\s*(Z|[+-]\d\d(?::?\d\d)?(?!\d))?)?"
)
_PLAIN_NUMERIC_RE = re.compile(
    r"(?<![\d.,/-])(\d{1,2})([./-]| \| )(\d{1,2})\2((?:19|20)\d\d|\d\d)(?![\d]|[.,]\d)"
)
_DATE_PIECES = st.sampled_from(
    ["0", "1", "2", "9", "12", "19", "20", "2021", "1999", "31", ".", ",", "/", "-", " | ", " ", "\n", "T",
     "10:30", "Z", "+02:00", "x", "Mai", "May", "mars", "de ", "of ", "st", "th", "º", "年", "ÄR", "julio"]
)  # fmt: skip
_DATE_TEXT = st.one_of(_TEXT, st.lists(_DATE_PIECES, max_size=25).map("".join))


def _matches(
    pattern: re.Pattern[str], text: str, pos: int = 0
) -> list[tuple[tuple[int, int], tuple[Any, ...]]]:
    return [(m.span(), m.groups()) for m in pattern.finditer(text, pos)]


@settings(max_examples=1000)
@given(_DATE_TEXT, st.integers(0, 5))
def test_date_patterns_match_plain(text: str, pos: int) -> None:
    assert _matches(dates._ISO_RE, text, pos) == _matches(_PLAIN_ISO_RE, text, pos)
    assert _matches(dates._NUMERIC_RE, text, pos) == _matches(_PLAIN_NUMERIC_RE, text, pos)


@settings(max_examples=1000)
@given(_DATE_TEXT, st.integers(0, 8), st.integers(0, 60))
def test_month_date_hints_are_necessary(text: str, start: int, end: int) -> None:
    if dates._MDY_RE.search(text, start, end):
        assert dates._MDY_HINT_RE.search(text, start, end)
    if dates._DMY_RE.search(text, start, end):
        assert dates._DMY_HINT_RE.search(text, start, end)


def _plain_walk(value: Any, depth: int) -> Iterator[dict[str, Any]]:
    """The JSON-LD walk as a generator, before it appended to a list."""
    if depth > jsonld.MAX_JSONLD_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            yield from _plain_walk(item, depth + 1)
    elif isinstance(value, dict):
        yield value
        for key, item in value.items():
            if isinstance(item, (dict, list)) and key != "@context":
                yield from _plain_walk(item, depth + 1)


_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=3),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(["@context", "@type", "a", "b", "@graph"]), inner, max_size=4)
    ),
    max_leaves=60,
)


@settings(max_examples=800)
@given(_JSON)
def test_jsonld_collect_matches_walk(value: Any) -> None:
    found: list[dict[str, Any]] = []
    jsonld._collect(value, 0, found)
    assert [id(o) for o in found] == [id(o) for o in _plain_walk(value, 0)]


_PLAIN_TITLE_SEPARATOR_RE = re.compile(r"\s+[|–—\-:·•»«/]\s+|\s*\|\s*|\s+::\s+|\s+-{2}\s+")
_TITLE_PIECES = st.sampled_from(
    [" ", "\t", "\n", "\u00a0", "|", "–", "—", "-", ":", "·", "•", "»", "«", "/", "a", "Zz"]
)


@settings(max_examples=1000)
@given(st.one_of(_TEXT, st.lists(_TITLE_PIECES, max_size=16).map("".join)))
def test_title_separator_matches_plain(text: str) -> None:
    assert metadata._TITLE_SEPARATOR_RE.split(text) == _PLAIN_TITLE_SEPARATOR_RE.split(text)


_CLASS_PIECES = st.sampled_from(
    ["author", "AUTHOR", "Autor", "aut", "autoplay", "auteur", "byline", "ByLine", "writer", "verfasser",
     "creator", "CREATOR", "İ", "é", "x", " ", "-", "_"]
)  # fmt: skip
_ATTR_VALUE = st.lists(_CLASS_PIECES, max_size=4).map("".join)
_ELEMENT = st.tuples(
    st.sampled_from(["div", "span", "a", "p"]), st.none() | _ATTR_VALUE, st.none() | _ATTR_VALUE
)


def _html(elements: list[tuple[str, str | None, str | None]], nest: list[bool]) -> str:
    """Build a page of elements, each either nested in the one before or closing it first."""
    html, open_tags = [], []
    for (tag, cls, ident), inside in zip(elements, nest, strict=False):
        if not inside and open_tags:
            html.append(f"</{open_tags.pop()}>")
        attrs = (f' class="{cls}"' if cls is not None else "") + (
            f' id="{ident}"' if ident is not None else ""
        )
        html.append(f"<{tag}{attrs}>t")
        open_tags.append(tag)
    return "<html><body>" + "".join(html) + "</body></html>"


@settings(max_examples=500)
@given(st.lists(_ELEMENT, max_size=14), st.lists(st.booleans(), min_size=14, max_size=14))
def test_byline_nodes_match_selector(
    elements: list[tuple[str, str | None, str | None]], nest: list[bool]
) -> None:
    tree = LexborHTMLParser(_html(elements, nest))
    expected = tree.css(metadata._BYLINE_SELECTOR)[: metadata.MAX_BYLINE_NODES]
    assert [n.mem_id for n in metadata._byline_nodes(tree)] == [n.mem_id for n in expected]


_PLAIN_FOLDED = {
    "metadata._FOREIGN_RE": r"comment|related|recommend|reply|respond",
    "metadata._HIDDEN_RE": r"hidden|sr-only|screen-reader|assistive|aural|accessible|offscreen|invisible",
    "metadata._POST_TITLE_CLASS_RE": r"entry-title|post-title|post_title|article-title|article__title",
    "metadata._SITE_BRANDING_RE": (
        r"logo|brand|site-?title|site-?name|masthead|navbar|blog-?title|(?<!article-)(?<!post-)header-?title"
    ),
    "dates._PUB_HINT_RE": r"publi|posted|created|dateline|entry-date|article-date|byline|datum|erschienen",
    "dates._MOD_HINT_RE": r"updat|modif|aktualisiert|geändert|änderung|mis à jour|actualiz|last change",
    "dates._SITE_TITLE_RE": r"site-?title|site-?name|logo|masthead|brand",
}
_MARKER_PIECES = st.sampled_from(
    ["Post-", "article-", "HEADER", "header-title", "Site", "title", "name", "LOGO", "Brand", "comment",
     "Updat", "modif", "publi", "Datum", "hidden", "SR-ONLY", "entry-title", "Geändert", "mis à jour", "ſ",
     "K", "İ", " ", "-"]
)  # fmt: skip


@settings(max_examples=1000)
@given(
    st.sampled_from(sorted(_PLAIN_FOLDED)),
    st.one_of(_TEXT, st.lists(_MARKER_PIECES, max_size=8).map("".join)),
)
def test_folded_words_match_plain(name: str, text: str) -> None:
    module, attr = name.split(".")
    folded = getattr({"metadata": metadata, "dates": dates}[module], attr)
    plain = re.compile(_PLAIN_FOLDED[name], re.I)
    for pos, endpos in ((0, len(text)), (1, max(len(text) - 1, 0))):
        found, expected = folded.search(text, pos, endpos), plain.search(text, pos, endpos)
        assert (found and found.span()) == (expected and expected.span())


_HTML_PIECES = st.sampled_from(
    ["<div>", "</div>", "<p>", "</p>", "<span>", "</span>", "<br>", "<!-- c -->", "text", " ", "\n", "é",
     "<script>x</script>", "<h1>Head</h1>", "<template>t</template>", "<svg><title>s</title></svg>"]
)  # fmt: skip


@settings(max_examples=1000)
@given(st.lists(_HTML_PIECES, max_size=25))
def test_lines_text_from_a_known_child_matches_text(pieces: list[str]) -> None:
    tree = LexborHTMLParser("<html><body><main>" + "".join(pieces) + "</main></body></html>")
    for inner in tree.css("main *"):
        data = page_data.PageData([], [], [])
        page_data.lines_text(data, inner)
        outer = inner.parent
        assert outer is not None
        assert page_data.lines_text(data, outer, inner) == outer.text(deep=True, separator="\n")


@settings(max_examples=800)
@given(
    st.one_of(
        _TEXT,
        st.lists(st.sampled_from([*dates._RELATIVE_KEYS, "a", " ", "Il", "前"]), max_size=6).map("".join),
    )
)
def test_relative_key_pattern_matches_any_key(text: str) -> None:
    assert bool(dates._RELATIVE_KEY_RE.search(text)) == any(k in text for k in dates._RELATIVE_KEYS)


def _plain_authors_norm(text: str) -> str:
    """The authors _norm before its ASCII fast path."""
    return " ".join(unicodedata.normalize("NFC", _INVISIBLE_CHARS_RE.sub("", html.unescape(text))).split())


@settings(max_examples=800)
@given(
    st.one_of(
        _TEXT,
        st.lists(st.sampled_from(["&amp;", "&oacute;", "&#173;", "&", "a", " ", "\u00ad"]), max_size=8).map(
            "".join
        ),
    )
)
def test_authors_norm_matches_plain(text: str) -> None:
    assert authors._norm(text) == _plain_authors_norm(text)


_PLAIN_DANGLING_RE = re.compile(r"\s[|–—\-:·•»/]$")


@settings(max_examples=800)
@given(st.one_of(_TEXT, st.lists(_TITLE_PIECES, max_size=8).map("".join)))
def test_dangling_separator_test_is_necessary(text: str) -> None:
    text = metadata._norm(text)  # as _strip_site has it: no line break before which '$' could match
    if _PLAIN_DANGLING_RE.search(text):
        assert text.endswith(metadata._DANGLING_SEPARATORS)


_TIME_ELEMENT = st.tuples(
    st.sampled_from(["time", "abbr", "span", "meta", "div"]),
    st.none()
    | st.sampled_from(["datePublished", "dateModified", "dateCreated", "DatePublished", "date", ""]),
    st.booleans(),
)


@settings(max_examples=500)
@given(st.lists(_TIME_ELEMENT, max_size=45))
def test_time_nodes_match_selector(elements: list[tuple[str, str | None, bool]]) -> None:
    html = "".join(
        f"<{tag}{f' itemprop={prop}' if prop is not None else ''}{' title=t' if title else ''}>x</{tag}>"
        for tag, prop, title in elements
    )
    tree = LexborHTMLParser(f"<html><body>{html}</body></html>")
    expected = tree.css(dates._TIME_SELECTOR)[: dates.MAX_TIME_ELEMENTS]
    assert [n.mem_id for n in dates._time_nodes(tree)] == [n.mem_id for n in expected]


_TREE_PIECES = st.sampled_from(
    ["<article>", "</article>", "<main>", "</main>", "<div>", "</div>", "<x-main>", "</x-main>", "<h1>t</h1>",
     "<svg><main></main></svg>", "<footer>", "</footer>", "<nav>", "</nav>", "<li>", "text"]
)  # fmt: skip


@settings(max_examples=500)
@given(st.lists(_TREE_PIECES, max_size=20), st.sampled_from(["article", "main", "footer", "nav"]))
def test_has_ancestor_matches_tag_names(pieces: list[str], tag: str) -> None:
    tree = LexborHTMLParser("<html><body>" + "".join(pieces) + "</body></html>")
    for node in tree.css("*"):
        current, expected = node.parent, False
        while current is not None:
            expected = expected or current.tag == tag
            current = current.parent
        assert page_data.has_ancestor(node, frozenset({tag})) == expected


_AUTHOR_PIECES = st.sampled_from(
    ['<div itemprop="author">', "</div>", '<span itemprop="name">n</span>', '<a rel="author" href="/a">',
     '<a rel="Author nofollow" itemprop="author">', '<a rel="author" itemprop="name">', "</a>",
     '<p itemprop="Author">', "</p>", '<b itemprop="name author">x</b>', "<i>t</i>"]
)  # fmt: skip


@settings(max_examples=800)
@given(st.lists(_AUTHOR_PIECES, max_size=25))
def test_author_link_nodes_match_selector(pieces: list[str]) -> None:
    tree = LexborHTMLParser("<html><body>" + "".join(pieces) + "</body></html>")
    expected = tree.css(metadata._AUTHOR_LINK_SELECTOR)[: metadata.MAX_BYLINE_NODES]
    assert [n.mem_id for n in metadata._author_link_nodes(tree)] == [n.mem_id for n in expected]


def _plain_types_of(obj: dict[str, Any]) -> set[str]:
    """The jsonld types_of before its shortcuts for no type and a bare type."""
    raw = obj.get("@type")
    names = raw if isinstance(raw, list) else [raw]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}


_TYPE_NAME = st.one_of(
    _TEXT, st.lists(st.sampled_from(["Article", "schema:", "http://schema.org/", "/", ":", ""])).map("".join)
)


@settings(max_examples=1000)
@given(
    st.one_of(st.none(), st.integers(), _TYPE_NAME, st.lists(st.one_of(st.none(), _TYPE_NAME), max_size=3))
)
def test_types_of_matches_plain(raw: Any) -> None:
    obj = {} if raw is None else {"@type": raw}
    assert jsonld.types_of(obj) == _plain_types_of(obj)
    assert jsonld.types_of({"@type": raw}) == _plain_types_of({"@type": raw})


def _plain_host(url: str | None) -> str | None:
    """The metadata _host before its shortcut for plain http(s) URLs."""
    try:
        return urlsplit(url).hostname if url else None
    except ValueError:
        return None


_URL_PIECES = st.sampled_from(
    [
        *re.findall(
            r"\S+", r"http HTTPS :// // / ? # @ : 80 [ ] ::1 % a B . - _ \ ; ü example.com www.Example.DE"
        ),
        "\t",
        "\n",
        " ",
    ]
)


@settings(max_examples=1000)
@given(st.one_of(st.none(), _TEXT, st.lists(_URL_PIECES, max_size=12).map("".join)))
def test_host_matches_urlsplit(url: str | None) -> None:
    assert metadata._host(url) == _plain_host(url)
