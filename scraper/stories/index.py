"""Incremental story index: key-term MinHash in LSH bands per day, stories matched member by member."""

from __future__ import annotations

import heapq
import math
from array import array
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from operator import itemgetter

from scraper.stories.decision import (
    SAME_STORY_SCORE,
    STORY_WINDOW_S,
    Features,
    as_utc,
    score_features,
)
from scraper.stories.signature import Signature, minhash, permutations

DAY_S = 86400  # LSH buckets are kept per publication day so a query only touches its window
KEY_PERM = 24  # MinHash size over key terms and title tokens, used only to find candidates
# One row per band: rewrites share only 15-40% of key terms (tune split), and 1-(1-J)^24 finds
# 98% of pairs at J=0.15; two rows (12 bands) would find a quarter of them.
KEY_BAND_ROWS = 1
KEY_BANDS = KEY_PERM // KEY_BAND_ROWS
MAX_CANDIDATES = 48  # articles scored per query, those sharing most bands first
# A bucket this full holds a term most articles share (the min-hash fell on "US" or "AI"): no evidence.
MAX_BUCKET_SCAN = 256
MAX_MEMBERS_COMPARED = 12  # a story's members nearest in time that a newcomer is checked against
MIN_MEMBER_AGREEMENT = 0.5  # share of those members the newcomer must match, so stories cannot chain
# Decoded features of the articles added last, kept so scoring a newcomer against recent articles (most
# candidates) does not decode their signatures again; about 4 KiB each.
DECODED_KEPT = 2048
_KEY_PERM_SEED = 20260102
KEY_PERMS = permutations(KEY_PERM, _KEY_PERM_SEED)
_MASK_32 = 0xFFFFFFFF

Bucket = int | list[int]  # one article index, or several; most buckets hold one article


@dataclass
class Story:
    """One event's coverage: stable id, first source and time, member article ids in arrival order."""

    story_id: str
    first_article_id: str
    first_source: str | None
    first_seen: datetime
    members: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class StoryAssignment:
    """Where an article went: its story, the member it matched best (None if new or given), the score."""

    story_id: str
    matched_article_id: str | None
    score: float

    @property
    def new_story(self) -> bool:
        """Tell whether the article started its story."""
        return self.matched_article_id is None and self.score == 0.0


def _features_of(
    article_id: str, signature: bytes, title_tokens: Sequence[str], published_at: datetime
) -> Features:
    """Decode an incoming article's signature; a bad one is refused naming the article."""
    try:
        return Features.of(signature, tuple(title_tokens), published_at)
    except ValueError as err:
        raise ValueError(f"{err} (article {article_id!r})") from None


def _band_keys(features: Features) -> list[int]:
    """Return the LSH band keys of an article's key terms (names, numbers, title tokens)."""
    terms = features.sig.names | features.sig.numbers | features.title
    values = minhash(terms, KEY_PERMS)
    rows = KEY_BAND_ROWS
    return [hash((band, *values[band * rows : (band + 1) * rows])) for band in range(KEY_BANDS)]


