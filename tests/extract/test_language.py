"""Language detection from text (stopwords and scripts) and normalisation of declared tags."""

from __future__ import annotations

import pytest

from scraper.extract.language import detect_language, normalize_language

SAMPLES = {
    "en": "The company said on Monday that it would open a new factory in the state, and that the plant was "
    "expected to create hundreds of jobs by the end of the year.",
    "de": "Das Unternehmen hat am Montag angekündigt, dass es eine neue Fabrik in der Region bauen wird, und "
    "die Produktion soll noch in diesem Jahr beginnen.",
    "fr": "La société a annoncé lundi qu'elle allait ouvrir une nouvelle usine dans la région, et que la "
    "production devrait commencer avant la fin de l'année.",
    "es": "La empresa anunció el lunes que abrirá una nueva fábrica en la región, y que la producción "
    "comenzará antes de que termine el año para los clientes del país.",
    "it": "La società ha annunciato lunedì che aprirà una nuova fabbrica nella regione, e che la produzione "
    "dovrebbe iniziare entro la fine dell'anno per i clienti del paese.",
    "nl": "Het bedrijf heeft maandag bekendgemaakt dat het een nieuwe fabriek in de regio zal openen, en dat "
    "de productie nog dit jaar van start gaat voor de klanten.",
    "pt": "A empresa anunciou na segunda-feira que vai abrir uma nova fábrica na região, e que a produção "
    "deve começar antes do fim do ano para os clientes do país.",
    "pl": "Firma ogłosiła w poniedziałek, że otworzy nową fabrykę w regionie, a produkcja ma się rozpocząć "
    "jeszcze w tym roku, co jest dobrą wiadomością dla klientów.",
    "ru": "Компания объявила в понедельник, что откроет новый завод в регионе, и что производство начнется "
    "до конца года для клиентов в этой стране.",
    "zh": "该公司周一宣布将在该地区开设一家新工厂，预计年底前开始生产，为国内客户提供服务。",
    "ja": "同社は月曜日、地域に新しい工場を開設すると発表し、年末までに生産を開始する予定だと述べた。",
}


@pytest.mark.parametrize(("code", "text"), sorted(SAMPLES.items()))
def test_detects_language(code, text):
    assert detect_language(text) == code


@pytest.mark.parametrize("text", ["", "12345 67 89", "OK", "<<< >>>"])
def test_too_little_text_gives_none(text):
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("declared", "expected"),
    [
        ("en-US", "en"),
        ("de_DE", "de"),
        (" FR ", "fr"),
        ("pt-BR,en", "pt"),
        ("", None),
        (None, None),
        ("x", None),
    ],
)
def test_normalize_language(declared, expected):
    assert normalize_language(declared) == expected
