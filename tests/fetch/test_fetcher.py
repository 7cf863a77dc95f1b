"""Fetcher against a real server on 127.0.0.1: every case names its outcome and its attempts."""

from __future__ import annotations

import asyncio
import gzip
import ssl

import pytest
from servers import LocalHTTPServer, Reply, Request, file_chunks, gzip_bomb_file, self_signed_cert, zeros

from scraper.errors import FetchError, RefusedError
from scraper.fetch import Fetcher
from scraper.models import OUTCOMES, FetchResult

from .conftest import fetch_once, outcomes

HTML = {"Content-Type": "text/html; charset=utf-8"}
PAGE = b"<!doctype html><html><head><title>Chips</title></head><body><p>Fab \xe2\x80\x94 ok</p></body></html>"


def _ok(result: FetchResult | FetchError) -> FetchResult:
    assert isinstance(result, FetchResult), f"expected a result, got {result}"
    return result


def _err(result: FetchResult | FetchError, outcome: str) -> FetchError:
    assert isinstance(result, FetchError), f"expected {outcome}, got a result {result}"
    assert result.outcome == outcome, str(result)
    assert outcome in OUTCOMES
    return result


def test_plain_page_is_ok_html_with_our_user_agent(server, make_settings):
    server.routes["/a"] = (200, HTML, PAGE)
    result = _ok(fetch_once(make_settings(contact_url="https://example.org/contact"), server.url("/a")))
    assert result.outcome == "ok" and result.kind == "html" and result.status == 200
    assert result.text.endswith("Fab — ok</p></body></html>")
    assert result.content == PAGE
    assert outcomes(result) == [("ok", 200)]
    assert server.hits("/robots.txt") == 1  # answered 404: everything allowed
    sent = server.requests_for("/a")[0].headers
    assert "https://example.org/contact" in sent["user-agent"]
    assert "gzip" in sent["accept-encoding"]


def test_gzip_body_is_decoded(server, make_settings):
    server.routes["/gz"] = (200, {**HTML, "Content-Encoding": "gzip"}, gzip.compress(PAGE))
    result = _ok(fetch_once(make_settings(), server.url("/gz")))
    assert result.content == PAGE


def test_slow_headers_time_out_on_every_attempt(server, make_settings):
    server.routes["/slow"] = Reply(200, HTML, PAGE, header_delay_s=30)
    result = _err(
        fetch_once(make_settings(read_timeout_s=0.2, retry_attempts=2), server.url("/slow")), "timeout"
    )
    assert outcomes(result) == [("timeout", None), ("timeout", None)]
    assert "read timeout" in result.message


def test_drip_feed_is_cut_by_the_total_deadline(server, make_settings):
    # one byte every 50 ms never trips the read timeout; only the total deadline ends it
    server.routes["/drip"] = Reply(200, HTML, (b"x" for _ in range(100_000)), chunk_delay_s=0.05)
    settings = make_settings(read_timeout_s=2.0, fetch_timeout_s=0.4, retry_attempts=1)
    result = _err(fetch_once(settings, server.url("/drip")), "timeout")
    assert outcomes(result) == [("timeout", 200)]  # headers came, the body never finished
    assert "within 0.4 s" in str(result)


def test_announced_200_mb_body_is_refused_unread(server, make_settings):
    size = 200 * 1024 * 1024
    server.routes["/big"] = Reply(200, HTML, lambda: zeros(size), content_length=size)
    result = _err(fetch_once(make_settings(), server.url("/big")), "too-large")
    assert str(result) == f"fetch: too-large: body over 15 MiB (Content-Length {size}) ({server.url('/big')})"
    assert outcomes(result) == [("too-large", 200)]


def test_streamed_200_mb_body_stops_at_the_cap(server, make_settings):
    server.routes["/big"] = Reply(200, HTML, lambda: zeros(200 * 1024 * 1024))  # chunked, no length
    result = _err(fetch_once(make_settings(max_body_bytes=1024 * 1024), server.url("/big")), "too-large")
    assert str(result) == f"fetch: too-large: body over 1 MiB ({server.url('/big')})"
    assert outcomes(result) == [("too-large", 200)]


