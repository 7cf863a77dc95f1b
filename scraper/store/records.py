"""Plain records the store returns: save results, version summaries, diffs, source statuses."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any

from scraper.models import Article, FetchResult


@dataclass
class ToSave:
    """One article handed to `Store.save_articles`, with what came with it."""

    article: Article
    raw_html: bytes | None = None
    fetch: FetchResult | None = None
    guid: str | None = None


@dataclass
class SaveResult:
    """Outcome of saving one article: `created` is True when a new version was written."""

    article: Article
    created: bool
    version: int
    new_article: bool = False
    copy_of: str | None = None  # identity of the article this page reprints word for word (nothing written)
    error: str | None = None  # set (and nothing written) when this article could not be saved


@dataclass
class VersionInfo:
    """One line of `history`: a version, when it was fetched and what changed."""

    version: int
    fetched_at: datetime
    content_hash: str
    changes: dict[str, Any]
    final_url: str | None = None
    http_status: int | None = None
    has_raw: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the version summary as a JSON-ready dict."""
        data = asdict(self)
        data["fetched_at"] = self.fetched_at.isoformat()
        return data

    def summary(self) -> str:
        """Return one line for `scraper history`: number, time, changed fields, size of the body change."""
        c = self.changes
        fields = ", ".join(c.get("fields", [])) or "no field change"
        what = "first capture" if c.get("initial") else fields
        size = (
            f"+{c.get('paragraphs_added', 0)}/-{c.get('paragraphs_removed', 0)} paragraphs, "
            f"+{c.get('chars_added', 0)}/-{c.get('chars_removed', 0)} chars"
        )
        return f"v{self.version}  {self.fetched_at.isoformat()}  {what}  ({size})"


@dataclass
class ArticleDiff:
    """Differences between two versions of one article."""

    url: str
    from_version: int
    to_version: int
    fields: dict[str, dict[str, Any]] = field(default_factory=dict)  # name -> {"from": ..., "to": ...}
    body_diff: list[str] = field(default_factory=list)  # unified diff, one line per paragraph
    changes: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """Return the diff as a JSON-ready dict."""
        return asdict(self)

    def to_text(self) -> str:
        """Render the diff for a terminal: changed fields, then the body diff."""
        lines = [f"{self.url}: version {self.from_version} -> {self.to_version}"]
        for name, change in self.fields.items():
            if name == "body":
                continue
            lines.append(f"{name}: {change['from']!r} -> {change['to']!r}")
        if self.body_diff:
            lines.extend(self.body_diff)
        elif "body" not in self.fields:
            lines.append("body: unchanged")
        return "\n".join(lines)


@dataclass
class SourceStatus:
    """A source's health as `sources list` shows it."""

    name: str
    url: str
    kind: str
    enabled: bool
    last_outcome: str | None
    last_error: str | None
    last_success_at: datetime | None
    last_attempt_at: datetime | None
    consecutive_failures: int
    articles: int
