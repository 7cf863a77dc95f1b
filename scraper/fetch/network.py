"""Connection layer: resolve, check and pin addresses at connect time; one httpcore pool per host:port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator

import httpcore
import httpx

from scraper.fetch.address import AllowList, IPAddress, parse_ip_host, refusal


class AddressRefused(Exception):
    """A connection refused by the SSRF guard; carries the reason."""


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve the host ourselves, check every address, then connect to a checked IP (no DNS rebinding)."""

    def __init__(self, allow: AllowList, *, guard: bool = True) -> None:
        self._allow = allow
        self._guard = guard
        self._inner = httpcore.AnyIOBackend()

    async def _resolve(self, host: str, port: int) -> list[IPAddress]:
        """Return the addresses of host, an IP spelling read directly rather than through DNS."""
        literal = parse_ip_host(host)
        if literal is not None:
            return [literal]
        loop = asyncio.get_running_loop()
        try:
            infos = await loop.getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except OSError as exc:
            raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from exc
        found: list[IPAddress] = []
        for info in infos:
            ip = parse_ip_host(str(info[4][0]))
            if ip is not None and ip not in found:
                found.append(ip)
        if not found:
            raise httpcore.ConnectError(f"cannot resolve {host}: no address")
        return found

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,
        local_address: str | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Connect to the first reachable checked address of host; TLS SNI and Host stay the name."""
        addresses = await self._resolve(host, port)
        if self._guard:
            # every address is checked: a name with one private address among public ones is refused
            for ip in addresses:
                reason = refusal(host, port, ip, self._allow)
                if reason:
                    raise AddressRefused(reason)
        last: Exception | None = None
        for ip in addresses:
            try:
                return await self._inner.connect_tcp(
                    str(ip), port, timeout=timeout, local_address=local_address, socket_options=socket_options
                )
            except (httpcore.ConnectError, httpcore.ConnectTimeout) as exc:
                last = exc
        assert last is not None
        raise last

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,
        socket_options: Iterable[httpcore.SOCKET_OPTION] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        """Refuse unix sockets: the fetcher only speaks TCP."""
        raise AddressRefused(f"unix socket {path} refused")

    async def sleep(self, seconds: float) -> None:
        """Sleep on the running loop."""
        await self._inner.sleep(seconds)


# httpcore errors -> the httpx error of the same meaning, most specific first
_ERROR_MAP: tuple[tuple[type[Exception], type[httpx.TransportError]], ...] = (
    (httpcore.ConnectTimeout, httpx.ConnectTimeout),
    (httpcore.ReadTimeout, httpx.ReadTimeout),
    (httpcore.WriteTimeout, httpx.WriteTimeout),
    (httpcore.PoolTimeout, httpx.PoolTimeout),
    (httpcore.TimeoutException, httpx.TimeoutException),
    (httpcore.ConnectError, httpx.ConnectError),
    (httpcore.ReadError, httpx.ReadError),
    (httpcore.WriteError, httpx.WriteError),
    (httpcore.RemoteProtocolError, httpx.RemoteProtocolError),
    (httpcore.LocalProtocolError, httpx.LocalProtocolError),
    (httpcore.ProtocolError, httpx.ProtocolError),
    (httpcore.NetworkError, httpx.NetworkError),
    (httpcore.UnsupportedProtocol, httpx.UnsupportedProtocol),
)


@contextlib.contextmanager
def _mapped_errors() -> Iterator[None]:
    """Turn httpcore errors into httpx ones so the fetcher handles one family (also from test transports)."""
    try:
        yield
    except httpcore.TimeoutException as exc:
        raise _map(exc) from exc
    except httpcore.NetworkError as exc:
        raise _map(exc) from exc
    except (httpcore.ProtocolError, httpcore.UnsupportedProtocol) as exc:
        raise _map(exc) from exc


def _map(exc: Exception) -> httpx.TransportError:
    """Return the httpx error matching an httpcore one."""
    for source, target in _ERROR_MAP:
        if isinstance(exc, source):
            return target(str(exc) or type(exc).__name__)
    return httpx.TransportError(str(exc))


class _Stream(httpx.AsyncByteStream):
    """A response body from httpcore with its errors mapped."""

    def __init__(self, inner: AsyncIterable[bytes]) -> None:
        self._inner = inner

    async def __aiter__(self) -> AsyncIterator[bytes]:
        with _mapped_errors():
            async for part in self._inner:
                yield part

    async def aclose(self) -> None:
        closer = getattr(self._inner, "aclose", None)
        if closer is not None:
            await closer()


class HostTransport(httpx.AsyncBaseTransport):
    """An httpx transport over one keep-alive httpcore pool for a single host:port."""

    def __init__(self, backend: GuardedBackend, *, max_connections: int, keepalive_s: float) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=keepalive_s,
            http1=True,
            http2=False,
            network_backend=backend,
        )

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        """Send one request on the pool; the body is streamed by the caller."""
        url = request.url
        req = httpcore.Request(
            method=request.method,
            url=httpcore.URL(scheme=url.raw_scheme, host=url.raw_host, port=url.port, target=url.raw_path),
            headers=request.headers.raw,
            content=request.stream,
            extensions=request.extensions,
        )
        with _mapped_errors():
            resp = await self._pool.handle_async_request(req)
        assert isinstance(resp.stream, AsyncIterable)
        return httpx.Response(
            status_code=resp.status,
            headers=resp.headers,
            stream=_Stream(resp.stream),
            extensions=resp.extensions,
        )

    async def aclose(self) -> None:
        """Close every pooled connection."""
        await self._pool.aclose()
