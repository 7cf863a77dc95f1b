"""extract_article on the saved fixture pages: each page's JSON names the fields and snippets that matter."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from pathlib import Path

import pytest

from scraper.extract import extract_article

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "extract"
NAMES = sorted(p.stem for p in FIXTURES.glob("*.json"))


def _collapse(text: str) -> str:
    """Collapse whitespace so snippets match across line breaks."""
    return re.sub(r"\s+", " ", text).strip()


def _load(name: str) -> tuple[bytes, dict]:
    """Return the saved page bytes and its expectations."""
    return (FIXTURES / f"{name}.html").read_bytes(), json.loads(
        (FIXTURES / f"{name}.json").read_text("utf-8")
    )


def test_every_fixture_page_describes_itself():
    for page in FIXTURES.glob("*.html"):
        assert page.read_bytes().lstrip().startswith(b"<!-- Source:"), page.name
        assert page.with_suffix(".json").exists(), page.name


@pytest.mark.parametrize("name", NAMES)
def test_fixture_body(name):
    html, expected = _load(name)
    article = extract_article(html, expected["url"])
    body = _collapse(article.body)
    for snippet in expected.get("body_once", []):
        assert body.count(_collapse(snippet)) == 1, f"{name}: expected once in body: {snippet!r}"
    for snippet in expected.get("body_excludes", []):
        assert _collapse(snippet) not in body, f"{name}: must not be in body: {snippet!r}"
    order = [body.find(_collapse(s)) for s in expected.get("body_order", [])]
    assert order == sorted(order) and -1 not in order, f"{name}: body out of order {order}"
    for snippet in expected.get("body_html_contains", []):
        assert snippet in article.body_html, f"{name}: body_html lacks {snippet!r}"
    for link in expected.get("links_contains", []):
        assert link in article.links
    comments = " | ".join(article.comments)
    for snippet in expected.get("comments_contains", []):
        assert snippet in comments
    for snippet in expected.get("comments_excludes", []):
        assert all(not c.startswith(snippet) for c in article.comments), snippet


@pytest.mark.parametrize("name", NAMES)
def test_fixture_fields(name):
    html, expected = _load(name)
    article = extract_article(html, expected["url"])
    for field, value in expected["fields"].items():
        assert getattr(article, field) == value, f"{name}: {field}"


def test_seed_page_title_once_date_and_no_comment_widget():
    html, expected = _load("seed_bitmain")
    article = extract_article(html, expected["url"])
    assert article.title == "Bitmain to Open US Factory Amid Trump-Era Push for Domestic Production"
    assert article.published == "2025-07-29T09:54:00-04:00"
    assert "Add a public comment" not in article.body
    assert "No comments" not in article.body
    assert article.title not in article.body
    # the two duplicated paragraphs (US / U.S. spellings) appear once each
    assert article.body.count("world's largest manufacturer of crypto mining hardware") == 1
    assert article.body.count("is expected to create 250 jobs") == 1
    paragraphs = article.body.split("\n\n")
    assert len(paragraphs) == len(set(paragraphs))
    assert article.provenance["body"] == "heuristic"
    assert article.word_count > 300


def test_article_fields_are_complete_and_json_ready():
    html, expected = _load("comments_wordpress")
    fetched = datetime(2024, 11, 4, 8, 0, tzinfo=UTC)
    article = extract_article(html, expected["url"], fetched_at=fetched)
    record = article.to_dict()
    json.dumps(record)
    assert record["fetched_at"] == "2024-11-04T08:00:00+00:00"
    assert record["source"] is None and record["version"] is None and record["content_hash"] is None
    assert record["word_count"] == len(article.body.split())
    assert record["language"] == "en" and "language" in record["provenance"]
    assert record["provenance"]["body"] == "heuristic"
