"""A wire story reprinted word for word on a second URL: one stored article, reachable through both URLs."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import LocalHTTPServer

from integration.conftest import Cli, article_page

HTML = {"Content-Type": "text/html; charset=utf-8"}
# makes the body long enough to identify a copy (content.DUPLICATE_MIN_BODY_CHARS)
WIRE_TEXT = "Reporting by the wire service; the plant's output figures were confirmed by two suppliers."


@pytest.fixture
def site() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as srv:
        srv.routes["/news/1"] = (200, HTML, article_page(1, WIRE_TEXT))
        srv.routes["/partner/fab-1"] = (200, HTML, article_page(1, WIRE_TEXT))
        srv.routes["/news/2"] = (200, HTML, article_page(2, WIRE_TEXT))
        yield srv


def test_reprint_is_one_article_with_both_urls(cli: Cli, site: LocalHTTPServer, tmp_path: Path) -> None:
    cli.env["SCRAPER_ALLOW_PRIVATE_HOSTS"] += f",{site.host_port}"
    urls = [site.url("/news/1"), site.url("/partner/fab-1"), site.url("/news/2")]
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Wire",
        "items": [{"id": u, "url": u, "title": "Fab"} for u in urls],
    }
    site.routes["/feed.json"] = (200, {"Content-Type": "application/feed+json"}, json.dumps(feed).encode())
    sources = tmp_path / "config" / "sources.toml"
    sources.write_text(f'[[sources]]\nname = "wire"\nurl = "{site.url("/feed.json")}"\n')
    result = cli("run", "--once")
    assert result.returncode == 0, result.stderr

    shown = cli("show", site.url("/partner/fab-1"))
    assert shown.returncode == 0, shown.stderr
    record = json.loads(shown.stdout)
    assert sorted(s["url"] for s in record["seen_at"]) == sorted(urls[:2])
    exported = cli("export", "--format", "jsonl")
    assert exported.returncode == 0, exported.stderr
    records = [json.loads(line) for line in exported.stdout.splitlines()]
    assert sorted(len(r["seen_at"]) for r in records) == [1, 2]
    history = cli("history", site.url("/partner/fab-1"), "--json")
    assert history.returncode == 0, history.stderr
    assert [json.loads(line)["version"] for line in history.stdout.splitlines()] == [1]
