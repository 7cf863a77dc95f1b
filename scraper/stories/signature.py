"""Compact per-article signature: body hash, body-shingle MinHash and hashed key terms, as bytes."""

from __future__ import annotations

import hashlib
import sys
from array import array
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from scraper.stories.tokens import SHINGLE_UNITS, Token, key_terms, shingle_units, tokenize

# Version 1 took each slot's minimum under its own permutation (64 hash evaluations per shingle, 3 ms
# per body); version 2 puts each shingle's hash, made from its units' hashes, into one of the slots
# (one-permutation hashing), the same Jaccard estimate. Slots of different versions do not compare
# (see `comparable`); the names, numbers and body hash are made as in version 1.
SIGNATURE_VERSION = 2
KNOWN_VERSIONS = (1, 2)
NUM_PERM = 64  # body MinHash size; Jaccard estimate error about 0.06 at J=0.5
_SLOT_SHIFT = 58  # a shingle's slot is the top 6 bits of its 64-bit hash (64 slots)
MAX_NAMES = 64  # key terms kept per article, most frequent first
MAX_NUMBERS = 32
MIN_DUP_TOKENS = 20  # shorter bodies (teasers, empty) never count as exact duplicates
HEADER_BYTES = 12  # version, perm count, name count, number count, 8-byte body hash
EMPTY_SLOT = 0xFFFFFFFF  # MinHash value of an empty shingle set
_MERSENNE_61 = (1 << 61) - 1
_MASK_32 = 0xFFFFFFFF
_PERM_SEED = 20260101  # fixed so signatures stored yesterday compare with those made today


# The event a story is about is in the lead of every outlet's copy; reading the whole of a long body
# cost 100 ms for 7,000 words, more than fetching, extracting and storing the article together.
SIGNATURE_MAX_CHARS = 4000


def token_hash(token: str) -> int:
    """Return a stable 64-bit hash of a token (Python's hash() changes between processes)."""
    return int.from_bytes(hashlib.blake2b(token.encode(), digest_size=8).digest(), "little")


def permutations(count: int, seed: int) -> list[tuple[int, int]]:
    """Return `count` (a, b) pairs of the universal hash family (a*x + b) mod 2^61-1."""
    # Derived with blake2b rather than `random`, whose algorithms may change: stored signatures
    # must stay comparable with new ones across Python versions.
    pairs = []
    for i in range(count):
        digest = hashlib.blake2b(f"stories-perm:{seed}:{i}".encode(), digest_size=16).digest()
        a = int.from_bytes(digest[:8], "little") % (_MERSENNE_61 - 1) + 1
        b = int.from_bytes(digest[8:], "little") % _MERSENNE_61
        pairs.append((a, b))
    return pairs


BODY_PERMS = permutations(NUM_PERM, _PERM_SEED)  # version 1's slots (kept to tell how they were made)


# Below this many values the plain loop is faster than packing them into one integer.
PACKED_MIN_VALUES = 16
_LANE_BYTES = 16  # one value per 128-bit lane: a*x+b < 2^126 never carries into the next lane
_LANE_BITS = 8 * _LANE_BYTES
_ONE_LANE = (1).to_bytes(_LANE_BYTES, "little")


def minhash(hashes: Iterable[int], perms: list[tuple[int, int]]) -> list[int]:
    """Return the 32-bit MinHash of a set of 64-bit hashes under each permutation."""
    values = list(hashes)
    if not values:
        return [EMPTY_SLOT] * len(perms)
    if len(values) >= PACKED_MIN_VALUES:
        return _minhash_packed(values, perms)
    return [min([(a * x + b) % _MERSENNE_61 for x in values]) & _MASK_32 for a, b in perms]


