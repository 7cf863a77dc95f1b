"""Unicode-aware tokens for story matching: words, numbers, CJK character n-grams and key terms."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from typing import NamedTuple

SHINGLE_UNITS = 3  # words per body shingle; each CJK character counts as one unit
CJK_GRAM_CHARS = 2  # CJK runs become character bigrams for titles and key terms
CJK_KEY_MIN_COUNT = 2  # a CJK bigram is a key term only if the body repeats it
MIN_KEY_NUMBER = 10  # small integers ("3 plants") are too common to identify an event

# Words and numbers; numbers keep their separators so "1,200.5" stays one token.
_TOKEN_RE = re.compile(r"[^\W\d_]+\d[^\W_]*|\d+(?:[.,]\d+)*|[^\W\d_]+(?:'[^\W\d_]+)?|[^\W_]+")
_TOKEN_SPLIT_RE = re.compile(f"({_TOKEN_RE.pattern})")
_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)*")
_SENTENCE_END_RE = re.compile(r"[.!?。！？:;\"“”«»\n]")
_THOUSANDS_RE = re.compile(r"\d{1,3}(?:[.,]\d{3})+")
_HIRAGANA = range(0x3040, 0x30A0)
_KATAKANA_RUN_RE = re.compile("[\u30a1-\u30ff]+")
# CJK function characters that make bigrams which say nothing about the event.
_CJK_STOP_CHARS = frozenset("的了是和与及将对为也已并其这该在于从被到个日月年")

# Function words of the languages we see most; capitalised at a sentence start they are not names.
_STOPWORD_TEXT = """
    a an the and or but of in on at to for from by with as is are was were be been has have had
    it its this that these those he she they we you i his her their our not no will would can
    could may might said says say after before over under into about than then also more most
    new first up out amid while what who which when where why how all some any per year years
    der die das den dem des ein eine einer eines einem einen und oder aber von zu im in am an auf
    für mit als ist sind war hat haben wird werden nach bei aus um über vor nicht auch sich es er
    sie wir ihr sein seine dass neue neuen erste ersten jahr jahres laut
    le la les l un une des du de d et ou mais au aux en dans sur pour par avec est sont a ont
    sera qui que qu ce cette ces se son sa ses leur leurs pas plus selon après nouvelle nouveau
    premier première an ans année
    el los las lo una unos unas del al y o pero en por para con es son fue ha han será que se
    su sus este esta estos estas no más según tras nueva nuevo primer primera año años
