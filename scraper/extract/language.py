"""Guess the language of a text from its script and its most frequent function words."""

from __future__ import annotations

import re

SAMPLE_CHARS = 20_000  # enough text to decide; keeps detection cheap on long articles
MIN_STOPWORD_HITS = 3  # fewer matches than this is too little evidence to name a language
MIN_SCRIPT_SHARE = 0.3  # share of letters in a script (CJK, Cyrillic...) that settles the language

_STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(words.split())
    for lang, words in {
        "en": "the and of to in is that for it was on with as are be this by at from have has not "
        "but they which or an were their been would will said its who more about there than also",
        "de": "der die das und ist nicht mit den von zu sich des auf für im dem ein eine auch es "
        "als an wird werden sind bei nach wie aus noch oder einer einem hat wurde sie er aber vor",
        "fr": "le la les et des est un une du en que qui dans pour pas sur au avec il elle ce "
        "sont par plus ne se aux ont été cette mais son sa ses leur nous vous",
        "es": "el la los las de que y en un una es por con para del se no al como más pero sus "
        "su lo ha fue este esta son entre cuando también muy sobre",
        "it": "il la di che e è un una per non del della con sono si le da gli al nel alla anche "
        "come più ma ha dei delle questo questa essere stato",
        "nl": "de het een en van is dat op te in niet zijn voor met die er aan ook als door maar "
        "om bij wordt werd heeft hij zij naar worden nog dan",
        "pt": "o a os as de que e do da em um uma para com não no na por se mais como dos das foi "
        "ao ele ela são mas seu sua também pelo pela está",
        "pl": "i w na z że się nie do to jest jak o po co ale od przez dla za tak jego są jej był "
        "była ze tym które który może oraz",
        "ru": "и в не на что с по как это он к из за то от для а но его же так все она был о "
        "также было были они при только",
    }.items()
}
# each stop word's languages, so that a word costs one lookup
_STOP_LANGS: dict[str, tuple[str, ...]] = {
    word: tuple(lang for lang, stop in _STOPWORDS.items() if word in stop)
    for word in frozenset().union(*_STOPWORDS.values())
}
_WORD_RE = re.compile(r"[^\W\d_]+", re.UNICODE)
_KANA_RE = re.compile(r"[\u3040-\u30ff]")
_HAN_RE = re.compile(r"[\u4e00-\u9fff]")
_HANGUL_RE = re.compile(r"[\uac00-\ud7af]")
_CYRILLIC_RE = re.compile(r"[\u0400-\u04ff]")
_ARABIC_RE = re.compile(r"[\u0600-\u06ff]")
_GREEK_RE = re.compile(r"[\u0370-\u03ff]")
# scripts that settle the language alone, in the order they are tested
_SCRIPTS = ((_HANGUL_RE, "ko"), (_ARABIC_RE, "ar"), (_GREEK_RE, "el"), (_CYRILLIC_RE, "ru"))


def detect_language(text: str) -> str | None:
    """Return an ISO 639-1 code for `text`, or None when it is too short or unclear."""
    sample = text[:SAMPLE_CHARS]
    words = _WORD_RE.findall(sample)
    letters = sum(map(len, words))
    if letters == 0:
        return None
    # ASCII text holds none of the scripts below (a flag lookup, not a scan)
    if not sample.isascii():
        kana = len(_KANA_RE.findall(sample))
        han = len(_HAN_RE.findall(sample))
        if (kana + han) / letters >= MIN_SCRIPT_SHARE:
            # Japanese mixes kana into kanji; Chinese has none
            return "ja" if kana >= 0.05 * (kana + han) else "zh"
        for pattern, code in _SCRIPTS:
            if len(pattern.findall(sample)) / letters >= MIN_SCRIPT_SHARE:
                return code
    counts = dict.fromkeys(_STOPWORDS, 0)
    for word in words:
        for lang in _STOP_LANGS.get(word.lower(), ()):
            counts[lang] += 1
    lang, hits = max(counts.items(), key=lambda item: item[1])
    return lang if hits >= MIN_STOPWORD_HITS else None


def normalize_language(value: str | None) -> str | None:
    """Reduce a declared language tag ('en-US', 'de_DE') to its primary subtag, lower-case."""
    if not value:
        return None
    primary = re.split(r"[-_\s,;]", value.strip(), maxsplit=1)[0].lower()
    return primary if primary.isalpha() and 2 <= len(primary) <= 3 else None