def _minhash_packed(values: list[int], perms: list[tuple[int, int]]) -> list[int]:
    """`minhash` with each value in a 128-bit lane of one integer: big-integer ops per step, not per value."""
    # The same numbers as the plain loop: (a*x + b) mod 2^61-1 in each lane, reduced with the
    # Mersenne identity y = (y & p) + (y >> 61) (mod p); then the least lane, found by halving.
    n = len(values)
    lanes = array("Q", bytes(2 * 8 * n))
    lanes[::2] = array("Q", [x % _MERSENNE_61 for x in values])  # a*x+b mod p is unchanged
    packed = int.from_bytes(_le_bytes(lanes), "little")
    ones = int.from_bytes(_ONE_LANE * n, "little")
    low61 = ones * _MERSENNE_61
    low65 = ones * ((1 << 65) - 1)
    low5 = ones * 0x1F
    halvings = _halvings(n)
    out = []
    for a, b in perms:
        y = a * packed + int.from_bytes(b.to_bytes(_LANE_BYTES, "little") * n, "little")  # < 2^126
        y = (y & low61) + ((y >> 61) & low65)  # < 2^66
        y = (y & low61) + ((y >> 61) & low5)  # < p + 32
        y += ones  # bit 61 of a lane is now set exactly where its value is >= p
        y = (y & low61) + ((y >> 61) & ones) - ones  # in [0, p)
        for pad, half, keep, ones_half, guard in halvings:
            y |= pad  # an odd lane count gets a lane of p, above every value
            low, high = y & keep, y >> half
            # bit 62 of (low + 2^62 - high) is set exactly where low >= high: take high there
            pick = ((low + guard - high) >> 62) & ones_half
            y = low ^ ((low ^ high) & ((pick << 61) - pick))
        out.append(int(y) & _MASK_32)
    return out


# Odd 64-bit multipliers, one per position in a shingle: a shingle's hash is the sum of its units'
# hashes times these (mod 2^64), so each distinct unit is hashed once however many shingles hold it.
_POSITION_MIX = (0x9E3779B97F4A7C15, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9, 0xD6E8FEB86659FD93)
_MASK_64 = (1 << 64) - 1


def shingle_hashes(tokens: list[Token], width: int = SHINGLE_UNITS) -> list[int]:
    """Return the 64-bit hashes of a text's shingles (runs of `width` units; all of them if fewer)."""
    if width > len(_POSITION_MIX):
        raise ValueError(f"stories: shingles of {width} units need more position multipliers")
    units = shingle_units(tokens)
    if not units:
        return []
    known: dict[str, int] = {}
    hashes = [known[u] if u in known else known.setdefault(u, token_hash(u)) for u in units]
    width = min(width, len(hashes))
    if width == 3:  # the usual width, in one pass (the same sums as the loop below)
        a, b, c = _POSITION_MIX[:3]
        mask = _MASK_64
        triples = zip(hashes, hashes[1:], hashes[2:], strict=False)
        return [(a * x + b * y + c * z) & mask for x, y, z in triples]
    sums = [0] * (len(hashes) - width + 1)
    for pos, mix in enumerate(_POSITION_MIX[:width]):
        sums = [total + mix * h for total, h in zip(sums, hashes[pos:], strict=False)]
    return [total & _MASK_64 for total in sums]


def one_permutation(hashes: Iterable[int]) -> list[int]:
    """The version 2 slots: each 64-bit hash goes to the slot its top bits name, keeping the least low
    32 bits; an empty slot borrows from the first filled slot of its fixed donor order (densification)."""
    slots = [EMPTY_SLOT] * NUM_PERM
    shift, mask = _SLOT_SHIFT, _MASK_32
    for h in hashes:
        slot, value = h >> shift, h & mask
        if value < slots[slot]:
            slots[slot] = value
    empty = [i for i, v in enumerate(slots) if v == EMPTY_SLOT]
    if empty and len(empty) < NUM_PERM:
        # the donor order is the same for every body, so two similar bodies borrow alike (an empty
        # slot of both takes the same donor) and equal slots still estimate the Jaccard similarity
        filled = slots[:]
        for i in empty:
            slots[i] = next(filled[j] for j in _DONORS[i] if filled[j] != EMPTY_SLOT)
    return slots


def _donor_orders(count: int, seed: int) -> list[list[int]]:
    """For each slot, the other slots in a fixed pseudo-random order (from blake2b, stable forever)."""
    orders = []
    for i in range(count):
        others = [j for j in range(count) if j != i]
        others.sort(
            key=lambda j: hashlib.blake2b(f"stories-donor:{seed}:{i}:{j}".encode(), digest_size=8).digest()
        )
        orders.append(others)
    return orders


_DONORS = _donor_orders(NUM_PERM, _PERM_SEED)


