"""Property tests: the fast paths of the body extractor agree with the plain regex versions."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from scraper.extract import body

# ASCII and Latin-1 punctuation and whitespace, "_", combining marks, typographic quotes, CJK, digits
_EDGE_CHARS = (
    "aZ09_ -|:.,/\t\n\r\x0b\x0c\x1c\x1f\x7f\x85\xa0\xaa\xab\xb2\xb5\xb7\xba\xbc\xbb\xd7\xdf\xe9\xf7\xff"
    "e\u0301\u0308\u0130\u1e9e\u2013\u2014\u2018\u2019\u201a\u201c\u201d\u201e\u2026\u2028\u3000\u4e2d\uff21\u0660"
)
_TEXT = st.one_of(
    st.text(),
    st.text(alphabet=st.characters(max_codepoint=255)),
    st.text(alphabet=st.sampled_from(_EDGE_CHARS)),
)
_DATE_TEXT = st.one_of(
    _TEXT,
    st.lists(
        st.sampled_from(["2019", "1899", "12:30", "1.2.2020", "3/4/21", "a", " ", "7", ".", "\u0663"])
    ).map("".join),
)


@settings(max_examples=1000)
@given(_TEXT)
def test_words_match_regex(text: str) -> None:
    assert body._words(text) == body._WORD_RE.findall(text)


@settings(max_examples=1000)
@given(_DATE_TEXT)
def test_year_search_from_first_digit_matches_plain(text: str) -> None:
    digit = body._DIGIT_RE.search(text)
    found = digit is not None and body._YEAR_OR_TIME_RE.search(text, digit.start()) is not None
    assert found == (body._YEAR_OR_TIME_RE.search(text) is not None)


@settings(max_examples=1000)
@given(st.one_of(_TEXT, st.sampled_from(["Abb. 4: x", "FIG. 2:", "Foto:", "bild 3 :"]).map(str)))
def test_caption_needs_colon(text: str) -> None:
    if body._CAPTION_RE.match(text):
        assert ":" in text


@settings(max_examples=1000)
@given(_TEXT)
def test_norm_matches_regex(text: str) -> None:
    assert body._norm(text) == body._NORM_RE.sub("", text.lower())


_JUNK_TEXT = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=255)),
    st.lists(
        st.sampled_from(
            ["Über den Autor", "ÜBER DIE AUTORIN", "Ähnliche Beiträge", "À LIRE AUSSI", "©", "(C)"]
        )
        | st.sampled_from(["Síguenos", "TAGS:", "Kategorie:", "share", " ", "x", "é", "\xa0", "ß", "ÿ", ":"])
    ).map("".join),
)


@settings(max_examples=1000)
@given(_JUNK_TEXT)
def test_junk_line_lowered_matches_case_blind(text: str) -> None:
    assert bool(body._JUNK_LINE_ASCII_RE.match(text.lower())) == bool(body._JUNK_LINE_RE.match(text))


@settings(max_examples=1000)
@given(_TEXT)
def test_class_words_match_regex(text: str) -> None:
    assert body._class_words(text) == body._CLASS_WORD_RE.findall(text)


_PROMO_TEXT = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=255)),
    st.lists(
        st.sampled_from(["Subscribe Now", "NEWSLETTER", "Folgen Sie uns", "Unterstützen Sie", "Abonnez-vous"])
        | st.sampled_from(["Suscríbete", "We use Cookies", "Apóyanos", "x", " ", "é", "\xa0", "ß", "Ä", "."])
    ).map("".join),
)


@settings(max_examples=1000)
@given(_PROMO_TEXT)
def test_lowered_copies_match_case_blind(text: str) -> None:
    lowered = text.lower()
    assert bool(body._BOILERPLATE_LOWER_RE.search(lowered)) == bool(body._BOILERPLATE_RE.search(lowered))
    assert body._is_promo(text) == bool(body._PROMO_RE.search(text))


_CREDIT_TEXT = st.one_of(
    st.text(alphabet=st.characters(max_codepoint=255)),
    st.lists(
        st.sampled_from(["Foto: ", "BILD/", "(C) ", "©", "Getty Images:", "Quelle :", "AP Photo/", "Source:"])
        | st.sampled_from(["x", " ", "(", "/", "|", "é", "\xa0", "Ä", "\n"])
    ).map("".join),
)


@settings(max_examples=1000)
@given(_CREDIT_TEXT)
def test_credit_lowered_matches_case_blind(text: str) -> None:
    assert bool(body._CREDIT_LOWER_RE.search(text.lower())) == bool(body._CREDIT_RE.search(text))
