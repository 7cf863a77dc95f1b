"""The one way the scraper fetches a URL: polite, bounded, retried, SSRF-guarded, decoded."""

from __future__ import annotations

import asyncio
import random
import ssl
import time
import urllib.parse
from dataclasses import dataclass
from datetime import UTC, datetime
from types import TracebackType

import httpx

from scraper.config import Settings
from scraper.errors import FetchError, RefusedError
from scraper.fetch.address import AllowList, IPAddress, blocked_reason, parse_ip_host, refusal
from scraper.fetch.body import ACCEPT_ENCODING, BadEncoding, BodyTooLarge, check_encoding, read_body
from scraper.fetch.charset import decode_body
from scraper.fetch.content import (
    FEED_TYPES,
    HTML_TYPES,
    binary_kind,
    challenge_reason,
    classify,
    declares_entities,
    media_type,
)
from scraper.fetch.network import AddressRefused, GuardedBackend, HostTransport
from scraper.fetch.politeness import HostGates
from scraper.fetch.retry import RETRY_STATUSES, backoff_s, parse_retry_after
from scraper.fetch.robots import ROBOTS_MAX_BYTES, ROBOTS_RETRY_S, RobotsCache, RobotsRules, parse_rules
from scraper.models import FetchAttempt, FetchResult

MAX_RETRY_WAIT_S = 60.0  # total sleep between retries within one call; beyond it the scheduler backs off
ERROR_BODY_BYTES = 64 * 1024  # enough of an error page to recognise a challenge wall
KEEPALIVE_S = 15.0  # idle pooled connection kept this long
POOL_SWEEP_AT = 256  # host pools kept before idle ones are dropped
ROBOTS_MAX_REDIRECTS = 5  # RFC 9309 asks crawlers to follow at least five
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
ACCEPT = (
    "text/html,application/xhtml+xml,application/rss+xml,application/atom+xml,"
    "application/xml;q=0.9,text/xml;q=0.9,*/*;q=0.8"
)
MIB = 1024 * 1024


def _size(n: int) -> str:
    """Write a byte count the way people read it (15 MiB, 64 KiB, 10 bytes)."""
    if n >= MIB and n % MIB == 0:
        return f"{n // MIB} MiB"
    if n >= 1024 and n % 1024 == 0:
        return f"{n // 1024} KiB"
    return f"{n} bytes"


def _now_iso() -> str:
    """Return the current UTC time as an ISO 8601 string."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(slots=True)
class _Reply:
    """One HTTP response with its (decoded, capped) body."""

    url: httpx.URL
    status: int
    headers: httpx.Headers
    body: bytes
    attempt: FetchAttempt


@dataclass(slots=True)
class _Pool:
    """One host:port's connection pool and how busy it is."""

    transport: HostTransport
    in_flight: int = 0
    last_used: float = 0.0


class _Transient(Exception):
    """An attempt that failed in a way worth retrying (connect error, timeout)."""

    def __init__(self, outcome: str, message: str) -> None:
        super().__init__(message)
        self.outcome = outcome
        self.message = message


