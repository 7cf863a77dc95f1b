"""Connection layer: resolve, check and pin addresses at connect time; one httpcore pool per host:port."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import AsyncIterable, AsyncIterator, Iterable, Iterator
from typing import Any

import httpcore
import httpx

from scraper.fetch.address import AllowList, IPAddress, parse_ip_host, refusal

# StreamReader pauses the socket past twice this much unread data: back-pressure on a fast sender
STREAM_LIMIT_BYTES = 256 * 1024


class AddressRefused(Exception):
    """A connection refused by the SSRF guard; carries the reason."""


class AsyncioStream(httpcore.AsyncNetworkStream):
    """An httpcore stream straight on asyncio streams: no anyio cancel scope or sniffio lookup per read."""

    __slots__ = ("_reader", "_writer")

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self._reader = reader
        self._writer = writer

    async def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        """Read up to max_bytes (b"" at EOF) within timeout."""
        try:
            async with asyncio.timeout(timeout):
                return await self._reader.read(max_bytes)
        except TimeoutError:
            raise httpcore.ReadTimeout("read timeout") from None
        except OSError as exc:
            raise httpcore.ReadError(str(exc) or type(exc).__name__) from exc

    async def write(self, buffer: bytes, timeout: float | None = None) -> None:
        """Send buffer within timeout."""
        if not buffer:
            return
        try:
            async with asyncio.timeout(timeout):
                self._writer.write(buffer)
                await self._writer.drain()
        except TimeoutError:
            raise httpcore.WriteTimeout("write timeout") from None
        except OSError as exc:
            raise httpcore.WriteError(str(exc) or type(exc).__name__) from exc

    async def aclose(self) -> None:
        """Close the connection without waiting for the peer."""
        self._writer.close()

    async def start_tls(
        self, ssl_context: ssl.SSLContext, server_hostname: str | None = None, timeout: float | None = None
    ) -> httpcore.AsyncNetworkStream:
        """Upgrade to TLS; SNI and certificate checks use the host name, not the pinned address."""
        try:
            async with asyncio.timeout(timeout):
                await self._writer.start_tls(ssl_context, server_hostname=server_hostname)
        except TimeoutError:
            self._writer.close()
            raise httpcore.ConnectTimeout("TLS handshake timeout") from None
        except OSError as exc:  # ssl.SSLError included
            self._writer.close()
            raise httpcore.ConnectError(f"TLS: {exc}") from exc
        return self

    def get_extra_info(self, info: str) -> Any:
        """Answer httpcore's questions (ssl_object for ALPN, is_readable for stale keep-alive checks)."""
        if info == "is_readable":
            # an idle keep-alive connection with buffered bytes or EOF has been closed or is confused
            buffered = getattr(self._reader, "_buffer", None)
            return self._reader.at_eof() or self._writer.transport.is_closing() or bool(buffered)
        if info == "ssl_object":
            return self._writer.get_extra_info("ssl_object")
        if info == "client_addr":
            return self._writer.get_extra_info("sockname")
        if info == "server_addr":
            return self._writer.get_extra_info("peername")
        if info == "socket":
            return self._writer.get_extra_info("socket")
        return None


async def open_tcp(ip: str, port: int, timeout: float | None, local_address: str | None) -> AsyncioStream:
    """Open a TCP connection to an IP address (TCP_NODELAY is asyncio's default)."""
    try:
        async with asyncio.timeout(timeout):
            reader, writer = await asyncio.open_connection(
                ip, port, local_addr=(local_address, 0) if local_address else None, limit=STREAM_LIMIT_BYTES
            )
    except TimeoutError:
        raise httpcore.ConnectTimeout(f"connect timeout ({ip}:{port})") from None
    except OSError as exc:
        raise httpcore.ConnectError(f"{exc.strerror or exc} ({ip}:{port})") from exc
    return AsyncioStream(reader, writer)


class GuardedBackend(httpcore.AsyncNetworkBackend):
    """Resolve the host ourselves, check every address, then connect to a checked IP (no DNS rebinding)."""

    def __init__(self, allow: AllowList, *, guard: bool = True) -> None:
        self._allow = allow
        self._guard = guard

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
                return await open_tcp(str(ip), port, timeout, local_address)
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
        await asyncio.sleep(seconds)


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

    def __init__(
        self,
        backend: GuardedBackend,
        *,
        max_connections: int,
        keepalive_s: float,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=ssl_context,
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
