"""Every form of source against a local site: discovery, JSON Feed, sitemaps, listings, OPML, fallbacks."""

from __future__ import annotations

import gzip
import json
import sqlite3
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from servers import LocalHTTPServer

from integration.conftest import Cli, article_page

HTML = {"Content-Type": "text/html; charset=utf-8"}


@pytest.fixture
def site() -> Iterator[LocalHTTPServer]:
    with LocalHTTPServer() as srv:
        for i in range(6):
            srv.routes[f"/news/{i}"] = (200, HTML, article_page(i))
        yield srv


@pytest.fixture
def cli_for(cli: Cli, site: LocalHTTPServer) -> Cli:
    cli.env["SCRAPER_ALLOW_PRIVATE_HOSTS"] += f",{site.host_port}"
    return cli


def _sources_file(tmp_path: Path) -> Path:
    return tmp_path / "config" / "sources.toml"


def _write_sources(tmp_path: Path, body: str) -> None:
    _sources_file(tmp_path).write_text("# hand-written comment that must survive\n" + body)


def _versions(tmp_path: Path) -> list[str]:
    with sqlite3.connect(tmp_path / "data" / "scraper.db") as conn:
        return sorted(r[0] for r in conn.execute("SELECT url FROM article_versions"))


def test_sources_add_discovers_the_feed_of_a_home_page(
    cli_for: Cli, site: LocalHTTPServer, tmp_path: Path
) -> None:
    site.routes["/"] = (
        200,
        HTML,
        b'<html><head><link rel="alternate" type="application/rss+xml" title="All news" href="/feed.xml">'
        b'<link rel="alternate" type="application/rss+xml" title="Comments" href="/comments/feed"></head>'
        b"<body><h1>Chip Wire</h1></body></html>",
    )
    site.routes["/feed.xml"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        b"<rss version='2.0'><channel/></rss>",
    )
    result = cli_for("sources", "add", site.url("/"), "--name", "chipwire-home", "--tag", "chips")
    assert result.returncode == 0, result.stderr
    text = _sources_file(tmp_path).read_text()
    assert 'name = "chipwire-home"' in text and site.url("/feed.xml") in text and "comments" not in text
    assert '"chips"' in text
    listed = [json.loads(line) for line in cli_for("sources", "list", "--json").stdout.splitlines()]
    assert {r["name"]: r["kind"] for r in listed}["chipwire-home"] == "feed"

    # no alternate link: the common paths are probed
    site.routes["/section"] = (200, HTML, b"<html><body><h1>Section</h1></body></html>")
    site.routes["/rss.xml"] = (
        200,
        {"Content-Type": "application/rss+xml"},
        b"<rss version='2.0'><channel><item><link>"
        + site.url("/news/1").encode()
        + b"</link></item></channel></rss>",
    )
    probed = cli_for("sources", "add", site.url("/section"), "--name", "probed")
    assert probed.returncode == 0, probed.stderr
    assert site.url("/rss.xml") in _sources_file(tmp_path).read_text()


def test_json_feed_source_stores_its_articles(cli_for: Cli, site: LocalHTTPServer, tmp_path: Path) -> None:
    feed = {
        "version": "https://jsonfeed.org/version/1.1",
        "title": "Chip Wire JSON",
        "items": [{"id": str(i), "url": site.url(f"/news/{i}"), "title": f"Item {i}"} for i in range(3)],
    }
    site.routes["/feed.json"] = (200, {"Content-Type": "application/feed+json"}, json.dumps(feed).encode())
    _write_sources(tmp_path, f'[[sources]]\nname = "json"\nurl = "{site.url("/feed.json")}"\n')
    result = cli_for("run", "--once")
    assert result.returncode == 0, result.stderr
    assert _versions(tmp_path) == [site.url(f"/news/{i}") for i in range(3)]


