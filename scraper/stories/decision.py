"""Pairwise same-story decision: shingle Jaccard, title tokens, key-term overlap and time proximity."""

from __future__ import annotations

import math
import operator
from dataclasses import dataclass
from datetime import UTC, datetime

from scraper.models import Article
from scraper.stories.signature import EMPTY_SLOT, Signature, signature, token_hash
from scraper.stories.tokens import title_tokens

STORY_WINDOW_S = 3 * 86400  # coverage of one event arrives within days; later pieces are new stories
NEAR_DUP_JACCARD = 0.5  # estimated shingle Jaccard above which two bodies are one text re-posted
SAME_STORY_SCORE = 0.24  # midpoint of the tune split's gap between pairs; weights were not tuned
# Formulaic headlines ("Q3 profit beats forecasts on AI chip demand") match across companies, so the
# shared facts alone (names and numbers) must reach this floor; tune split: positives >= 0.23,
# negatives inside the window <= 0.10.
MIN_FACT_SCORE = 0.12
W_TITLE = 0.30
W_NAMES = 0.30
W_NUMBERS = 0.25
W_BODY = 0.10
W_TIME = 0.05
_MASK_32 = 0xFFFFFFFF


def as_utc(moment: datetime) -> datetime:
    """Return an aware UTC datetime; a naive one is taken as UTC already, as the store does."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


@dataclass(frozen=True)
class StoryDoc:
    """What the story matcher knows of an article: body signature, title tokens, publication time."""

    signature: bytes
    title_tokens: tuple[str, ...]
    published_at: datetime

    @classmethod
    def from_text(cls, title: str, body: str, published_at: datetime) -> StoryDoc:
        """Build the matcher's view of an article from its title, body and publication time."""
        return cls(signature(body), title_tokens(title), as_utc(published_at))

    @classmethod
    def from_article(cls, article: Article) -> StoryDoc:
        """Build from an extracted Article, dated by `published`, else by `fetched_at`."""
        when = article.published or article.fetched_at
        if not when:
            raise ValueError(f"stories: article has neither published nor fetched_at ({article.url})")
        try:
            moment = datetime.fromisoformat(when)
        except ValueError:
            raise ValueError(f"stories: bad date {when!r} ({article.url})") from None
        return cls.from_text(article.title or "", article.body, moment)


@dataclass(frozen=True)
class Features:
    """A decoded, comparison-ready StoryDoc (what StoryIndex keeps per candidate it scores)."""

    sig: Signature
    title: frozenset[int]
    published_ts: float

    @classmethod
    def of(
        cls, signature_bytes: bytes, tokens: tuple[str, ...] | list[str], published_at: datetime
    ) -> Features:
        """Decode signature bytes and hash title tokens."""
        return cls(
            Signature.from_bytes(signature_bytes),
            title_hashes(tokens),
            as_utc(published_at).timestamp(),
        )


def title_hashes(tokens: tuple[str, ...] | list[str]) -> frozenset[int]:
    """Return the 32-bit hashes of title tokens, the same space as a signature's key terms."""
    return frozenset(token_hash(t) & _MASK_32 for t in tokens)


def jaccard_estimate(a: tuple[int, ...], b: tuple[int, ...]) -> float:
    """Estimate the shingle Jaccard similarity from two MinHash signatures (0 if either is empty)."""
    if not a or len(a) != len(b) or a[0] == EMPTY_SLOT or b[0] == EMPTY_SLOT:
        return 0.0
    equal: int = sum(map(operator.eq, a, b))
    return equal / len(a)


def _cosine(a: frozenset[int], b: frozenset[int]) -> float:
    """Return |a∩b| / sqrt(|a||b|): set overlap that does not punish a short article's small set."""
    if not a or not b:
        return 0.0
    return len(a & b) / math.sqrt(len(a) * len(b))


def _dice(a: frozenset[int], b: frozenset[int]) -> float:
    """Return the Dice coefficient of two sets (0 if either is empty)."""
    if not a or not b:
        return 0.0
    return 2 * len(a & b) / (len(a) + len(b))


def score_features(a: Features, b: Features, window_s: float = STORY_WINDOW_S) -> float:
    """Return the same-story score of two articles, 0 outside the time window, 1 for exact duplicates."""
    if a.sig.body_hash and a.sig.body_hash == b.sig.body_hash:
        return 1.0  # the same text is the same story whenever it was re-posted
    dt = abs(a.published_ts - b.published_ts)
    if dt > window_s:
        return 0.0
    # a signature stored before the slots' scheme changed has no comparable body estimate (its store
    # re-signs it on load, see StoryKeeper); the other evidence still decides
    body = jaccard_estimate(a.sig.minhash, b.sig.minhash) if a.sig.comparable(b.sig) else 0.0
    if body >= NEAR_DUP_JACCARD:
        return max(body, SAME_STORY_SCORE)
    facts = W_NAMES * _cosine(a.sig.names, b.sig.names) + W_NUMBERS * _cosine(a.sig.numbers, b.sig.numbers)
    score = facts + W_TITLE * _dice(a.title, b.title) + W_BODY * body + W_TIME * (1.0 - dt / window_s)
    # Below the fact floor the score is capped under the threshold, still ranking the pair for callers.
    return score if facts >= MIN_FACT_SCORE else min(score, SAME_STORY_SCORE * 0.99)


def same_story(a: StoryDoc, b: StoryDoc, window_s: float = STORY_WINDOW_S) -> tuple[bool, float]:
    """Decide whether two articles cover one event; returns (decision, score in 0..1)."""
    fa = Features.of(a.signature, a.title_tokens, a.published_at)
    fb = Features.of(b.signature, b.title_tokens, b.published_at)
    score = score_features(fa, fb, window_s)
    return score >= SAME_STORY_SCORE, score
