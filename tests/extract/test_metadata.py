"""Page metadata: headline choice, site suffixes, authors, links, tags and language."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from selectolax.lexbor import LexborHTMLParser

from scraper.extract.authors import clean_authors
from scraper.extract.metadata import extract_metadata

URL = "https://www.example-news.com/business/2025/07/29/bitmain-factory"


def page(head: str = "", body: str = "", lang: str | None = "en") -> LexborHTMLParser:
    """Build a parsed page from head and body snippets."""
    lang_attr = f' lang="{lang}"' if lang else ""
    return LexborHTMLParser(f"<html{lang_attr}><head>{head}</head><body>{body}</body></html>")


# --- title ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doc_title",
    [
        "Bitmain to Open US Factory | Example News",
        "Bitmain to Open US Factory - Example News",
        "Bitmain to Open US Factory – example-news.com",
        "Example News: Bitmain to Open US Factory",
        "Bitmain to Open US Factory | Business | Example News",
    ],
)
def test_site_suffix_is_stripped_from_the_document_title(doc_title):
    head = f'<title>{doc_title}</title><meta property="og:site_name" content="Example News">'
    meta = extract_metadata(page(head=head), URL)
    assert meta.title == "Bitmain to Open US Factory"


def test_site_name_with_words_around_it_leads_and_sections_follow_the_headline():
    """The domain's name is half of 'EFC Bayrische Bembel Regensburg'; 'Presse', 'News' are sections."""
    doc_title = (
        "EFC Bayrische Bembel Regensburg - Eintracht stellt Weichen für die Zukunft - Eintracht Presse - News"
    )
    meta = extract_metadata(
        page(head=f"<title>{doc_title}</title>", lang="de"), "http://bayrische-bembel.de/n/504"
    )
    assert meta.title == "Eintracht stellt Weichen für die Zukunft"


def test_headline_naming_the_site_among_more_words_is_not_the_site():
    head = "<title>Bitmain opens its first factory near Example News HQ | Example News</title>"
    meta = extract_metadata(page(head=head), URL)
    assert meta.title == "Bitmain opens its first factory near Example News HQ"


def test_suffix_matching_the_domain_is_stripped_without_site_name():
    meta = extract_metadata(page(head="<title>Chip output rises again | EXAMPLE-NEWS</title>"), URL)
    assert meta.title == "Chip output rises again"


def test_h1_agreeing_with_og_title_is_the_title():
    head = (
        "<title>Bitmain to open US factory | Example News</title>"
        '<meta property="og:title" content="Bitmain to Open US Factory Amid Trump-Era Push">'
    )
    body = (
        '<header><h1 class="site-title"><a href="/">Example News</a></h1></header>'
        "<article><h1>Bitmain to Open US Factory Amid Trump-Era Push</h1><p>Text</p></article>"
    )
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Bitmain to Open US Factory Amid Trump-Era Push"
    assert meta.provenance["title"] == "heuristic"


def test_kicker_inside_the_h1_is_dropped():
    body = (
        '<h1><span class="article__kicker">Mining</span><span class="visually-hidden">: </span>'
        '<span class="article__title">Bitmain opens a US factory</span></h1>'
    )
    head = '<meta property="og:title" content="Mining: Bitmain opens a US factory">'
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Bitmain opens a US factory"


def test_section_label_set_off_by_a_bar_inside_the_h1_is_dropped():
    """'Local News | Headline': a bar never joins a kicker to a printed headline, a colon may."""
    head = '<meta property="og:title" content="Brothel busted in Boston">'
    body = (
        '<h1 class="entry-title"><div class="entry-section"><a href="/local-news/">Local News | </a></div>'
        '<span class="dfm-title">Brothel busted in Boston</span></h1>'
    )
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Brothel busted in Boston"


@pytest.mark.parametrize(
    ("h1", "title"),
    [
        # Drupal's element-invisible suffix
        (
            'Was wir nicht hören wollen<span class="element-invisible"> | FASSETTE.NET</span>',
            "Was wir nicht hören wollen",
        ),
        # a sub-heading span above a line break
        (
            '<span class="sub-heading">Energiewende Oberland:</span><br> Klimavorreiter Oberland?',
            "Klimavorreiter Oberland?",
        ),
        # a date in <small> under the headline
        ("Zuschauer kehren zurück<br><small>02.02.2022 • News</small>", "Zuschauer kehren zurück"),
        # a dropped hidden separator still separates the words around it
        (
            'Energie<span class="invisible">: </span><span>Bioenergie gedrosselt</span>',
            "Energie Bioenergie gedrosselt",
        ),
        # an element set off by a separator that is only read out is printed apart: a kicker
        (
            '<span class="fake-h5">Energie</span><span class="invisible">: </span>'
            "<span>Bioenergie gedrosselt</span>",
            "Bioenergie gedrosselt",
        ),
        (
            '<span class="title-header">Zoonosen</span><span aria-hidden="true"> – </span>'
            "<span>Wie Umweltzerstörung Epidemien begünstigt</span>",
            "Wie Umweltzerstörung Epidemien begünstigt",
        ),
        # ... unless nothing but a secondary part follows it
        (
            '<span>Energiewende und Mobilität</span><span class="aural">: </span>'
            '<small class="c-topline">Forschung</small>',
            "Energiewende und Mobilität",
        ),
    ],
)
def test_secondary_parts_of_the_h1_are_not_the_headline(h1, title):
    meta = extract_metadata(page(body=f"<article><h1>{h1}</h1><p>Text</p></article>"), URL)
    assert meta.title == title


