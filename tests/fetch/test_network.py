"""Connect-time SSRF guard: the address checked is the address connected to (no second lookup)."""

from __future__ import annotations

import asyncio
import socket

from .conftest import fetch_once, outcomes

HTML = {"Content-Type": "text/html"}


def _fake_dns(monkeypatch, answers: dict[str, list[str]], lookups: list[str]) -> None:
    """Make loop.getaddrinfo answer from a table (recording each lookup); IP literals never get here."""

    async def getaddrinfo(self, host, port, *args, **kwargs):
        lookups.append(host)
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, port)) for ip in answers[host]]

    monkeypatch.setattr(asyncio.BaseEventLoop, "getaddrinfo", getaddrinfo)


def test_name_is_resolved_once_and_the_checked_address_is_used(server, make_settings, monkeypatch):
    server.routes["/a"] = (200, HTML, b"<html><body>pinned</body></html>")
    lookups: list[str] = []
    _fake_dns(monkeypatch, {"news.rebind.test": ["127.0.0.1"]}, lookups)
    settings = make_settings(allow_private_hosts=(f"news.rebind.test:{server.port}",), obey_robots=False)
    result = fetch_once(settings, f"http://news.rebind.test:{server.port}/a")
    assert result.outcome == "ok" and "pinned" in result.text
    assert lookups == ["news.rebind.test"]  # one lookup, then a connection to the address it gave
    assert server.requests_for("/a")[0].headers["host"] == f"news.rebind.test:{server.port}"


def test_one_private_address_among_public_ones_is_refused(server, make_settings, monkeypatch):
    lookups: list[str] = []
    _fake_dns(monkeypatch, {"mixed.test": ["93.184.216.34", "127.0.0.1"]}, lookups)
    result = fetch_once(
        make_settings(allow_private_hosts=(), obey_robots=False), f"http://mixed.test:{server.port}/"
    )
    assert result.outcome == "refused-address" and outcomes(result) == [("refused-address", None)]
    assert server.requests == []


def test_unresolvable_name_is_a_network_error(make_settings, monkeypatch):
    _fake_dns(monkeypatch, {}, [])
    result = fetch_once(make_settings(obey_robots=False, retry_attempts=2), "http://nowhere.test/")
    assert result.outcome == "network-error" and "cannot resolve nowhere.test" in result.message
    assert outcomes(result) == [("network-error", None)] * 2