def _halvings(n: int) -> list[tuple[int, int, int, int, int]]:
    """The constants of each step that halves `n` lanes down to one: (pad, shift, mask, ones, guard)."""
    steps = []
    while n > 1:
        pad = _MERSENNE_61 << (_LANE_BITS * n) if n % 2 else 0
        n = (n + 1) // 2
        half = _LANE_BITS * n
        ones = int.from_bytes(_ONE_LANE * n, "little")
        steps.append((pad, half, (1 << half) - 1, ones, ones << 62))
    return steps


def _le_array(typecode: str, data: bytes) -> array[int]:
    """Read a little-endian array whatever the machine's byte order."""
    arr = array(typecode)
    arr.frombytes(data)
    if sys.byteorder == "big":
        arr.byteswap()
    return arr


def _le_bytes(arr: array[int]) -> bytes:
    """Write an array little-endian whatever the machine's byte order."""
    if sys.byteorder == "big":
        arr = array(arr.typecode, arr)
        arr.byteswap()
    return arr.tobytes()


@dataclass(frozen=True)
class Signature:
    """A decoded signature: exact-body hash (0 if too short), MinHash slots, hashed names and numbers."""

    body_hash: int
    minhash: tuple[int, ...]
    names: frozenset[int]
    numbers: frozenset[int]
    version: int = SIGNATURE_VERSION  # how the minhash slots were made

    def comparable(self, other: Signature) -> bool:
        """Tell whether two signatures' minhash slots estimate Jaccard (made the same way)."""
        return self.version == other.version

    def to_bytes(self) -> bytes:
        """Encode as the compact little-endian form the store keeps per article."""
        if len(self.minhash) > 255 or len(self.names) > 255 or len(self.numbers) > 255:
            raise ValueError("stories: signature too large to encode")
        header = bytes([self.version, len(self.minhash), len(self.names), len(self.numbers)])
        body = array("I", self.minhash)
        keys = array("I", sorted(self.names) + sorted(self.numbers))
        return header + self.body_hash.to_bytes(8, "little") + _le_bytes(body) + _le_bytes(keys)

    @classmethod
    def from_bytes(cls, data: bytes) -> Signature:
        """Decode bytes made by `to_bytes`; raises ValueError naming what is wrong."""
        if len(data) < HEADER_BYTES or data[0] not in KNOWN_VERSIONS:
            known = " or ".join(map(str, KNOWN_VERSIONS))
            raise ValueError(f"stories: bad signature: not a version {known} signature")
        n_perm, n_names, n_numbers = data[1], data[2], data[3]
        expected = HEADER_BYTES + 4 * (n_perm + n_names + n_numbers)
        if len(data) != expected:
            raise ValueError(f"stories: bad signature: {len(data)} bytes, expected {expected}")
        body_hash = int.from_bytes(data[4:12], "little")
        values = _le_array("I", data[HEADER_BYTES:])
        return cls(
            body_hash,
            tuple(values[:n_perm]),
            frozenset(values[n_perm : n_perm + n_names]),
            frozenset(values[n_perm + n_names :]),
            data[0],
        )


def _top(terms: Counter[str], limit: int) -> list[str]:
    """Return up to `limit` terms, the most frequent first, ties broken by spelling for stability."""
    return [t for t, _ in sorted(terms.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]]


def lead(text: str, limit: int = SIGNATURE_MAX_CHARS) -> str:
    """The first `limit` characters of a body, cut at a space: what a signature reads."""
    if len(text) <= limit:
        return text
    cut = text.rfind(" ", 0, limit)
    return text[: cut if cut > 0 else limit]


def build_signature(text: str) -> Signature:
    """Compute the decoded signature of an article body (its lead: see SIGNATURE_MAX_CHARS)."""
    tokens = tokenize(lead(text))
    names, numbers = key_terms(tokens)
    body_hash = 0
    if len(tokens) >= MIN_DUP_TOKENS:
        canonical = " ".join(t.text for t in tokens)
        body_hash = int.from_bytes(hashlib.blake2b(canonical.encode(), digest_size=8).digest(), "little")
    return Signature(
        body_hash,
        tuple(one_permutation(shingle_hashes(tokens))),
        frozenset(token_hash(t) & _MASK_32 for t in _top(names, MAX_NAMES)),
        frozenset(token_hash(t) & _MASK_32 for t in _top(numbers, MAX_NUMBERS)),
    )


def signature(text: str) -> bytes:
    """Return the compact signature (bytes) of an article body, for storing and for `StoryIndex`."""
    return build_signature(text).to_bytes()
