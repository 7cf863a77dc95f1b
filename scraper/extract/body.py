"""Main text of a page: pick the container that holds the article, then keep its clean blocks."""

from __future__ import annotations

import bisect
import functools
import html
import itertools
import json
import math
import operator
import re
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

from selectolax.lexbor import LexborHTMLParser, LexborNode

from scraper.extract.site_rules import SiteRule
from scraper.extract.urls import is_plain_absolute

# Elements whose content is never article text.
SKIP_TAGS = frozenset(
    {
        "script", "style", "template", "svg", "math", "iframe", "object", "embed",
        "canvas", "button", "input", "select", "textarea", "option", "head", "audio", "video",
        "map", "dialog", "nav", "menu", "title", "meta", "link", "source", "track", "frameset",
        "amp-ad", "amp-sidebar", "amp-social-share", "amp-analytics", "amp-consent", "amp-sticky-ad",
        "rt", "rp",  # ruby pronunciation glosses (furigana) are not part of the sentence
    }
)  # fmt: skip
# Elements that start a new block of text.
BLOCK_TAGS = frozenset(
    {
        "p", "div", "section", "article", "main", "header", "footer", "aside", "h1", "h2", "h3",
        "h4", "h5", "h6", "ul", "ol", "li", "dl", "dt", "dd", "blockquote", "pre", "table", "tr",
        "td", "th", "tbody", "thead", "tfoot", "caption", "figure", "figcaption", "form",
        "fieldset", "address", "hr", "center", "body", "html", "details", "summary", "legend",
    }
)  # fmt: skip
# lexbor's id of text nodes: the walks tell them by this number rather than by a name made for each
_TEXT_TAG_ID = LexborHTMLParser("<p>x</p>").css_first("p").first_child.tag_id  # type: ignore[union-attr]
_PASS_OVER = "!"  # what _tag_name gives for a node the walks skip whole (no tag name starts with "!")
BR_MARK = "\x00"  # stands for <br> inside a block's raw text (the parser never leaves NUL in text)
# Elements whose text is page furniture wherever they sit (captions, forms, sidebars, footers).
# noscript is here rather than skipped: some sites put the whole article in it for crawlers
NEG_TAGS = frozenset({"aside", "footer", "figcaption", "form", "address", "noscript"})
HEADING_TAGS = frozenset({"h1", "h2", "h3", "h4", "h5", "h6"})
LARGE_PAGE_CHARS = 1_000_000  # above this the walk is narrowed to the likely article region first
MAX_NODES = 200_000  # a walk this long is a junk page; stop rather than spend seconds on it
MAX_DEPTH = 400  # deeper nesting is broken markup; its text is still read, its structure is not
# a furniture element whose blocks cannot hold more prose than this is only measured, not walked
SKIP_MAX_PROSE = 300

