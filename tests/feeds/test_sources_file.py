"""sources.toml: load_sources for every kind and key, add_sources/remove_source keeping the file's text."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from scraper.config import Settings, load_sources
from scraper.errors import ConfigError
from scraper.models import Source
from scraper.sources_file import add_sources, remove_source

FIXTURE = Path(__file__).parent.parent / "fixtures" / "feeds" / "sources.toml"


@pytest.fixture()
def sources_path(tmp_path: Path) -> Path:
    path = tmp_path / "sources.toml"
    shutil.copy(FIXTURE, path)
    return path


def load(path: Path) -> list[Source]:
    return load_sources(Settings(sources_file=str(path)))


def comment_lines(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.lstrip().startswith("#")]


def test_load_sources_reads_every_kind_and_key(sources_path):
    chips, mining, grid = load(sources_path)
    assert chips == Source(
        name="chips-weekly",
        url="https://chips.example.com/feed/",
        tags=["chips", "foundry"],
        interval_s=3600.0,
    )
    assert mining.kind == "listing"
    assert mining.selector == "main article h2 a"
    assert mining.pattern == r"/news/\d{4}/"
    assert mining.interval_s == 1800.0
    assert mining.fallback == [("sitemap", "https://mining.example.org/news-sitemap.xml")]
    assert (grid.kind, grid.enabled, grid.interval_s) == ("sitemap", False, 43200.0)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        ('kind = "podcast"', "'kind' must be one of 'feed', 'page', 'sitemap', 'listing', got 'podcast'"),
        ('kind = "listing"\nselector = "a["', "'selector': invalid CSS selector 'a['"),
        ('selector = "a"', "'selector' is only for kind 'listing', not 'feed'"),
        ('kind = "listing"\npattern = "("', "'pattern' is not a valid regular expression"),
        ('kind = "page"\npattern = "x"', "'pattern' is for kinds 'listing' and 'sitemap', not 'page'"),
        ('fallback = {kind = "page", url = "https://x.example/"}', "'fallback' must be an array"),
        ('fallback = [{kind = "page"}]', "fallback #1: 'url' must be an http(s) URL, got None"),
        ('fallback = [{kind = "mail", url = "https://x.example/"}]', "fallback #1: 'kind' must be one of"),
        ('fallback = [{url = "https://x.example/", when = 3}]', "fallback #1: unknown key(s) when"),
        ('enabled = "no"', "'enabled' must be true or false, got 'no'"),
    ],
)
def test_load_sources_names_file_and_entry(tmp_path, entry, message):
    path = tmp_path / "sources.toml"
    path.write_text(
        f'[[sources]]\nname = "ok"\nurl = "https://ok.example/"\n\n[[sources]]\nname = "bad"\n'
        f'url = "https://bad.example/"\n{entry}\n'
    )
    with pytest.raises(ConfigError) as info:
        load(path)
    text = str(info.value)
    assert f"{path}: source #2 (bad)" in text
    assert message in text
    assert "\n" not in text


def test_add_sources_appends_and_keeps_comments(sources_path):
    before = sources_path.read_text()
    added = add_sources(
        sources_path,
        [
            Source(name="fab-watch", url="https://fabs.example.com/feed.json", tags=["fabs"]),
            Source(
                name="storage-listing",
                url="https://storage.example.com/news/",
                kind="listing",
                pattern=r"/news/\d+",
                interval_s=900,
                fallback=[("feed", "https://storage.example.com/feed.json")],
            ),
        ],
    )
    after = sources_path.read_text()
    assert after.startswith(before.rstrip("\n"))
    assert comment_lines(after) == comment_lines(before)
    assert [s.name for s in added] == ["fab-watch", "storage-listing"]
    assert added[1].interval_s == 900.0 and added[1].fallback == [
        ("feed", "https://storage.example.com/feed.json")
    ]
    assert [s.name for s in load(sources_path)] == [
        "chips-weekly",
        "mining-news",
        "grid-bulletin",
        "fab-watch",
        "storage-listing",
    ]
    assert '\n\n[[sources]]\nname = "fab-watch"' in after
    assert '\n\n[[sources]]\nname = "storage-listing"' in after


def test_add_sources_refuses_duplicates_and_leaves_the_file(sources_path):
    before = sources_path.read_bytes()
    with pytest.raises(
        ConfigError, match=r"sources\.toml: a source with the name 'chips-weekly' is already listed"
    ):
        add_sources(sources_path, [Source(name="chips-weekly", url="https://new.example/feed")])
    # the same URL up to case of the host and a trailing slash
    with pytest.raises(ConfigError, match=r"URL 'https://Chips\.Example\.com/feed' is already listed"):
        add_sources(sources_path, [Source(name="other", url="https://Chips.Example.com/feed")])
    with pytest.raises(ConfigError, match="name 'twice'"):
        add_sources(
            sources_path,
            [Source(name="twice", url="https://a.example/"), Source(name="twice", url="https://b.example/")],
        )
    assert sources_path.read_bytes() == before


def test_add_sources_skip_existing(sources_path):
    added = add_sources(
        sources_path,
        [
            Source(name="chips-weekly", url="https://x.example/"),
            Source(name="new", url="https://new.example/"),
        ],
        skip_existing=True,
    )
    assert [s.name for s in added] == ["new"]
    assert (
        add_sources(sources_path, [Source(name="new", url="https://new.example/")], skip_existing=True) == []
    )


def test_add_sources_validates_before_writing(sources_path):
    before = sources_path.read_bytes()
    with pytest.raises(ConfigError) as info:
        add_sources(sources_path, [Source(name="bad", url="ftp://files.example/")])
    assert str(info.value).startswith(
        f"config: {sources_path}: source #4 (bad): 'url' must be an http(s) URL"
    )
    assert sources_path.read_bytes() == before
    assert not [p for p in sources_path.parent.iterdir() if p.name.endswith(".tmp")]


def test_add_sources_creates_a_missing_file(tmp_path):
    path = tmp_path / "new" / "sources.toml"
    add_sources(path, [Source(name="a", url="https://a.example/feed", tags=["x"])])
    assert load(path) == [Source(name="a", url="https://a.example/feed", tags=["x"])]


def test_remove_source_keeps_everything_else(sources_path):
    before = sources_path.read_text()
    remove_source(sources_path, "mining-news")
    after = sources_path.read_text()
    assert [s.name for s in load(sources_path)] == ["chips-weekly", "grid-bulletin"]
    # the comment introducing the removed table stays: comments are never lost
    assert comment_lines(after) == comment_lines(before)
    assert "selector" not in after and "fallback" not in after
    assert 'name = "chips-weekly"   # the main feed' in after
    assert "\n\n\n" not in after


def test_remove_first_and_last(sources_path):
    remove_source(sources_path, "chips-weekly")
    remove_source(sources_path, "grid-bulletin")
    assert [s.name for s in load(sources_path)] == ["mining-news"]
    assert "# energy: a news sitemap, fetched twice a day" in sources_path.read_text()


def test_remove_unknown_source(sources_path):
    with pytest.raises(
        ConfigError, match=r"unknown source 'nope' \(known: chips-weekly, mining-news, grid-bulletin\)"
    ):
        remove_source(sources_path, "nope")


def test_crlf_file_stays_crlf(sources_path):
    sources_path.write_bytes(FIXTURE.read_bytes().replace(b"\n", b"\r\n"))
    add_sources(sources_path, [Source(name="crlf", url="https://crlf.example/")])
    remove_source(sources_path, "chips-weekly")
    data = sources_path.read_bytes()
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert [s.name for s in load(sources_path)] == ["mining-news", "grid-bulletin", "crlf"]


def test_syntax_error_names_the_file(tmp_path):
    path = tmp_path / "sources.toml"
    path.write_text("[[sources]\nname = 1\n")
    with pytest.raises(ConfigError, match=f"{path}: TOML syntax error"):
        add_sources(path, [Source(name="a", url="https://a.example/")])
    with pytest.raises(ConfigError, match="file not found"):
        remove_source(tmp_path / "missing.toml", "a")
