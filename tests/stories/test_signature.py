"""Signatures: deterministic, compact, round-trip as bytes, estimate shingle overlap."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.stories.decision import jaccard_estimate
from scraper.stories.signature import (
    HEADER_BYTES,
    MAX_NAMES,
    MAX_NUMBERS,
    NUM_PERM,
    Signature,
    build_signature,
    signature,
)

BODY = (
    "Bitmain Technologies plans to open its first manufacturing plant in the United States, near "
    "Houston, Texas. The company intends to invest about $120 million in the site and hire roughly "
    "350 workers in its first year, people familiar with the matter said on Tuesday. Import duties "
    "on Chinese-made electronics have raised the cost of a mining rig by as much as 40%."
)


def test_signature_is_deterministic_and_compact():
    a, b = signature(BODY), signature(BODY)
    assert a == b
    assert len(a) <= HEADER_BYTES + 4 * (NUM_PERM + MAX_NAMES + MAX_NUMBERS)


def test_round_trip_through_bytes():
    sig = build_signature(BODY)
    assert Signature.from_bytes(sig.to_bytes()) == sig
    assert sig.numbers and sig.names and sig.body_hash


@pytest.mark.parametrize(
    ("data", "message"),
    [(b"", "not a version 1"), (b"\x02" + bytes(20), "not a version 1"), (signature(BODY)[:-1], "expected")],
)
def test_bad_bytes_are_refused_with_a_clear_message(data, message):
    with pytest.raises(ValueError, match=message) as err:
        Signature.from_bytes(data)
    assert str(err.value).startswith("stories: bad signature")


def test_identical_bodies_estimate_one_and_edits_stay_high():
    a = build_signature(BODY)
    edited = build_signature(BODY.replace("on Tuesday", "on Wednesday, according to a report"))
    other = build_signature("TSMC reported third-quarter net profit of T$452.3 billion on AI demand. " * 3)
    assert jaccard_estimate(a.minhash, a.minhash) == 1.0
    assert jaccard_estimate(a.minhash, edited.minhash) > 0.6
    assert jaccard_estimate(a.minhash, other.minhash) < 0.1


def test_body_hash_ignores_case_and_whitespace_but_not_words():
    a = build_signature(BODY)
    assert build_signature("  " + BODY.upper().replace(" ", "\n ")).body_hash == a.body_hash
    assert build_signature(BODY.replace("350", "360")).body_hash != a.body_hash


def test_short_bodies_have_no_body_hash_so_never_count_as_duplicates():
    assert build_signature("").body_hash == 0
    assert build_signature("Read more on our site.").body_hash == 0


def test_empty_body_has_empty_minhash_and_estimates_zero():
    empty = build_signature("")
    assert jaccard_estimate(empty.minhash, empty.minhash) == 0.0


def test_key_terms_are_capped():
    many = " and ".join(f"Company{i} reported {1000 + i}.5 units" for i in range(200))
    sig = build_signature(many)
    assert len(sig.names) == MAX_NAMES and len(sig.numbers) == MAX_NUMBERS


@given(st.text(max_size=400))
def test_any_text_gives_a_decodable_signature(text):
    assert Signature.from_bytes(signature(text)) == build_signature(text)


@given(
    st.frozensets(st.integers(0, 2**32 - 1), max_size=40),
    st.frozensets(st.integers(0, 2**32 - 1), max_size=20),
    st.integers(0, 2**64 - 1),
)
def test_any_signature_round_trips(names, numbers, body_hash):
    sig = Signature(body_hash, tuple(range(NUM_PERM)), names, numbers)
    assert Signature.from_bytes(sig.to_bytes()) == sig


def test_signature_bytes_are_pinned_because_the_store_keeps_them():
    # Stored signatures must compare with new ones: a change here needs a new SIGNATURE_VERSION.
    text = (
        "Bitmain to open its first US factory near Houston, Texas, investing $120 million and "
        "hiring 350 workers by 2027. "
    )
    digest = hashlib.sha256(signature(text * 2)).hexdigest()
    assert digest == "c5787f7499f2cdf7df3abda5581be8cafd57ff1e707a2773196f6304d0b039b6"


def test_a_long_body_is_signed_by_its_lead_only() -> None:
    from scraper.stories.signature import SIGNATURE_MAX_CHARS, lead

    lead_text = " ".join(f"Word{i} in the lead about Bitmain and 250 jobs." for i in range(600))
    tail = " ".join(f"Unrelated tail sentence {i} about weather." for i in range(2000))
    assert len(lead(lead_text)) <= SIGNATURE_MAX_CHARS
    assert signature(lead_text + " " + tail) == signature(lead_text)
    assert lead("short body") == "short body"


MIXED = (
    "台积电公布财报。台积电预计营收增长。ラピダスは千歳市で試作を始めた。 Größte Fabrik: l'usine d'Airbus, "
    "1,200 ２０２６年 Q3 H20. "
) * 3


@pytest.mark.parametrize(
    ("text", "digest"),
    [(BODY, "a034cec6645690e82cea945d6036bca7"), (MIXED, "a2d18c6f9da0698c0492f53a5fbe92cd")],
)
def test_signature_bytes_stay_those_already_stored(text, digest):
    # signatures stored by earlier versions are compared with new ones: a faster implementation must
    # give the same bytes (digests taken from the first implementation)
    assert hashlib.blake2b(signature(text), digest_size=16).hexdigest() == digest


_P61 = (1 << 61) - 1
_EDGES = st.sampled_from([0, 1, _P61 - 1, _P61, _P61 + 1, 2**63, 2**64 - 1])


@given(st.lists(st.integers(0, 2**64 - 1) | _EDGES, min_size=1, max_size=300))
def test_packed_minhash_equals_the_plain_loop(values):
    from scraper.stories.signature import BODY_PERMS, _minhash_packed

    plain = [min([(a * x + b) % _P61 for x in values]) & 0xFFFFFFFF for a, b in BODY_PERMS]
    assert _minhash_packed(values, BODY_PERMS) == plain


def test_a_given_signature_is_used_within_its_block_only():
    from scraper.stories.signature import given_signature

    made = signature(BODY)
    with given_signature(BODY, b"ahead"):
        assert signature(BODY) == b"ahead"
        assert signature(BODY + " More.") != b"ahead"
    assert signature(BODY) == made
