"""Article identity: URL normalisation and the choice between canonical and fetched URL."""

from __future__ import annotations

import contextlib
import functools
import re
from urllib.parse import parse_qsl, quote, unquote, urlencode, urlsplit, urlunsplit

# Query parameters that only track the reader; they never change what a page shows.
TRACKING_PARAMS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "mc_cid",
        "mc_eid",
        "igshid",
        "ref_src",
        "ref_url",
        "_hsenc",
        "_hsmi",
        "mkt_tok",
        "oly_anon_id",
        "oly_enc_id",
        "vero_id",
        "spm",
        "cmpid",
        "_ga",
        "_gl",
    }
)
TRACKING_PREFIXES = ("utm_", "pk_", "hsa_")
DEFAULT_PORTS = {"http": 80, "https": 443}
# Public suffixes of two labels that are common on news sites; without a full public-suffix
# list these keep "bbc.co.uk" and "abc.net.au" from collapsing into "co.uk" / "net.au".
TWO_LABEL_SUFFIXES = frozenset(
    {
        "co.uk", "org.uk", "ac.uk", "gov.uk", "me.uk", "ltd.uk", "plc.uk",
        "com.au", "net.au", "org.au", "edu.au", "gov.au",
        "co.nz", "org.nz", "net.nz", "co.jp", "ne.jp", "or.jp", "ac.jp",
        "co.kr", "or.kr", "co.in", "net.in", "org.in", "com.br", "com.cn", "net.cn", "org.cn",
        "com.hk", "com.sg", "com.tw", "com.mx", "com.ar", "com.tr", "co.za", "co.il",
        "com.my", "com.ph", "com.vn", "com.pk", "com.ng", "co.id", "co.th",
    }
)  # fmt: skip
NORMALIZE_CACHE_URLS = 4096
_SAFE_PATH = "/:@!$&'()*+,;=-._~%"
# Paths made only of characters quote() leaves alone need no unquote/quote round trip.
_PLAIN_PATH_RE = re.compile(r"[A-Za-z0-9/:@!$&'()*+,;=._~-]*")


def _is_tracking(name: str) -> bool:
    """Say whether a query parameter name is a known tracking token."""
    low = name.lower()
    return low in TRACKING_PARAMS or low.startswith(TRACKING_PREFIXES)


# The same URLs come back (fetched, final and canonical URL of a page are often one string; listing
# pages and refetches repeat them): normalising is pure, so remember the recent ones.
@functools.lru_cache(maxsize=NORMALIZE_CACHE_URLS)
def normalize_url(url: str) -> str:
    """Return the identity form of an http(s) URL: lower-case scheme/host, no default port,
    fragment or tracking parameters, sorted query; other URLs come back stripped."""
    raw = url.strip()
    try:
        parts = urlsplit(raw)
        port = parts.port
    except ValueError:
        return raw
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return raw
    host = parts.hostname.lower().rstrip(".")
    with contextlib.suppress(UnicodeError):
        host = host.encode("idna").decode("ascii")
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    netloc = host if port is None or port == DEFAULT_PORTS[scheme] else f"{host}:{port}"
    path = parts.path
    if not _PLAIN_PATH_RE.fullmatch(path):
        # re-quote the path so "%7E" and "~" or "%c3%a9" and "é" give one identity
        path = quote(unquote(path), safe=_SAFE_PATH)
    path = path or "/"
    query = ""
    if parts.query:
        pairs = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _is_tracking(k)]
        query = urlencode(sorted(pairs), doseq=True)
    return urlunsplit((scheme, netloc, path, query, ""))


def registrable_domain(url: str) -> str | None:
    """Return the registrable domain (eTLD+1, approximated) of a URL's host, or None."""
    try:
        host = (urlsplit(url.strip()).hostname or "").lower().rstrip(".")
    except ValueError:
        return None
    if not host:
        return None
    labels = host.split(".")
    if len(labels) <= 2 or host.replace(".", "").isdigit():
        return host
    take = 3 if ".".join(labels[-2:]) in TWO_LABEL_SUFFIXES else 2
    return ".".join(labels[-take:])


def choose_identity(fetched: str | None, canonical_url: str | None) -> str | None:
    """Pick the identity from an already normalized fetched URL and the page's canonical URL, as found."""
    if canonical_url and canonical_url.strip().lower().startswith(("http://", "https://")):
        canonical = normalize_url(canonical_url)
        if fetched is None:
            return canonical
        # a canonical pointing at the home page from an article is a site template bug, not an identity
        to_root = urlsplit(canonical).path == "/" and urlsplit(fetched).path != "/"
        if not to_root and registrable_domain(canonical) == registrable_domain(fetched):
            return canonical
    return fetched


def identity_url(fetched_url: str | None, canonical_url: str | None) -> str | None:
    """Return the article identity: the canonical URL when on the fetched URL's site, else the fetched URL."""
    return choose_identity(normalize_url(fetched_url) if fetched_url else None, canonical_url)


__all__ = ["TRACKING_PARAMS", "choose_identity", "identity_url", "normalize_url", "registrable_domain"]
