"""The one exception tree of the scraper; every message names its stage.

    ScraperError
    ├── ConfigError      config: bad settings/sources file, unknown source (names file and line)
    ├── FetchError       fetch: a request that did not give a usable body; `.outcome` names why
    │   └── RefusedError fetch: refused before any request (bad scheme, private address, robots)
    ├── FeedError        feeds: a document that is not a readable feed
    ├── ExtractError     extract: never raised for bad HTML (that gives empty fields), only misuse
    ├── StoreError       store: database unreachable, unknown schema, failed write
    ├── ExportError      export: bad format, destination not writable
    └── ServiceError     service: cannot start (another service holds the store, broker unreachable)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from scraper.models import FetchAttempt


class ScraperError(Exception):
    """Base of every error the scraper raises on purpose; `str()` is a one-line message."""

    stage = "scraper"

    def __init__(self, message: str, *, url: str | None = None) -> None:
        self.message = message
        self.url = url
        super().__init__(message)

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"{self.stage}: {self.message}{where}"


class ConfigError(ScraperError):
    """A settings or sources file, option or environment variable that cannot be used."""

    stage = "config"


class FetchError(ScraperError):
    """A fetch that ended without a usable body; `outcome` is one of `models.OUTCOMES`."""

    stage = "fetch"

    def __init__(
        self,
        message: str,
        *,
        url: str | None = None,
        outcome: str = "network-error",
        status: int | None = None,
        retry_after_s: float | None = None,
        attempts: list[FetchAttempt] | None = None,
    ) -> None:
        super().__init__(message, url=url)
        self.outcome = outcome
        self.status = status
        self.retry_after_s = retry_after_s
        # every HTTP attempt made before giving up, for the fetch log
        self.attempts: list[FetchAttempt] = attempts or []

    def __str__(self) -> str:
        where = f" ({self.url})" if self.url else ""
        return f"{self.stage}: {self.outcome}: {self.message}{where}"


class RefusedError(FetchError):
    """A URL refused before any byte was sent (scheme, private address, robots.txt)."""


class FeedError(ScraperError):
    """A document that could not be read as a feed at all."""

    stage = "feeds"


class ExtractError(ScraperError):
    """Misuse of the extractor (wrong argument type); bad HTML never raises."""

    stage = "extract"


class StoreError(ScraperError):
    """The store could not be opened, migrated, read or written."""

    stage = "store"


class ExportError(ScraperError):
    """An export that could not be written (bad format, destination not writable)."""

    stage = "export"


class ServiceError(ScraperError):
    """The service, dispatcher or worker cannot start or go on."""

    stage = "service"
