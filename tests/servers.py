"""A real HTTP/1.1 server on 127.0.0.1 for tests: serves a dict of path -> reply and logs every request.

Usage (pytest puts tests/ on sys.path, so tests import it as `servers`; scripts put the repo root
on sys.path and import `tests.servers`)::

    from servers import LocalHTTPServer, Reply

    with LocalHTTPServer({"/": (200, {"Content-Type": "text/html"}, b"<html>hi</html>")}) as srv:
        url = srv.url("/")          # http://127.0.0.1:<port>/
        ...
        assert srv.hits("/") == 1    # srv.requests holds every Request (method, path, headers)

A route value is one of:
  * ``(status, headers, body)``: a plain reply (body bytes, or an iterable of byte chunks, streamed);
  * ``Reply(...)``: the same plus slow headers, drip-fed chunks, a reset mid-body, chunked encoding;
  * a list of those: one per request, the last one repeated;
  * a callable ``(Request) -> reply``: computed per request (conditional GET, echoing headers).
Paths not in the table get 404 (so /robots.txt is "allowed" unless a test serves one); routes may be
changed while the server runs. `ssl_context=` serves HTTPS (see `self_signed_cert`). Counters:
`connections` (TCP connections accepted) and `max_in_flight` (most requests answered at once).
The server runs its own asyncio loop in a thread, so it works from sync and async tests alike;
iterable bodies are pulled lazily, so a 200 MB body is never built in memory.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import ssl
import struct
import tempfile
import threading
import zlib
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

STREAM_CHUNK_BYTES = 64 * 1024
REASONS = {
    200: "OK", 204: "No Content", 301: "Moved Permanently", 302: "Found", 303: "See Other",
    304: "Not Modified", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
    403: "Forbidden", 404: "Not Found", 410: "Gone", 429: "Too Many Requests", 500: "Internal Server Error",
    502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout",
}  # fmt: skip


@dataclass
class Request:
    """One request as the server saw it."""

    method: str
    path: str
    headers: dict[str, str]  # names lower-cased
    port: int = 0


@dataclass
class Reply:
    """What to answer, with the misbehaviours tests need."""

    status: int = 200
    headers: Mapping[str, str] | Sequence[tuple[str, str]] = field(default_factory=dict)
    body: bytes | Iterable[bytes] | Callable[[], Iterable[bytes]] = b""
    header_delay_s: float = 0.0  # silence before the status line ("slow headers")
    chunk_delay_s: float = 0.0  # silence before each body chunk ("drip")
    reset_after_bytes: int | None = None  # send this many body bytes, then reset the connection
    content_length: int | None = None  # announce this length instead of the real one (streams)
    close: bool = False  # close the connection after the reply


Route = Reply | tuple[int, Any, Any] | list[Any] | Callable[[Request], Any]


def _as_reply(value: Any) -> Reply:
    """Turn a route value (tuple or Reply) into a Reply."""
    if isinstance(value, Reply):
        return value
    status, headers, body = value
    return Reply(status=status, headers=headers or {}, body=body)


def chunks(data: bytes, size: int = STREAM_CHUNK_BYTES) -> Iterator[bytes]:
    """Yield data in pieces (to serve bytes as a stream)."""
    for i in range(0, len(data), size):
        yield data[i : i + size]


def zeros(total: int, size: int = STREAM_CHUNK_BYTES) -> Iterator[bytes]:
    """Yield `total` zero bytes in chunks, never holding more than one chunk."""
    block = bytes(size)
    sent = 0
    while sent < total:
        n = min(size, total - sent)
        yield block if n == size else bytes(n)
        sent += n


def file_chunks(
    path: str | os.PathLike[str], size: int = STREAM_CHUNK_BYTES
) -> Callable[[], Iterator[bytes]]:
    """Return a body factory streaming a file (fresh on each request)."""

    def gen() -> Iterator[bytes]:
        with open(path, "rb") as fh:
            while block := fh.read(size):
                yield block

    return gen


def self_signed_cert(folder: str | os.PathLike[str], name: str = "localhost") -> tuple[Path, Path] | None:
    """Make a self-signed certificate for `name` and 127.0.0.1 with the openssl CLI; None without it."""
    import shutil
    import subprocess

    if shutil.which("openssl") is None:
        return None
    cert, key = Path(folder) / f"{name}.crt", Path(folder) / f"{name}.key"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", f"/CN={name}",
         "-addext", f"subjectAltName=DNS:{name},IP:127.0.0.1", "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True,
    )  # fmt: skip
    return cert, key


def gzip_bomb_file(decoded_bytes: int = 1 << 30) -> Path:
    """Return a gzip file of `decoded_bytes` zeros (about 1 MB per GiB), built by streaming, cached in tmp."""
    path = Path(tempfile.gettempdir()) / f"scraper-test-gzip-bomb-{decoded_bytes}.gz"
    if path.exists():
        return path
    tmp = path.with_suffix(f".{os.getpid()}.part")
    comp = zlib.compressobj(9, zlib.DEFLATED, zlib.MAX_WBITS | 16)
    block = bytes(1 << 20)
    with open(tmp, "wb") as fh:
        left = decoded_bytes
        while left > 0:
            n = min(len(block), left)
            fh.write(comp.compress(block if n == len(block) else bytes(n)))
            left -= n
        fh.write(comp.flush())
    os.replace(tmp, path)
    return path


class LocalHTTPServer:
    """An HTTP/1.1 keep-alive server on 127.0.0.1 serving a route table; see the module docstring."""

    def __init__(
        self,
        routes: Mapping[str, Route] | None = None,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        ssl_context: ssl.SSLContext | None = None,
    ):
        self.routes: dict[str, Route] = dict(routes or {})
        self.ssl_context = ssl_context  # serve HTTPS with this server-side context
        self.host = host
        self.port = port
        self.requests: list[Request] = []
        self.in_flight = 0  # requests being answered right now
        self.connections = 0  # TCP connections accepted since start
        self.max_in_flight = 0  # the most answered at once since start
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._server: asyncio.base_events.Server | None = None
        self._tasks: set[asyncio.Task[None]] = set()
        self._ready = threading.Event()
        self._error: BaseException | None = None

    # -- life ---------------------------------------------------------------------------------
    def start(self) -> LocalHTTPServer:
        """Start serving in a background thread; returns once the port is listening."""
        self._thread = threading.Thread(target=self._run, name=f"LocalHTTPServer:{self.port}", daemon=True)
        self._thread.start()
        self._ready.wait()
        if self._error is not None:
            raise self._error
        return self

    def stop(self) -> None:
        """Stop serving, cut open connections, and join the thread."""
        if self._loop is None or self._thread is None:
            return
        fut = asyncio.run_coroutine_threadsafe(self._shutdown(), self._loop)
        fut.result()
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join()
        self._loop = None

    def __enter__(self) -> LocalHTTPServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # -- helpers for tests ---------------------------------------------------------------------
    @property
    def host_port(self) -> str:
        """'127.0.0.1:<port>', the form Settings.allow_private_hosts takes."""
        return f"{self.host}:{self.port}"

    def url(self, path: str = "/") -> str:
        """Absolute URL of a path on this server."""
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{self.host}:{self.port}{path}"

    def hits(self, path: str) -> int:
        """How many requests asked for path (query string included in the match)."""
        with self._lock:
            return sum(1 for r in self.requests if r.path == path)

    def requests_for(self, path: str) -> list[Request]:
        """The logged requests for one path, in order."""
        with self._lock:
            return [r for r in self.requests if r.path == path]

    # -- serving -------------------------------------------------------------------------------
    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        self._loop = loop
        try:
            self._server = loop.run_until_complete(
                asyncio.start_server(
                    self._handle, self.host, self.port, reuse_address=True, ssl=self.ssl_context
                )
            )
            self.port = self._server.sockets[0].getsockname()[1]
        except BaseException as exc:  # reported to start()
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.close()

    async def _shutdown(self) -> None:
        if self._server is not None:
            self._server.close()
        for task in list(self._tasks):
            task.cancel()
        for task in list(self._tasks):
            with contextlib.suppress(BaseException):
                await task

    def _pick(self, request: Request) -> Reply:
        route = self.routes.get(request.path)
        if route is None:
            route = self.routes.get(request.path.split("?", 1)[0])
        if route is None:
            return Reply(404, {"Content-Type": "text/plain"}, b"not found")
        with self._lock:
            n = self._counts.get(request.path, 0)
            self._counts[request.path] = n + 1
        if isinstance(route, list):
            route = route[min(n, len(route) - 1)]
        if callable(route) and not isinstance(route, Reply):
            route = route(request)
        return _as_reply(route)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._tasks.add(task)
        with self._lock:
            self.connections += 1
        try:
            while True:
                request = await self._read_request(reader)
                if request is None:
                    return
                with self._lock:
                    self.requests.append(request)
                    self.in_flight += 1
                    self.max_in_flight = max(self.max_in_flight, self.in_flight)
                try:
                    reply = self._pick(request)
                    keep = await self._send(writer, request, reply)
                finally:
                    with self._lock:
                        self.in_flight -= 1
                if not keep:
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError, OSError):
            return
        finally:
            self._tasks.discard(task)
            with contextlib.suppress(Exception):
                writer.close()

    async def _read_request(self, reader: asyncio.StreamReader) -> Request | None:
        line = await reader.readline()
        if not line:
            return None
        parts = line.decode("latin-1").split()
        if len(parts) < 2:
            return None
        headers: dict[str, str] = {}
        while True:
            h = await reader.readline()
            if h in (b"\r\n", b"\n", b""):
                break
            name, _, value = h.decode("latin-1").partition(":")
            headers[name.strip().lower()] = value.strip()
        length = int(headers.get("content-length", "0") or 0)
        if length:
            await reader.readexactly(length)
        return Request(method=parts[0], path=parts[1], headers=headers, port=self.port)

    async def _send(self, writer: asyncio.StreamWriter, request: Request, reply: Reply) -> bool:
        if reply.header_delay_s:
            await asyncio.sleep(reply.header_delay_s)
        headers = list(reply.headers.items()) if isinstance(reply.headers, Mapping) else list(reply.headers)
        names = {k.lower() for k, _ in headers}
        body = reply.body() if callable(reply.body) else reply.body
        no_body = request.method == "HEAD" or reply.status in (204, 304) or 100 <= reply.status < 200
        chunked = False
        if isinstance(body, bytes | bytearray):
            if "content-length" not in names and reply.status not in (204, 304):
                headers.append(("Content-Length", str(len(body))))
            pieces: Iterable[bytes] = [bytes(body)] if body else []
        else:
            pieces = body
            if reply.content_length is not None:
                headers.append(("Content-Length", str(reply.content_length)))
            elif "content-length" not in names and not no_body:
                headers.append(("Transfer-Encoding", "chunked"))
                chunked = True
        if reply.close:
            headers.append(("Connection", "close"))
        head = f"HTTP/1.1 {reply.status} {REASONS.get(reply.status, 'Status')}\r\n"
        head += "".join(f"{k}: {v}\r\n" for k, v in headers) + "\r\n"
        writer.write(head.encode("latin-1"))
        await writer.drain()
        if no_body:
            return not reply.close
        sent = 0
        for piece in pieces:
            if reply.chunk_delay_s:
                await asyncio.sleep(reply.chunk_delay_s)
            if reply.reset_after_bytes is not None and sent + len(piece) > reply.reset_after_bytes:
                writer.write(piece[: reply.reset_after_bytes - sent])
                await writer.drain()
                self._reset(writer)
                return False
            writer.write(f"{len(piece):x}\r\n".encode() + piece + b"\r\n" if chunked else piece)
            sent += len(piece)
            await writer.drain()
        if reply.reset_after_bytes is not None:
            self._reset(writer)
            return False
        if chunked:
            writer.write(b"0\r\n\r\n")
            await writer.drain()
        return not reply.close

    @staticmethod
    def _reset(writer: asyncio.StreamWriter) -> None:
        """Abort with a TCP RST (SO_LINGER 0), the way a crashed server or middlebox cuts a response."""
        sock = writer.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        writer.transport.abort()
