"""Store test fixtures: an open, migrated store on each engine."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from scraper.store import Store


@pytest.fixture
def store(db_url: str) -> Iterator[Store]:
    """An open, migrated store on each engine."""
    s = Store.open(db_url)
    try:
        yield s
    finally:
        s.close()
