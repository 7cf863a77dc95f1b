"""JSON-LD blocks of a page, parsed leniently and flattened into a list of objects."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

# A JSON-LD object nested deeper than this is page noise, not article metadata.
MAX_JSONLD_DEPTH = 8

# schema.org types whose headline, author and image describe the page's own article
ARTICLE_TYPES = frozenset({
    "Article", "NewsArticle", "BlogPosting", "ReportageNewsArticle", "AnalysisNewsArticle",
    "OpinionNewsArticle", "ReviewNewsArticle", "BackgroundNewsArticle", "TechArticle", "ScholarlyArticle",
    "Report", "LiveBlogPosting", "SocialMediaPosting", "DiscussionForumPosting", "PressRelease", "Review",
    "Recipe",
})  # fmt: skip
# for dates, looser containers still date the page (a Blog or HowTo's datePublished is the post's)
DATED_TYPES = ARTICLE_TYPES | {"AskPublicNewsArticle", "SatiricalArticle", "Posting", "HowTo", "Blog"}
_UNTYPED_JSONLD_RE = re.compile(r'\s*[\[{]\s*"@context"\s*:\s*"https?://schema\.org')
_TRAILING_COMMA_RE = re.compile(r",\s*([}\]])")
_WRAPPER_RE = re.compile(r"^\s*(?:<!--|//\s*<!\[CDATA\[|<!\[CDATA\[)|(?:-->|//\s*\]\]>|\]\]>)\s*$")
_WRAPPER_STARTS = ("<!--", "//", "<![CDATA[")
_WRAPPER_ENDS = ("-->", "]]>")


def _loads(text: str) -> Any:
    """Decode one script's JSON, forgiving CDATA wrappers, raw newlines and trailing commas."""
    text = text.strip()
    # the wrappers sit at the very start or end: a search through a long script costs more than the test
    if text.startswith(_WRAPPER_STARTS) or text.endswith(_WRAPPER_ENDS):
        text = _WRAPPER_RE.sub("", text)
    if not text:
        return None
    try:
        return json.loads(text, strict=False)
    except ValueError:
        pass
    try:
        return json.loads(_TRAILING_COMMA_RE.sub(r"\1", text), strict=False)
    except ValueError:
        pass
    try:
        # several objects glued together, or junk after the first one
        return json.JSONDecoder(strict=False).raw_decode(text)[0]
    except ValueError:
        return None


def _collect(value: Any, depth: int, found: list[dict[str, Any]]) -> None:
    """Append every object inside a decoded JSON-LD value to `found`, outer objects first."""
    # (appending in a plain recursion: a generator per nested value cost more than the walk itself)
    if depth > MAX_JSONLD_DEPTH:
        return
    if isinstance(value, list):
        for item in value:
            if isinstance(item, (dict, list)):
                _collect(item, depth + 1, found)
    elif isinstance(value, dict):
        found.append(value)
        for key, item in value.items():
            if isinstance(item, (dict, list)) and key != "@context":
                _collect(item, depth + 1, found)


def jsonld_objects(tree: LexborHTMLParser) -> list[dict[str, Any]]:
    """Return all JSON-LD objects of the page (including @graph members and nested ones)."""
    return jsonld_from_scripts(tree.css("script"))


def _is_jsonld_candidate(attrs: dict[str, str | None]) -> bool:
    """Match 'script[type="application/ld+json" i], script:not([type]):not([src])' on script attributes."""
    if "type" in attrs:
        kind = attrs["type"]
        return kind is not None and kind.lower() == "application/ld+json"
    return "src" not in attrs


def jsonld_from_scripts(scripts: Iterable[LexborNode]) -> list[dict[str, Any]]:
    """Return all JSON-LD objects held by the given <script> nodes, in their order."""
    return read_jsonld(scripts)[0]


def read_jsonld(scripts: Iterable[LexborNode]) -> tuple[list[dict[str, Any]], bool]:
    """Return the JSON-LD objects of the given <script>s, and whether a typed one mentions articleBody."""
    found: list[dict[str, Any]] = []
    article_body = False
    for node in scripts:
        attrs = node.attributes
        if not _is_jsonld_candidate(attrs):
            continue
        text = node.text(deep=True) or ""
        if "type" not in attrs:
            if not _UNTYPED_JSONLD_RE.match(text):
                # plain scripts are code, except the few sites that put JSON-LD in them untyped
                continue
        elif not article_body:
            article_body = "articleBody" in text
        data = _loads(text)
        if data is not None:
            _collect(data, 0, found)
    return found, article_body


def types_of(obj: dict[str, Any]) -> set[str]:
    """Return the bare @type names of a JSON-LD object (no schema.org prefix)."""
    raw = obj.get("@type")
    if raw is None:
        return set()  # (a quarter of the objects: nested {"@id": ...} references and plain holders)
    if isinstance(raw, str) and "/" not in raw and ":" not in raw:
        return {raw}  # (nearly every type is written bare: nothing to cut)
    names = raw if isinstance(raw, list) else [raw]
    return {n.rsplit("/", 1)[-1].rsplit(":", 1)[-1] for n in names if isinstance(n, str)}
