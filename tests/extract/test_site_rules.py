"""Site rules: the TOML loader, domain matching, and rules overriding the heuristics."""

from __future__ import annotations

from pathlib import Path

import pytest

from scraper.errors import ConfigError
from scraper.extract import SiteRules, extract_article, load_site_rules
from scraper.extract.site_rules import SiteRule

REPO_CONFIG = Path(__file__).resolve().parents[2] / "config" / "site_rules.toml"

PAGE = """<html><head><title>Wrong title from the head</title></head><body>
<div class="teaser-rail">
<p>Teaser paragraph that is long enough to look like prose to the heuristics, about other news.</p>
<p>Another teaser paragraph that is long enough to look like prose to the heuristics, about more news.</p>
<p>A third teaser paragraph, long enough to look like prose, which would win on length alone here.</p></div>
<div class="story-text"><h2 class="hed">Right title from the rule</h2>
<p>Short real paragraph one.</p><div class="promo">Buy our magazine today and save.</div>
<p>Short real paragraph two.</p></div>
<span class="when" data-x="1">2024-05-01T10:00:00+02:00</span>
</body></html>"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "site_rules.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repository_example_file_loads_and_adds_no_rules():
    rules = load_site_rules(REPO_CONFIG)
    assert rules.rules == {}
    text = REPO_CONFIG.read_text(encoding="utf-8")
    # every key of the example is documented, and the example itself is commented out
    for key in ("body", "title", "date", "drop"):
        assert f"# {key} = " in text


def test_missing_file_means_no_rules(tmp_path):
    assert load_site_rules(tmp_path / "absent.toml").rules == {}


def test_rules_load_and_match_subdomains(tmp_path):
    path = _write(
        tmp_path,
        '[sites."www.Example.com"]\nbody = "div.story-text"\ndrop = [".promo"]\n'
        '[sites."news.example.com"]\ntitle = "h1"\n',
    )
    rules = load_site_rules(path)
    assert set(rules.rules) == {"example.com", "news.example.com"}
    assert rules.for_url("https://example.com/a").body == "div.story-text"
    assert rules.for_url("https://m.example.com/a").body == "div.story-text"
    assert rules.for_url("https://news.example.com/a").title == "h1"
    assert rules.for_url("https://example.org/a") is None
    assert rules.for_url("not a url") is None
    assert rules.for_url(None) is None


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[sites."a.com"]\nbody = "div["\n', "sites.'a.com'.body: invalid CSS selector"),
        ('[sites."a.com"]\nbodi = "div"\n', "unknown key(s) bodi"),
        ('[sites."a.com"]\ndrop = ".x"\n', "drop: must be a list"),
        ('[sites."a.com"]\ntitle = 3\n', "title: must be a non-empty CSS selector"),
        ("[other]\nx = 1\n", "unknown key(s) other"),
        ('[sites."a.com"\n', "TOML syntax error"),
    ],
)
def test_bad_rule_files_name_the_file_and_key(tmp_path, text, message):
    path = _write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_site_rules(path)
    assert str(path) in str(caught.value)
    assert message in str(caught.value)
    assert str(caught.value).startswith("config: ")


def test_rule_overrides_heuristics():
    rules = SiteRules(
        {"example.com": SiteRule("example.com", body="div.story-text", title="h2.hed", drop=(".promo",))}
    )
    heuristic = extract_article(PAGE, "https://example.com/story")
    assert "Teaser paragraph" in heuristic.body
    article = extract_article(PAGE, "https://www.example.com/story", rules=rules)
    assert article.title == "Right title from the rule"
    assert article.provenance["title"] == "site-rule"
    assert article.provenance["body"] == "site-rule"
    assert "Short real paragraph one." in article.body and "Short real paragraph two." in article.body
    assert "Teaser paragraph" not in article.body
    assert "Buy our magazine" not in article.body
    # the title is a field, not a body paragraph
    assert "Right title from the rule" not in article.body


def test_rule_whose_body_selector_matches_nothing_falls_back_to_heuristics():
    rules = SiteRules({"example.com": SiteRule("example.com", body="div.does-not-exist")})
    article = extract_article(PAGE, "https://example.com/story", rules=rules)
    assert article.provenance.get("body") == "heuristic"
    assert "Teaser paragraph" in article.body


def test_rule_for_other_domain_is_ignored():
    rules = SiteRules({"other.com": SiteRule("other.com", body="div.story-text")})
    article = extract_article(PAGE, "https://example.com/story", rules=rules)
    assert article.provenance.get("body") == "heuristic"
