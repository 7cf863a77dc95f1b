"""What an extraction process runs: one page's HTML in, its Article and story signature out."""

from __future__ import annotations

from datetime import datetime

from scraper.extract.article import extract_article
from scraper.models import Article
from scraper.stories.signature import signature


def extract_page(
    text: str, url: str, fetched_at: datetime, with_signature: bool
) -> tuple[Article, bytes | None]:
    """Extract a page and, if asked, make its body's story signature (importing no fetch or store code)."""
    article = extract_article(text, url, fetched_at=fetched_at)
    return article, signature(article.body or "") if with_signature else None