def test_gzip_bomb_stops_at_the_decoded_cap(server, make_settings):
    bomb = gzip_bomb_file()  # 1 GiB of zeros, about 1 MB on the wire
    server.routes["/bomb"] = Reply(200, {**HTML, "Content-Encoding": "gzip"}, file_chunks(bomb))
    result = _err(fetch_once(make_settings(), server.url("/bomb")), "too-large")
    assert str(result) == f"fetch: too-large: body over 15 MiB ({server.url('/bomb')})"
    assert outcomes(result) == [("too-large", 200)]


def test_redirect_is_followed_and_each_hop_is_an_attempt(server, make_settings):
    server.routes["/old"] = (301, {"Location": "/new"}, b"")
    server.routes["/new"] = (200, HTML, PAGE)
    result = _ok(fetch_once(make_settings(), server.url("/old")))
    assert result.outcome == "redirected" and result.final_url == server.url("/new")
    assert outcomes(result) == [("redirected", 301), ("ok", 200)]
    assert result.attempts[0].final_url == server.url("/new")


def test_redirect_loop_is_detected(server, make_settings):
    server.routes["/a"] = (302, {"Location": "/b"}, b"")
    server.routes["/b"] = (302, {"Location": "/a"}, b"")
    result = _err(fetch_once(make_settings(), server.url("/a")), "bad-url")
    assert "redirect loop" in result.message
    assert outcomes(result) == [("redirected", 302), ("redirected", 302)]


def test_redirect_chain_longer_than_the_limit_stops(server, make_settings):
    for i in range(10):
        server.routes[f"/r{i}"] = (307, {"Location": f"/r{i + 1}"}, b"")
    result = _err(fetch_once(make_settings(max_redirects=3), server.url("/r0")), "bad-url")
    assert "more than 3 redirects" in result.message
    assert server.hits("/r4") == 0


def test_redirect_to_another_local_port_is_refused(server, make_settings):
    with LocalHTTPServer({"/secret": (200, HTML, PAGE)}) as other:
        server.routes["/go"] = (302, {"Location": other.url("/secret")}, b"")
        server.routes["/go-by-name"] = (302, {"Location": f"http://localhost:{other.port}/secret"}, b"")
        settings = make_settings()  # allows only server.host_port
        result = _err(fetch_once(settings, server.url("/go")), "refused-address")
        assert isinstance(result, RefusedError)
        assert outcomes(result) == [("redirected", 302)]
        # by name the address is only known at connect time: refused there, before any byte is sent
        result = _err(fetch_once(settings, server.url("/go-by-name")), "refused-address")
        assert "127.0.0.1" in result.message or "::1" in result.message
        assert other.hits("/secret") == 0 and other.hits("/robots.txt") == 0


def test_redirect_to_file_url_is_refused(server, make_settings):
    server.routes["/f"] = (302, {"Location": "file:///etc/passwd"}, b"")
    result = _err(fetch_once(make_settings(), server.url("/f")), "bad-url")
    assert isinstance(result, RefusedError) and "'file'" in result.message


def test_non_http_urls_are_refused_before_any_request(make_settings):
    for url in ("file:///etc/passwd", "ftp://example.org/x", "gopher://x/"):
        result = _err(fetch_once(make_settings(), url), "bad-url")
        assert result.attempts == []


def test_private_address_spellings_are_refused_without_allow_list(server, make_settings):
    port = server.port
    settings = make_settings(allow_private_hosts=())
    for host in (
        "127.0.0.1",
        "2130706433",
        "0x7f000001",
        "0177.0.0.1",
        "127.1",
        "[::ffff:127.0.0.1]",
        "[::1]",
    ):
        result = _err(fetch_once(settings, f"http://{host}:{port}/"), "refused-address")
        assert isinstance(result, RefusedError)
    result = _err(fetch_once(settings, f"http://localhost:{port}/"), "refused-address")
    assert server.requests == []