# Class/id words of page furniture (matched as whole words inside class and id values).
_NEG_WORDS = (
    r"share|sharing|shares|social|socials|sociallinks|follow|newsletter|newsletters|subscribe|subscription|"
    r"signup|cookie|cookies|consent|gdpr|banner|promo|promotion|advert|advertisement|advertising|ad|ads|"
    r"adv|adslot|adsense|sponsor|sponsored|related|relatedposts|recommended|recommendation|"
    r"recommendations|mostread|popular|trending|breadcrumb|breadcrumbs|nav|navbar|navigation|menu|"
    r"footer|sidebar|popup|modal|overlay|comment|comments|disqus|byline|author|authors|"
    r"meta|tags|tag|taglist|keywords|categories|pagination|pager|toolbar|skip|"
    r"sronly|visuallyhidden|screenreadertext|copyright|rating|login|register|outbrain|"
    r"taboola|plista|ligatus|jump|timestamp|dateline|"
    r"morestories|masthead|subnav|cta|donate|donation|survey|poll|"
    r"gallery|slideshow|carousel|partner|partners|shop|seealso|date|caption|credit|credits|"
    r"disclosure|textbox|licence|license|notice|toc|"
    r"kommentare|kommentar|werbung|anzeige|teilen|verwandte|artikelempfehlung"
)
_NEG_SET = frozenset(_NEG_WORDS.split("|"))
_POS_WORDS = (
    "articlebody|article|articletext|articlecontent|entrycontent|postcontent|storybody|story|content|text|"
    "body|entry|post|main|blog|hentry|richtext|prose|copy"
)
_POS_SET = frozenset(_POS_WORDS.split("|"))
_COMMENT_WORDS = (
    "comment|comments|commentlist|disqus|kommentare|kommentar|commentaires|comentarios|respond|discussion|"
    "replies|reactions"
)
_COMMENT_SET = frozenset(_COMMENT_WORDS.split("|"))
# the element holding one comment's own text (not its author line or reply button)
_COMMENT_ITEM_WORDS = "commentbody|commentcontent|commenttext|commentmessage|commententry|kommentartext"
_COMMENT_ITEM_SET = frozenset(_COMMENT_ITEM_WORDS.split("|"))
_COMMENT_ITEM_TAILS = frozenset({"body", "content", "text", "message", "entry"})
_CLASS_WORD_RE = re.compile(r"[a-z]+")
# every byte but a-z made a space: a Latin-1 text so translated splits into _CLASS_WORD_RE's words
_NON_CLASS_LETTER_TO_SPACE = bytes.maketrans(
    bytes(code for code in range(256) if not _CLASS_WORD_RE.match(chr(code))),
    b" " * (256 - 26),
)
_FURNITURE_ROLES = frozenset({"banner", "contentinfo", "complementary"})
_STATE_PREFIXES = ("tag-", "category-", "has-", "no-", "is-", "with-")
_CLASS_EXCEPTION_MARKERS = (*_STATE_PREFIXES, "live", "--", "hentry", "type-")
# the markers ending in "-" are looked for from each "-" (a scan for one character); the others,
# "live" and "hentry", by substring tests in _class_flags
_CLASS_EXCEPTION_DASH_RE = re.compile(
    "-(?:"
    + "|".join(f"(?<={re.escape(marker)})" for marker in _CLASS_EXCEPTION_MARKERS if marker.endswith("-"))
    + ")"
)
_HIDDEN_CLASSES = frozenset(
    {"hidden", "hide", "d-none", "is-hidden", "visually-hidden", "visuallyhidden", "sr-only"}
    | {"screen-reader-text"}
)
_CAMEL_RE = re.compile(r"(?<=[a-z])(?=[A-Z])")
_WS_RE = re.compile(r"\s+")
_NORM_RE = re.compile(r"[\W_]+", re.UNICODE)
_WORD_RE = re.compile(r"\w+", re.UNICODE)
# the Latin-1 characters \w does not match ("_" is a word character), each made a space: a Latin-1 text
# so translated splits into _WORD_RE's words
_LATIN1_NON_WORD = bytes(code for code in range(256) if not _WORD_RE.match(chr(code)))
_LATIN1_NON_WORD_TO_SPACE = bytes.maketrans(_LATIN1_NON_WORD, b" " * len(_LATIN1_NON_WORD))
_TYPOGRAPHIC_MARKS = "\u201c\u201e\u2013\u2019\u201d\u2014\u2026\u2018\u201a"  # “„–’”—…‘‚
_LATIN1_NOT_ALNUM = _LATIN1_NON_WORD + b"_"  # what _NORM_RE drops from a Latin-1 text
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_NUMBERISH_RE = re.compile(r"\d+\w{0,3}")
_PROMO_RE = re.compile(
    r"\b(?:subscribe|subscription|newsletter|sign up|follow us|telegram|whatsapp|download (?:our|the) app|"
    r"support (?:our|us)|donate|membership|abonn\w*|folgen sie|unterstütze?n? sie|spenden?|mitglied werden|"
    r"suscr[ií]b\w*|s[ií]guenos|síganos|abonnez|inscrivez|zapraszamy|subskrypc\w*)\b",
    re.IGNORECASE,
)
_PROMO_LOWER_RE = re.compile(_PROMO_RE.pattern)  # for lower-cased Latin-1 text, as _BOILERPLATE_LOWER_RE
# Sentences a site says to its readers about itself, in any layout: calls to subscribe, follow,
# download the app or donate, paywall notes, cookie and copyright notices (en/de/es/fr).
_BOILERPLATE_RE = re.compile(
    r"\b(?:subscribe (?:now|today|to (?:our|the|read))|already (?:a )?(?:subscriber|member)|"
    r"(?:read|view) the full (?:story|article)|our (?:free |daily |weekly )?newsletters?|"
    r"sign(?:ing)? up (?:for|to) our|download (?:our|the) (?:\w+ )?apps?\b|straight to your (?:phone|inbox)|"
    r"never miss (?:a|an|the)\b|if you (?:enjoyed|liked|like|enjoy) (?:reading )?(?:this|our)|"
    r"(?:consider )?support(?:ing)? our (?:work|journalism)|copyrighted property|written permission|"
    r"we use cookies|use of cookies|not responsible for the (?:opinions|content)|"
    r"does not (?:offer|provide|constitute) (?:medical|legal|financial|investment) advice|"
    r"abonniere?n? sie|jetzt abonnieren|unsere?n? (?:kostenlosen )?\w*newsletter|"
    r"werden? sie mitglied|werde mitglied|unterstütze?n? sie (?:uns|unsere)|verwendung von cookies|"
    r"folgen sie uns|folge uns|(?:diesen )?artikel teilen|könnte (?:dich|sie|ihnen) auch interessieren|"
    r"suscr[ií]bete|hazte (?:miembro|socio)|apóyanos|únete a nuestra|nuestro canal de youtube|"
    r"cancela cuando quieras|abonnez-vous|inscrivez-vous|vous aimerez aussi|notre newsletter|"
    # post metadata, affiliate and licence disclosures, disclaimers
    r"(?:this entry|dieser eintrag|der beitrag|dieser beitrag) wurde (?:am|in|unter)|"
    r"(?:und|and) abgelegt unter|"
    r"(?:is|was) (?:filed|posted) (?:under|in)|affiliate[- ]links?|enthält werbung|earn (?:a )?commission|"
    r"cc[- ]by(?:[- ]\w\w)*|ohne gewähr|n'engagent que leurs? auteurs?|opinions expressed (?:in|by)|"
    r"do not necessarily reflect|(?:use|uses|utilizamos|nutzt|verwendet|korzystamy z) cookies|im abo\b|"
    r"(?:gefällt|kennt) (?:dir|euch|ihnen|ihr) (?:schon )?unser)",
    re.IGNORECASE,
)
# The same without IGNORECASE for lower-cased Latin-1 text (see _JUNK_LINE_ASCII_RE): several times faster
_BOILERPLATE_LOWER_RE = re.compile(_BOILERPLATE_RE.pattern)
# every phrase of _BOILERPLATE_RE holds one of these words: a paragraph without any is not searched
_BOILERPLATE_WORDS_TEXT = (
    "subscribe already full newsletter newsletters sign signing download straight never enjoyed liked like "
    "enjoy support supporting copyrighted permission cookies responsible advice abonnier abonniere "
    "abonnieren abonniern mitglied unterstütz unterstütze unterstützen unterstützn folgen folge teilen "
    "interessieren suscríbete suscribete hazte apóyanos únete youtube cancela abonnez inscrivez aimerez "
    "entry eintrag beitrag abgelegt filed posted affiliate werbung commission cc gewähr engagent expressed "
    "necessarily abo gefällt kennt"
)
_BOILERPLATE_WORDS = frozenset(_BOILERPLATE_WORDS_TEXT.split())
# A figure caption set as a paragraph: "Abbildung 4: ...", "Fig. 2: ...", "Beitragsbild: ..."
_CAPTION_RE = re.compile(
    r"^(?:abbildung|abb\.|figure|fig\.|grafik|graphique|gr[aá]fico|bild|foto|photo|image|"
    r"beitragsbild|titelbild|aufmacherbild)\s*\d*\s*:",
    re.IGNORECASE,
)
BOILERPLATE_MAX_CHARS = 300  # longer paragraphs mentioning these are the article's own
# A closing note about the author: "Jane Doe is a senior writer for ...", "Max Muster, Fotograf aus ..."
_AUTHOR_BIO_RE = re.compile(
    r"^(?:[A-ZÄÖÜÉ][\w'.-]+\s){1,4}(?:is|was|ist|war|est|es)\s|^(?:[A-ZÄÖÜÉ][\w'.-]+\s){1,3}[A-ZÄÖÜÉ][\w'.-]+,\s"
)
_AUTHOR_ROLE_RE = re.compile(
    r"(?:writer|reporter|editor|journalist|correspondent|columnist|contributor|author|founder|photographer|"
    r"autor|redakteur|journalist|korrespondent|gründer|fotograf|kolumnist|rédact|journaliste|chroniqueu|"
    r"periodista|redactor|escritor|correspons)\w*",
    re.IGNORECASE,
)
AUTHOR_BIO_MAX_CHARS = 400
_FULL_STOP_RE = re.compile(r"[.!?。！？]\s*$")
_SENTENCE_END_RE = re.compile(r"[.!?。！？:;»\"”)]\s*$")
# Short lines that are page furniture in any layout (share prompts, credits, ads, read-more links).
_JUNK_LINE_RE = re.compile(
    r"^(?:share|share this|share on|teilen|tweet|follow us|folgen sie uns|advertisement|anzeige|werbung|"
    r"read more|weiterlesen|mehr zum thema|mehr lesen|lesen sie auch|related|related articles|"
    r"see also|siehe auch|sign up|subscribe|newsletter|print|drucken|e-?mail|"
    r"photo|foto|fotos|bild|image|credit|quelle|getty images|©|\(c\)|copyright|all rights reserved|"
    r"alle rechte vorbehalten|click here|hier klicken|loading|comments?|kommentare?|"
    r"leave a (?:comment|reply)|add a (?:public )?comment|no comments|"
    # section labels of teaser, author and tag boxes (en/de/es/fr)
    r"weitere (?:informationen|infos|beiträge|artikel|themen|news|nachrichten)|"
    r"mehr (?:themen|infos|informationen|artikel|news|dazu)|das könnte (?:dich|sie|ihnen) (?:auch )?"
    r"(?:interessieren|gefallen)|auch interessant|lesen sie mehr|zum weiterlesen|schon gelesen|"
    r"top[- ]themen|über (?:den|die) autor(?:in)?|about the author|zusatzinformationen|quellen ausblenden|"
    r"schlagworte|schlagwörter|markiert mit|themen:|tags:|kategorien?:|letzte änderung|"
    r"last (?:modified|updated)|release date|stay (?:up[- ]to[- ]date|informed|connected)|s[ií]guenos|"
    r"join us|you (?:may|might) also like|recommended for you|more (?:from|stories|news|on this)|"
    r"related (?:stories|posts|content|coverage)|ansprechpartner(?:in)?\b|pressekontakt|kontakt:|"
    r"contact:|lee también|leer también|à lire aussi|lire aussi|voir aussi|"
    # headings of teaser, rating and source boxes whose teasers were dropped
    r"ähnliche (?:beiträge|artikel|themen|posts)|empfehlungen (?:aus der redaktion|für (?:sie|dich))|"
    r"weitere (?:\w+ )?(?:themen|artikel|beiträge|\w*tipps|nachrichten|meldungen)|mehr (?:zu|zum|zur) |"
    r"alle (?:artikel|beiträge) (?:zu|zum|zur|von|aus)|kommentierte artikel|meistgelesen|vorschau auf|"
    r"kommentieren|externer inhalt|was sind cookies|quellenangaben|war (?:der|dieser) (?:artikel|beitrag) "
    r"(?:nützlich|hilfreich)|\(?noch keine bewertungen|aufrufe:|titelbild|beitragsbild|vous aimerez aussi|"
    r"sur le même sujet|dans la même rubrique|(?:también )?te puede interesar|noticias relacionadas|"
    r"read next|up next|most (?:popular|read)|trending now|editor'?s picks|more in )(?:\b|(?<=:))",
    re.IGNORECASE,
)
# The same without IGNORECASE, for lower-cased ASCII lines (its pattern is all lower case): several times
# faster, as the regex engine passes over alternatives by their first letter only when case counts
_JUNK_LINE_ASCII_RE = re.compile(_JUNK_LINE_RE.pattern)
_CREDIT_RE = re.compile(
    r"(?:^|[\s(|/])(?:photo|foto|fotos|bild|image|picture|credit|quelle|source|getty images|"
    r"reuters|afp|dpa|ap photo|imago|keystone|shutterstock|istock)\s*[:/©]|©|\(c\)\s",
    re.IGNORECASE,
)
_CREDIT_LOWER_RE = re.compile(_CREDIT_RE.pattern)  # for lower-cased Latin-1 text (see _is_latin1)
_DATE_WORDS_TEXT = (
    "monday tuesday wednesday thursday friday saturday sunday mon tue tues wed thu thur thurs fri sat "
    "sun january february march april may june july august september october november december jan feb "
    "mar apr jun jul aug sep sept oct nov dec am pm a.m p.m et est edt ct cst cdt pt pst pdt utc gmt cet "
    "cest bst ist jst min mins minute minutes read reading time updated update published posted last "
    "modified on at by h uhr am um montag dienstag mittwoch donnerstag freitag samstag sonntag januar "
    "februar märz mai juni juli oktober dezember aktualisiert veröffentlicht stand lesezeit minuten le à "
    "mis jour publié lundi mardi mercredi jeudi vendredi samedi dimanche janvier février mars avril juin "
    "juillet août septembre octobre novembre décembre ago hours hour days day weeks"
)
_DATE_WORDS = frozenset(_DATE_WORDS_TEXT.split())
_YEAR_OR_TIME_RE = re.compile(
    r"\b(?:1[89]\d\d|20\d\d)\b|\b\d{1,2}[:.]\d{2}\b|\b\d{1,2}[./-]\d{1,2}[./-]\d{2,4}\b"
)
# every match of _YEAR_OR_TIME_RE starts at a digit: a scan for the first one (the engine skips to it in a
# tight loop) is several times cheaper than the search, whose leading \b rules that loop out
_DIGIT_RE = re.compile(r"\d")

