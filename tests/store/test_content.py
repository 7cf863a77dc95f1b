"""Content normalisation and hashing: what counts as a change."""

from __future__ import annotations

import unicodedata

from hypothesis import given
from hypothesis import strategies as st

from scraper.store.content import body_change, content_hash, normalize_text, paragraphs, parse_datetime
from tests.store.factories import make_article

WHITESPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\xa0\u1680\u2000\u2009\u200a\u2028\u2029\u202f\u205f\u3000"


def _reference_paragraphs(body: str) -> list[str]:
    """The obvious (slow) definition the fast paragraphs() must match."""
    text = unicodedata.normalize("NFC", body)
    return [p for p in (" ".join(line.split()) for line in text.splitlines()) if p]


@given(st.text(alphabet=st.sampled_from(list(WHITESPACE) + list("ab é\u0301zZ\u00e9"))))
def test_paragraphs_match_reference(body: str) -> None:
    assert paragraphs(body) == _reference_paragraphs(body)


@given(st.text())
def test_paragraphs_match_reference_any_text(body: str) -> None:
    assert paragraphs(body) == _reference_paragraphs(body)


def test_nfc_and_whitespace_do_not_change_the_hash() -> None:
    a = make_article(title="Caf\u00e9 opens", body="One  para.\n\n Two\u00a0para. ")
    b = make_article(title="Cafe\u0301 opens", body="One para.\r\nTwo para.")
    assert content_hash(a) == content_hash(b)


def test_paragraph_boundaries_and_author_order_are_content() -> None:
    base = make_article(body="One. Two.", authors=["A", "B"])
    assert content_hash(base) != content_hash(make_article(body="One.\nTwo.", authors=["A", "B"]))
    assert content_hash(base) != content_hash(make_article(body="One. Two.", authors=["B", "A"]))


def test_fields_cannot_bleed_into_each_other() -> None:
    a = make_article(title="x", authors=["y z"])
    # a separator character inside a field is whitespace there, never a field boundary
    b = make_article(title="x\x1fy", authors=["z"])
    assert content_hash(a) != content_hash(b)


def test_normalize_text_and_dates() -> None:
    assert normalize_text("  a \t b\n") == "a b" and normalize_text(None) == ""
    assert parse_datetime("2025-07-29T09:54:00-04:00") == parse_datetime("2025-07-29T13:54:00Z")
    assert parse_datetime("2025-07-29") is not None and parse_datetime("Tuesday") is None


def test_body_change_counts() -> None:
    stats = body_change("a\nb\nc", "a\nB!\nc\nd")
    assert stats == {"paragraphs_added": 2, "paragraphs_removed": 1, "chars_added": 3, "chars_removed": 1}


def test_compress_many_gives_the_frames_compress_gives_empty_inputs_included() -> None:
    from scraper.store import compression

    for items in ([], [b""], [b"", b""], [b"x"], [b"x", b"", "é".encode() * 5000, b""]):
        frames = compression.compress_many(items)
        assert frames == [compression.compress(i) for i in items]
        assert [compression.decompress(f) for f in frames] == items


def test_sha256_in_pieces_is_sha256() -> None:
    import hashlib

    from scraper.store.store import _sha256_hex

    for data in (b"", b"a", b"x" * 2047, b"y" * 2048, bytes(range(256)) * 300):
        assert _sha256_hex(data) == hashlib.sha256(data).hexdigest()