class Fetcher:
    """Fetch pages and feeds politely and safely; one instance is shared by every task of a process."""

    def __init__(
        self,
        settings: Settings,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        max_retry_wait_s: float = MAX_RETRY_WAIT_S,
        rng: random.Random | None = None,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.settings = settings
        self._injected = transport
        # one context for every pool: httpcore would otherwise load the CA bundle per connection
        self._ssl_context = ssl_context
        self._pools: dict[str, _Pool] = {}
        self._swept_at = time.monotonic()
        self._allow = AllowList(settings.allow_private_hosts)
        self._backend = GuardedBackend(self._allow)
        self._gates = HostGates(settings.host_concurrency, settings.host_delay_s)
        self._robots = RobotsCache()
        self._max_retry_wait_s = max_retry_wait_s
        self._rng = rng or random.Random()
        self._agent = settings.user_agent_header
        self._agent_token = self._agent.split("/", 1)[0].strip()
        self._base_headers = [
            ("User-Agent", self._agent),
            ("Accept", ACCEPT),
            ("Accept-Encoding", ACCEPT_ENCODING),
        ]
        self._extensions = {
            "timeout": {
                "connect": settings.connect_timeout_s,
                "read": settings.read_timeout_s,
                "write": settings.read_timeout_s,
                "pool": settings.fetch_timeout_s,
            }
        }
        self._closed = False

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        """Close every pooled connection."""
        self._closed = True
        pools, self._pools = list(self._pools.values()), {}
        for pool in pools:
            await pool.transport.aclose()
        if self._injected is not None:
            await self._injected.aclose()

    # ---- URL checks -------------------------------------------------------------------------

    def _check_url(self, raw: str, origin_url: str, attempts: list[FetchAttempt], via: str = "") -> httpx.URL:
        """Parse and vet a URL (scheme, host, literal private address) before any byte is sent."""
        try:
            url = httpx.URL(raw)
        except (httpx.InvalidURL, TypeError, ValueError) as exc:
            # httpx rejects some IP spellings (0177.0.0.1) that other resolvers accept: name the real risk
            ip = _host_ip(raw)
            if ip is not None and blocked_reason(ip) and not self._allow.allows_ip(ip):
                raise RefusedError(
                    f"{raw} names {ip}, a {blocked_reason(ip)} address{via}",
                    url=origin_url,
                    outcome="refused-address",
                    attempts=attempts,
                ) from None
            raise RefusedError(
                f"not a URL{via}: {exc}", url=origin_url, outcome="bad-url", attempts=attempts
            ) from None
        if url.scheme not in ("http", "https"):
            raise RefusedError(
                f"only http and https are fetched, not {url.scheme or 'a relative URL'!r}{via}",
                url=origin_url,
                outcome="bad-url",
                attempts=attempts,
            )
        if not url.host:
            raise RefusedError(f"URL has no host{via}", url=origin_url, outcome="bad-url", attempts=attempts)
        ip = parse_ip_host(url.host)
        if ip is not None:
            reason = refusal(url.host, url.port or _default_port(url), ip, self._allow)
            if reason:
                raise RefusedError(
                    f"{reason}{via}", url=origin_url, outcome="refused-address", attempts=attempts
                )
        return url

    # ---- one HTTP attempt -------------------------------------------------------------------

    def _pool_for(self, url: httpx.URL) -> _Pool:
        """Return the keep-alive pool of the URL's scheme://host:port, made on first use."""
        key = f"{url.scheme}://{url.host}:{url.port or _default_port(url)}"
        pool = self._pools.get(key)
        if pool is None:
            if self._closed:
                raise RuntimeError("Fetcher is closed")
            if url.scheme == "https" and self._ssl_context is None:
                self._ssl_context = httpx.create_ssl_context()
            transport = HostTransport(
                self._backend,
                max_connections=max(1, self.settings.host_concurrency),
                keepalive_s=KEEPALIVE_S,
                ssl_context=self._ssl_context,
            )
            pool = self._pools[key] = _Pool(transport)
        return pool

    async def _sweep(self) -> None:
        """Drop pools and gates of hosts idle past the keep-alive: a long crawl of many hosts stays small."""
        now = time.monotonic()
        if len(self._pools) < POOL_SWEEP_AT or now - self._swept_at < KEEPALIVE_S:
            return
        self._swept_at = now
        idle = [k for k, p in self._pools.items() if p.in_flight == 0 and now - p.last_used > KEEPALIVE_S]
        for key in idle:
            await self._pools.pop(key).transport.aclose()
        self._gates.sweep()

    async def _attempt(
        self,
        url: httpx.URL,
        extra_headers: list[tuple[str, str]],
        attempts: list[FetchAttempt],
        origin_url: str,
        keep_bytes: int | None = None,
    ) -> _Reply:
        """Send one request through the host's gate, read its body, record it; keep_bytes cuts a 2xx body."""
        record = FetchAttempt(url=str(url), started_at=_now_iso(), outcome="network-error")
        attempts.append(record)
        started = time.perf_counter()
        gate = self._gates.get(f"{url.host}:{url.port or _default_port(url)}")
        try:
            async with gate.slot():
                started = time.perf_counter()
                return await self._exchange(url, extra_headers, record, keep_bytes)
        except _Transient as exc:
            record.outcome = exc.outcome
            record.error = exc.message
            raise
        except FetchError as exc:
            record.outcome = exc.outcome
            record.error = exc.message
            exc.url = origin_url
            exc.attempts = attempts
            raise
        finally:
            record.elapsed_ms = round((time.perf_counter() - started) * 1000.0, 3)

    async def _exchange(
        self,
        url: httpx.URL,
        extra_headers: list[tuple[str, str]],
        record: FetchAttempt,
        keep_bytes: int | None,
    ) -> _Reply:
        """Do the request and stream the body within the total deadline."""
        request = httpx.Request(
            "GET",
            url,
            headers=self._base_headers + extra_headers if extra_headers else self._base_headers,
            extensions=self._extensions,
        )
        pool: _Pool | None = None
        if self._injected is not None:
            transport = self._injected
        else:
            await self._sweep()
            pool = self._pool_for(url)
            pool.in_flight += 1
            transport = pool.transport
        response: httpx.Response | None = None
        got_headers = False
        try:
            async with asyncio.timeout(self.settings.fetch_timeout_s):
                response = await transport.handle_async_request(request)
                got_headers = True
                status = response.status_code
                record.status = status
                headers = response.headers
                success = 200 <= status < 300
                # error pages are kept short (enough to spot a challenge wall), never fail as too-large
                truncate = keep_bytes is not None or not success
                cap = (keep_bytes or self.settings.max_body_bytes) if success else ERROR_BODY_BYTES
                length = headers.get("content-length")
                encoding = headers.get("content-encoding", "")
                if not truncate and length and length.isdigit() and not encoding and int(length) > cap:
                    raise FetchError(
                        f"body over {_size(cap)} (Content-Length {length})",
                        outcome="too-large",
                        status=status,
                    )
                # read even 304 and redirect bodies to their end: a response left unread costs its connection
                try:
                    if response.is_stream_consumed:
                        # httpx.MockTransport hands over responses already read (and decoded)
                        check_encoding(encoding)
                        body = _capped(response.content, cap, truncate)
                    else:
                        body = await read_body(response.aiter_raw(), encoding, cap, truncate=truncate)
                except BodyTooLarge:
                    raise FetchError(f"body over {_size(cap)}", outcome="too-large", status=status) from None
        except TimeoutError:
            raise _Transient(
                "timeout", f"no complete response within {self.settings.fetch_timeout_s:g} s"
            ) from None
        except httpx.TimeoutException as exc:
            phase = "connect" if isinstance(exc, httpx.ConnectTimeout) else "read"
            raise _Transient("timeout", f"{phase} timeout") from None
        except AddressRefused as exc:
            raise RefusedError(str(exc), outcome="refused-address") from None
        except BadEncoding as exc:
            raise FetchError(str(exc), outcome="network-error", status=record.status) from None
        except httpx.TransportError as exc:
            detail = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__
            if not got_headers:
                # nothing came back: connection refused/reset or a stale keep-alive; worth another try
                raise _Transient("network-error", detail) from None
            raise FetchError(
                f"connection broke during the body: {detail}", outcome="network-error", status=record.status
            ) from None
        finally:
            if response is not None:
                await response.aclose()
            if pool is not None:
                pool.in_flight -= 1
                pool.last_used = time.monotonic()
        return _Reply(url=url, status=status, headers=headers, body=body, attempt=record)

    # ---- retries ----------------------------------------------------------------------------

    async def _with_retries(
        self,
        url: httpx.URL,
        extra_headers: list[tuple[str, str]],
        attempts: list[FetchAttempt],
        origin_url: str,
    ) -> _Reply:
        """Make attempts until one gives a final answer, backing off between them."""
        tries = max(1, self.settings.retry_attempts)
        waited_s = 0.0  # the in-call wait budget (max_retry_wait_s) is shared by all retries of a hop
        for number in range(1, tries + 1):
            try:
                reply = await self._attempt(url, extra_headers, attempts, origin_url)
            except _Transient as exc:
                wait = backoff_s(self.settings.retry_backoff_s, number, self._rng)
                if number == tries or waited_s + wait > self._max_retry_wait_s:
                    raise FetchError(
                        f"{exc.message} ({number} attempts)",
                        url=origin_url,
                        outcome=exc.outcome,
                        attempts=attempts,
                    ) from None
                waited_s += wait
                await asyncio.sleep(wait)
                continue
            status = reply.status
            if status not in RETRY_STATUSES or self._challenge(reply):
                return reply
            outcome = "rate-limited" if status == 429 else "http-5xx"
            reply.attempt.outcome = outcome
            reply.attempt.error = f"HTTP {status}"
            retry_after = parse_retry_after(reply.headers.get("retry-after"))
            if retry_after is not None:
                retry_after = min(retry_after, self.settings.retry_after_cap_s)
                wait = retry_after
            else:
                wait = backoff_s(self.settings.retry_backoff_s, number, self._rng)
            if number == tries or waited_s + wait > self._max_retry_wait_s:
                # the scheduler gets retry_after_s and backs the source off; we do not sleep for an hour
                why = f"Retry-After {retry_after:g} s" if retry_after is not None else f"{number} attempts"
                raise FetchError(
                    f"HTTP {status} ({why})",
                    url=origin_url,
                    outcome=outcome,
                    status=status,
                    retry_after_s=retry_after,
                    attempts=attempts,
                )
            waited_s += wait
            await asyncio.sleep(wait)
        raise AssertionError("unreachable")

    def _challenge(self, reply: _Reply) -> str | None:
        """Name the challenge wall an HTML reply is, or None."""
        if not reply.body and "cf-mitigated" not in reply.headers:
            return None
        ctype = reply.headers.get("content-type", "")
        if media_type(ctype) not in HTML_TYPES and "cf-mitigated" not in reply.headers:
            return None
        head = reply.body[: 32 * 1024].decode("utf-8", errors="replace")
        return challenge_reason(head, reply.headers.get("cf-mitigated"), reply.url.host)

    # ---- robots.txt -------------------------------------------------------------------------

    async def _robots_rules(
        self, url: httpx.URL, attempts: list[FetchAttempt], origin_url: str
    ) -> RobotsRules:
        """Return the robots.txt rules for the URL's origin, fetching them once per expiry."""
        port = url.port or _default_port(url)
        origin = f"{url.scheme}://{url.host}:{port}"
        rules = self._robots.fresh(origin)
        if rules is not None:
            return rules
        async with self._robots.lock(origin):
            rules = self._robots.fresh(origin)
            if rules is None:
                rules = await self._load_robots(url, attempts, origin_url)
                self._robots.store(origin, rules)
                if rules.crawl_delay_s:
                    self._gates.set_crawl_delay(f"{url.host}:{port}", rules.crawl_delay_s)
        return rules

    async def _load_robots(
        self, url: httpx.URL, attempts: list[FetchAttempt], origin_url: str
    ) -> RobotsRules:
        """Fetch and parse robots.txt (following a few redirects); 4xx means allowed, 5xx try later."""
        ttl = self.settings.robots_cache_s
        target = url.copy_with(path="/robots.txt", query=None, fragment=None)
        robots_attempts: list[FetchAttempt] = []
        for _ in range(ROBOTS_MAX_REDIRECTS + 1):
            try:
                reply = await self._attempt(
                    target, [], robots_attempts, origin_url, keep_bytes=ROBOTS_MAX_BYTES
                )
            except _Transient as exc:
                return _unavailable(exc.outcome, None, exc.message, robots_attempts, attempts)
            except RefusedError:
                raise
            except FetchError as exc:
                return _unavailable(exc.outcome, exc.status, exc.message, robots_attempts, attempts)
            status = reply.status
            if status in REDIRECT_STATUSES and reply.headers.get("location"):
                try:
                    target = self._check_url(
                        str(target.join(reply.headers["location"])), origin_url, attempts
                    )
                except RefusedError:
                    return RobotsRules(expires_at=time.monotonic() + ttl)
                reply.attempt.outcome = "redirected"
                continue
            if 200 <= status < 300:
                reply.attempt.outcome = "ok"
                text, _ = decode_body(reply.body, reply.headers.get("content-type", ""))
                return parse_rules(text, self._agent_token, ttl)
            if status == 429 or status >= 500:
                reply.attempt.outcome = "rate-limited" if status == 429 else "http-5xx"
                return _unavailable(
                    reply.attempt.outcome, status, f"HTTP {status}", robots_attempts, attempts
                )
            reply.attempt.outcome = "http-4xx"
            return RobotsRules(expires_at=time.monotonic() + ttl)
        return RobotsRules(expires_at=time.monotonic() + ttl)

    async def _check_robots(self, url: httpx.URL, attempts: list[FetchAttempt], origin_url: str) -> None:
        """Raise unless robots.txt lets us fetch the URL (or cannot be read now)."""
        rules = await self._robots_rules(url, attempts, origin_url)
        if rules.error_outcome is not None:
            raise FetchError(
                f"robots.txt unavailable, try later ({rules.error_detail})",
                url=origin_url,
                outcome=rules.error_outcome,
                status=rules.error_status,
                attempts=attempts,
            )
        if not rules.allows(str(url), self._agent_token):
            raise RefusedError(
                f"robots.txt disallows {url.raw_path.decode('ascii', 'replace')}",
                url=origin_url,
                outcome="blocked-by-robots",
                attempts=attempts,
            )

    # ---- the fetch ---------------------------------------------------------------------------

    async def fetch(
        self, url: str, *, etag: str | None = None, last_modified: str | None = None
    ) -> FetchResult:
        """Fetch a URL; return ok/redirected/not-modified, raise FetchError naming the outcome otherwise."""
        started = time.perf_counter()
        attempts: list[FetchAttempt] = []
        current = first = self._check_url(url, url, attempts)
        conditional: list[tuple[str, str]] = []
        if etag and _header_safe(etag):
            conditional.append(("If-None-Match", etag))
        if last_modified and _header_safe(last_modified):
            conditional.append(("If-Modified-Since", last_modified))
        seen = {str(current)}
        while True:
            if self.settings.obey_robots:
                await self._check_robots(current, attempts, url)
            reply = await self._with_retries(current, conditional, attempts, url)
            status = reply.status
            if status not in REDIRECT_STATUSES:
                break
            location = reply.headers.get("location")
            if not location:
                reply.attempt.outcome = "bad-url"
                raise FetchError(
                    f"HTTP {status} without a Location",
                    url=url,
                    outcome="bad-url",
                    status=status,
                    attempts=attempts,
                )
            try:
                target = str(current.join(location))
            except (httpx.InvalidURL, ValueError):
                target = location
            reply.attempt.outcome = "redirected"
            reply.attempt.final_url = target
            nxt = self._check_url(target, url, attempts, via=f" (redirected from {current})")
            if str(nxt) in seen:
                raise FetchError(
                    f"redirect loop at {nxt}", url=url, outcome="bad-url", status=status, attempts=attempts
                )
            if len(seen) > self.settings.max_redirects:
                raise FetchError(
                    f"more than {self.settings.max_redirects} redirects",
                    url=url,
                    outcome="bad-url",
                    status=status,
                    attempts=attempts,
                )
            seen.add(str(nxt))
            current = nxt
        return self._result(url, first, reply, attempts, etag, last_modified, started)

    def _result(
        self,
        url: str,
        parsed: httpx.URL,
        reply: _Reply,
        attempts: list[FetchAttempt],
        etag: str | None,
        last_modified: str | None,
        started: float,
    ) -> FetchResult:
        """Turn the final reply into a FetchResult, or raise the FetchError it amounts to."""
        status, headers, body, record = reply.status, reply.headers, reply.body, reply.attempt
        final_url = str(reply.url)
        new_etag = headers.get("etag")
        new_modified = headers.get("last-modified")
        record.etag, record.last_modified, record.final_url = new_etag, new_modified, final_url

        def fail(outcome: str, message: str) -> FetchError:
            record.outcome = outcome
            record.error = message
            return FetchError(message, url=url, outcome=outcome, status=status, attempts=attempts)

        if status == 304:
            record.outcome = "not-modified"
            return FetchResult(
                url=url,
                final_url=final_url,
                status=status,
                outcome="not-modified",
                etag=new_etag or etag,
                last_modified=new_modified or last_modified,
                elapsed_ms=_ms_since(started),
                attempts=attempts,
            )
        if not 200 <= status < 300:
            challenge = self._challenge(reply)
            if challenge:
                raise fail("challenge-page", f"{challenge}, HTTP {status}")
        if status >= 500:
            raise fail("http-5xx", f"HTTP {status}")
        if status >= 300 or status < 200:
            raise fail("http-4xx" if status >= 400 else "bad-url", f"HTTP {status}")
        if not body:
            raise fail("not-html", f"empty body (HTTP {status})")
        ctype = headers.get("content-type", "")
        mtype = media_type(ctype)
        binary = binary_kind(body)
        if binary and (mtype in HTML_TYPES or mtype in FEED_TYPES):
            raise fail("not-html", f"body is {binary}, served as {mtype}")
        kind = classify(ctype, body)
        text, encoding = "", None
        if kind != "other":
            if kind == "feed" and declares_entities(body):
                raise fail("bad-feed", "feed declares XML entities (refused before parsing)")
            text, encoding = decode_body(body, ctype)
        if kind == "html" or "cf-mitigated" in headers:
            challenge = challenge_reason(text, headers.get("cf-mitigated"), reply.url.host)
            if challenge:
                raise fail("challenge-page", f"{challenge}, HTTP {status}")
        outcome = "redirected" if final_url != str(parsed) else "ok"
        record.outcome = "ok"
        return FetchResult(
            url=url,
            final_url=final_url,
            status=status,
            outcome=outcome,
            content=body,
            text=text,
            content_type=ctype,
            kind=kind,
            encoding=encoding,
            etag=new_etag,
            last_modified=new_modified,
            elapsed_ms=_ms_since(started),
            attempts=attempts,
        )


def _unavailable(
    outcome: str,
    status: int | None,
    detail: str,
    robots_attempts: list[FetchAttempt],
    attempts: list[FetchAttempt],
) -> RobotsRules:
    """Rules that say robots.txt could not be read; the attempts that found out join the fetch's."""
    attempts.extend(robots_attempts)
    return RobotsRules(
        expires_at=time.monotonic() + ROBOTS_RETRY_S,
        error_outcome=outcome,
        error_status=status,
        error_detail=f"robots.txt: {detail}",
    )


def _host_ip(raw: str) -> IPAddress | None:
    """Return the IP a URL's host spells, read leniently (for URLs httpx will not parse)."""
    try:
        host = urllib.parse.urlsplit(raw).hostname
    except ValueError:
        return None
    return parse_ip_host(host) if host else None


def _capped(body: bytes, cap: int, truncate: bool) -> bytes:
    """Apply the body cap to a body read in full elsewhere."""
    if len(body) <= cap:
        return body
    if truncate:
        return body[:cap]
    raise BodyTooLarge()


def _header_safe(value: str) -> bool:
    """True if a stored validator can be sent back as a header (printable ASCII, no line breaks)."""
    return value.isascii() and value.isprintable()


def _default_port(url: httpx.URL) -> int:
    """Return the default port of the URL's scheme."""
    return 443 if url.scheme == "https" else 80


def _ms_since(started: float) -> float:
    """Milliseconds since a perf_counter reading."""
    return round((time.perf_counter() - started) * 1000.0, 3)
