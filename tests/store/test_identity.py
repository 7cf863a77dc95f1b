"""URL normalisation and the canonical-vs-fetched identity rule."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scraper.store.identity import identity_url, normalize_url, registrable_domain


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("HTTPS://News.Example.COM:443/a/b?b=2&a=1#frag", "https://news.example.com/a/b?a=1&b=2"),
        ("http://example.com:80", "http://example.com/"),
        ("http://example.com:8080/x", "http://example.com:8080/x"),
        ("https://example.com/x?utm_source=rss&utm_medium=feed&id=7", "https://example.com/x?id=7"),
        (
            "https://example.com/x?fbclid=1&gclid=2&mc_cid=3&mc_eid=4&igshid=5&ref_src=6",
            "https://example.com/x",
        ),
        ("https://example.com/x?UTM_Campaign=a", "https://example.com/x"),
        ("https://example.com/caf%C3%A9", "https://example.com/caf%C3%A9"),
        ("https://example.com/café", "https://example.com/caf%C3%A9"),
        ("https://example.com/%7Euser", "https://example.com/~user"),
        ("https://example.com/a?q=", "https://example.com/a?q="),
        ("mailto:someone@example.com", "mailto:someone@example.com"),
    ],
)
def test_normalize_url(raw: str, expected: str) -> None:
    assert normalize_url(raw) == expected


@given(
    st.sampled_from(["http", "https", "HTTPS"]),
    st.sampled_from(["example.com", "News.Example.co.uk", "a.b.example.org"]),
    st.text(alphabet="abc/-_.~%20é", max_size=20),
    st.lists(
        st.tuples(st.sampled_from(["a", "b", "utm_x", "id", "fbclid"]), st.text("xyz12", max_size=3)),
        max_size=4,
    ),
)
def test_normalize_is_idempotent(scheme: str, host: str, path: str, query: list[tuple[str, str]]) -> None:
    q = "&".join(f"{k}={v}" for k, v in query)
    url = f"{scheme}://{host}/{path}?{q}#frag"
    once = normalize_url(url)
    assert normalize_url(once) == once
    assert "utm_" not in once and "fbclid" not in once and "#" not in once


def test_query_order_does_not_matter() -> None:
    assert normalize_url("https://e.com/p?a=1&b=2") == normalize_url("https://e.com/p?b=2&a=1&utm_id=9")


@pytest.mark.parametrize(
    ("url", "domain"),
    [
        ("https://www.bbc.co.uk/news", "bbc.co.uk"),
        ("https://news.example.com/", "example.com"),
        ("https://example.com/", "example.com"),
        ("https://127.0.0.1/", "127.0.0.1"),
        ("not a url", None),
    ],
)
def test_registrable_domain(url: str, domain: str | None) -> None:
    assert registrable_domain(url) == domain


def test_canonical_on_same_site_wins() -> None:
    got = identity_url("https://m.example.com/a?utm_source=x", "https://www.example.com/story/a")
    assert got == "https://www.example.com/story/a"


def test_canonical_on_other_site_is_ignored() -> None:
    # a syndicated copy pointing at the original publisher stays its own article
    got = identity_url("https://reprints.example.org/a", "https://original.example.com/a")
    assert got == "https://reprints.example.org/a"


def test_relative_or_missing_canonical_falls_back_to_fetched_url() -> None:
    assert identity_url("https://example.com/a#x", "/a") == "https://example.com/a"
    assert identity_url("https://example.com/a", None) == "https://example.com/a"
    assert identity_url(None, "https://example.com/c") == "https://example.com/c"
    assert identity_url(None, None) is None


def test_canonical_to_home_page_is_a_template_bug() -> None:
    got = identity_url("https://example.com/2025/07/story", "https://example.com/")
    assert got == "https://example.com/2025/07/story"
    assert identity_url("https://example.com/", "https://www.example.com/") == "https://www.example.com/"
