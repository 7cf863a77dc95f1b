"""The versioned snapshot store (SQLAlchemy Core + Alembic; SQLite or PostgreSQL)."""

from scraper.store.content import parse_datetime
from scraper.store.engine import safe_url
from scraper.store.identity import identity_url, normalize_url
from scraper.store.migrate import check_schema, head_revision, upgrade
from scraper.store.records import ArticleDiff, SaveResult, SourceStatus, ToSave, VersionInfo
from scraper.store.store import ALL_FIELDS, KEEP_DAYS, KEEP_VERSIONS, RECORD_FIELDS, Store

__all__ = [
    "ALL_FIELDS",
    "KEEP_DAYS",
    "KEEP_VERSIONS",
    "RECORD_FIELDS",
    "ArticleDiff",
    "SaveResult",
    "SourceStatus",
    "Store",
    "ToSave",
    "VersionInfo",
    "check_schema",
    "head_revision",
    "identity_url",
    "normalize_url",
    "parse_datetime",
    "safe_url",
    "upgrade",
]
