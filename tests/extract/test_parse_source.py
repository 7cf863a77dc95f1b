"""Valid UTF-8 pages are parsed from their own bytes; every other page from its decoded text."""

from __future__ import annotations

import pytest

from scraper.extract import extract_article
from scraper.extract.decode import decode_html, decode_html_utf8

PAGE = "<html><head>{meta}</head><body><article><p>{text}</p></article></body></html>"
TEXT = "Größere Lieferungen – „Preise“ steigen – wie der Verband am Montag mitteilte, erneut deutlich. " * 3


@pytest.mark.parametrize(
    ("data", "utf8"),
    [
        (PAGE.format(meta="", text=TEXT).encode(), True),
        (PAGE.format(meta='<meta charset="utf-8">', text=TEXT).encode(), True),
        (PAGE.format(meta='<meta charset="utf-8">', text=TEXT).encode() + b"\xff", False),
        (PAGE.format(meta='<meta charset="windows-1252">', text="marché").encode("cp1252"), False),
        (b"\xef\xbb\xbf" + PAGE.format(meta="", text=TEXT).encode(), False),
        (PAGE.format(meta="", text="marché").encode("cp1252"), False),
    ],
)
def test_flag_says_whether_the_bytes_are_the_text(data: bytes, utf8: bool) -> None:
    text, flag = decode_html_utf8(data)
    assert text == decode_html(data)
    assert flag is utf8
    if flag:
        assert text.encode("utf-8") == data


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
