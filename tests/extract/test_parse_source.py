"""UTF-8 pages are parsed from their own bytes; every other page from its decoded text."""

from __future__ import annotations

import codecs

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from scraper.extract import extract_article
from scraper.extract.decode import decode_html, parser_input

PAGE = "<html><head>{meta}</head><body><article><p>{text}</p></article></body></html>"
TEXT = "Größere Lieferungen – „Preise“ steigen – wie der Verband am Montag mitteilte, erneut deutlich. " * 3


@pytest.mark.parametrize(
    ("data", "as_bytes"),
    [
        (PAGE.format(meta="", text=TEXT).encode(), True),
        (PAGE.format(meta='<meta charset="utf-8">', text=TEXT).encode(), True),
        # declared UTF-8 is not checked (see the property test below)
        (PAGE.format(meta='<meta charset="utf-8">', text=TEXT).encode() + b"\xff", True),
        (PAGE.format(meta='<meta charset="windows-1252">', text="marché").encode("cp1252"), False),
        (PAGE.format(meta="", text="marché").encode("cp1252"), False),
        (codecs.BOM_UTF32_BE + PAGE.format(meta="", text=TEXT).encode("utf-32-be"), False),
    ],
)
def test_only_utf8_pages_reach_the_parser_as_bytes(data: bytes, as_bytes: bool) -> None:
    source = parser_input(data)
    if as_bytes:
        assert source is data
    else:
        assert source == decode_html(data)


def test_a_utf8_bom_is_cut_off() -> None:
    data = PAGE.format(meta="", text=TEXT).encode()
    assert parser_input(codecs.BOM_UTF8 + data) == data


@settings(max_examples=200, deadline=None)
@given(st.lists(st.binary(max_size=6), max_size=6))
@example([b"\xc2\x00\x80"])  # a NUL inside a broken sequence: dropped after decoding, it cannot mend it
def test_broken_utf8_in_a_declared_utf8_page_reads_as_if_decoded_with_replacement(junk: list[bytes]) -> None:
    # selectolax decodes lexbor's bytes with errors="replace": unchecked bytes give the decoded page's article
    tail = b" delta epsilon zeta eta theta iota kappa lambda mu nu xi</p>"
    data = b'<html><head><meta charset="utf-8"><title>T</title></head><body><article>'
    data += b"".join(b"<p>alpha beta " + piece + b" gamma" + tail for piece in junk)
    as_bytes = extract_article(data, "https://example.com/a")
    as_text = extract_article(data.decode("utf-8", errors="replace"), "https://example.com/a")
    assert (as_bytes.title, as_bytes.body) == (as_text.title, as_text.body)


def test_bytes_and_text_of_a_utf8_page_give_the_same_article() -> None:
    page = PAGE.format(meta='<meta charset="utf-8">', text=TEXT)
    from_bytes = extract_article(page.encode(), "https://example.com/a")
    from_text = extract_article(page, "https://example.com/a")
    assert from_bytes == from_text
    assert "Größere Lieferungen" in from_bytes.body


def test_nul_bytes_are_dropped_from_utf8_bytes() -> None:
    page = PAGE.format(meta="", text="nul\x00 bytes and " + TEXT).encode()
    article = extract_article(page, "https://example.com/a")
    assert "nul bytes and Größere" in article.body
