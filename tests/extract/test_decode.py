"""Decoding page bytes: BOM, <meta charset>, detection, fallback."""

from __future__ import annotations

import codecs

from scraper.extract import extract_article
from scraper.extract.decode import decode_html

TEXT = "Größere Nachfrage nach Wärmepumpen – Hersteller erhöhen die Produktion für den Winter."


def test_bom_wins_over_meta():
    data = codecs.BOM_UTF8 + f'<meta charset="iso-8859-1"><p>{TEXT}</p>'.encode()
    assert TEXT in decode_html(data)


def test_utf16_bom():
    data = codecs.BOM_UTF16_LE + f"<p>{TEXT}</p>".encode("utf-16-le")
    assert TEXT in decode_html(data)


def test_meta_charset_in_first_4kb():
    data = f'<html><head><meta charset="windows-1252"></head><body><p>{TEXT}</p>'.encode("cp1252", "replace")
    assert "Größere" in decode_html(data)


def test_http_equiv_content_type():
    page = f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-15"><p>{TEXT}</p>'
    assert "Größere" in decode_html(page.encode("iso-8859-15", "replace"))


def test_meta_after_4kb_is_not_trusted_but_utf8_still_works():
    page = "<!--" + "x" * 5000 + f'--><meta charset="koi8-r"><p>{TEXT}</p>'
    assert TEXT in decode_html(page.encode("utf-8"))


def test_undeclared_legacy_bytes_are_detected():
    text = "Le marché de l'énergie a été très agité cette année, les prix de l'électricité ont augmenté. " * 5
    assert "marché" in decode_html(f"<p>{text}</p>".encode("cp1252"))


def test_unknown_label_and_broken_bytes_fall_back_to_utf8_with_replacement():
    data = b'<meta charset="x-no-such-codec"><p>ok \xff\xfe broken</p>'
    out = decode_html(data)
    assert "ok" in out and "broken" in out


def test_extract_article_decodes_bytes():
    page = f'<html><head><meta charset="iso-8859-1"><title>Prix</title></head><body><article><p>{TEXT}</p>'
    article = extract_article(page.encode("iso-8859-1", "replace"))
    assert "Größere Nachfrage" in article.body


def test_xml_prolog_encoding():
    page = f'<?xml version="1.0" encoding="ISO-8859-1"?><html><body><p>{TEXT}</p></body></html>'
    assert "Größere" in decode_html(page.encode("iso-8859-1", "replace"))