def test_a_size_modifier_on_the_headline_itself_is_not_a_kicker():
    body = '<h1><span class="kicker">Mining</span> <span class="title title--small">Bitmain opens</span></h1>'
    meta = extract_metadata(page(body=body), URL)
    assert meta.title == "Bitmain opens"


def test_h1_inside_a_teaser_link_is_not_the_headline():
    head = '<meta property="og:title" content="Sixers beat the Celtics">'
    cards = "".join(
        f'<li><a href="/go/{i}/"><div class="article"><h1>Visit place {i} this fall</h1></div></a></li>'
        for i in range(5)
    )
    body = f'<ul class="this-weekend">{cards}</ul><h2>The Sixers captured their biggest win</h2>'
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Sixers beat the Celtics"


def test_article_header_title_class_is_not_site_branding():
    head = '<meta property="og:title" content="Seat Mo 125: Der Elektroroller im Test">'
    head += (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Seat Mo 125: Was kann er?"}</script>'
    )
    body = '<h1 class="article-header-title"><span>Seat Mo 125: Was kann er?</span></h1>'
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Seat Mo 125: Was kann er?"


def test_h1_agreeing_in_part_beats_a_subheading_that_only_starts_the_title():
    head = '<meta property="og:title" content="Wärmepumpe im Altbau - Wann es sich lohnt | heizung.de">'
    body = "<h1>Eignet sich eine Wärmepumpe im Altbau?</h1><h2>Wärmepumpe</h2>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Eignet sich eine Wärmepumpe im Altbau?"


def test_archived_h1_linking_to_the_site_root_is_the_site_name():
    head = "<title>Time 4 talks » Blog Archiv » Weitere Digitalisierung der Schweizer Kinos</title>"
    body = (
        '<h1><a href="https://web.archive.org/web/20140226054445/http://www.time4talks.com/">'
        "Time 4 talks</a></h1>"
        "<h2>Weitere Digitalisierung der Schweizer Kinos</h2><p>Text</p>"
    )
    archived = "https://web.archive.org/web/20140226054445/http://www.time4talks.com/2013/08/07/kinos/"
    meta = extract_metadata(page(head=head, body=body, lang="de"), archived)
    assert meta.title == "Weitere Digitalisierung der Schweizer Kinos"


