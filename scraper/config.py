"""Settings and sources: defaults as named constants, overridden by TOML, then by SCRAPER_* env."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any

from scraper.errors import ConfigError
from scraper.models import Source

DEFAULT_CONFIG_PATH = Path("config/settings.toml")
DEFAULT_DB_URL = "sqlite:///data/scraper.db"
USER_AGENT = "industry-news-scraper/0.1 (+{contact})"
CONTACT_URL = "https://example.org/scraper"
FETCH_TIMEOUT_S = 20.0  # total deadline of one request, headers and body
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0  # longest silence between two body chunks
MAX_BODY_BYTES = 15 * 1024 * 1024  # applied to decoded bytes
MAX_REDIRECTS = 10
RETRY_ATTEMPTS = 3
RETRY_BACKOFF_S = 1.0  # first backoff; doubles per attempt, with jitter
RETRY_AFTER_CAP_S = 3600.0
HOST_CONCURRENCY = 2
HOST_DELAY_S = 1.0  # minimum gap between two requests to one host:port
OBEY_ROBOTS = True
ROBOTS_CACHE_S = 3600.0
MAX_FEED_ENTRIES = 500
SOURCE_INTERVAL_S = 3600.0
SCHEDULE_JITTER_S = 60.0
SERVICE_CONCURRENCY = 8  # sources refreshed at once by one service
EXTRACT_WORKERS = 0  # processes extracting pages of a large batch: 0 = one per CPU core, 1 = in-process only
SHUTDOWN_TIMEOUT_S = 30.0
STORE_RAW_HTML = True
STORE_KEEP_VERSIONS = 0  # 0 keeps every version; N keeps the newest N (first and latest always kept)
STORE_KEEP_DAYS = 0.0  # 0 keeps every version; D keeps versions fetched in the last D days
BACKOFF_CAP_S = 24 * 3600.0  # a failing source's interval doubles per failure up to this
FAILING_AFTER = 10  # consecutive failures before a source is marked failing (still probed at the cap)
ADAPTIVE_MIN_S = 300.0  # adaptive polling never polls more often than this
ADAPTIVE_MAX_S = 24 * 3600.0  # ... nor less often than this
ADAPTIVE_WINDOW_S = 7 * 24 * 3600.0  # publishing rate is measured over this window
CLAIM_LEASE_S = 120.0  # a claimed source is retaken after this long without renewal (killed worker)
SCHEDULER_TICK_S = 1.0  # how often the service looks for due sources
BROKER_URL = "redis://127.0.0.1:6379/0"
SITEMAP_WINDOW_S = 2 * 24 * 3600.0  # only sitemap URLs newer than this are fetched


@dataclass(frozen=True)
class Settings:
    """Every tunable of the scraper; one instance is passed to whatever needs it."""

    db_url: str = DEFAULT_DB_URL
    sources_file: str = "sources.toml"
    site_rules_file: str = "site_rules.toml"
    user_agent: str = USER_AGENT
    contact_url: str = CONTACT_URL
    fetch_timeout_s: float = FETCH_TIMEOUT_S
    connect_timeout_s: float = CONNECT_TIMEOUT_S
    read_timeout_s: float = READ_TIMEOUT_S
    max_body_bytes: int = MAX_BODY_BYTES
    max_redirects: int = MAX_REDIRECTS
    retry_attempts: int = RETRY_ATTEMPTS
    retry_backoff_s: float = RETRY_BACKOFF_S
    retry_after_cap_s: float = RETRY_AFTER_CAP_S
    host_concurrency: int = HOST_CONCURRENCY
    host_delay_s: float = HOST_DELAY_S
    obey_robots: bool = OBEY_ROBOTS
    robots_cache_s: float = ROBOTS_CACHE_S
    allow_private_hosts: tuple[str, ...] = ()
    max_feed_entries: int = MAX_FEED_ENTRIES
    sitemap_window_s: float = SITEMAP_WINDOW_S
    source_interval_s: float = SOURCE_INTERVAL_S
    schedule_jitter_s: float = SCHEDULE_JITTER_S
    service_concurrency: int = SERVICE_CONCURRENCY
    extract_workers: int = EXTRACT_WORKERS
    shutdown_timeout_s: float = SHUTDOWN_TIMEOUT_S
    store_raw_html: bool = STORE_RAW_HTML
    store_keep_versions: int = STORE_KEEP_VERSIONS
    store_keep_days: float = STORE_KEEP_DAYS
    backoff_cap_s: float = BACKOFF_CAP_S
    failing_after: int = FAILING_AFTER
    adaptive_min_s: float = ADAPTIVE_MIN_S
    adaptive_max_s: float = ADAPTIVE_MAX_S
    adaptive_window_s: float = ADAPTIVE_WINDOW_S
    claim_lease_s: float = CLAIM_LEASE_S
    scheduler_tick_s: float = SCHEDULER_TICK_S
    metrics_port: int = 0
    broker_url: str = BROKER_URL
    broker_key_prefix: str = ""
    log_format: str = "text"
    # folder the relative file keys above are resolved against (the settings file's folder)
    config_dir: str = "config"

    @property
    def user_agent_header(self) -> str:
        """The User-Agent sent with every request, contact URL filled in."""
        return self.user_agent.format(contact=self.contact_url)

    def path(self, name: str) -> Path:
        """Resolve a file key (sources_file, site_rules_file) against the config folder."""
        p = Path(name)
        return p if p.is_absolute() else Path(self.config_dir) / p


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def _coerce(key: str, value: Any, kind: Any, origin: str) -> Any:
    """Turn a TOML or environment value into the type of the field `key`."""
    type_name = str(kind)
    try:
        if "tuple" in type_name:
            if isinstance(value, str):
                return tuple(v.strip() for v in value.split(",") if v.strip())
            if isinstance(value, list):
                return tuple(str(v) for v in value)
        elif "bool" in type_name:
            if isinstance(value, bool):
                return value
            if isinstance(value, str) and value.lower() in _TRUE | _FALSE:
                return value.lower() in _TRUE
        elif "int" in type_name and not isinstance(value, bool):
            return int(value)
        elif "float" in type_name and not isinstance(value, bool):
            return float(value)
        elif "str" in type_name and isinstance(value, str):
            return value
    except ValueError:
        pass
    raise ConfigError(f"{origin}: key {key!r} has a value of the wrong type: {value!r}")


def _read_toml(path: Path) -> dict[str, Any]:
    """Read a TOML file, turning syntax errors into one line naming the file and line."""
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
    except FileNotFoundError:
        raise ConfigError(f"file not found: {path}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: TOML syntax error: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror}") from None


def load_settings(
    path: str | os.PathLike[str] | None = None,
    *,
    db_url: str | None = None,
    env: dict[str, str] | None = None,
) -> Settings:
    """Build Settings from defaults, the TOML file (if any), SCRAPER_* env, then explicit args."""
    environ = os.environ if env is None else env
    explicit = path is not None or "SCRAPER_CONFIG" in environ
    cfg_path = Path(path or environ.get("SCRAPER_CONFIG") or DEFAULT_CONFIG_PATH)
    known = {f.name: f.type for f in fields(Settings) if f.name != "config_dir"}
    values: dict[str, Any] = {"config_dir": str(cfg_path.parent)}
    if cfg_path.exists() or explicit:
        raw = _read_toml(cfg_path)
        for key, value in raw.items():
            if key not in known:
                raise ConfigError(f"{cfg_path}: unknown key {key!r}")
            values[key] = _coerce(key, value, known[key], str(cfg_path))
    for key, kind in known.items():
        env_key = f"SCRAPER_{key.upper()}"
        if env_key in environ and key != "config":
            values[key] = _coerce(key, environ[env_key], kind, f"environment {env_key}")
    if db_url:
        values["db_url"] = db_url
    return replace(Settings(), **values)


def load_sources(settings: Settings) -> list[Source]:
    """Read the sources file named by the settings; errors name the file and the entry."""
    # local imports: only this function needs them, and extract pulls in selectolax
    import re

    from scraper.extract.feed_links import selector_problem
    from scraper.service.policy import cron_problem

    kinds = ("feed", "page", "sitemap", "listing")
    kinds_text = ", ".join(repr(k) for k in kinds)
    path = settings.path(settings.sources_file)
    raw = _read_toml(path)
    entries = raw.get("sources", [])
    if not isinstance(entries, list):
        raise ConfigError(f"{path}: 'sources' must be an array of tables ([[sources]])")
    sources: list[Source] = []
    seen: set[str] = set()
    allowed = {"name", "url", "kind", "interval", "cron", "adaptive", "enabled", "tags"}
    allowed |= {"selector", "pattern", "fallback"}
    for i, entry in enumerate(entries, 1):
        where = f"{path}: source #{i}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = set(entry) - allowed
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        name, url = entry.get("name"), entry.get("url")
        if not isinstance(name, str) or not name:
            raise ConfigError(f"{where}: 'name' is missing")
        if name in seen:
            raise ConfigError(f"{where}: duplicate name {name!r}")
        seen.add(name)
        where = f"{where} ({name})"
        if not isinstance(url, str) or not url.lower().startswith(("http://", "https://")):
            raise ConfigError(f"{where}: 'url' must be an http(s) URL, got {url!r}")
        kind = entry.get("kind", "feed")
        if kind not in kinds:
            raise ConfigError(f"{where}: 'kind' must be one of {kinds_text}, got {kind!r}")
        interval = entry.get("interval", settings.source_interval_s)
        if isinstance(interval, bool) or not isinstance(interval, int | float) or interval <= 0:
            raise ConfigError(f"{where}: 'interval' must be a positive number of seconds")
        cron = entry.get("cron")
        if cron is not None:
            problem = cron_problem(cron) if isinstance(cron, str) else "must be a string"
            if problem:
                raise ConfigError(f"{where}: 'cron': {problem}")
        adaptive = entry.get("adaptive", False)
        if not isinstance(adaptive, bool):
            raise ConfigError(f"{where}: 'adaptive' must be true or false, got {adaptive!r}")
        enabled = entry.get("enabled", True)
        if not isinstance(enabled, bool):
            raise ConfigError(f"{where}: 'enabled' must be true or false, got {enabled!r}")
        tags = entry.get("tags", [])
        if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
            raise ConfigError(f"{where}: 'tags' must be a list of strings")
        selector = entry.get("selector")
        if selector is not None:
            if kind != "listing":
                raise ConfigError(f"{where}: 'selector' is only for kind 'listing', not {kind!r}")
            problem = selector_problem(selector) if isinstance(selector, str) else "must be a string"
            if problem:
                raise ConfigError(f"{where}: 'selector': {problem}")
        pattern = entry.get("pattern")
        if pattern is not None:
            if kind not in {"listing", "sitemap"}:
                raise ConfigError(f"{where}: 'pattern' is for kinds 'listing' and 'sitemap', not {kind!r}")
            if not isinstance(pattern, str) or not pattern:
                raise ConfigError(f"{where}: 'pattern' must be a non-empty regular expression string")
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ConfigError(f"{where}: 'pattern' is not a valid regular expression: {exc}") from None
        fallback_raw = entry.get("fallback", [])
        if not isinstance(fallback_raw, list):
            raise ConfigError(f"{where}: 'fallback' must be an array of {{kind, url}} tables")
        fallback: list[tuple[str, str]] = []
        for j, alt in enumerate(fallback_raw, 1):
            alt_where = f"{where}: fallback #{j}"
            if not isinstance(alt, dict):
                raise ConfigError(f"{alt_where}: must be a table with 'kind' and 'url'")
            alt_unknown = set(alt) - {"kind", "url"}
            if alt_unknown:
                raise ConfigError(f"{alt_where}: unknown key(s) {', '.join(sorted(alt_unknown))}")
            alt_kind, alt_url = alt.get("kind", "feed"), alt.get("url")
            if alt_kind not in kinds:
                raise ConfigError(f"{alt_where}: 'kind' must be one of {kinds_text}, got {alt_kind!r}")
            if not isinstance(alt_url, str) or not alt_url.lower().startswith(("http://", "https://")):
                raise ConfigError(f"{alt_where}: 'url' must be an http(s) URL, got {alt_url!r}")
            fallback.append((alt_kind, alt_url))
        sources.append(
            Source(
                name=name,
                url=url,
                kind=kind,
                interval_s=float(interval),
                enabled=enabled,
                tags=list(tags),
                selector=selector,
                pattern=pattern,
                fallback=fallback,
                cron=cron,
                adaptive=adaptive,
            )
        )
    return sources


def find_source(sources: list[Source], name: str, origin: str = "sources") -> Source:
    """Return the source called `name`, or a ConfigError listing the known names."""
    for source in sources:
        if source.name == name:
            return source
    known = ", ".join(s.name for s in sources) or "none"
    raise ConfigError(f"unknown source {name!r} in {origin} (known: {known})")


__all__ = ["Settings", "find_source", "load_settings", "load_sources"]