"""
STOPWORDS = frozenset(_STOPWORD_TEXT.split())


class Token(NamedTuple):
    """One token of a text: its normalised form, kind (word, number, cjk) and raw spelling."""

    text: str
    kind: str
    raw: str
    sentence_start: bool


def normalise(text: str) -> str:
    """Return text in NFKC form (full-width digits and Latin become ASCII) with unified quotes."""
    return unicodedata.normalize("NFKC", text).replace("’", "'")


_CJK_CLASS = "\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\u31f0-\u31ff\U00020000-\U0002fa1f"
_CJK_RE = re.compile(f"[{_CJK_CLASS}]")
_CJK_RUNS_RE = re.compile(f"[{_CJK_CLASS}]+|[^{_CJK_CLASS}]+")


def is_cjk(ch: str) -> bool:
    """Tell whether a character is Han, Hiragana or Katakana (scripts written without spaces)."""
    return _CJK_RE.match(ch) is not None


def _number_key(raw: str) -> str:
    """Return one spelling for a number: thousands separators dropped, decimal comma as dot."""
    if _THOUSANDS_RE.fullmatch(raw):
        return raw.replace(",", "").replace(".", "")
    value = raw.replace(",", ".")
    if value.count(".") > 1:
        return value.replace(".", "")
    if "." in value:
        value = value.rstrip("0").rstrip(".")
    return value.lstrip("0") or "0"


def _split_cjk(raw: str) -> list[tuple[str, bool]]:
    """Split a token into runs of CJK and non-CJK characters, flagging the CJK runs."""
    if _CJK_RE.search(raw) is None:
        return [(raw, False)]
    return [(run, _CJK_RE.match(run) is not None) for run in _CJK_RUNS_RE.findall(raw)]


def _word_form(raw: str) -> str:
    """Casefold a word and drop elisions and possessives (l'usine -> usine, Bitmain's -> bitmain)."""
    word = raw.casefold()
    if "'" in word:
        head, _, tail = word.partition("'")
        word = tail if len(head) <= 2 else head
    return word


def _part_tokens(raw: str, start: bool) -> list[Token]:
    """The tokens of one match that mixes CJK and other characters (split into runs)."""
    tokens = []
    for part, cjk in _split_cjk(raw):
        if cjk:
            tokens.append(Token(part, "cjk", part, start))
        elif _NUMBER_RE.fullmatch(part):
            tokens.append(Token(_number_key(part), "number", part, start))
        else:
            tokens.append(Token(_word_form(part), "word", part, start))
        start = False
    return tokens


def tokenize(text: str) -> list[Token]:
    """Split text into word, number and CJK-run tokens, marking those that start a sentence."""
    text = normalise(text)
    # [gap, match, gap, match, ..., gap]: one C call instead of a search per gap
    parts = _TOKEN_SPLIT_RE.split(text)
    has_cjk = _CJK_RE.search(text) is not None
    tokens: list[Token] = []
    # a text repeats most of its words: each distinct spelling (at a sentence start or not) is
    # normalised and made a Token once, and shared (a Token is immutable)
    made: tuple[dict[str, Token], dict[str, Token]] = ({}, {})
    for i in range(1, len(parts), 2):
        raw, gap = parts[i], parts[i - 1]
        start = not tokens or (gap != " " and _SENTENCE_END_RE.search(gap) is not None)
        if has_cjk and _CJK_RE.search(raw) is not None:
            tokens += _part_tokens(raw, start)
            continue
        seen = made[start]
        tok = seen.get(raw)
        if tok is None:
            # a match starting with a digit can only be the number alternative of _TOKEN_RE
            if raw[0].isdecimal():
                tok = seen[raw] = Token(_number_key(raw), "number", raw, start)
            else:
                tok = seen[raw] = Token(_word_form(raw), "word", raw, start)
        tokens.append(tok)
    return tokens


def cjk_grams(run: str, n: int = CJK_GRAM_CHARS) -> list[str]:
    """Return the character n-grams of a CJK run (the run itself when shorter than n)."""
    if len(run) <= n:
        return [run]
    return [run[i : i + n] for i in range(len(run) - n + 1)]


def _useful_gram(gram: str) -> bool:
    """Tell whether a CJK n-gram can carry meaning (not all Hiragana, no function character)."""
    if all(ord(c) in _HIRAGANA for c in gram):
        return False
    return not any(c in _CJK_STOP_CHARS for c in gram)


def shingle_units(tokens: list[Token]) -> list[str]:
    """Return the units shingles are made of: each word or number, and each CJK character."""
    units: list[str] = []
    for tok in tokens:
        if tok.kind == "cjk":
            units.extend(tok.text)
        else:
            units.append(tok.text)
    return units


def shingles(tokens: list[Token], width: int = SHINGLE_UNITS) -> set[str]:
    """Return the body shingles: runs of `width` units, a unit being a word or one CJK character."""
    units = shingle_units(tokens)
    if len(units) < width:
        return {" ".join(units)} if units else set()
    return {" ".join(units[i : i + width]) for i in range(len(units) - width + 1)}


def title_tokens(title: str) -> tuple[str, ...]:
    """Return the distinct content tokens of a title, in order (CJK as character bigrams)."""
    out: dict[str, None] = {}
    for tok in tokenize(title):
        if tok.kind == "cjk":
            for gram in cjk_grams(tok.text):
                if _useful_gram(gram):
                    out[gram] = None
        elif tok.kind == "number" or (len(tok.text) > 1 and tok.text not in STOPWORDS):
            out[tok.text] = None
    return tuple(out)


def _is_name(tok: Token, lowercase_words: set[str]) -> bool:
    """Tell whether a word looks like a name, ticker or product code rather than a common word."""
    verdict = _name_verdict(tok.raw, tok.text)
    # A capital at a sentence start proves little: trust it only if the text never writes it in lower case.
    return verdict if verdict is not None else not tok.sentence_start or tok.text not in lowercase_words


def _name_verdict(raw: str, text: str) -> bool | None:
    """Whether a spelling is name-like, or None when that depends on where and how the text uses it."""
    if any(c.isdigit() for c in raw):
        return len(raw) > 1  # Q3, H20, B200
    if not raw[0].isupper() or len(text) < 2 or text in STOPWORDS:
        return False
    return None


def key_terms(tokens: list[Token]) -> tuple[Counter[str], Counter[str]]:
    """Count the name-like terms and the numbers of a text: the facts that identify an event."""
    names: Counter[str] = Counter()
    numbers: Counter[str] = Counter()
    grams: Counter[str] = Counter()
    lowercase_words = {t.text for t in tokens if t.kind == "word" and not t.raw[0].isupper()}
    verdicts: dict[str, bool | None] = {}  # per raw spelling (its text follows from it)
    for tok in tokens:
        kind = tok.kind
        if kind == "word":
            raw = tok.raw
            if raw in verdicts:
                verdict = verdicts[raw]
            else:
                verdict = verdicts[raw] = _name_verdict(raw, tok.text)
            if verdict is None:
                verdict = not tok.sentence_start or tok.text not in lowercase_words
            if verdict:
                names[tok.text] += 1
        elif kind == "number":
            if "." not in tok.text and int(tok.text) < MIN_KEY_NUMBER:
                continue
            numbers[tok.text] += 1
        else:
            # Katakana runs are mostly foreign names (エヌビディア, ビットメイン).
            names.update(run for run in _KATAKANA_RUN_RE.findall(tok.text) if len(run) >= 2)
            grams.update(g for g in cjk_grams(tok.text) if _useful_gram(g))
    names.update({g: n for g, n in grams.items() if n >= CJK_KEY_MIN_COUNT})
    return names, numbers
