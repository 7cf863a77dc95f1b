"""A local news site (a feed and its article pages) and a way to run the real `scraper` command."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from servers import LocalHTTPServer

ARTICLE_COUNT = 3
CLI_TIMEOUT_S = 120  # a hung CLI fails the test instead of hanging the run


def article_page(i: int, extra: str = "") -> bytes:
    """A small but realistic article page with navigation, a byline, a date and a footer."""
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Fab expansion number {i} announced | Chip Wire</title>
<meta property="og:site_name" content="Chip Wire">
<meta property="article:published_time" content="2025-07-2{i}T09:54:00-04:00">
<meta name="author" content="Jane Doe">
</head><body>
<header><nav><a href="/">Home</a> <a href="/markets">Markets</a> <a href="/about">About</a></nav></header>
<main><article>
<h1>Fab expansion number {i} announced</h1>
<p class="byline">By Jane Doe</p>
<p>The chipmaker said on Tuesday that fab expansion number {i} will add capacity for advanced packaging,
with the first wafers expected to leave the line in the second half of next year.</p>
<p>Analysts said the move reflects strong demand for accelerators and mining hardware, and that
suppliers of lithography tools stand to benefit from the new orders. {extra}</p>
<p>The company did not disclose the cost of the project but said local hiring would begin soon.</p>
</article></main>
<footer><p>Copyright 2025 Chip Wire. All rights reserved.</p></footer>
</body></html>""".encode()


def feed_xml(srv: LocalHTTPServer) -> bytes:
    """An RSS 2.0 feed listing the site's articles."""
    items = "".join(
        f"<item><title>Fab expansion number {i} announced</title><link>{srv.url(f'/news/{i}')}</link>"
        f"<guid>chipwire-{i}</guid><pubDate>Tue, 2{i} Jul 2025 13:54:00 GMT</pubDate></item>"
        for i in range(ARTICLE_COUNT)
    )
    return (
        "<?xml version='1.0' encoding='utf-8'?><rss version='2.0'><channel><title>Chip Wire</title>"
        f"<link>{srv.url('/')}</link>{items}</channel></rss>"
    ).encode()


@dataclass
class NewsSite:
    """The running site and helpers to change it."""

    srv: LocalHTTPServer

    @property
    def feed_url(self) -> str:
        """URL of the site's RSS feed."""
        return self.srv.url("/feed.xml")

    def set_article(self, i: int, extra: str = "") -> None:
        """Serve article i, with `extra` text appended to its second paragraph."""
        self.srv.routes[f"/news/{i}"] = (
            200,
            {"Content-Type": "text/html; charset=utf-8"},
            article_page(i, extra),
        )


@pytest.fixture
def news_site() -> Iterator[NewsSite]:
    """A local HTTP server with /feed.xml and /news/0../news/2."""
    with LocalHTTPServer() as srv:
        site = NewsSite(srv)
        srv.routes["/feed.xml"] = (200, {"Content-Type": "application/rss+xml"}, feed_xml(srv))
        for i in range(ARTICLE_COUNT):
            site.set_article(i)
        yield site


@dataclass
class Cli:
    """Runs `python -m scraper` in a subprocess with a private config and database."""

    env: dict[str, str]
    cwd: Path

    def __call__(self, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "scraper", *args],
            env=self.env,
            cwd=self.cwd,
            input=stdin.decode() if stdin is not None else None,
            capture_output=True,
            text=True,
            timeout=CLI_TIMEOUT_S,
        )

    def popen(self, *args: str) -> subprocess.Popen[str]:
        """Start the command without waiting for it."""
        return subprocess.Popen(
            [sys.executable, "-m", "scraper", *args],
            env=self.env,
            cwd=self.cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )


def write_config(folder: Path, sources: list[dict[str, object]], **settings: object) -> Path:
    """Write settings.toml and sources.toml into folder; return the settings path."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for key, value in settings.items():
        if isinstance(value, str):
            lines.append(f'{key} = "{value}"')
        elif isinstance(value, bool):
            lines.append(f"{key} = {'true' if value else 'false'}")
        elif isinstance(value, list):
            lines.append(f"{key} = [{', '.join(repr(v).replace(chr(39), chr(34)) for v in value)}]")
        else:
            lines.append(f"{key} = {value}")
    (folder / "settings.toml").write_text("\n".join(lines) + "\n")
    body = []
    for src in sources:
        body.append("[[sources]]")
        for key, value in src.items():
            body.append(f'{key} = "{value}"' if isinstance(value, str) else f"{key} = {value}")
        body.append("")
    (folder / "sources.toml").write_text("\n".join(body))
    return folder / "settings.toml"


@pytest.fixture
def cli(tmp_path: Path, news_site: NewsSite) -> Cli:
    """A CLI whose database lives in tmp_path and which may reach the local site."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("SCRAPER_")}
    env.update(
        SCRAPER_DB_URL=f"sqlite:///{tmp_path / 'data' / 'scraper.db'}",
        SCRAPER_ALLOW_PRIVATE_HOSTS=news_site.srv.host_port,
        SCRAPER_HOST_DELAY_S="0",
        SCRAPER_RETRY_ATTEMPTS="1",
        SCRAPER_CONFIG=str(tmp_path / "config" / "settings.toml"),
        PYTHONPATH=str(Path(__file__).resolve().parents[2]),
    )
    write_config(tmp_path / "config", [{"name": "chipwire", "url": news_site.feed_url}])
    return Cli(env=env, cwd=tmp_path)