def test_sitemap_index_with_gzipped_news_sitemap_fetches_only_recent_urls(
    cli_for: Cli, site: LocalHTTPServer, tmp_path: Path
) -> None:
    now = datetime.now(UTC)
    recent = (now - timedelta(hours=3)).isoformat(timespec="seconds")
    old = (now - timedelta(days=30)).isoformat(timespec="seconds")
    urls = "".join(
        f"<url><loc>{site.url(f'/news/{i}')}</loc><news:news><news:publication>"
        "<news:name>Chip Wire</news:name><news:language>en</news:language></news:publication>"
        f"<news:publication_date>{recent if i < 3 else old}</news:publication_date>"
        f"<news:title>Item {i}</news:title></news:news></url>"
        for i in range(6)
    )
    news = (
        '<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        f'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">{urls}</urlset>'
    )
    site.routes["/news-sitemap.xml.gz"] = (
        200,
        {"Content-Type": "application/gzip"},
        gzip.compress(news.encode()),
    )
    index = (
        '<?xml version="1.0" encoding="UTF-8"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{site.url('/news-sitemap.xml.gz')}</loc><lastmod>{recent}</lastmod></sitemap>"
        f"<sitemap><loc>{site.url('/archive-2019.xml')}</loc><lastmod>2019-01-01</lastmod></sitemap>"
        "</sitemapindex>"
    )
    site.routes["/sitemap_index.xml"] = (200, {"Content-Type": "application/xml"}, index.encode())
    _write_sources(
        tmp_path, f'[[sources]]\nname = "map"\nkind = "sitemap"\nurl = "{site.url("/sitemap_index.xml")}"\n'
    )
    result = cli_for("run", "--once")
    assert result.returncode == 0, result.stderr
    assert _versions(tmp_path) == [site.url(f"/news/{i}") for i in range(3)]
    assert site.hits("/archive-2019.xml") == 0  # an old child sitemap costs nothing
    assert all(site.hits(f"/news/{i}") == 0 for i in range(3, 6))


def _listing_page(site: LocalHTTPServer, n: int) -> bytes:
    cards = "".join(
        f'<article class="card"><h2><a href="/news/{i}">Fab expansion number {i} announced</a></h2>'
        f"<p>Teaser {i}</p></article>"
        for i in range(n)
    )
    return (
        '<html><body><nav><a href="/">Home</a><a href="/about">About</a><a href="/tag/chips">Chips</a></nav>'
        f"<main>{cards}</main><footer><a href='/privacy'>Privacy</a></footer></body></html>"
    ).encode()


def test_listing_page_stores_new_links_and_skips_known_ones(
    cli_for: Cli, site: LocalHTTPServer, tmp_path: Path
) -> None:
    site.routes["/latest"] = (200, HTML, _listing_page(site, 3))
    _write_sources(tmp_path, f'[[sources]]\nname = "list"\nkind = "listing"\nurl = "{site.url("/latest")}"\n')
    assert cli_for("run", "--once").returncode == 0
    assert _versions(tmp_path) == [site.url(f"/news/{i}") for i in range(3)]
    assert site.hits("/about") == 0 and site.hits("/tag/chips") == 0

    site.routes["/latest"] = (200, HTML, _listing_page(site, 5))
    assert cli_for("run", "--once").returncode == 0
    assert _versions(tmp_path) == [site.url(f"/news/{i}") for i in range(5)]
    assert all(site.hits(f"/news/{i}") == 1 for i in range(5))  # known links are not fetched again


def test_fallback_chain_takes_over_when_the_feed_keeps_failing(
    cli_for: Cli, site: LocalHTTPServer, tmp_path: Path
) -> None:
    site.routes["/latest"] = (200, HTML, _listing_page(site, 2))
    _write_sources(
        tmp_path,
        f'[[sources]]\nname = "chain"\nurl = "{site.url("/gone.xml")}"\n'
        f'fallback = [{{ kind = "listing", url = "{site.url("/latest")}" }}]\n',
    )
    first = cli_for("run", "--once")
    assert first.returncode == 1 and "http-4xx" in first.stderr  # one failure: the primary is still trusted
    assert site.hits("/latest") == 0
    second = cli_for("run", "--once")
    assert second.returncode == 0, second.stderr
    assert _versions(tmp_path) == [site.url("/news/0"), site.url("/news/1")]


def test_opml_import_and_export_round_trip(cli_for: Cli, tmp_path: Path) -> None:
    fixtures = Path(__file__).resolve().parents[1] / "fixtures" / "feeds"
    _write_sources(tmp_path, "")
    for shape in ("opml-miniflux.opml", "opml-freshrss.opml", "opml-feedly.opml"):
        result = cli_for("sources", "import", str(fixtures / shape))
        assert result.returncode == 0, result.stderr
    text = _sources_file(tmp_path).read_text()
    assert text.startswith("# hand-written comment that must survive")
    before = [json.loads(line) for line in cli_for("sources", "list", "--json").stdout.splitlines()]
    feeds_before = {r["url"]: r["kind"] for r in before if r["kind"] == "feed"}
    assert len(feeds_before) >= 6
    exported = cli_for("sources", "export")
    assert exported.returncode == 0, exported.stderr
    out = tmp_path / "round.opml"
    out.write_text(exported.stdout)
    _write_sources(tmp_path, "")
    again = cli_for("sources", "import", str(out))
    assert again.returncode == 0, again.stderr
    listed = cli_for("sources", "list", "--json")
    urls_after = {json.loads(line)["url"] for line in listed.stdout.splitlines()}
    assert urls_after == set(feeds_before)  # every feed comes back; listings have no OPML form
