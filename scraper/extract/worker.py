"""What an extraction process runs: pages' HTML in, their Articles and story signatures out."""

from __future__ import annotations

from datetime import datetime

from scraper.extract.article import extract_article
from scraper.models import Article
from scraper.stories.signature import signature

ExtractJob = tuple[str, str, datetime, bool]  # (HTML text, URL, fetched at, whether to sign the body)
Extracted = tuple[Article, bytes | None]


def extract_page(
    text: str, url: str, fetched_at: datetime, with_signature: bool
) -> tuple[Article, bytes | None]:
    """Extract a page and, if asked, make its body's story signature (importing no fetch or store code)."""
    article = extract_article(text, url, fetched_at=fetched_at)
    return article, signature(article.body or "") if with_signature else None


def extract_pages(jobs: list[ExtractJob]) -> list[Extracted | Exception]:
    """`extract_page` for a batch of pages (one call to the process); a page's error takes its place."""
    out: list[Extracted | Exception] = []
    for job in jobs:
        try:
            out.append(extract_page(*job))
        except Exception as exc:  # one bad page must not cost the others their extraction
            out.append(exc)
    return out
