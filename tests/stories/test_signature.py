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
    [
        (b"", "not a version 1 or 2"),
        (b"\x03" + bytes(20), "not a version 1 or 2"),
        (signature(BODY)[:-1], "expected"),
    ],
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
    # Stored signatures must compare with new ones: a change here needs a new SIGNATURE_VERSION
    # (version 2: shingle hashes from unit hashes, one-permutation slots; pinned here. The store
    # re-signs version 1 rows on load.)
    text = (
        "Bitmain to open its first US factory near Houston, Texas, investing $120 million and "
        "hiring 350 workers by 2027. "
    )
    digest = hashlib.sha256(signature(text * 2)).hexdigest()
    assert digest == "af087e0b4bb404e9653ef1ab3850da7d129a2dd76bbb0345e9266af24ea1103c"


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
    [(BODY, "de2d015f53812366ea48fff6484a1ee9"), (MIXED, "9a42989c054bc6208a177c3b7cc5155d")],
)
def test_signature_bytes_stay_those_already_stored(text, digest):
    # signatures stored by earlier releases are compared with new ones: a faster implementation must
    # give the same bytes (digests taken from the first implementation of version 2)
    assert hashlib.blake2b(signature(text), digest_size=16).hexdigest() == digest


_P61 = (1 << 61) - 1
_EDGES = st.sampled_from([0, 1, _P61 - 1, _P61, _P61 + 1, 2**63, 2**64 - 1])


@given(st.lists(st.integers(0, 2**64 - 1) | _EDGES, min_size=1, max_size=300))
def test_packed_minhash_equals_the_plain_loop(values):
    from scraper.stories.signature import BODY_PERMS, _minhash_packed

    plain = [min([(a * x + b) % _P61 for x in values]) & 0xFFFFFFFF for a, b in BODY_PERMS]
    assert _minhash_packed(values, BODY_PERMS) == plain


def _version_1(text: str) -> Signature:
    """A signature as version 1 made it: each slot the least value under its own permutation."""
    from scraper.stories.signature import BODY_PERMS, lead, minhash, token_hash
    from scraper.stories.tokens import shingles, tokenize

    now = build_signature(text)
    slots = minhash((token_hash(s) for s in shingles(tokenize(lead(text)))), BODY_PERMS)
    return Signature(now.body_hash, tuple(slots), now.names, now.numbers, version=1)


def test_version_1_signatures_decode_but_their_slots_are_not_compared_with_version_2():
    from scraper.stories.decision import Features, score_features

    old = Signature.from_bytes(_version_1(BODY).to_bytes())
    new = build_signature(BODY)
    assert old.version == 1 and new.version == 2 and not old.comparable(new)
    assert old.names == new.names and old.numbers == new.numbers and old.body_hash == new.body_hash
    edited = BODY.replace("on Tuesday", "on Wednesday, according to a report")
    a = Features(_version_1(edited), frozenset(), 0.0)
    b = Features(new, frozenset(), 0.0)
    same = Features(build_signature(edited), frozenset(), 0.0)
    # the body estimate counts only between slots made alike; the names and numbers still count
    assert 0 < score_features(a, b) < score_features(same, b)


def test_one_permutation_slots_fill_every_slot_from_few_shingles_and_none_from_nothing():
    from scraper.stories.signature import EMPTY_SLOT, one_permutation

    assert one_permutation([]) == [EMPTY_SLOT] * NUM_PERM
    few = one_permutation([1 << 58, (5 << 58) | 7])  # slots 1 and 5 only
    assert EMPTY_SLOT not in few and set(few) == {0, 7}
    assert few == one_permutation([(5 << 58) | 7, 1 << 58])  # order does not matter


def test_shingle_hashes_follow_the_shingles():
    from scraper.stories.signature import shingle_hashes
    from scraper.stories.tokens import shingles, tokenize

    for text in (BODY, MIXED, "two words", "one", ""):
        tokens = tokenize(text)
        assert len(set(shingle_hashes(tokens))) == len(shingles(tokens))  # one distinct hash per shingle
    assert shingle_hashes(tokenize("a b c")) != shingle_hashes(tokenize("c b a"))  # order counts
    assert all(0 <= h < 2**64 for h in shingle_hashes(tokenize(MIXED)))


@pytest.mark.parametrize("width", [1, 2, 3, 4])
def test_shingle_hashes_are_the_positional_sums_of_unit_hashes(width):
    from scraper.stories.signature import _POSITION_MIX, shingle_hashes, token_hash
    from scraper.stories.tokens import shingle_units, tokenize

    tokens = tokenize(BODY)
    units = [token_hash(u) for u in shingle_units(tokens)]
    expected = [
        sum(m * h for m, h in zip(_POSITION_MIX, units[i : i + width], strict=False)) % 2**64
        for i in range(len(units) - width + 1)
    ]
    assert shingle_hashes(tokens, width) == expected
