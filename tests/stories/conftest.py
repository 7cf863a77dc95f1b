"""Shared helpers of the story tests: fixture articles and hand-made signatures."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from scraper.stories import StoryDoc
from scraper.stories.signature import NUM_PERM, Signature, token_hash

FIXTURE = Path(__file__).resolve().parents[1] / "fixtures" / "stories" / "pairs.json"


@pytest.fixture(scope="session")
def fixture_articles() -> dict[str, dict[str, Any]]:
    """Return the labelled fixture's articles by id."""
    data = json.loads(FIXTURE.read_text(encoding="utf-8"))
    return {a["id"]: a for a in data["articles"]}


def _made_signature(names: list[str], numbers: list[str], seed: int) -> bytes:
    """Return signature bytes with the given key terms and an unrelated random body."""
    rng = random.Random(seed)
    return Signature(
        rng.getrandbits(64),
        tuple(rng.getrandbits(32) for _ in range(NUM_PERM)),
        frozenset(token_hash(n) & 0xFFFFFFFF for n in names),
        frozenset(token_hash(n) & 0xFFFFFFFF for n in numbers),
    ).to_bytes()


@pytest.fixture
def make_sig() -> Callable[[list[str], list[str], int], bytes]:
    """Return a maker of signature bytes with chosen key terms and a random, unrelated body."""
    return _made_signature


@pytest.fixture
def docs(fixture_articles: dict[str, dict[str, Any]]) -> Callable[[str], StoryDoc]:
    """Return a function building the StoryDoc of a fixture article by id."""

    def build(article_id: str) -> StoryDoc:
        a = fixture_articles[article_id]
        return StoryDoc.from_text(a["title"], a["body"], datetime.fromisoformat(a["published_at"]))

    return build
