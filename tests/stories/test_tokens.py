"""Tokenisation for story matching across scripts: numbers, names, CJK n-grams."""

from __future__ import annotations

from scraper.stories.tokens import key_terms, shingles, title_tokens, tokenize


def test_full_width_digits_and_separators_give_one_number_spelling():
    numbers = [t.text for t in tokenize("２０２６年 1,200 1.200 1200 4,2 4.20 $4.2bn") if t.kind == "number"]
    assert numbers == ["2026", "1200", "1200", "1200", "4.2", "4.2", "4.2"]


def test_words_are_unicode_aware_and_elisions_dropped():
    words = [t.text for t in tokenize("Größte Fabrik: l'usine d'Airbus, Bitmain's plant, Газпром")]
    # casefold() maps ß to ss, so the Swiss spelling "grösste" matches too.
    assert words == ["grösste", "fabrik", "usine", "airbus", "bitmain", "plant", "газпром"]


def test_names_skip_sentence_initial_common_words_but_keep_codes_and_tickers():
    text = "The plant opens. Shares of TSMC rose as shares of Bitmain and Q3 H20 sales grew 12%."
    names, numbers = key_terms(tokenize(text))
    assert {"tsmc", "bitmain", "q3", "h20"} <= set(names)
    assert "the" not in names and "shares" not in names  # "shares" is also written in lower case
    assert set(numbers) == {"12"}


def test_small_integers_are_not_key_numbers():
    _, numbers = key_terms(tokenize("It has 3 plants, 45 lines and 1,500 staff in 2027."))
    assert set(numbers) == {"45", "1500", "2027"}


def test_chinese_title_becomes_character_bigrams():
    assert title_tokens("台积电量产") == ("台积", "积电", "电量", "量产")


def test_japanese_function_bigrams_are_dropped_and_katakana_names_kept():
    tokens = title_tokens("ラピダスが試作ラインを稼働")
    assert "ラピ" in tokens and "試作" in tokens
    assert not any(all("\u3040" <= c <= "\u309f" for c in t) for t in tokens)
    names, _ = key_terms(tokenize("ラピダスは千歳市で試作を始めた。ラピダスの社長が述べた。"))
    assert "ラピダス" in names


def test_repeated_cjk_bigrams_are_key_terms():
    names, _ = key_terms(tokenize("台积电公布财报。台积电预计营收增长。"))
    assert {"台积", "积电"} <= set(names)


def test_cjk_shingles_are_character_trigrams():
    assert shingles(tokenize("台积电量产")) == {"台 积 电", "积 电 量", "电 量 产"}


def test_title_tokens_drop_stopwords_in_several_languages():
    assert title_tokens("The plant of the year") == ("plant",)
    assert title_tokens("Die neue Fabrik von Infineon") == ("fabrik", "infineon")
    assert title_tokens("La nouvelle usine de TotalEnergies") == ("usine", "totalenergies")
