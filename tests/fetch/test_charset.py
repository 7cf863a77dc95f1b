"""Charset order: BOM, Content-Type, <meta>/XML declaration, then detection; cp1252 mislabelled as UTF-8."""

from __future__ import annotations

import codecs

import pytest

from scraper.fetch.charset import (
    charset_from_content_type,
    declared_in_document,
    decode_body,
    normalize_charset,
)

WESTERN = "<html><body><p>Caf\u00e9 \u201cfab\u201d news \u2013 na\u00efve r\u00e9sum\u00e9, \u20ac5bn</p>"
JAPANESE = "<html><body><p>半導体メーカーは新しい工場の稼働を開始したと発表しました。</p></body></html>"


def test_bom_beats_header():
    text, codec = decode_body(codecs.BOM_UTF8 + "é".encode(), "text/html; charset=iso-8859-1")
    assert (text, codec) == ("é", "utf-8")
    text, codec = decode_body(codecs.BOM_UTF16_LE + "hé".encode("utf-16-le"), "text/html")
    assert text == "hé" and codec == "utf-16-le"


def test_header_beats_meta():
    data = '<meta charset="utf-8"><p>é</p>'.encode("cp1252")
    assert decode_body(data, "text/html; charset=windows-1252") == (
        '<meta charset="utf-8"><p>é</p>',
        "cp1252",
    )


def test_meta_charset_and_http_equiv():
    assert declared_in_document(b'<html><head><meta charset="windows-1251">') == "cp1251"
    assert (
        declared_in_document(b'<meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">')
        == "cp932"
    )
    assert declared_in_document(b'<?xml version="1.0" encoding="ISO-8859-1"?><rss>') == "cp1252"
    assert declared_in_document(b" " * 5000 + b'<meta charset="koi8-r">') is None  # past the first 4 KB


def test_labels_map_to_browser_supersets():
    assert normalize_charset("ISO-8859-1") == "cp1252"
    assert normalize_charset("us-ascii") == "cp1252"
    assert normalize_charset("shift_jis") == "cp932"
    assert normalize_charset("gb2312") == "gb18030"
    assert normalize_charset("no-such-charset") is None
    assert charset_from_content_type('text/html; charset="UTF-8"') == "utf-8"
    assert charset_from_content_type("text/html") is None


def test_shift_jis_in_meta_only():
    page = '<meta http-equiv="content-type" content="text/html;charset=shift_jis">' + JAPANESE
    assert decode_body(page.encode("shift_jis"), "text/html") == (page, "cp932")


@pytest.mark.parametrize("label", ["utf-8", "UTF8"])
def test_cp1252_declared_as_utf8(label):
    text, codec = decode_body(WESTERN.encode("cp1252"), f"text/html; charset={label}")
    assert text == WESTERN and codec == "utf-8+cp1252"


def test_utf8_page_with_pasted_cp1252_quotes_is_mended():
    data = "<p>Café — ok</p>".encode() + b"<p>\x93quoted\x94</p>"
    assert decode_body(data, "text/html; charset=utf-8")[0] == "<p>Café — ok</p><p>“quoted”</p>"


def test_multibyte_page_mislabelled_utf8_goes_to_detection():
    text, codec = decode_body((JAPANESE * 5).encode("shift_jis"), "text/html; charset=utf-8")
    assert text == JAPANESE * 5 and codec in ("cp932", "shift_jis")


def test_undeclared_bytes_are_detected():
    russian = (
        "<html><body><p>"
        + "Компания объявила о строительстве нового завода микросхем. " * 4
        + "</p></body></html>"
    )
    assert decode_body(russian.encode("cp1251"), "text/html") == (russian, "cp1251")
    assert decode_body("<p>é</p>".encode(), "")[0] == "<p>é</p>"
    assert decode_body(b"<p>plain</p>", "") == ("<p>plain</p>", "utf-8")