DATE_LINE_MAX_CHARS = 120
DATE_LINE_OTHER_WORDS = 3  # words besides date words a dateline may hold
JUNK_LINE_MAX_CHARS = 120
CREDIT_LINE_MAX_CHARS = 160
SENTENCE_MIN_WORDS = 6  # a line with this many words ending in a full stop is prose, not a label
GOOD_BLOCK_MIN_CHARS = 60  # a block this long with few links is likely prose
PROSE_MAX_LINK_DENSITY = 0.3  # share of a block's characters in links above which it is not prose
SENTENCE_MIN_CHARS = 25  # a shorter block ending like a sentence still counts, at SENTENCE_PROSE_SHARE
SENTENCE_PROSE_SHARE = 0.5
SHORT_LINE_BAD_SHARE = 0.3  # how much a short non-prose line counts as furniture, per character
MAJORITY_SHARE = 0.5  # an element holding more of the prose than this is the article, whatever its class
MAX_LINK_DENSITY = 0.5  # blocks with more of their characters in links are link lists
SHORT_MAX_LINK_DENSITY = 0.3  # ... and short blocks (SHORT_BLOCK_MAX_CHARS) above this
SHORT_BLOCK_MAX_CHARS = 100
NEAR_DUP_MIN_WORDS = 20  # shorter ones may differ by a word on purpose ("sales rose" / "costs rose")
NEAR_DUP_JACCARD = 0.85
# most one-sided words per word of a + b (padded so float rounding never rejects the exact bound)
NEAR_DUP_SPREAD = (1 - NEAR_DUP_JACCARD) / (1 + NEAR_DUP_JACCARD) + 1e-9
NEAR_DUP_SKETCH_MASK = 255  # paragraph sketches hold 256 bits
NEAR_DUP_SKETCH_MIN_CANDIDATES = 8  # fewer same-size paragraphs are intersected directly
BAD_WEIGHT = 0.4  # how much one character of furniture costs a container, against one of prose
ARTICLE_BODY_HINT_MIN_CHARS = 200  # a shorter articleBody is a summary, no use as a hint
HINT_MATCH_FACTOR = 2.0
HINT_MISS_FACTOR = 0.5
FLAGGED_BAD_SHARE = 0.25  # weight of furniture the filter will drop anyway, against plain link text
MIN_CONTAINER_SHARE = 0.05  # a container with less of the page's prose than this is a teaser
ARTICLE_BONUS = 1.05  # score factor of <article> and itemprop=articleBody containers
CONTENT_CLASS_BONUS = 1.02  # score factor of containers with a content-like class ("entry-content")
TEASER_MAX_PROSE_CHARS = 300  # a linked headline with less prose than this under it is a teaser card
LEAD_MIN_CHARS = 40  # a shorter description or block is no evidence of a lead paragraph
LEAD_CUT_CHARS = 5  # characters a description may lose at its end to being cut short ("Fr…")
PROMO_MAX_CHARS = 300  # a closing call to subscribe is short; a long last paragraph is the article's
EDGE_LINE_MIN_CHARS = 30  # shorter lines before the first or after the last paragraph are bylines/tags
JUNK_MIN_LINK_CHARS = 40  # less link text than this inside a sub-element is a citation, not a link list
JUNK_LINK_RATIO = 2.0  # a sub-element with this many times more link text than prose is a link list


@dataclass(slots=True)
class _Block:
    """One run of text between block boundaries, with its inline links."""

    segments: list[tuple[str, str | None]]
    owner: int  # index of the innermost block element holding the text
    tag: str
    text: str = ""
    link_chars: int = 0
    image: tuple[str, str] | None = None  # (src as written, alt) for an image block
    prose: float = 0.0  # characters of prose it counts for, once scored
    linked: bool = False  # some segment is a link
    collapsed: bool = False  # text is the segments' text with whitespace collapsed, nothing else changed


@dataclass
class Body:
    """The extracted main text, its safe HTML, outbound links and reader comments."""

    text: str = ""
    html: str = ""
    links: list[str] = field(default_factory=list)
    comments: list[str] = field(default_factory=list)
    source: str = "heuristic"  # or "site-rule"


def _norm(text: str) -> str:
    """Lower-case `text` and drop everything but letters and digits, for comparisons."""
    lowered = text.lower()
    data = _latin1_bytes(lowered, "")
    if data is not None:
        # every character fits a byte (see _words): deleting by a byte table is cheaper than the regex
        return data.translate(None, _LATIN1_NOT_ALNUM).decode("latin-1")
    # dropping whitespace first leaves the substitution a few punctuation marks, not every gap
    joined = "".join(lowered.split())
    return joined if joined.isalnum() else _NORM_RE.sub("", joined)


def _norm_words(words: list[str]) -> str:
    """Return what _norm gives for a text whose lower-cased words (_WORD_RE) are `words`."""
    # _norm keeps the word characters but "_", so the words joined are the key
    joined = "".join(words)
    return joined.replace("_", "") if "_" in joined else joined


def _is_latin1(text: str) -> bool:
    """Say whether every character of `text` is Latin-1 (then its lower case is what IGNORECASE compares)."""
    # the characters that fold together with Latin-1 ones (the Kelvin sign, long s) lie outside it
    return text.isascii() or len(text.encode("latin-1", "ignore")) == len(text)


def _has_invisible(text: str) -> bool:
    """Say whether `text` holds a character _INVISIBLE_RE drops (six substring tests beat one regex scan)."""
    return (
        "\u00ad" in text
        or "\u200b" in text
        or "\u200c" in text
        or "\u200d" in text
        or "\u2060" in text
        or "\ufeff" in text
    )


_NO_FLAGS = (False, False, False, False, False, False)
# the attributes besides class and id that _element_flags reads
_STATE_ATTRS = frozenset({"hidden", "aria-hidden", "style", "role", "itemprop"})
_FLAG_NEG = operator.itemgetter(0)  # of a _class_flags tuple
_FLAG_COMMENT = operator.itemgetter(2)
_FLAG_COMMENT_ITEM = operator.itemgetter(3)
_FIRST = operator.itemgetter(0)  # a segment's text


def _is_widget(parts: list[str], words: str) -> bool:
    """True for CMS sidebar widgets; page builders (Elementor) call every content block a widget."""
    return ("widget" in parts or "widgets" in parts) and "elementor" not in words


def _is_comment_item(parts: list[str]) -> bool:
    """True if class words name one comment's text ("comment-body", "commentcontent")."""
    if not _COMMENT_ITEM_SET.isdisjoint(parts):
        return True
    for position, part in enumerate(parts[:-1]):
        if (part == "comment" or part == "kommentar") and parts[position + 1] in _COMMENT_ITEM_TAILS:
            return True
    return False


def _class_words(text: str) -> list[str]:
    """Return the words (_CLASS_WORD_RE) of a lower-cased class string."""
    data = text.encode("latin-1", "ignore")
    if len(data) == len(text):
        # as in _words: a byte table and a split in C beat the regex scan
        return data.translate(_NON_CLASS_LETTER_TO_SPACE).decode("latin-1").split()
    return _CLASS_WORD_RE.findall(text)


