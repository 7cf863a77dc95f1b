"""Per-domain extraction rules (CSS selectors) read from a TOML file, overriding the heuristics."""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from selectolax.lexbor import LexborHTMLParser

from scraper.errors import ConfigError

RULE_KEYS = frozenset({"body", "title", "date", "drop"})


@dataclass(frozen=True)
class SiteRule:
    """CSS selectors for one domain: where the body, title and date are, and what to drop first."""

    domain: str
    body: str | None = None
    title: str | None = None
    date: str | None = None
    drop: tuple[str, ...] = ()


@dataclass(frozen=True)
class SiteRules:
    """All site rules of a file, looked up by a page's host (subdomains included)."""

    rules: dict[str, SiteRule] = field(default_factory=dict)

    def for_url(self, url: str | None) -> SiteRule | None:
        """Return the rule of the most specific domain matching the URL's host, if any."""
        if not url or not self.rules:
            return None
        try:
            host = (urlsplit(url).hostname or "").lower().rstrip(".")
        except ValueError:
            return None
        while host:
            rule = self.rules.get(host)
            if rule is not None:
                return rule
            _, _, host = host.partition(".")
        return None


def _check_selector(selector: object, where: str) -> str:
    """Return `selector` if it is a CSS selector lexbor accepts, else raise ConfigError."""
    if not isinstance(selector, str) or not selector.strip():
        raise ConfigError(f"{where}: must be a non-empty CSS selector string")
    try:
        LexborHTMLParser("<p></p>").css(selector)
    except Exception as exc:  # lexbor reports bad selectors with assorted exception types
        raise ConfigError(f"{where}: invalid CSS selector {selector!r} ({exc})") from None
    return selector


def parse_site_rules(raw: dict[str, object], origin: str) -> SiteRules:
    """Build SiteRules from the decoded TOML of a rule file; errors name the file and domain."""
    sites = raw.get("sites", {})
    unknown_top = set(raw) - {"sites"}
    if unknown_top:
        names = ", ".join(sorted(unknown_top))
        raise ConfigError(f'{origin}: unknown key(s) {names} (rules go in [sites."domain"] tables)')
    if not isinstance(sites, dict):
        raise ConfigError(f"{origin}: 'sites' must be a table of domains")
    rules: dict[str, SiteRule] = {}
    for domain, entry in sites.items():
        where = f"{origin}: sites.{domain!r}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{where}: must be a table")
        unknown = set(entry) - RULE_KEYS
        if unknown:
            raise ConfigError(f"{where}: unknown key(s) {', '.join(sorted(unknown))}")
        drop = entry.get("drop", [])
        if not isinstance(drop, list):
            raise ConfigError(f"{where}.drop: must be a list of CSS selectors")
        key = domain.lower().strip().rstrip(".")
        if key.startswith("www."):
            key = key[4:]
        rules[key] = SiteRule(
            domain=key,
            body=_check_selector(entry["body"], f"{where}.body") if "body" in entry else None,
            title=_check_selector(entry["title"], f"{where}.title") if "title" in entry else None,
            date=_check_selector(entry["date"], f"{where}.date") if "date" in entry else None,
            drop=tuple(_check_selector(s, f"{where}.drop") for s in drop),
        )
    return SiteRules(rules)


def load_site_rules(path: str | os.PathLike[str]) -> SiteRules:
    """Read a site-rules TOML file; a missing file means no rules, a broken one a ConfigError."""
    file = Path(path)
    try:
        with file.open("rb") as fh:
            raw = tomllib.load(fh)
    except FileNotFoundError:
        return SiteRules()
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{file}: TOML syntax error: {exc}") from None
    except OSError as exc:
        raise ConfigError(f"{file}: cannot read: {exc.strerror}") from None
    return parse_site_rules(raw, str(file))
