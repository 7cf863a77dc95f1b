"""The stored word count: the fast count_words agrees with counting token by token."""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from scraper.extract.article import count_words

_CJK_RE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff\uac00-\ud7af]")
_CHARS = "ab1_—-&.,!? \t\n\r\x0b\x0c\x1c\x85\xa0\u2000\u2028\u3000漢か한é²①"
_TEXT = st.text(st.sampled_from(_CHARS), max_size=40)


def _by_token(text: str) -> int:
    """The definition: CJK characters, plus whitespace-separated tokens holding a word character."""
    spaced = _CJK_RE.sub(" ", text)
    return len(_CJK_RE.findall(text)) + sum(1 for t in spaced.split() if re.search(r"\w", t))


@given(_TEXT)
def test_count_words_matches_the_token_by_token_definition(text):
    assert count_words(text) == _by_token(text)


def test_wordless_tokens_and_cjk_characters():
    assert count_words("Chips — and & more.  台积电 - x") == 7


def test_cjk_pretest_never_misses_a_cjk_character():
    # the bounds of each _CJK_RE range, and a lone surrogate, which only the regex can judge
    for char in "\u3040\u30ff\u4e00\u9fff\uac00\ud7af":
        assert count_words(f"é {char}x") == _by_token(f"é {char}x") == 3
    assert count_words("é \ud800 x") == _by_token("é \ud800 x") == 2
    assert count_words("Grüße — “so” ’tis ✓") == 3