@functools.lru_cache(maxsize=8192)
def _class_flags(value: str) -> tuple[bool, bool, bool, bool, bool, bool]:
    """Classify a "class id" string: (furniture, content, comments, one comment, articleBody, hidden)."""
    lowered = value.lower()
    words = lowered if value.islower() else _CAMEL_RE.sub("-", value).lower()
    # utility classes that mean display:none ("hidden", "d-none", "sr-only")
    hidden = (
        # every _HIDDEN_CLASSES name holds one of these: most strings are not split to look
        ("hid" in lowered or "none" in lowered or "only" in lowered or "screen" in lowered)
        and not _HIDDEN_CLASSES.isdisjoint(lowered.split())
    )
    # "y" in words: the cheap test that most strings fail
    article_body = "y" in words and "articlebody" in words.replace("-", "").replace("_", "")
    if "live" not in words and "hentry" not in words and _CLASS_EXCEPTION_DASH_RE.search(words) is None:
        # common case: no class needs excluding, so all words are judged together
        parts = _class_words(words)
        # "widget" in words: a substring test most strings fail, before the look at every part
        neg = not _NEG_SET.isdisjoint(parts) or ("widget" in words and _is_widget(parts, words))
        pos = not _POS_SET.isdisjoint(parts)
        comment = not _COMMENT_SET.isdisjoint(parts)
        item = comment and _is_comment_item(parts)
        return neg, pos, comment, item, article_body, hidden
    neg = pos = comment = item = False
    # a WordPress post ("hentry", "type-post") is the article, whatever its taxonomy classes say
    names = lowered.split()
    post = "hentry" in names or ("type-" in lowered and any(name.startswith("type-") for name in names))
    for name in words.split():
        # BEM modifiers ("section--ads") and state classes ("has-sidebar", "no-share", "is-live") say
        # what a block contains or how it looks, not what it is
        name = name.split("--", 1)[0]
        parts = _CLASS_WORD_RE.findall(name)
        if not parts:
            continue
        if not pos and not _POS_SET.isdisjoint(parts):
            pos = True
        # CMS taxonomy classes ("tag-energy category-news") describe the post, not furniture, and
        # "live-comment" is the newsroom's own live commentary, not readers'
        if post or name.startswith(_STATE_PREFIXES) or "live" in name:
            continue
        if not neg and (not _NEG_SET.isdisjoint(parts) or ("widget" in name and _is_widget(parts, name))):
            neg = True
        if not comment and not _COMMENT_SET.isdisjoint(parts):
            comment = True
        # every comment-item word holds "omment" ("comment-body", "kommentartext")
        if not item and "omment" in name:
            item = _is_comment_item(parts)
    return neg, pos, comment, item, article_body, hidden


def _absolute(base: str | None, href: str) -> str | None:
    """Return `href` made absolute against `base` if it is an http(s) URL, else None."""
    href = href.strip()
    if not href or href.startswith(("#", "javascript:", "mailto:", "data:", "tel:")):
        return None
    if is_plain_absolute(href):
        return href  # what urljoin and urlsplit would give back, without their cost
    try:
        full = urljoin(base, href) if base else href
        parts = urlsplit(full)
    except ValueError:
        return None
    if parts.scheme not in {"http", "https"} or not parts.netloc:
        return None
    return full


def _element_flags(attrs: dict[str, str | None]) -> tuple[bool, bool, bool, bool, bool, bool] | None:
    """Return an element's flags (see _class_flags) from its attributes; None if it is hidden or a dialog."""
    cls = attrs.get("class")
    if len(attrs) == 1 and cls is not None:
        # the commonest shape, a class alone (half of all elements)
        flags = _class_flags(cls) if cls else _NO_FLAGS
        return None if flags[5] else flags
    ident = attrs.get("id")
    if cls and ident:
        flags = _class_flags(f"{cls} {ident}")
    else:
        # one attribute alone needs no joining: the words of "x " and of "x" are the same
        flags = _class_flags(cls or ident) if cls or ident else _NO_FLAGS
    # most elements have none of the attributes that hide them or add to their flags: one test for all
    if _STATE_ATTRS.isdisjoint(attrs):
        return None if flags[5] else flags
    if "hidden" in attrs or attrs.get("aria-hidden") == "true":
        return None
    style = attrs.get("style")
    if style and ("none" in style or "hidden" in style):
        compact = style.replace(" ", "").lower()
        if "display:none" in compact or "visibility:hidden" in compact:
            return None
    role = attrs.get("role")
    if role in {"navigation", "dialog", "alertdialog"}:
        return None
    itemprop = attrs.get("itemprop")
    if itemprop:
        itemprop = itemprop.lower()
        if itemprop == "comment":
            flags = (flags[0], flags[1], True, True, flags[4], flags[5])
        elif itemprop == "articlebody":
            flags = (flags[0], flags[1], flags[2], flags[3], True, flags[5])
    if flags[5]:
        return None
    # landmark roles are furniture, but broken markup can put a whole page inside a "banner"
    if role in _FURNITURE_ROLES:
        flags = (True, *flags[1:])
    return flags


class _Walk:
    """One pass over the DOM collecting elements (parents, classes) and text blocks."""

    def __init__(self, base_url: str | None) -> None:
        self.base_url = base_url
        self.parent: list[int] = []
        self.tag: list[str] = []
        self.flags: list[tuple[bool, bool, bool, bool, bool, bool]] = []  # see _class_flags
        # derived from flags once the walk is done (one list comprehension beats per-element appends)
        self.neg: list[bool] = []
        self.comment: list[bool] = []
        self.comment_item: list[bool] = []
        self.blocks: list[_Block] = []
        self.link_total: list[int] = []  # link characters under each element, once scored
        self.block_stack: list[int] = []
        self.skipped: list[tuple[int, int, int, int]] = []
        self.attrs: dict[str, str | None] = {}  # of the element add_element read last
        # tag name per lexbor tag id (ids of custom tags hold only within one document, as a walk does)
        self.tag_names: dict[int, str] = {}

    def add_element(self, node: LexborNode, tag: str, parent: int) -> int | None:
        """Record one element; return its index, or None when it must be skipped whole."""
        attrs = self.attrs = node.attributes
        flags = _element_flags(attrs) if attrs else _NO_FLAGS
        if flags is None:
            return None
        index = len(self.tag)
        self.parent.append(parent)
        self.tag.append(tag)
        self.flags.append(flags)
        return index

    def flush(self, segments: list[tuple[str, str | None]]) -> None:
        """Close a run of text as a block owned by the innermost block element."""
        # most runs are one piece of text: no join
        raw = segments[0][0] if len(segments) == 1 else "".join(map(_FIRST, segments))
        collapsed = True
        if not raw.isascii() and _has_invisible(raw):
            # soft hyphens and zero-width characters split words for layout only
            raw = _INVISIBLE_RE.sub("", raw)
            collapsed = False
        owner = self.block_stack[-1] if self.block_stack else 0
        # collapse whitespace (split/join is several times cheaper than a regex substitution), unless
        # there is none to collapse: every whitespace character but " " is unprintable (a C scan)
        if raw.isprintable() and "  " not in raw and raw[:1] != " " and raw[-1:] != " ":
            text = raw
        else:
            text = " ".join(raw.split())
        if BR_MARK in text:
            text = "\n".join(line.strip() for line in text.split(BR_MARK) if line.strip())
            collapsed = False
        if not text:
            return
        link_chars = 0
        linked = False
        for seg_text, href in segments:
            if href is not None:
                linked = True
                stripped = seg_text.strip()
                # a bare URL as link text is a reference, not a navigation link
                if not stripped.startswith(("http", "www.")):
                    link_chars += len(stripped)
        block = _Block(segments, owner, self.tag[owner], text, link_chars, None, 0.0, linked, collapsed)
        self.blocks.append(block)

    def run(self, root: LexborNode, skip_furniture: bool = False) -> None:
        """Walk the tree under `root` without recursion (pages nest tags thousands deep)."""
        root_index = self.add_element(root, root.tag or "body", -1)
        if root_index is None:
            return
        tags = self.tag
        block_stack = self.block_stack
        block_stack.append(root_index)
        parents = self.parent
        flush = self.flush
        flag_list = self.flags
        # threaded walk (first_child / next / parent): no per-node tuples or child lists
        open_elements = [root_index]
        depth = 1  # len(open_elements), kept as a number (read at every element)
        segments: list[tuple[str, str | None]] = []
        has_text = False  # whitespace-only runs between blocks are common and never make a block
        href: str | None = None
        href_owner = -1
        node: LexborNode | None = root.first_child
        measure_left = MAX_NODES  # nested furniture is measured again: bound the total
        text_id = _TEXT_TAG_ID
        tag_names = self.tag_names
        # at most MAX_NODES nodes, counted by the loop in C
        for _ in itertools.repeat(None, MAX_NODES):
            if node is None:
                break
            # the id (a number) costs less than the name, which lexbor decodes into a new string each time
            tag_id = node.tag_id
            if tag_id == text_id:
                if has_text:
                    text = node.text_content
                    if text:
                        segments.append((text, href))
                # whitespace before a block's first text, which collapsing drops anyway, is skipped (the
                # ASCII kind tested in C, without copying the text out)
                elif not node.is_empty_text_node:
                    text = node.text_content
                    if text and not text.isspace():
                        segments.append((text, href))
                        has_text = True
            elif (tag := tag_names.get(tag_id) or _tag_name(node, tag_id, tag_names)) is _PASS_OVER:
                pass
            elif tag == "br":
                segments.append((BR_MARK, None))
            elif tag == "img" or tag == "amp-img":
                self._image(node)
            else:
                # add_element inlined: this runs for every element of the page
                attrs = node.attributes
                if not attrs:
                    flags = _NO_FLAGS
                elif len(attrs) == 1 and (cls := attrs.get("class")):
                    # _element_flags inlined for its commonest case too: a class alone (half of all elements)
                    flags = _class_flags(cls)
                    if flags[5]:
                        flags = None
                else:
                    flags = _element_flags(attrs)
                if flags is not None:
                    index = len(tags)
                    parents.append(open_elements[-1])
                    tags.append(tag)
                    flag_list.append(flags)
                    is_block = tag in BLOCK_TAGS
                    if is_block:
                        if has_text:
                            flush(segments)
                            has_text = False
                        segments = []
                        block_stack.append(index)
                    elif tag == "a" and href is None:
                        href = attrs.get("href")
                        href_owner = index
                    skip = False
                    if skip_furniture and (flags[0] or tag in NEG_TAGS) and not flags[2] and measure_left > 0:
                        # furniture is only weighed, unless it may hold prose (then it is walked)
                        chars, links, bound, seen = _measure(node, measure_left, SKIP_MAX_PROSE, tag_names)
                        measure_left -= seen
                        if bound <= SKIP_MAX_PROSE:
                            self.skipped.append((index, chars, links, bound))
                            skip = True
                    if skip:
                        descend = None
                    elif depth < MAX_DEPTH:
                        descend = node.first_child
                    else:
                        descend = None
                        # too deep to walk: keep the text, give up the structure
                        text = node.text(deep=True)
                        if text:
                            segments.append((text, href))
                            has_text = True
                    if descend is not None:
                        open_elements.append(index)
                        depth += 1
                        node = descend
                        continue
                    if is_block:
                        if has_text:
                            flush(segments)
                            has_text = False
                        segments = []
                        block_stack.pop()
                    elif index == href_owner:
                        href = None
            following = node.next
            while following is None and depth > 1:
                index = open_elements.pop()
                depth -= 1
                # only block elements are on block_stack, and an open one is on top as its subtree ends
                if block_stack[-1] == index:
                    if has_text:
                        flush(segments)
                        has_text = False
                    segments = []
                    block_stack.pop()
                elif index == href_owner:
                    href = None
                node = node.parent
                if node is None:
                    break
                following = node.next
            node = following
        if has_text:
            flush(segments)
        self._derive()

    def _derive(self) -> None:
        """Fill the per-element furniture and comment lists from the recorded flags."""
        flags = self.flags
        # maps in C instead of comprehensions (the bonus is worked out only for the few candidates)
        self.neg = list(map(operator.or_, map(_FLAG_NEG, flags), map(NEG_TAGS.__contains__, self.tag)))
        self.comment = list(map(_FLAG_COMMENT, flags))
        self.comment_item = list(map(_FLAG_COMMENT_ITEM, flags))

    def bonus(self, index: int) -> float:
        """Return an element's score factor (semantic markers tip the balance between close containers)."""
        neg, pos, _comment, _item, article_body, _hidden = self.flags[index]
        if article_body or self.tag[index] == "article":
            return ARTICLE_BONUS
        return CONTENT_CLASS_BONUS if pos and not neg else 1.0

    def _image(self, node: LexborNode) -> None:
        """Record an image (lazy-load attributes included) as a block of its own."""
        attrs = node.attributes
        src = attrs.get("data-src") or attrs.get("data-lazy-src") or attrs.get("src")
        if not src or src.startswith("data:"):
            return
        owner = self.block_stack[-1] if self.block_stack else 0
        # made absolute (and checked) only if kept: most images of a page are never rendered
        self.blocks.append(_Block([], owner, "img", "", 0, (src, attrs.get("alt") or "")))


