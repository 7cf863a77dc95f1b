"""Article metadata (title, description, authors, site, image, canonical, tags, language) from one page."""

from __future__ import annotations

from dataclasses import dataclass, field

from selectolax.lexbor import LexborHTMLParser


@dataclass
class Metadata:
    """Metadata of a page, each found field with its provenance."""

    title: str | None = None
    description: str | None = None
    authors: list[str] = field(default_factory=list)
    site_name: str | None = None
    image: str | None = None
    canonical_url: str | None = None
    tags: list[str] = field(default_factory=list)
    language: str | None = None
    provenance: dict[str, str] = field(default_factory=dict)


def extract_metadata(tree: LexborHTMLParser, url: str | None) -> Metadata:
    """Read metadata from a parsed page without changing the tree (stub: title only)."""
    node = tree.css_first("title")
    title = node.text(strip=True) if node is not None else None
    return Metadata(title=title or None, provenance={"title": "heuristic"} if title else {})