def test_kicker_in_an_element_of_its_own_is_dropped_even_when_it_ends_with_a_colon():
    """A designed label ('<span>Direktion :</span>Headline') is no part of the headline."""
    head = "<title>Impfen ist bis Ende Februar noch überall möglich</title>"
    body = (
        '<h1><span class="css-umyvef">Medienmitteilung der Gesundheitsdirektion <span class="css-1f">:</span>'
        "</span>Impfen ist bis Ende Februar noch überall möglich</h1>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Impfen ist bis Ende Februar noch überall möglich"


def test_kicker_in_the_same_text_as_the_headline_stays():
    head = '<meta property="og:title" content="Parlament vertagt Votum über Brexit-Deal">'
    body = "<h1>Niederlage für Johnson: Parlament vertagt Votum über Brexit-Deal</h1>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Niederlage für Johnson: Parlament vertagt Votum über Brexit-Deal"


@pytest.mark.parametrize(
    "doc_title",
    ["武汉的声音：有英勇的你，才有英雄的城！-新华网", "武汉的声音：有英勇的你，才有英雄的城！_新浪新闻"],
)
def test_cjk_site_suffix_without_spaces_is_stripped(doc_title):
    meta = extract_metadata(page(head=f"<title>{doc_title}</title>", lang="zh"), URL)
    assert meta.title == "武汉的声音：有英勇的你，才有英雄的城！"


def test_only_h1_beats_a_document_title_that_agrees_with_nothing():
    head = "<title>Ausflugtipps Niederrhein und Ruhrgebiet</title>"
    body = "<h1>Essen-Westviertel</h1><p>Das Westviertel liegt zwischen Innenstadt und Frohnhausen.</p>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Essen-Westviertel"


def test_style_inside_the_h1_is_not_text():
    body = "<h1><style>.x{color:red}</style>Bitmain opens a US factory</h1>"
    meta = extract_metadata(page(body=body), URL)
    assert meta.title == "Bitmain opens a US factory"


def test_blog_name_h1_linking_home_is_not_the_title():
    head = "<title>Miner Notes: Bitmain opens a US factory</title>"
    body = (
        '<h1><a href="https://www.example-news.com/">Miner Notes</a></h1>'
        '<h3 class="post-title entry-title">Bitmain opens a US factory</h3>'
    )
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Bitmain opens a US factory"


def test_headline_printed_twice_is_spelled_as_the_metadata_writes_it():
    """The body's own h1 ('<b>defadvice</b>') repeats the theme's post title in other case."""
    head = '<meta property="og:title" content="Meta-Programming In Emacs Using Defadvice">'
    body = (
        '<h3 class="post-title entry-title">Meta-Programming In Emacs Using Defadvice</h3>'
        '<div class="post-body"><h1 class="title">Meta-Programming In Emacs Using <b>defadvice</b></h1>'
        "<p>Text</p></div>"
    )
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Meta-Programming In Emacs Using Defadvice"


def test_kicker_set_apart_by_another_heading_with_the_same_words_is_dropped():
    """A breadcrumb's h1 and og:title run the kicker in; the article's heading prints it apart."""
    title = "Covid-19: Lässt sich die Ausbreitung kontrollieren?"
    head = f'<meta property="og:title" content="{title}">'
    body = (
        f'<ol class="breadcrumbs"><li><a href="/">Start</a></li><li><h1>{title}</h1></li></ol>'
        '<header><h2><span class="content__kicker">Covid-19</span><span class="sr-only">: </span>'
        '<span class="content__title">Lässt sich die Ausbreitung kontrollieren?</span></h2></header>'
        "<p>Text</p>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Lässt sich die Ausbreitung kontrollieren?"


def test_kicker_in_the_headlines_own_text_is_kept_though_a_heading_repeats_it():
    title = "Covid-19: Lässt sich die Ausbreitung kontrollieren?"
    head = f'<meta property="og:title" content="{title}">'
    body = f"<article><h1>{title}</h1><p>Text</p></article><aside><h2>{title}</h2></aside>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == title


def test_subheading_saying_all_the_title_says_and_more_is_the_headline():
    head = "<title>Neubau Werkstattgebäude - Neubau WSL Birmensdorf</title>"
    body = (
        '<h2 class="sr-only">Navigation</h2>'
        "<h2>Projektwettbewerb Neubau Werkstattgebäude WSL Birmensdorf</h2><p>Text</p>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Projektwettbewerb Neubau Werkstattgebäude WSL Birmensdorf"


def test_one_word_title_is_not_shortened_from_a_teaser_heading():
    head = "<title>Gaspreise | Example News</title>"
    body = "<h2>Gaspreise steigen im Winter weiter</h2><p>Text</p>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Gaspreise"


def test_breadcrumb_h1_gives_way_to_the_headline_the_page_marks():
    head = "<title>Kind krank: Was Arbeitgeber wissen müssen | Example News</title>"
    body = (
        '<ul class="breadcrumb"><li><a href="/">Start</a></li>'
        '<li><h1 class="imp-h2"><span>Kind krank: Was Arbeitgeber wissen müssen</span></h1></li></ul>'
        '<article><header><div class="imp-h1" itemprop="headline"><span class="highline">Kind krank</span>'
        " Was Arbeitgeber über die Rechte von Eltern wissen müssen</div></header><p>Text</p></article>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Was Arbeitgeber über die Rechte von Eltern wissen müssen"


def test_breadcrumb_h1_gives_way_to_a_heading_classed_as_the_articles_headline():
    head = (
        '<meta property="og:title" content="Kim Jong Un: Der Diktator ist zurück">'
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Nordkorea: Kim Jong Un ist zurück"}</script>'
    )
    body = (
        '<ol><li><a href="/politik/">Politik</a></li><li class="id-Breadcrumb-list-el">'
        '<div class="id-Breadcrumb-element"><h1 class="id-Breadcrumb-element-link">'
        "<span>Nordkorea: Kim Jong Un ist zurück</span></h1></div></li></ol>"
        '<article><h2 class="id-Article-headline">Kim Jong Un: Der Diktator ist zurück</h2>'
        "<p>Text</p></article>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Kim Jong Un: Der Diktator ist zurück"


def test_breadcrumb_h1_is_the_headline_when_the_page_marks_no_other():
    head = "<title>Auto leasen oder kaufen: Für wen lohnt sich was? | Example News</title>"
    body = (
        '<ol class="breadcrumb"><li><a href="/">Start</a></li>'
        "<li><h1>Auto leasen oder kaufen: Für wen lohnt sich was?</h1></li></ol>"
        "<h2>Auto leasen</h2><p>Text</p>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Auto leasen oder kaufen: Für wen lohnt sich was?"


def test_og_title_kicker_is_dropped_when_another_title_is_the_headline_alone():
    head = (
        '<meta property="og:title" content="Industriell revolutioniert?: Anno 1800 Beta">'
        "<title>Example News | Vorschauen: Anno 1800 Beta</title>"
    )
    meta = extract_metadata(page(head=head, body='<span class="title">Anno 1800 Beta</span>'), URL)
    assert meta.title == "Anno 1800 Beta"


def test_og_title_kicker_stays_when_the_page_prints_it():
    head = (
        '<meta property="og:title" content="Hingucker in Dessau: Zweite F13 kurz vor der Zulassung">'
        "<title>Zweite F13 kurz vor der Zulassung | Example News</title>"
    )
    body = "<h1>Hingucker in Dessau: Zweite F13 kurz vor der Zulassung</h1>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Hingucker in Dessau: Zweite F13 kurz vor der Zulassung"


def test_page_without_h1_prints_its_headline_in_a_headline_classed_element():
    head = "<title>Magic Cleaning | Example Magazin</title>"
    body = (
        '<div class="l-headline"><span class="l-bold">Die besten Tricks von Marie Kondo für'
        " Kleiderschrank &amp; Co.</span></div><p>Sie ist die Königin des Aufräumens.</p>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Die besten Tricks von Marie Kondo für Kleiderschrank & Co."


def test_teaser_headline_classes_are_not_the_headline_of_a_page_without_h1():
    head = "<title>Entwicklung der Waldorfschule ermöglicht | Example News</title>"
    body = (
        '<span class="blog_teaser_headline">Kein Elefantengedächtnis in der Verwaltung</span>'
        '<div class="card-headline">Geschichtsmuseen – welche Fortschritte gibt es?</div>'
        '<p class="subheadline">Die Stadt soll den Umbau der Schule fördern</p><p>Text</p>'
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.title == "Entwicklung der Waldorfschule ermöglicht"


def test_jsonld_headline_when_nothing_else():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Hash rate hits a record"}</script>'
    )
    meta = extract_metadata(page(head=head), URL)
    assert (meta.title, meta.provenance["title"]) == ("Hash rate hits a record", "json-ld")


def test_soft_hyphens_and_whitespace_are_cleaned():
    meta = extract_metadata(page(body="<h1>Mes\u00adsen\u00adger\n   dienste im Test</h1>"), URL)
    assert meta.title == "Messenger dienste im Test"


# --- authors ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (["By Jane Doe and John Roe | Reuters"], ["Jane Doe", "John Roe"]),
        (["Von Heike Buchter, 16. Oktober 2019"], ["Heike Buchter"]),
        (["Jane Doe, Staff Writer"], ["Jane Doe"]),
        (["Jane Doe", "jane doe", "By Jane Doe"], ["Jane Doe"]),
        (["Par Jean Dupont et Marie Curie"], ["Jean Dupont", "Marie Curie"]),
        (["Por Ana García y Luis Pérez"], ["Ana García", "Luis Pérez"]),
        (["Text: Ludwig van Beethoven (dpa)"], ["Ludwig van Beethoven"]),
        (["Grant Tinsley, PhD"], ["Grant Tinsley"]),
        (["Foto: Ingo Schneider"], []),
        (["View my complete profile"], []),
        (["https://example.com/authors/jane"], []),
        (["Posted on 29.07.2025 09:54"], []),
        # a closing initial keeps its dot; a name without one gets none
        (["By Joe S."], ["Joe S."]),
        (["Juan Carlos Muñoz C."], ["Juan Carlos Muñoz C."]),
        (["Ariel H"], ["Ariel H"]),
        (["By Perry Bacon Jr."], ["Perry Bacon Jr."]),
        # 'von' inside a name is a particle; one surname follows it
        (["Christoph von Ritter"], ["Christoph von Ritter"]),
        (["Ursula von der Leyen"], ["Ursula von der Leyen"]),
        (["Pressemitteilung von Katja Kipping"], []),
        (["Jos\u00adsi Loibl"], ["Jossi Loibl"]),
        # four names, the last before a dash and a team; a weekday before a date
        (
            ["Posted by Nathan Parker, Varun Khaneja, Eric Mill and Kiran C Nair - Chrome Browsing team"],
            ["Nathan Parker", "Varun Khaneja", "Eric Mill", "Kiran C Nair"],
        ),
        (["Von Tomas Spahn Fr, 18. Oktober 2019"], ["Tomas Spahn"]),
        # an author label after other fields of a meta line; the next field ends the name
        (["Datum: 19.11.2021 Autor: Fritz Imhof Quelle: Livenet"], ["Fritz Imhof"]),
        (["Autor: Klausmartin Friedrich Tags: 1907, Braunschweig"], ["Klausmartin Friedrich"]),
        (["05.02.2020 - Redaktion: Eberhard Fuhr (Pressesprecher)"], ["Eberhard Fuhr"]),
        (["Text und Interview: Harald Willenbrock"], ["Harald Willenbrock"]),
        # 'le' / 'on' end the names before a date only; 'for' before the publication
        (["Par Loïc Le Clerc"], ["Loïc Le Clerc"]),
        (["Publié par Jean Dupont le 18 février 2020"], ["Jean Dupont"]),
        (["By Jane Doe on May 2, 2020"], ["Jane Doe"]),
        (["Glen Owen And Brendan Carlin For The Mail On Sunday"], ["Glen Owen", "Brendan Carlin"]),
        # a role compound or an 'About' before the name
        (["FOCUS-Online-Experte Robin Tschöpe"], ["Robin Tschöpe"]),
        (["About Jane Doe"], ["Jane Doe"]),
        (["Über uns"], []),
        # a dash before no role is no cut: the fragment is judged whole
        (["Arentik - www.arentik.com"], []),
    ],
)
def test_author_cleanup(raw, expected):
    assert clean_authors(raw) == expected


def test_jsonld_author_list_and_graph_reference():
    head = (
        '<script type="application/ld+json">{"@graph": ['
        '{"@type": "NewsArticle", "headline": "H",'
        ' "author": [{"@id": "#jane"}, {"@type": "Person", "name": "John Roe"}]},'
        '{"@type": "Person", "@id": "#jane", "name": "Jane Doe"}]}</script>'
    )
    meta = extract_metadata(page(head=head), URL)
    assert meta.authors == ["Jane Doe", "John Roe"]
    assert meta.provenance["authors"] == "json-ld"


def test_organisation_author_and_site_name_are_not_people():
    head = (
        '<meta property="og:site_name" content="Example News">'
        '<script type="application/ld+json">{"@type": "NewsArticle", "author":'
        ' {"@type": "Organization", "name": "Example News"}}</script>'
        '<meta name="author" content="Example News">'
    )
    body = '<h1>H</h1><p class="byline">By Jane Doe</p>'
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.authors == ["Jane Doe"]


def test_article_author_url_is_skipped_for_a_name():
    head = (
        '<meta property="article:author" content="https://facebook.com/janedoe">'
        '<meta name="parsely-author" content="Jane Doe">'
    )
    meta = extract_metadata(page(head=head), URL)
    assert (meta.authors, meta.provenance["authors"]) == (["Jane Doe"], "meta:parsely")


def test_rel_author_links_in_comments_are_ignored():
    body = (
        '<article><h1>H</h1><a rel="author" href="/a/jane">Jane Doe</a></article>'
        '<div class="comments"><a rel="author" href="/u/troll">Some Troll</a></div>'
    )
    meta = extract_metadata(page(body=body), URL)
    assert meta.authors == ["Jane Doe"]


def test_byline_text_next_to_the_headline():
    body = "<article><h1>Bitmain opens a US factory</h1><p><i>von Daniela Obers</i></p><p>Text</p></article>"
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == ["Daniela Obers"]


def test_jsonld_login_name_gives_way_to_the_printed_byline():
    head = (
        '<script type="application/ld+json">{"@type": "Article",'
        ' "author": {"name": "arianschlichenmayer"}}</script>'
    )
    body = (
        '<article><h1>Sportzentrum erweitert</h1><span class="author">Arian Schlichenmayer</span></article>'
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), URL)
    assert meta.authors == ["Arian Schlichenmayer"]


def test_jsonld_login_name_stays_when_nothing_better_is_printed():
    head = (
        '<script type="application/ld+json">{"@type": "Article",'
        ' "author": {"name": "edilson.la.rosa"}}</script>'
    )
    meta = extract_metadata(page(head=head, body="<h1>Ronaldo</h1>", lang="es"), URL)
    assert meta.authors == ["edilson.la.rosa"]


def test_photo_credit_next_to_the_headline_is_no_byline():
    body = (
        "<article><h1>Alleinerziehende unter Druck</h1>"
        "<div class='imgCopyright'><a href='/p'>Foto von Josh Willink von Pexels</a></div>"
        "<p>Text</p></article>"
    )
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == []


def test_jsonld_author_of_a_page_typed_only_as_webpage():
    head = (
        '<script type="application/ld+json">{"@graph": ['
        '{"@type": "WebPage", "@id": "https://x/#webpage", "author": {"@id": "https://x/#/person/1"}},'
        '{"@type": "Person", "@id": "https://x/#/person/1", "name": "Giovanni Gaggero"}]}</script>'
    )
    meta = extract_metadata(page(head=head, body="<h1>Green Deal</h1>"), URL)
    assert meta.authors == ["Giovanni Gaggero"]


def test_french_auteurs_class_is_a_byline():
    body = '<h2>Turpitude</h2><div class="dates_auteurs">par <span class="auteurs">Didier Roy</span></div>'
    meta = extract_metadata(page(body=body, lang="fr"), URL)
    assert meta.authors == ["Didier Roy"]


def test_byline_text_with_two_linked_names():
    body = (
        "<article><h1>Kenia und die Flüchtlinge</h1><p>Von <strong><a href='/a'>Roland Brockmann</a></strong>"
        " und <strong><a href='/b'>Sebastian Drescher</a></strong><br>Kakuma</p><p>Text</p></article>"
    )
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == ["Roland Brockmann", "Sebastian Drescher"]


def test_byline_next_to_a_headline_printed_in_a_subheading():
    """The h1 names the site; the byline stands by the h2 that holds the headline."""
    head = "<title>Gedenken an die Opfer - L-Mag</title>"
    body = (
        "<h1>L-Mag</h1><nav>" + "<a href='/r'>Rubrik</a> " * 150 + "</nav>"
        "<div><h2>Gedenken an die Opfer</h2><p>Von Claudia Lindner</p></div>"
        "<div><h3>Mehr</h3><p>Von Max Muster</p></div>"
    )
    meta = extract_metadata(page(head=head, body=body, lang="de"), "https://www.l-mag.de/a/1")
    assert meta.authors == ["Claudia Lindner"]


@pytest.mark.parametrize(
    ("byline", "authors"),
    [
        ("Author: Bo2man am 29.12.2010, 13:36 Uhr", ["Bo2man"]),
        ("von lupa", ["lupa"]),
        # a short code is an agency's, and a user name needs its label
        ("von dpa", []),
        ("lupa", []),
    ],
)
def test_user_name_in_a_labelled_class_byline(byline, authors):
    body = f'<article><h1>Regeln</h1><div class="author">{byline}</div><p>Text</p></article>'
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == authors


def test_microdata_authors_of_cited_papers_are_not_the_pages():
    head = '<meta name="dc.creator" content="Marwan H. Adwan">'
    refs = "".join(
        f'<li itemscope><meta itemprop="author" content="{n}"></li>' for n in ("NH. Shear", "SP. Spielberg")
    )
    meta = extract_metadata(page(head=head, body=f"<h1>DRESS</h1><ol>{refs}</ol>"), URL)
    assert meta.authors == ["Marwan H. Adwan"]


def test_a_single_microdata_author_names_the_page():
    body = '<article itemscope><h1>Hummeln</h1><meta itemprop="author" content="Cornel Meier"></article>'
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == ["Cornel Meier"]


def test_byline_four_levels_above_the_headline():
    body = (
        "<article><div><div><div><h1>Segundo retiro de fondos</h1></div></div></div>"
        "<p>Por Ana García</p><p>Text</p></article>"
    )
    meta = extract_metadata(page(body=body, lang="es"), URL)
    assert meta.authors == ["Ana García"]


@pytest.mark.parametrize(
    ("text", "authors"),
    [
        # the headline itself names no author
        ("<h1>Auf den Spuren von Rafael Nadal</h1><p>Text</p>", []),
        # 'von' in a sentence is no byline; after a sentence's full stop or a short lead it is
        ("<h1>Ein Video</h1><p>Die Musik stammt von <a href='/m'>Christopher Dallman</a>.</p>", []),
        (
            "<h1>Ein Video</h1><p>Wo ein Leichnam ist, sammeln sich die Geier. Von Armin Schwibach</p>",
            ["Armin Schwibach"],
        ),
        ("<h1>Ein Video</h1><p>Posted on September 21, 2020 by Adi Tzlil</p>", ["Adi Tzlil"]),
        # two particles inside a name
        ("<h1>Ein Video</h1><div>By Jose de la Cruz</div>", ["Jose de la Cruz"]),
    ],
)
def test_byline_text_is_a_line_of_its_own_by_the_headline(text, authors):
    meta = extract_metadata(page(body=f"<article>{text}<p>Text</p></article>", lang="de"), URL)
    assert meta.authors == authors


@pytest.mark.parametrize(
    ("line", "authors"),
    [
        ("04.02.2022 | 13:10 Uhr | Uta Helkenberg", ["Uta Helkenberg"]),
        ("11.12.2019 - Amelie Loevenich", ["Amelie Loevenich"]),
        # a dateline followed by prose names nobody
        ("11.12.2019 - Die Stadt baut", []),
    ],
)
def test_dated_meta_line_names_the_author(line, authors):
    body = f"<article><h1>Stellungnahme zum Pilotjahr</h1><p>{line}</p><p>Text</p></article>"
    meta = extract_metadata(page(body=body, lang="de"), URL)
    assert meta.authors == authors


# --- links, description, site, tags, language -------------------------------------------------


def test_canonical_and_image_are_absolute():
    head = (
        '<link rel="canonical" href="/business/bitmain-factory">'
        '<meta property="og:image" content="//cdn.example-news.com/img/lead.jpg">'
    )
    meta = extract_metadata(page(head=head), URL)
    assert meta.canonical_url == "https://www.example-news.com/business/bitmain-factory"
    assert meta.image == "https://cdn.example-news.com/img/lead.jpg"


def test_og_url_and_jsonld_image_as_fallbacks():
    head = (
        '<meta property="og:url" content="https://www.example-news.com/x">'
        '<script type="application/ld+json">{"@type": "Article", "image": {"@type": "ImageObject",'
        ' "url": "/img/a.png"}}</script>'
    )
    meta = extract_metadata(page(head=head), URL)
    assert meta.canonical_url == "https://www.example-news.com/x"
    assert meta.provenance["canonical_url"] == "meta:og"
    assert meta.image == "https://www.example-news.com/img/a.png"


def test_description_and_site_name():
    head = (
        '<meta name="description" content="  Plain   description ">'
        '<meta property="og:description" content="OG description">'
        '<meta property="og:site_name" content="Example News">'
    )
    meta = extract_metadata(page(head=head), URL)
    assert (meta.description, meta.site_name) == ("OG description", "Example News")


def test_application_name_holding_a_headline_is_not_the_site_name():
    head = '<meta name="application-name" content="UK university student halls too full to be safe">'
    body = "<h1>UK university student halls too full to be safe</h1>"
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.site_name is None
    assert meta.title == "UK university student halls too full to be safe"


def test_tags_from_all_sources_deduplicated():
    head = (
        '<meta property="article:section" content="Business">'
        '<meta property="article:tag" content="Mining">'
        '<meta property="article:tag" content="Bitcoin">'
        '<meta name="parsely-tags" content="bitcoin, ASICs">'
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "keywords": ["Tariffs", "mining"]}</script>'
    )
    body = '<a rel="tag" href="/t/texas">Texas</a>'
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.tags == ["Business", "Mining", "Bitcoin", "ASICs", "Tariffs", "Texas"]


@pytest.mark.parametrize(
    ("lang", "head", "expected"),
    [
        ("en-us", "", "en-US"),
        ("de_DE", "", "de-DE"),
        (None, '<meta property="og:locale" content="fr_FR">', "fr-FR"),
        (None, '<meta http-equiv="content-language" content="es">', "es"),
        (
            None,
            '<script type="application/ld+json">{"@type": "Article", "inLanguage": "ja-JP"}</script>',
            "ja-JP",
        ),
        (None, "", None),
    ],
)
def test_declared_language(lang, head, expected):
    meta = extract_metadata(page(head=head, lang=lang), URL)
    assert meta.language == expected


def test_tree_is_not_changed_and_empty_pages_are_fine():
    tree = page(
        head="<title>T | Example News</title>",
        body='<h1><span class="kicker">K</span>T</h1><p class=byline>By Jane Doe</p>',
    )
    before = tree.html
    extract_metadata(tree, URL)
    assert tree.html == before
    empty = extract_metadata(LexborHTMLParser(""), None)
    assert (empty.title, empty.authors, empty.tags, empty.provenance) == (None, [], [], {})


@settings(max_examples=100, deadline=None)
@given(st.text(max_size=120), st.text(max_size=60))
def test_junk_never_raises(junk, attr):
    html = (
        f"<html lang='{attr}'><head><title>{junk}</title><meta name=author content='{attr}'>"
        f'<script type="application/ld+json">{junk}</script></head>'
        f"<body><h1>{junk}</h1><p class=byline>{junk}</p><a rel=author>{attr}</a></body></html>"
    )
    meta = extract_metadata(LexborHTMLParser(html), f"https://example.com/{attr}")
    assert all(isinstance(a, str) and a for a in meta.authors)
    assert meta.title is None or meta.title.strip() == meta.title


def test_title_with_an_empty_headline_slot_names_only_the_site():
    """'National Rail Enquiries -' is the site's name; the headline is printed in the page."""
    head = "<title>National Rail Enquiries -</title>"
    body = "<h2>Rail Replacement Services Travel Advice</h2><p>Text</p>"
    meta = extract_metadata(page(head=head, body=body), "https://www.nationalrail.co.uk/disruptions/1.aspx")
    assert meta.title == "Rail Replacement Services Travel Advice"


def test_title_with_an_empty_site_slot_is_the_headline():
    meta = extract_metadata(page(head="<title>Über André Loibl | </title>", lang="de"), URL)
    assert meta.title == "Über André Loibl"


@pytest.mark.parametrize("host", ["www.example.co.uk", "example.com.au", "www.example.de"])
def test_site_suffix_is_found_under_a_country_domain(host):
    meta = extract_metadata(
        page(head="<title>Example Online: Bitmain to Open US Factory</title>"), f"https://{host}/a"
    )
    assert meta.title == "Bitmain to Open US Factory"


def test_html_escaped_json_ld_headline_is_unescaped():
    head = (
        '<script type="application/ld+json">{"@type": "NewsArticle",'
        ' "headline": "Der Diktator ist zur&#252;ck &amp; Trump ist &#8222;gl&#252;cklich&#8220;"}</script>'
    )
    meta = extract_metadata(page(head=head, lang="de"), URL)
    assert meta.title == "Der Diktator ist zurück & Trump ist „glücklich“"


def test_dublin_core_title_names_the_subheading_that_is_the_headline():
    """A subheading equal to a title beats an earlier one that only ends the <title>."""
    head = (
        "<title>Digitale Datenerhebung als Herausforderung - Wie diskutiert die GMK? - Ypart</title>"
        '<meta name="DC.title" content="Digitale Datenerhebung als Herausforderung">'
    )
    body = "<h2>Wie diskutiert die GMK?</h2><h2>Digitale Datenerhebung als Herausforderung</h2>"
    meta = extract_metadata(page(head=head, body=body, lang="de"), "https://bigdata.ypart.eu/page/1.html")
    assert meta.title == "Digitale Datenerhebung als Herausforderung"


@pytest.mark.parametrize(
    ("h1", "title"),
    [
        ("23.01.2022 - Wierer darf noch jubeln", "Wierer darf noch jubeln"),
        ("2022-01-23 | Wierer darf noch jubeln", "Wierer darf noch jubeln"),
        # a number that is part of the headline stays
        ("1.000 Fans - Wierer darf noch jubeln", "1.000 Fans - Wierer darf noch jubeln"),
    ],
)
def test_a_date_opening_the_headline_is_a_dateline(h1, title):
    meta = extract_metadata(page(body=f"<article><h1>{h1}</h1><p>Text</p></article>", lang="de"), URL)
    assert meta.title == title


@pytest.mark.parametrize(
    ("h2", "title"),
    [
        ("[&gt; Jens Weber im Gespräch", "Jens Weber im Gespräch"),
        ("» Jens Weber im Gespräch", "Jens Weber im Gespräch"),
        # German quotes and bracketed labels are part of the headline
        ("»Jens Weber im Gespräch«", "»Jens Weber im Gespräch«"),
        ("[Interview] Jens Weber im Gespräch", "[Interview] Jens Weber im Gespräch"),
    ],
)
def test_an_arrow_opening_the_headline_is_decoration(h2, title):
    meta = extract_metadata(page(body=f"<h2>{h2}</h2><p>Text</p>", lang="de"), URL)
    assert meta.title == title


def test_a_title_ending_inside_the_h1s_last_word_does_not_make_a_kicker():
    head = "<title>Geschichte - St. Georgs Chorknaben Ulm</title>"
    body = "<article><h1>Chorgeschichte</h1><p>Text</p></article>"
    meta = extract_metadata(
        page(head=head, body=body, lang="de"), "https://www.chorknaben-ulm.de/geschichte.html"
    )
    assert meta.title == "Chorgeschichte"


def test_kicker_is_found_whatever_its_case():
    head = '<meta property="og:title" content="Bitmain opens a US factory">'
    body = "<article><h1>Mining | BITMAIN opens a US factory</h1><p>Text</p></article>"
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Bitmain opens a US factory"


def test_kicker_ends_where_the_metadata_title_begins_even_when_its_first_word_recurs():
    head = '<meta property="og:title" content="Another child dead, another parent behind bars">'
    body = "<article><h1>Crime | Another child dead, another parent behind bars</h1><p>Text</p></article>"
    meta = extract_metadata(page(head=head, body=body), URL)
    assert meta.title == "Another child dead, another parent behind bars"