def test_cidr_allow_list_lets_a_decimal_ip_through(server, make_settings):
    server.routes["/"] = (200, HTML, PAGE)
    result = _ok(
        fetch_once(make_settings(allow_private_hosts=("127.0.0.0/8",)), f"http://2130706433:{server.port}/")
    )
    assert result.kind == "html"


def test_429_with_long_retry_after_gives_up_at_once(server, make_settings):
    server.routes["/busy"] = (429, {"Retry-After": "7200"}, b"slow down")
    result = _err(fetch_once(make_settings(retry_after_cap_s=3600.0), server.url("/busy")), "rate-limited")
    assert result.retry_after_s == 3600.0  # capped
    assert result.status == 429
    assert outcomes(result) == [("rate-limited", 429)]


def test_429_with_short_retry_after_is_retried(server, make_settings):
    server.routes["/busy"] = [(429, {"Retry-After": "0"}, b""), (200, HTML, PAGE)]
    result = _ok(fetch_once(make_settings(), server.url("/busy")))
    assert outcomes(result) == [("rate-limited", 429), ("ok", 200)]


def test_retry_after_as_http_date_in_the_past_is_retried(server, make_settings):
    server.routes["/busy"] = [(503, {"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}, b""), (200, HTML, PAGE)]
    result = _ok(fetch_once(make_settings(), server.url("/busy")))
    assert outcomes(result) == [("http-5xx", 503), ("ok", 200)]


def test_503_is_retried_then_reported(server, make_settings):
    server.routes["/down"] = (503, {"Content-Type": "text/plain"}, b"down")
    result = _err(fetch_once(make_settings(retry_attempts=3), server.url("/down")), "http-5xx")
    assert result.status == 503 and result.retry_after_s is None
    assert outcomes(result) == [("http-5xx", 503)] * 3


def test_404_and_410_are_not_retried(server, make_settings):
    server.routes["/gone"] = (410, {}, b"")
    result = _err(fetch_once(make_settings(), server.url("/gone")), "http-4xx")
    assert result.status == 410 and outcomes(result) == [("http-4xx", 410)]
    result = _err(fetch_once(make_settings(), server.url("/missing")), "http-4xx")
    assert result.status == 404 and server.hits("/missing") == 1


def test_connect_error_is_retried_then_network_error(make_settings):
    with LocalHTTPServer() as gone:
        url = gone.url("/x")
        host_port = gone.host_port
    result = _err(
        fetch_once(make_settings(allow_private_hosts=(host_port,), obey_robots=False), url), "network-error"
    )
    assert outcomes(result) == [("network-error", None)] * 3


def test_cp1252_declared_as_utf8_decodes_right(server, make_settings):
    text = "<html><body><p>Caf\u00e9 \u201cnews\u201d \u2013 na\u00efve r\u00e9sum\u00e9</p></body></html>"
    server.routes["/w"] = (200, HTML, text.encode("cp1252"))
    result = _ok(fetch_once(make_settings(), server.url("/w")))
    assert result.text == text


def test_shift_jis_declared_only_in_meta_decodes_right(server, make_settings):
    text = (
        '<html><head><meta http-equiv="Content-Type" content="text/html; charset=Shift_JIS">'
        "<title>半導体ニュース</title></head><body><p>新しい工場が稼働を開始しました。</p></body></html>"
    )
    server.routes["/sj"] = (200, {"Content-Type": "text/html"}, text.encode("shift_jis"))
    result = _ok(fetch_once(make_settings(), server.url("/sj")))
    assert result.text == text and result.encoding == "cp932"


def test_pdf_served_as_html_is_not_html(server, make_settings):
    server.routes["/doc"] = (200, {"Content-Type": "text/html"}, b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj")
    result = _err(fetch_once(make_settings(), server.url("/doc")), "not-html")
    assert "a PDF" in result.message and outcomes(result) == [("not-html", 200)]


def test_pdf_served_as_pdf_is_kind_other(server, make_settings):
    server.routes["/doc.pdf"] = (200, {"Content-Type": "application/pdf"}, b"%PDF-1.7\n...")
    result = _ok(fetch_once(make_settings(), server.url("/doc.pdf")))
    assert result.kind == "other" and result.text == "" and result.content.startswith(b"%PDF")


def test_empty_200_is_not_html(server, make_settings):
    server.routes["/empty"] = (200, HTML, b"")
    result = _err(fetch_once(make_settings(), server.url("/empty")), "not-html")
    assert "empty body" in result.message and outcomes(result) == [("not-html", 200)]


def test_connection_reset_mid_body_is_network_error(server, make_settings):
    server.routes["/cut"] = Reply(
        200, HTML, lambda: iter([PAGE[:40], PAGE[40:]]), content_length=len(PAGE) * 3, reset_after_bytes=50
    )
    result = _err(fetch_once(make_settings(), server.url("/cut")), "network-error")
    assert "during the body" in result.message
    assert outcomes(result) == [("network-error", 200)]


def test_robots_disallow_blocks_and_is_fetched_once(server, make_settings):
    server.routes["/robots.txt"] = (
        200,
        {"Content-Type": "text/plain"},
        b"User-agent: *\nDisallow: /private/\n",
    )
    server.routes["/private/x"] = (200, HTML, PAGE)
    server.routes["/public"] = (200, HTML, PAGE)

    async def go():
        async with Fetcher(make_settings()) as fetcher:
            with_error = None
            try:
                await fetcher.fetch(server.url("/private/x"))
            except FetchError as exc:
                with_error = exc
            ok = await fetcher.fetch(server.url("/public"))
            return with_error, ok

    blocked, ok = asyncio.run(go())
    _err(blocked, "blocked-by-robots")
    assert isinstance(blocked, RefusedError)
    assert ok.outcome == "ok"
    assert server.hits("/private/x") == 0 and server.hits("/robots.txt") == 1


def test_robots_5xx_means_try_later(server, make_settings):
    server.routes["/robots.txt"] = (503, {}, b"")
    server.routes["/a"] = (200, HTML, PAGE)
    result = _err(fetch_once(make_settings(), server.url("/a")), "http-5xx")
    assert "robots.txt unavailable, try later" in str(result)
    assert server.hits("/a") == 0
    assert [a.url for a in result.attempts] == [server.url("/robots.txt")]


def test_crawl_delay_widens_the_host_gap(server, make_settings):
    server.routes["/robots.txt"] = (200, {}, b"User-agent: *\nCrawl-delay: 7\n")
    server.routes["/a"] = (200, HTML, PAGE)

    async def go():
        async with Fetcher(make_settings()) as fetcher:
            await fetcher.fetch(server.url("/a"))
            return fetcher._gates.get(server.host_port).delay_s

    assert asyncio.run(go()) == 7.0


def test_robots_off_skips_robots_txt(server, make_settings):
    server.routes["/a"] = (200, HTML, PAGE)
    _ok(fetch_once(make_settings(obey_robots=False), server.url("/a")))
    assert server.hits("/robots.txt") == 0


def _conditional(request: Request) -> Reply:
    if request.headers.get("if-none-match") == '"v1"':
        return Reply(304, {"ETag": '"v1"'})
    if request.headers.get("if-modified-since") == "Tue, 01 Jul 2025 10:00:00 GMT":
        return Reply(304, {})  # some servers drop the validators on 304
    return Reply(200, {**HTML, "ETag": '"v1"', "Last-Modified": "Tue, 01 Jul 2025 10:00:00 GMT"}, PAGE)


def test_etag_round_trip_gives_not_modified(server, make_settings):
    server.routes["/c"] = _conditional
    first = _ok(fetch_once(make_settings(), server.url("/c")))
    assert first.etag == '"v1"' and first.last_modified == "Tue, 01 Jul 2025 10:00:00 GMT"
    second = _ok(fetch_once(make_settings(), server.url("/c"), etag=first.etag))
    assert (
        second.outcome == "not-modified"
        and second.status == 304
        and second.content == b""
        and second.text == ""
    )
    assert second.etag == '"v1"'
    assert outcomes(second) == [("not-modified", 304)]
    assert server.requests_for("/c")[1].headers["if-none-match"] == '"v1"'


def test_304_without_validators_keeps_the_old_ones(server, make_settings):
    server.routes["/c"] = _conditional
    result = _ok(
        fetch_once(
            make_settings(), server.url("/c"), etag='"old"', last_modified="Tue, 01 Jul 2025 10:00:00 GMT"
        )
    )
    assert result.outcome == "not-modified"
    assert result.etag == '"old"' and result.last_modified == "Tue, 01 Jul 2025 10:00:00 GMT"


def test_feed_is_kind_feed(server, make_settings):
    rss = (
        b'<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>t</title></channel></rss>'
    )
    server.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, rss)
    result = _ok(fetch_once(make_settings(), server.url("/feed")))
    assert result.kind == "feed" and result.text.startswith("<?xml")


def test_feed_declaring_entities_is_refused(server, make_settings):
    bomb = (
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<rss><channel><title>&lol2;</title></channel></rss>"
    )
    server.routes["/feed"] = (200, {"Content-Type": "application/rss+xml"}, bomb)
    result = _err(fetch_once(make_settings(), server.url("/feed")), "bad-feed")
    assert "entities" in result.message


def test_cloudflare_challenge_is_named(server, make_settings):
    page = b"<!DOCTYPE html><html><head><title>Just a moment...</title></head><body>...</body></html>"
    server.routes["/cf"] = (403, {"Content-Type": "text/html", "cf-mitigated": "challenge"}, page)
    server.routes["/cf200"] = (200, HTML, page)
    result = _err(fetch_once(make_settings(), server.url("/cf")), "challenge-page")
    assert result.status == 403 and outcomes(result) == [("challenge-page", 403)]
    _err(fetch_once(make_settings(), server.url("/cf200")), "challenge-page")


def test_consent_wall_is_named(server, make_settings):
    page = (
        b"<html><head><title>Before you continue</title></head><body>"
        b'<form action="https://consent.google.com/save" method="POST"></form></body></html>'
    )
    server.routes["/consent"] = (200, HTML, page)
    result = _err(fetch_once(make_settings(), server.url("/consent")), "challenge-page")
    assert "consent wall" in result.message


def test_host_concurrency_limit_holds(server, make_settings):
    server.routes["/slow"] = Reply(200, HTML, PAGE, header_delay_s=0.05)

    async def go():
        async with Fetcher(make_settings(host_concurrency=2, obey_robots=False)) as fetcher:
            return await asyncio.gather(*(fetcher.fetch(server.url("/slow")) for _ in range(8)))

    results = asyncio.run(go())
    assert all(r.outcome == "ok" for r in results)
    assert 1 <= server.max_in_flight <= 2


def test_keep_alive_reuses_connections(server, make_settings):
    server.routes["/a"] = (200, HTML, PAGE)

    async def go():
        async with Fetcher(make_settings(obey_robots=False, host_concurrency=1)) as fetcher:
            for _ in range(5):
                await fetcher.fetch(server.url("/a"))

    asyncio.run(go())
    assert server.hits("/a") == 5 and server.connections == 1


async def _fetch_with_context(settings, ctx, url):
    async with Fetcher(settings, ssl_context=ctx) as fetcher:
        try:
            return await fetcher.fetch(url)
        except FetchError as exc:
            return exc


def test_https_by_name_keeps_sni_and_verification_while_pinning_the_address(tmp_path, make_settings):
    made = self_signed_cert(tmp_path)
    if made is None:
        pytest.skip("openssl CLI not installed")
    cert, key = made
    server_ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    server_ctx.load_cert_chain(cert, key)
    with LocalHTTPServer({"/a": (200, HTML, PAGE)}, ssl_context=server_ctx) as tls:
        url = f"https://localhost:{tls.port}/a"
        settings = make_settings(allow_private_hosts=(f"localhost:{tls.port}",), retry_attempts=1)
        trusting = ssl.create_default_context(cafile=str(cert))
        result = _ok(asyncio.run(_fetch_with_context(settings, trusting, url)))
        assert result.text.endswith("</html>")
        assert tls.requests_for("/a")[0].headers["host"] == f"localhost:{tls.port}"
        # trusting only another name's certificate: verification must fail, never pass silently
        other_cert, _ = self_signed_cert(tmp_path, "other.test") or (None, None)
        strangers = ssl.create_default_context(cafile=str(other_cert))
        result = _err(asyncio.run(_fetch_with_context(settings, strangers, url)), "network-error")
        assert "certificate" in result.message.lower()


def test_retry_after_beyond_the_in_call_budget_goes_to_the_scheduler(server, make_settings):
    server.routes["/busy"] = (503, {"Retry-After": "2"}, b"")

    async def go():
        async with Fetcher(make_settings(), max_retry_wait_s=1.0) as fetcher:
            try:
                return await fetcher.fetch(server.url("/busy"))
            except FetchError as exc:
                return exc

    result = _err(asyncio.run(go()), "http-5xx")
    assert result.retry_after_s == 2.0 and outcomes(result) == [("http-5xx", 503)]
    assert "Retry-After 2 s" in result.message


def test_unsendable_validators_are_dropped(server, make_settings):
    server.routes["/c"] = _conditional
    result = _ok(fetch_once(make_settings(), server.url("/c"), etag='"v1"\r\nX-Injected: 1'))
    assert result.outcome == "ok"
    assert "x-injected" not in server.requests_for("/c")[0].headers


def test_huge_robots_txt_is_read_up_to_its_limit(server, make_settings):
    robots = b"User-agent: *\nDisallow: /x\n" + b"# padding\n" * 70_000  # about 700 KB
    server.routes["/robots.txt"] = (200, {"Content-Type": "text/plain"}, robots)
    server.routes["/x"] = (200, HTML, PAGE)
    _err(fetch_once(make_settings(), server.url("/x")), "blocked-by-robots")


def test_304s_and_redirects_keep_the_connection(server, make_settings):
    server.routes["/c"] = _conditional
    server.routes["/old"] = (301, {"Location": "/c", "Content-Type": "text/html"}, b"<html>moved</html>")

    async def go():
        async with Fetcher(make_settings(host_concurrency=1)) as fetcher:
            for _ in range(3):
                assert (await fetcher.fetch(server.url("/c"), etag='"v1"')).outcome == "not-modified"
                assert (await fetcher.fetch(server.url("/old"))).outcome == "redirected"

    asyncio.run(go())
    assert server.connections == 1  # robots.txt, 3 x 304 and 3 x (301 + 200) on one keep-alive connection


def test_idle_host_pools_are_dropped(server, make_settings, monkeypatch):
    import scraper.fetch.fetcher as fetcher_module

    monkeypatch.setattr(fetcher_module, "POOL_SWEEP_AT", 1)
    monkeypatch.setattr(fetcher_module, "KEEPALIVE_S", 0.0)
    with LocalHTTPServer({"/b": (200, HTML, PAGE)}) as other:
        server.routes["/a"] = (200, HTML, PAGE)
        settings = make_settings(allow_private_hosts=(server.host_port, other.host_port), obey_robots=False)

        async def go():
            async with Fetcher(settings) as fetcher:
                await fetcher.fetch(server.url("/a"))
                await fetcher.fetch(other.url("/b"))
                return sorted(fetcher._pools)

        assert asyncio.run(go()) == [f"http://127.0.0.1:{other.port}"]