class StoryIndex:
    """Groups articles into stories as they arrive; holds signatures in memory, persists nothing."""

    def __init__(
        self,
        *,
        window_s: float = STORY_WINDOW_S,
        threshold: float = SAME_STORY_SCORE,
        min_member_agreement: float = MIN_MEMBER_AGREEMENT,
        new_story_id: Callable[[str], str] | None = None,
    ) -> None:
        self.window_s = window_s
        self.threshold = threshold
        self.min_member_agreement = min_member_agreement
        # By default a story is named after its first article: replaying arrivals gives the same ids.
        self._new_story_id = new_story_id or (lambda article_id: article_id)
        self._ids: list[str] = []
        self._index_of: dict[str, int] = {}
        self._signatures: list[bytes] = []
        self._decoded: dict[int, Features] = {}  # the last DECODED_KEPT articles' features, by index
        self._titles: list[bytes] = []  # hashed title tokens, native 32-bit words (never persisted)
        self._published = array("d")
        self._story_of = array("q")
        self._assignments: list[StoryAssignment] = []
        self._stories: list[Story] = []
        self._story_index: dict[str, int] = {}
        self._story_members: list[list[int]] = []
        self._by_body_hash: dict[int, int] = {}
        self._days: dict[int, list[dict[int, Bucket]]] = {}
        self._pruned_before_day = -math.inf

    def __len__(self) -> int:
        """Return the number of articles added."""
        return len(self._ids)

    @property
    def stories(self) -> Sequence[Story]:
        """Return the stories in order of creation."""
        return self._stories

    def story(self, story_id: str) -> Story:
        """Return a story by id; raises KeyError naming the id if unknown."""
        try:
            return self._stories[self._story_index[story_id]]
        except KeyError:
            raise KeyError(f"stories: unknown story id {story_id!r}") from None

    def story_of(self, article_id: str) -> str | None:
        """Return the story id of an added article, or None if the article is unknown."""
        idx = self._index_of.get(article_id)
        return None if idx is None else self._stories[self._story_of[idx]].story_id

    def _features(self, idx: int) -> Features:
        """Return the decoded features of a stored article."""
        found = self._decoded.get(idx)
        if found is not None:
            return found
        return Features(
            Signature.from_bytes(self._signatures[idx]),
            frozenset(array("I", self._titles[idx])),
            self._published[idx],
        )

    def _candidates(self, features: Features, keys: list[int]) -> list[int]:
        """Return stored articles in the time window whose key terms collide in some LSH band."""
        day = int(features.published_ts // DAY_S)
        span = math.ceil(self.window_s / DAY_S)
        hits: Counter[int] = Counter()
        for d in range(day - span, day + span + 1):
            bands = self._days.get(d)
            if bands is None:
                continue
            for band, key in zip(bands, keys, strict=True):
                bucket = band.get(key)
                if bucket is None:
                    continue
                if isinstance(bucket, int):
                    hits[bucket] += 1
                elif len(bucket) <= MAX_BUCKET_SCAN:
                    hits.update(bucket)
        ts, window = features.published_ts, self.window_s
        published = self._published
        ranked = heapq.nlargest(2 * MAX_CANDIDATES, hits.items(), key=itemgetter(1))
        return [i for i, _ in ranked if abs(published[i] - ts) <= window][:MAX_CANDIDATES]

    def _score(self, features: Features, idx: int, cache: dict[int, float]) -> float:
        """Score a newcomer against one stored article, remembering scores within one decision."""
        score = cache.get(idx)
        if score is None:
            pruned = not self._signatures[idx]
            score = 0.0 if pruned else score_features(features, self._features(idx), self.window_s)
            cache[idx] = score
        return score

    def _agreement(self, features: Features, story: int, cache: dict[int, float]) -> float:
        """Return the share of a story's members nearest in time that the newcomer matches."""
        ts = features.published_ts
        near = [m for m in self._story_members[story] if abs(self._published[m] - ts) <= self.window_s]
        if len(near) > MAX_MEMBERS_COMPARED:
            near.sort(key=lambda m: abs(self._published[m] - ts))
            near = near[:MAX_MEMBERS_COMPARED]
        if not near:
            return 0.0
        return sum(self._score(features, m, cache) >= self.threshold for m in near) / len(near)

    def _decide(self, features: Features, keys: list[int]) -> tuple[int | None, int, float]:
        """Pick the story a newcomer joins: (story index or None for new, matched member, score)."""
        dup = self._by_body_hash.get(features.sig.body_hash) if features.sig.body_hash else None
        if dup is not None:
            return self._story_of[dup], dup, 1.0
        cache: dict[int, float] = {}
        # Best matching candidate per story; only stories with a match are checked member by member.
        best_in: dict[int, tuple[float, int]] = {}
        for cand in self._candidates(features, keys):
            score = self._score(features, cand, cache)
            story = self._story_of[cand]
            if score >= self.threshold and score > best_in.get(story, (0.0, -1))[0]:
                best_in[story] = (score, cand)
        for story, (score, member) in sorted(best_in.items(), key=lambda kv: -kv[1][0]):
            if self._agreement(features, story, cache) >= self.min_member_agreement:
                return story, member, score
        return None, -1, 0.0

    def assign(
        self, article_id: str, signature: bytes, title_tokens: Sequence[str], published_at: datetime
    ) -> StoryAssignment:
        """Return the story an article would join, without adding it (known articles: their story)."""
        idx = self._index_of.get(article_id)
        if idx is not None:
            return self._assignments[idx]
        features = _features_of(article_id, signature, title_tokens, published_at)
        story, member, score = self._decide(features, _band_keys(features))
        if story is None:
            return StoryAssignment(self._new_story_id(article_id), None, 0.0)
        return StoryAssignment(self._stories[story].story_id, self._ids[member], score)

    def add(
        self,
        article_id: str,
        signature: bytes,
        title_tokens: Sequence[str],
        published_at: datetime,
        story_id: str | None = None,
        *,
        source: str | None = None,
    ) -> StoryAssignment:
        """Add an article and return its story; a given story_id (a stored assignment) is obeyed unchecked."""
        known = self._index_of.get(article_id)
        if known is not None:
            return self._assignments[known]
        published_at = as_utc(published_at)
        features = _features_of(article_id, signature, title_tokens, published_at)
        keys = _band_keys(features)
        if story_id is not None:
            story = self._story_index.get(story_id)
            assignment = StoryAssignment(story_id, None, 0.0 if story is None else 1.0)
        else:
            story, member, score = self._decide(features, keys)
            if story is None:
                assignment = StoryAssignment(self._new_story_id(article_id), None, 0.0)
            else:
                assignment = StoryAssignment(self._stories[story].story_id, self._ids[member], score)
        if story is None:
            story = self._new_story(assignment.story_id, article_id, source, published_at)
        self._insert(article_id, signature, features, keys, story, assignment, source)
        return assignment

    def _new_story(self, story_id: str, article_id: str, source: str | None, published_at: datetime) -> int:
        """Create an empty story record and return its index."""
        if story_id in self._story_index:
            raise ValueError(f"stories: story id {story_id!r} already exists")
        self._story_index[story_id] = len(self._stories)
        self._stories.append(Story(story_id, article_id, source, published_at))
        self._story_members.append([])
        return len(self._stories) - 1

    def _insert(
        self,
        article_id: str,
        signature: bytes,
        features: Features,
        keys: list[int],
        story: int,
        assignment: StoryAssignment,
        source: str | None,
    ) -> None:
        """Store an article's features, its story membership and its LSH bucket entries."""
        idx = len(self._ids)
        self._ids.append(article_id)
        self._index_of[article_id] = idx
        self._signatures.append(signature)
        self._decoded[idx] = features
        if len(self._decoded) > DECODED_KEPT:
            del self._decoded[next(iter(self._decoded))]  # the oldest added
        self._titles.append(array("I", sorted(features.title)).tobytes())
        self._published.append(features.published_ts)
        self._story_of.append(story)
        self._assignments.append(assignment)
        record = self._stories[story]
        record.members.append(article_id)
        self._story_members[story].append(idx)
        if features.published_ts < record.first_seen.timestamp():
            # A late-arriving article published earlier becomes the story's first sighting; the id stays.
            record.first_seen = datetime.fromtimestamp(features.published_ts, UTC)
            record.first_article_id = article_id
            record.first_source = source
        if features.sig.body_hash:
            self._by_body_hash.setdefault(features.sig.body_hash, idx)
        day = int(features.published_ts // DAY_S)
        if day < self._pruned_before_day:
            return
        bands = self._days.setdefault(day, [{} for _ in range(KEY_BANDS)])
        for band, key in zip(bands, keys, strict=True):
            bucket = band.get(key)
            if bucket is None:
                band[key] = idx
            elif isinstance(bucket, int):
                band[key] = [bucket, idx]
            else:
                bucket.append(idx)

    def prune(self, before: datetime) -> int:
        """Forget the signatures of articles published before a time (stories are kept); return how many."""
        cutoff = as_utc(before).timestamp()
        cutoff_day = int(cutoff // DAY_S)
        for day in [d for d in self._days if d < cutoff_day]:
            del self._days[day]
        self._pruned_before_day = max(self._pruned_before_day, cutoff_day)
        dropped = 0
        for idx, ts in enumerate(self._published):
            if ts < cutoff and self._signatures[idx]:
                self._signatures[idx] = b""
                self._decoded.pop(idx, None)
                dropped += 1
        return dropped