def _skipped_may_count(walk: _Walk, container: int, prose: list[float], hint: str) -> bool:
    """True if a skipped furniture element may hold enough prose to count as article after all."""
    page = MAJORITY_SHARE * prose[0]
    here = MAJORITY_SHARE * prose[container]
    last = _subtree_end(walk.parent, container)
    # the JSON-LD articleBody may double a block's prose (HINT_MATCH_FACTOR)
    factor = HINT_MATCH_FACTOR if hint else 1.0
    for index, _chars, _links, bound in walk.skipped:
        most = bound * factor
        if most > page or (container < index <= last and most > here):
            return True
    return False


def _tag_name(node: LexborNode, tag_id: int, names: dict[int, str]) -> str:
    """Return the tag name of `node` (_PASS_OVER for a node the walks skip), remembered under its tag id."""
    tag = node.tag
    if tag is None or tag[0] in "!-" or tag in SKIP_TAGS:
        # comments, doctypes and the elements whose content is never text: one test in the walks
        tag = _PASS_OVER
    names[tag_id] = tag
    return tag


def _measure(
    root: LexborNode, limit: int, most: float, tag_names: dict[int, str]
) -> tuple[int, int, int, int]:
    """Sum the text under `root`: characters, link characters, the most prose its blocks may hold, nodes seen.

    Past `limit` nodes the bound is unknown (reported as more than any page holds); once the bound
    passes `most` the count stops early (the caller walks the subtree anyway). `tag_names` is the
    walk's tag name per tag id.
    """
    text_id = _TEXT_TAG_ID
    chars = links = bound = 0
    block = block_links = 0  # the current run of text between block boundaries
    prose = 0  # bound + block - block_links, kept as one figure for the check at every node
    blocks = [False]  # per open element: is it a block (its end closes a run)
    depth = 1  # len(blocks), kept as a number (read at every element)
    link_depth = -1
    node = root.first_child
    if node is None:
        return 0, 0, 0, 0
    # one item per node, counted in C: the items left tell the nodes seen
    budget = itertools.repeat(None, limit)
    for _ in budget:
        if prose > most:
            return chars, links, prose, limit - operator.length_hint(budget)
        tag_id = node.tag_id
        if tag_id == text_id:
            # whitespace-only text (tested in C) adds nothing
            text = None if node.is_empty_text_node else node.text_content
            if text:
                size = len(text.strip())
                if size:
                    # +1: a space may join it to the next text once whitespace is collapsed
                    block += size + 1
                    chars += size
                    if link_depth >= 0:
                        links += size
                        block_links += size
                        prose += 1
                    else:
                        prose += size + 1
        elif (tag := tag_names.get(tag_id) or _tag_name(node, tag_id, tag_names)) is _PASS_OVER:
            pass
        else:
            is_block = tag in BLOCK_TAGS
            if is_block and block:
                if block >= SENTENCE_MIN_CHARS:
                    bound += block - block_links
                else:
                    prose -= block - block_links
                block = block_links = 0
            if tag == "a" and link_depth < 0:
                link_depth = depth
            if depth < MAX_DEPTH:
                descend = node.first_child
                if descend is not None:
                    blocks.append(is_block)
                    depth += 1
                    node = descend
                    continue
            else:
                # too deep to walk (the walk reads it as one run of text): count it all as prose
                size = len(node.text(deep=True).strip())
                chars += size
                bound += size
                prose += size
            if link_depth == depth:
                link_depth = -1
        following = node.next
        while following is None and depth > 1:
            depth -= 1
            if blocks.pop() and block:
                if block >= SENTENCE_MIN_CHARS:
                    bound += block - block_links
                else:
                    prose -= block - block_links
                block = block_links = 0
            if link_depth == depth:
                link_depth = -1
            node = node.parent
            if node is None:
                break
            following = node.next
        if following is None:
            break
        node = following
    else:
        # nodes are left past `limit`
        return chars, links, MAX_NODES * MAX_DEPTH, limit + 1
    if block >= SENTENCE_MIN_CHARS:
        bound += block - block_links
    return chars, links, bound, limit - operator.length_hint(budget)


def _is_date_line(text: str, words: list[str] | None = None) -> bool:
    """True for a short line that is only a date, time, reading time or byline (`words`: lower-cased)."""
    if len(text) > DATE_LINE_MAX_CHARS:
        return False
    digit = _DIGIT_RE.search(text)
    # the search starts at the first digit (its \b still sees the character before)
    if digit is None or not _YEAR_OR_TIME_RE.search(text, digit.start()):
        return False
    if words is None:
        words = _WORD_RE.findall(text.lower())
    rest = [w for w in words if w not in _DATE_WORDS and not _NUMBERISH_RE.fullmatch(w)]
    # a dateline may carry a word or three besides the date ("DIE ZEIT Nr. 43/2019", "Von Anna Roth")
    return len(rest) <= DATE_LINE_OTHER_WORDS and len(rest) * 2 < len(words)


def _is_junk_line(text: str, lowered: str | None = None) -> bool:
    """True for a short line that is page furniture (share prompt, credit, ad label); `lowered`: lowered."""
    if len(text) > CREDIT_LINE_MAX_CHARS:  # the longer of the two limits
        return False
    # a Latin-1 line is matched by its lower case against the patterns' copies without IGNORECASE
    latin1 = _is_latin1(text)
    if latin1 and lowered is None:
        lowered = text.lower()
    if len(text) <= JUNK_LINE_MAX_CHARS and (
        _JUNK_LINE_ASCII_RE.match(lowered) if latin1 and lowered is not None else _JUNK_LINE_RE.match(text)
    ):
        # "Print media is losing readers." is a sentence that happens to start like a label
        return not (_FULL_STOP_RE.search(text) and len(text.split()) >= SENTENCE_MIN_WORDS)
    return (
        # every credit pattern holds one of these marks: most lines are ruled out without a search
        (":" in text or "/" in text or "©" in text or "(c)" in text or "(C)" in text)
        and (_CREDIT_LOWER_RE.search(lowered) if latin1 and lowered is not None else _CREDIT_RE.search(text))
        is not None
        and not (_SENTENCE_END_RE.search(text) and len(text) > 80)
    )


def article_body_hint(tree: LexborHTMLParser) -> str:
    """Return the normalised JSON-LD articleBody of the page ('' if none), to vote for blocks."""
    if not tree.scripts_contain("articleBody"):
        return ""
    found: list[str] = []
    for node in tree.css('script[type="application/ld+json"]'):
        raw = node.text(deep=True)
        if not raw or "articleBody" not in raw:
            continue
        try:
            data = json.loads(raw, strict=False)
        except ValueError:
            continue
        todo = [data]
        while todo and len(todo) < 1000:
            item = todo.pop()
            if isinstance(item, dict):
                value = item.get("articleBody")
                if isinstance(value, str):
                    found.append(value)
                todo.extend(v for v in item.values() if isinstance(v, (dict, list)))
            elif isinstance(item, list):
                todo.extend(item)
    text = _norm(html.unescape(" ".join(found)))
    return text if len(text) >= ARTICLE_BODY_HINT_MIN_CHARS else ""


def _block_weights(block: _Block, hint: str) -> tuple[float, float]:
    """Return (prose, furniture) characters of one text block."""
    length = len(block.text)
    if block.tag in HEADING_TAGS:
        # headings name sections and teasers alike: neither prose nor furniture
        return 0.0, float(block.link_chars)
    link_density = block.link_chars / length if length else 0.0
    g = 0.0
    b = float(block.link_chars)
    if link_density < PROSE_MAX_LINK_DENSITY and length >= GOOD_BLOCK_MIN_CHARS:
        g = length * (1 - link_density)
    elif (
        link_density < PROSE_MAX_LINK_DENSITY
        and length >= SENTENCE_MIN_CHARS
        and _SENTENCE_END_RE.search(block.text)
    ):
        g = length * SENTENCE_PROSE_SHARE
    else:
        b += SHORT_LINE_BAD_SHARE * (length - block.link_chars)
    if hint and length >= SENTENCE_MIN_CHARS:
        # the JSON-LD articleBody vouches for the paragraphs it contains, and doubts the rest
        if _norm(block.text) in hint:
            g = max(g, float(length)) * HINT_MATCH_FACTOR
        else:
            g *= HINT_MISS_FACTOR
    return g, b


def _score_blocks(walk: _Walk, hint: str) -> tuple[list[float], list[float], list[float]]:
    """Return per-element sums over each subtree: prose outside furniture, furniture, all prose."""
    n = len(walk.tag)
    parent = walk.parent
    own_good = [0.0] * n
    own_bad = [0.0] * n
    prose = [0.0] * n
    link_total = walk.link_total = [0] * n
    has_h1 = [False] * n
    linked_heading = [0] * n
    for block in walk.blocks:
        if block.image is not None:
            continue
        g, b = _block_weights(block, hint)
        block.prose = g
        owner = block.owner
        own_good[owner] += g
        own_bad[owner] += b
        prose[owner] += g
        link_total[owner] += block.link_chars
        if block.tag == "h1":
            has_h1[owner] = True
        # a headline that is a link, outside the page's h1, marks a teaser card (or a list of them)
        elif block.tag in HEADING_TAGS and block.link_chars * 2 > len(block.text):
            linked_heading[owner] += 1
    for index, chars, links, _bound in walk.skipped:
        # furniture only ever counts as its total weight (FLAGGED_BAD_SHARE), which its characters bound
        own_bad[index] += chars
        link_total[index] += links
    # elements are numbered in document order: children after parents, so one reverse pass sums subtrees
    for i in range(n - 1, 0, -1):
        # most elements hold no text (a linked heading has link characters): nothing to pass up
        if not (prose[i] or link_total[i] or has_h1[i]):
            continue
        up = parent[i]
        prose[up] += prose[i]
        link_total[up] += link_total[i]
        linked_heading[up] += linked_heading[i]
        if has_h1[i]:
            has_h1[up] = True
    # a furniture word on a wrapper of most of the page (body class="has-sidebar") says nothing
    half = MAJORITY_SHARE * prose[0] if n else 0.0
    neg = walk.neg
    comment = walk.comment
    for i in range(n):
        if neg[i] and prose[i] > half:
            neg[i] = False
        elif (
            linked_heading[i]
            and prose[i] < TEASER_MAX_PROSE_CHARS * linked_heading[i]
            and not has_h1[i]
            # one linked headline alone may be a short post's permalink title; a run of them is a list
            and (linked_heading[i] > 1 or (parent[i] >= 0 and linked_heading[parent[i]] > 1))
        ):
            neg[i] = True
        if comment[i] and has_h1[i]:
            comment[i] = False
    # furniture below a boilerplate element counts against every container above it (less, since the
    # filter removes it again); reader comments count for nothing, as an article container may well
    # hold its comment section
    good = own_good
    bad = own_bad
    total = list(map(operator.add, own_good, own_bad))  # everything below, comments excluded
    for i in range(n - 1, -1, -1):
        # good and bad are never negative and never sum to more than total: with no total, nothing to add
        if not total[i]:
            continue
        if comment[i]:
            good[i] = bad[i] = total[i] = 0.0
            continue
        if neg[i]:
            good[i] = 0.0
            bad[i] = total[i] * FLAGGED_BAD_SHARE
        up = parent[i]
        if up >= 0:
            good[up] += good[i]
            bad[up] += bad[i]
            total[up] += total[i]
    return good, bad, prose


def _pick_container(
    walk: _Walk, good: list[float], bad: list[float], prose: list[float] | None = None
) -> int:
    """Return the element that best separates prose from furniture."""
    best = 0
    best_score = float("-inf")
    total_good = good[0] if good else 0.0
    parent = walk.parent
    neg = walk.neg
    comment = walk.comment
    # a container holding only a sliver of the page's prose is a teaser, not the article
    sliver = MIN_CONTAINER_SHARE * total_good if total_good else float("-inf")
    # elements are numbered in document order, so a parent's flag is known before its children's
    under_furniture = [False] * len(good)
    for i in range(len(good)):
        up = parent[i]
        under = under_furniture[i] = neg[i] or comment[i] or (up >= 0 and under_furniture[up])
        if good[i] <= 0 or under or good[i] < sliver:
            continue
        score = (good[i] - BAD_WEIGHT * bad[i]) * walk.bonus(i)
        if score > best_score:
            best, best_score = i, score
    if best_score == float("-inf") and prose is not None:
        # every prose block sits under some furniture class: judge on prose alone rather than give up
        best = max(range(len(prose)), key=lambda i: (prose[i] - BAD_WEIGHT * bad[i], -i))
    return best


def _subtree_end(parent: list[int], index: int) -> int:
    """Return the index of the last element of `index`'s subtree (elements are in document order)."""
    # the first element after the subtree is a child of one of its ancestors
    end = index + 1
    count = len(parent)
    while end < count and parent[end] >= index:
        end += 1
    return end - 1


def _furniture_marks(walk: _Walk, container: int, last: int, prose: list[float]) -> list[bool]:
    """Mark, for each element of the container's subtree, whether boilerplate sits on its way up."""
    parent = walk.parent
    neg = walk.neg
    comment = walk.comment
    link_total = walk.link_total
    # an element holding most of the container's prose is the article, whatever its class says
    limit = MAJORITY_SHARE * prose[container]
    # marks[i - container]: element i is furniture, or sits in furniture or a link list below container
    marks = [False] * (last - container + 1)
    for i in range(container + 1, last + 1):
        up = parent[i]
        if (
            (
                up > container
                and (
                    marks[up - container]
                    # a link list (teasers, "more on this") around the block, not the block's own links
                    or (
                        link_total[up] >= JUNK_MIN_LINK_CHARS
                        and prose[up] <= limit
                        and link_total[up] > JUNK_LINK_RATIO * prose[up]
                    )
                )
            )
            or (neg[i] and prose[i] <= limit)
            or comment[i]
        ):
            marks[i - container] = True
    return marks


def _collect_comments(walk: _Walk) -> list[str]:
    """Return the text of each reader comment found inside comment sections."""
    if True not in walk.comment:
        return []
    parent = walk.parent
    item_flags = walk.comment_item
    # "comment-body" often wraps author line, text and reply link, with "comment-content" inside it:
    # only the innermost comment-text element holds the comment itself
    outer: set[int] = set()
    for i in itertools.compress(range(len(item_flags)), item_flags):
        up = parent[i]
        while up >= 0:
            if item_flags[up]:
                outer.add(up)
            up = parent[up]
    # the innermost comment-text element between each element and its nearest comment section
    # (-1: none), and whether it sits in a section at all; parents come before children. Only the
    # subtrees of comment sections are visited: blocks elsewhere are no comments
    comment = walk.comment
    item_of = [-1] * len(parent)
    in_section = [False] * len(parent)
    end = -1
    for start in itertools.compress(range(len(comment)), comment):
        if start <= end:
            continue  # a section inside one visited already
        end = _subtree_end(parent, start)
        for i in range(start, end + 1):
            own = i if item_flags[i] and i not in outer else -1
            if comment[i]:
                in_section[i] = True
                item_of[i] = own
            else:
                up = parent[i]
                in_section[i] = in_section[up]
                item_of[i] = own if own >= 0 else item_of[up]
    texts: dict[int, list[str]] = {}
    for block in walk.blocks:
        item = item_of[block.owner]
        if item >= 0 and block.text and in_section[block.owner] and not _is_junk_line(block.text):
            texts.setdefault(item, []).append(block.text)
    comments: list[str] = []
    for lines in texts.values():
        text = "\n".join(lines).strip()
        if text and text not in comments:
            comments.append(text)
    return comments


def _html_block(block: _Block, base_url: str | None) -> tuple[str, list[str]]:
    """Render one block as safe inline HTML; return it with the absolute links it holds."""
    if not block.linked:
        # plain text: escaped in one piece (escaping neither makes nor removes whitespace)
        if block.collapsed:
            return html.escape(block.text, quote=False), []
        return " ".join(html.escape("".join([text for text, _ in block.segments]), quote=False).split()), []
    parts: list[str] = []
    links: list[str] = []
    for text, href in block.segments:
        if text == BR_MARK:
            parts.append(BR_MARK)
            continue
        full = _absolute(base_url, href) if href is not None else None
        if full is not None and text.strip():
            links.append(full)
            parts.append(f'<a href="{html.escape(full, quote=True)}">{html.escape(text, quote=False)}</a>')
        else:
            parts.append(html.escape(text, quote=False))
    return " ".join("".join(parts).split()), links


def _paragraphs(inner: str) -> str:
    """Wrap inline HTML in <p>, one paragraph per line break (the safe subset has no <br>)."""
    if BR_MARK not in inner:
        # the common case, one paragraph
        line = inner.strip()
        return f"<p>{line}</p>" if line else ""
    lines = [line.strip() for line in inner.split(BR_MARK)]
    return "".join(f"<p>{line}</p>" for line in lines if line)


def _render(walk: _Walk, kept: list[_Block], base_url: str | None) -> tuple[str, str, list[str]]:
    """Join kept blocks into plain text, safe HTML and the list of links."""
    texts: list[str] = []
    out: list[str] = []
    links: list[str] = []
    open_list: tuple[int, str] | None = None
    for block in kept:
        if block.image is not None:
            src = _absolute(base_url, block.image[0])
            if src is None:
                continue
            if open_list is not None:
                out.append(f"</{open_list[1]}>")
                open_list = None
            alt = _WS_RE.sub(" ", block.image[1]).strip()
            out.append(f'<img src="{html.escape(src, quote=True)}" alt="{html.escape(alt, quote=True)}">')
            continue
        texts.append(block.text)
        inner, block_links = _html_block(block, base_url)
        for link in block_links:
            if link not in links:
                links.append(link)
        if block.tag == "li":
            list_owner = walk.parent[block.owner]
            kind = "ol" if list_owner >= 0 and walk.tag[list_owner] == "ol" else "ul"
            if open_list is None or open_list[0] != list_owner:
                if open_list is not None:
                    out.append(f"</{open_list[1]}>")
                out.append(f"<{kind}>")
                open_list = (list_owner, kind)
            out.append(f"<li>{inner.replace(BR_MARK, ' ')}</li>")
            continue
        if open_list is not None:
            out.append(f"</{open_list[1]}>")
            open_list = None
        if block.tag in HEADING_TAGS:
            level = {"h1": 2, "h2": 2, "h3": 3}.get(block.tag, 4)
            out.append(f"<h{level}>{inner.replace(BR_MARK, ' ')}</h{level}>")
        elif block.tag == "blockquote":
            out.append(f"<blockquote>{_paragraphs(inner)}</blockquote>")
        elif block.tag == "pre":
            out.append(f"<pre>{html.escape(block.text)}</pre>")
        else:
            out.append(_paragraphs(inner))
    if open_list is not None:
        out.append(f"</{open_list[1]}>")
    return "\n\n".join(texts), "\n".join(out), links


def _filter(
    walk: _Walk,
    container: int,
    prose: list[float],
    title: str | None,
    use_furniture: bool,
) -> list[_Block]:
    """Keep the blocks of `container` that are prose, headings or lists, each once."""
    kept: list[_Block] = []
    seen: set[str] = set()
    seen_words: list[set[str]] = []
    # per seen_words entry: one bit per word hash (a 256-bit Bloom sketch), made when first compared
    seen_sketches: list[int | None] = []

    def sketch_of(i: int) -> int:
        value = seen_sketches[i]
        if value is None:
            value = seen_sketches[i] = _sketch(seen_words[i])
        return value

    seen_sizes: list[tuple[int, int]] = []  # (vocabulary size, index into seen_words), sorted
    title_norm = _norm(title) if title else ""
    # elements are numbered in document order, so a subtree is a contiguous range of indices
    last = _subtree_end(walk.parent, container)
    furniture = _furniture_marks(walk, container, last, prose) if use_furniture else []
    for block in walk.blocks:
        if not container <= block.owner <= last:
            continue
        if use_furniture and furniture[block.owner - container]:
            continue
        if block.image is not None:
            kept.append(block)
            continue
        text = block.text
        length = len(text)
        if not length:
            continue
        link_density = block.link_chars / length
        if use_furniture and (
            link_density > MAX_LINK_DENSITY
            or (link_density > SHORT_MAX_LINK_DENSITY and length < SHORT_BLOCK_MAX_CHARS)
        ):
            continue
        # one word split serves the date-line, boilerplate and near-duplicate tests and the key
        lowered = text.lower()
        tokens = _words(lowered)
        if use_furniture:
            if _is_date_line(text, tokens) or _is_junk_line(text, lowered):
                continue
            if length <= BOILERPLATE_MAX_CHARS and _is_boilerplate(text, lowered, tokens):
                continue
        key = _norm_words(tokens)
        if not key or key in seen:
            continue
        # the headline is the title field, not body text, even when it differs from <title>
        if (use_furniture and block.tag == "h1") or (
            title_norm and (key == title_norm or (block.tag in HEADING_TAGS and key in title_norm))
        ):
            seen.add(key)
            continue
        # fewer characters than this cannot hold NEAR_DUP_MIN_WORDS words worth comparing
        words = set(tokens) if length >= 3 * NEAR_DUP_MIN_WORDS else set()
        size = len(words)
        if size >= NEAR_DUP_MIN_WORDS:
            # only paragraphs of similar vocabulary size can be near-duplicates: look those up by size
            low = bisect.bisect_left(seen_sizes, (math.ceil(NEAR_DUP_JACCARD * size), -1))
            high = bisect.bisect_right(seen_sizes, (int(size / NEAR_DUP_JACCARD), len(seen_words)))
            sketch = None  # made only when some paragraph is compared with this one
            # Jaccard >= t allows at most (1 - t)(|a| + |b|) / (1 + t) words in one set only, and each
            # bit in which two sketches differ needs such a word: a cheap test before the set intersection
            # keeps pages of many same-length paragraphs (a long report) from costing n^2 intersections
            if 0 < high - low < NEAR_DUP_SKETCH_MIN_CANDIDATES:
                # a few intersections cost less than making the sketch (a Python loop over the words)
                if any(
                    (common := len(words & seen_words[i])) >= NEAR_DUP_JACCARD * (size + other - common)
                    for other, i in seen_sizes[low:high]
                ):
                    continue
            elif low < high:
                sketch = _sketch(words)
                if any(
                    (sketch ^ sketch_of(i)).bit_count() <= NEAR_DUP_SPREAD * (size + other)
                    and (common := len(words & seen_words[i])) >= NEAR_DUP_JACCARD * (size + other - common)
                    for other, i in seen_sizes[low:high]
                ):
                    continue
            bisect.insort(seen_sizes, (size, len(seen_words)))
            seen_words.append(words)
            seen_sketches.append(sketch)
        seen.add(key)
        kept.append(block)
    # images count only when some text came with them
    if not any(b.image is None for b in kept):
        return []
    if use_furniture:
        kept = _trim_edges(_drop_orphan_headings(kept))
    return kept


def _words(text: str) -> list[str]:
    """Return the words (_WORD_RE) of `text`."""
    # none of the typographic marks is a word character: as spaces they split the words as before
    data = _latin1_bytes(text, " ")
    if data is not None:
        # every character fits a byte (ASCII and most Western European text): a byte table and a split
        # in C take about half the time of the regex scan
        return data.translate(_LATIN1_NON_WORD_TO_SPACE).decode("latin-1").split()
    return _WORD_RE.findall(text)


def _latin1_bytes(text: str, mark_to: str) -> bytes | None:
    """Return `text` in Latin-1, its typographic marks made `mark_to` if need be; None if it does not fit."""
    data = text.encode("latin-1", "ignore")
    if len(data) == len(text):
        return data
    # typographic quotes, dashes and ellipses are most of the characters past Latin-1 in Western text
    for mark in _TYPOGRAPHIC_MARKS:
        if mark in text:
            text = text.replace(mark, mark_to)
    data = text.encode("latin-1", "ignore")
    return data if len(data) == len(text) else None


def _sketch(words: set[str]) -> int:
    """Return a paragraph's word sketch: one bit of NEAR_DUP_SKETCH_MASK + 1 per word hash."""
    sketch = 0
    for word in words:
        sketch |= 1 << (hash(word) & NEAR_DUP_SKETCH_MASK)
    return sketch


def _drop_orphan_headings(kept: list[_Block]) -> list[_Block]:
    """Drop headings with nothing under them (their teaser list or widget was dropped)."""
    text_blocks = [b for b in kept if b.image is None]
    orphans: set[int] = set()
    for position, block in enumerate(text_blocks):
        if block.tag not in HEADING_TAGS:
            continue
        following = text_blocks[position + 1] if position + 1 < len(text_blocks) else None
        if following is None or (following.tag in HEADING_TAGS and following.tag <= block.tag):
            orphans.add(id(block))
    return [b for b in kept if id(b) not in orphans] if orphans else kept


def _keeps_at_edge(block: _Block) -> bool:
    """True for a block worth keeping outside the run of paragraphs: list items, images, longer lines."""
    return block.tag == "li" or block.image is not None or len(block.text) >= EDGE_LINE_MIN_CHARS


def _is_boilerplate(text: str, lowered: str | None = None, words: list[str] | None = None) -> bool:
    """True for a note to the reader (see _BOILERPLATE_RE) or a figure caption set as a paragraph."""
    # every caption label ends in ":": most paragraphs are ruled out without the case-blind match
    if ":" in text and _CAPTION_RE.match(text):
        return True
    if lowered is None:
        lowered = text.lower()
    if words is None:
        words = _WORD_RE.findall(lowered)
    # the word check is some twenty times cheaper than the search, and rules out most paragraphs
    if "newsletter" not in lowered and _BOILERPLATE_WORDS.isdisjoint(words):
        return False
    found = _BOILERPLATE_LOWER_RE.search(lowered) if _is_latin1(lowered) else _BOILERPLATE_RE.search(lowered)
    return found is not None


def _is_promo(text: str) -> bool:
    """True if `text` calls on the reader to subscribe, follow or donate (_PROMO_RE)."""
    if _is_latin1(text):
        return _PROMO_LOWER_RE.search(text.lower()) is not None
    return _PROMO_RE.search(text) is not None


def _is_author_bio(text: str) -> bool:
    """True for a short note naming the author and their job, as sites close articles with."""
    if len(text) > AUTHOR_BIO_MAX_CHARS:
        return False
    found = _AUTHOR_BIO_RE.match(text)
    # the job follows within a few words ("is a senior writer", "ist freie Autorin")
    return found is not None and _AUTHOR_ROLE_RE.search(text, found.end(), found.end() + 40) is not None


def _trim_edges(kept: list[_Block]) -> list[_Block]:
    """Drop the short lines before the first and after the last prose block (bylines, tag lists)."""
    prose_at = [i for i, b in enumerate(kept) if b.prose > 0]
    if not prose_at:
        return kept
    first, last = prose_at[0], prose_at[-1]
    head = [b for b in kept[:first] if b.tag in HEADING_TAGS or _keeps_at_edge(b)]
    tail = [b for b in kept[last + 1 :] if _keeps_at_edge(b)]
    body = kept[first : last + 1]
    # the closing paragraph is where sites put their calls to subscribe, follow or donate
    while len(body) > 1 and (
        (len(body[-1].text) <= PROMO_MAX_CHARS and _is_promo(body[-1].text)) or _is_author_bio(body[-1].text)
    ):
        body.pop()
    return head + body + tail


def extract_body(
    tree: LexborHTMLParser,
    url: str | None,
    *,
    title: str | None = None,
    rule: SiteRule | None = None,
    page_chars: int = 0,
    description: str | None = None,
    jsonld_article_body: bool = True,
) -> Body:
    """Extract the main text of a parsed page (the tree may be changed; see PageData.article_body)."""
    hint = article_body_hint(tree) if jsonld_article_body else ""
    root = tree.body or tree.root
    if root is None:
        return Body()
    source = "heuristic"
    if rule is not None:
        for selector in rule.drop:
            for node in tree.css(selector):
                node.decompose()
        if rule.body:
            nodes = tree.css(rule.body)
            if nodes:
                return _from_rule(nodes, url, title)
    if page_chars > LARGE_PAGE_CHARS:
        root = _narrow_root(tree, root)
    walk = _Walk(url)
    walk.run(root, skip_furniture=True)
    if not walk.tag:
        return Body(source=source)
    good, bad, prose = _score_blocks(walk, hint)
    container = _pick_container(walk, good, bad, prose)
    if walk.skipped and _skipped_may_count(walk, container, prose, hint):
        walk = _Walk(url)
        walk.run(root)
        good, bad, prose = _score_blocks(walk, hint)
        container = _pick_container(walk, good, bad, prose)
    kept = _filter(walk, container, prose, title, use_furniture=True)
    if description and kept:
        kept = _with_lead(walk, kept, description)
    text, body_html, links = _render(walk, kept, url)
    return Body(text, body_html, links, _collect_comments(walk), source)


def _with_lead(walk: _Walk, kept: list[_Block], description: str) -> list[_Block]:
    """Put back the lead paragraph the page's description repeats, when it sits outside the container."""
    wanted = _norm(html.unescape(description))
    # descriptions are often the lead cut short ("...")
    wanted = wanted[: max(0, len(wanted) - LEAD_CUT_CHARS)]
    if len(wanted) < LEAD_MIN_CHARS:
        return kept
    first = kept[0]
    # a lead follows the headline; a site's tagline in the page header (often its description) does not
    after_headline = not any(b.tag == "h1" for b in walk.blocks)
    for block in walk.blocks:
        if block is first:
            break
        if not after_headline:
            after_headline = block.tag == "h1"
            continue
        if len(block.text) < LEAD_MIN_CHARS or walk.comment[block.owner]:
            continue
        key = _norm(block.text)
        if wanted in key or (len(key) >= LEAD_MIN_CHARS and key in wanted):
            # the lead may be the body's first paragraph as well
            if any(_norm(b.text) == key for b in kept if b.image is None):
                return kept
            return [block, *kept]
    return kept


def _narrow_root(tree: LexborHTMLParser, root: LexborNode) -> LexborNode:
    """On a huge page, return the region around the article so the walk stays within its time budget."""
    candidates = tree.css("[itemprop=articleBody], article, main")
    if candidates:
        return max(candidates, key=lambda node: len(node.text(deep=True)))
    # no semantic markup: the grandparent of the element holding the most paragraphs
    counts: dict[int, int] = {}
    parents: dict[int, LexborNode] = {}
    for paragraph in tree.css("p"):
        up = paragraph.parent
        if up is not None:
            counts[up.mem_id] = counts.get(up.mem_id, 0) + 1
            parents[up.mem_id] = up
    if not counts:
        return root
    best = parents[max(counts, key=lambda key: counts[key])]
    return best.parent or best


def _from_rule(nodes: list[LexborNode], url: str | None, title: str | None) -> Body:
    """Extract the text of the nodes a site rule names, keeping every block but duplicates."""
    texts: list[str] = []
    htmls: list[str] = []
    links: list[str] = []
    for node in nodes:
        walk = _Walk(url)
        walk.run(node)
        if not walk.tag:
            continue
        kept = _filter(walk, 0, [0.0] * len(walk.tag), title, use_furniture=False)
        text, body_html, block_links = _render(walk, kept, url)
        if text:
            texts.append(text)
            htmls.append(body_html)
            links.extend(link for link in block_links if link not in links)
    return Body("\n\n".join(texts), "\n".join(htmls), links, [], "site-rule")
