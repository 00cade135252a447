"""Rules for the shape of one listing-page line: prose, person names, chrome, URL lines.

These are the hand-written tests the line classifier (`listing_model`) takes as features,
and the reader's format sniffing uses on its own:

- abstract: a long paragraph line (>= 200 characters or >= 25 words) that reads like prose
  (ends with sentence punctuation or a URL, or holds a sentence break);
- names: a line of 2-5 capitalised name tokens (initials, hyphens, particles such as "de",
  "van" allowed; no digits or sentence punctuation; no word from `listing_title_words.txt`),
  or several such names separated by commas, semicolons or "and";
- chrome: a line listed in `listing_chrome.txt` or a line without letters;
- url: a line that is only a URL, optionally behind a short label ("Code: https://...");
- title: any other line.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache
from importlib import resources
from typing import Literal

import regex

LineKind = Literal["blank", "chrome", "abstract", "names", "url", "title"]

_PROSE_MIN_CHARS = 200
_PROSE_MIN_WORDS = 25
_PARTICLES = frozenset(
    "de da del della der den di du van von la le dos das do y bin ibn al ter ten zu st.".split()
)
PARTICLE_WORDS = tuple(sorted(p for p in _PARTICLES if p.isalpha() and len(p) > 1))
"""The particles as words a pattern may list ("van", "de"; not "y" or "st.")."""
_SUFFIXES = frozenset({"Jr", "Jr.", "Sr", "Sr.", "II", "III", "IV"})

_NAME_PREFIXES = regex.compile(r"^(?:Mc|Mac|De|Di|Da|Du|La|Le|Van|Von|O['’]|D['’])\p{Lu}\p{Ll}+$")
_AFTER_APOSTROPHE = regex.compile(r"['’]\p{Lu}")
_CAMEL_NAME = regex.compile(r"^\p{Lu}\p{Ll}+\p{Lu}\p{Ll}+$")
_INITIALS = regex.compile(r"^(?:\p{Lu}\.){1,3}$|^\p{Lu}$")
# U+FFFD counts as a letter: it stands for a byte that was not UTF-8 (often a Latin-1 letter).
_NAME_PART = regex.compile(
    r"^[\p{Lu}\ufffd][\p{Ll}\p{Lu}\p{M}'’\ufffd]*\.?$|^\p{Ll}[\p{Ll}\p{M}'’\ufffd]*$"
    r"|^[dl]['’]\p{Lu}\p{Ll}+$"
)
_MARKERS = regex.compile(r"[*†‡§¶\d¹²³⁴⁵⁶⁷⁸⁹⁰,]+$")
_NOT_IN_NAME = regex.compile(r"[:;?!()\[\]{}\"/\\|@#&+=<>…“”_~^$%\d]")
_HYPHENS = regex.compile(r"[-‐‑]")
_WORD_SUFFIXES = regex.compile(
    r"(?:tion|tions|sion|sions|ness|ities|ism|isms|ized|ised|izing|ising)$|"
    r"^.{4,}(?:ity|ics|ive|ous|able|ible)$"
)
_NAME_LIST_SEP = regex.compile(r"\s*(?:,\s*and\s+|,|;|\s&\s|\sand\s)\s*")
_SENTENCE_BREAK = regex.compile(r"[.!?][\"')\]]?\s+[\p{Lu}(\"“]")
_PROSE_END = regex.compile(r"(?:[.!?…:;\"'”’)\]}]|https?://\S+)$")
_URL_LINE = regex.compile(r"^(?:[\p{L} \[\]()-]{0,30}[:\-–]\s*)?\[?(https?://\S+?)\]?$")
_MARKDOWN = regex.compile(r"^(?:#{1,6}\s|\|.*\||```)", regex.MULTILINE)
_TEXT_CONTROLS = frozenset("\t\n\r\f\v")


@cache
def load_words(filename: str) -> frozenset[str]:
    """The casefolded, whitespace-collapsed lines of a word list of this package (read once)."""
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return frozenset(
        " ".join(line.split()).casefold()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


def is_particle(word: str) -> bool:
    """A lower-case word inside a person's name ("van", "de", "bin")."""
    return word in _PARTICLES


def chrome_lines() -> frozenset[str]:
    """Lines of page chrome (casefolded), from `listing_chrome.txt`."""
    return load_words("listing_chrome.txt")


def title_words() -> frozenset[str]:
    """Words that never occur in a person's name, from `listing_title_words.txt`."""
    return load_words("listing_title_words.txt")


def org_words() -> frozenset[str]:
    """Words that make a name an organisation, from `listing_org_words.txt`."""
    return load_words("listing_org_words.txt")


def has_org_word(words: Iterable[str]) -> bool:
    """One of `words` (compared case-insensitively) makes its text an organisation's
    ("Google Research", "(University of Oxford)")."""
    return not org_words().isdisjoint(w.casefold() for w in words)


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed."""
    return " ".join(text.split())


def is_prose(text: str) -> bool:
    """A long paragraph that reads like prose (an abstract)."""
    text = text.strip()
    if len(text) < _PROSE_MIN_CHARS and len(text.split()) < _PROSE_MIN_WORDS:
        return False
    return _PROSE_END.search(text) is not None or _SENTENCE_BREAK.search(text) is not None


def is_name_token(token: str) -> bool:
    token = (_MARKERS.sub("", token) or token).strip("-‐")  # arXiv's "C. -P." initials
    parts = _HYPHENS.split(token)
    for i, part in enumerate(parts):
        if not part:
            return False
        if _INITIALS.match(part):
            continue
        if not _NAME_PART.match(part):
            return False
        if part[0].islower() and i == 0 and part[1:2] not in ("'", "’"):
            return False
        # Capitals after an apostrophe ("Dall'Aglio") do not count; "McKay", "LeCun" and
        # two-syllable given names ("MingYu") may have two, acronyms ("LLMs", "CNN") may not.
        capitals = sum(c.isupper() for c in _AFTER_APOSTROPHE.sub("", part))
        if capitals > 1 and not (
            _NAME_PREFIXES.match(part.rstrip(".")) or _CAMEL_NAME.match(part)
        ):
            return False
        word = part.rstrip(".").casefold()
        if word in title_words() or _WORD_SUFFIXES.search(word):
            return False
    return True


def is_person_name(text: str) -> bool:
    """One person's name: 2-5 capitalised name tokens plus optional particles."""
    text = collapse(text)
    if not text or _NOT_IN_NAME.search(_MARKERS.sub("", text)):
        return False
    tokens = [_MARKERS.sub("", t) or t for t in text.split()]
    # Particles count only in lower case: "Payel Das", "Quoc Le" are two-token names.
    if len(tokens) > 2 and tokens[-1] in _SUFFIXES:
        tokens = tokens[:-1]
    core = [t for t in tokens if t not in _PARTICLES]
    if not 2 <= len(core) <= 5 or len(tokens) > 8:
        return False
    if tokens[0] in _PARTICLES or tokens[-1] in _PARTICLES:
        return False
    if any("," in t for t in tokens[:-1]):
        return False
    if all(_INITIALS.match(t) for t in core):
        return False
    return all(is_name_token(t) for t in core)


def parse_names(text: str) -> tuple[str, ...] | None:
    """The names on a line (one name, or a list separated by , ; & and), else None."""
    text = collapse(text)
    if is_person_name(text):
        return (text,)
    parts = [p for p in _NAME_LIST_SEP.split(text) if p]
    if len(parts) >= 2 and all(is_person_name(p) for p in parts):
        return tuple(parts)
    return None


def is_chrome(text: str) -> bool:
    """Navigation text of the page: a listed chrome line or a line without letters."""
    text = collapse(text)
    # U+FFFD counts as a letter: a line of undecodable text is content, not chrome.
    has_letters = any(c.isalpha() or c == "\ufffd" for c in text)
    return not has_letters or text.casefold() in chrome_lines()


def url_of_line(text: str) -> str | None:
    """The URL when the line is only a URL (optionally after a short label)."""
    m = _URL_LINE.match(text.strip())
    return m.group(1) if m else None


def classify_line(text: str) -> LineKind:
    """The shape of one listing line."""
    if not text.strip():
        return "blank"
    if is_chrome(text):
        return "chrome"
    if url_of_line(text):
        return "url"
    if is_prose(text):
        return "abstract"
    if parse_names(text) is not None:
        return "names"
    return "title"


YEAR = r"(?:19|20)\d\d"
"""A year as listing lines write it (for the patterns of this module and `listing_fields`)."""
_LIST_MARK = regex.compile(r"^\s*(?:[-*•]\s+|\d{1,3}[.)]\s+|\[\d{1,3}\]\s+)")
# A year, a time, a count of papers or a closing colon: a schedule, a section or a lead-in line
# ("Wed, November 16, 2016: Tutorials", "8:30 am Overview", "SLAM — 9 papers"), not a title.
_NOT_A_TITLE = regex.compile(
    rf"(?<!\w){YEAR}(?!\w)|\b\d+\s(?:papers|items|posts)\b|\b\d{{1,2}}:\d\d\b|[:!]$")
_TAIL_NOTE = regex.compile(r"\s*(?:\([^()]{1,40}\)|(?:\s#[\w-]+)+)\s*$")


def title_shaped(text: str) -> bool:
    """A line that could be a paper's title standing alone: 4-25 words with letters after a
    list mark, opening with a capital or a digit, no URL, not prose, not a list of names, no
    closing period, colon or "!", no year, time or count of papers (a trailing "(presenter)"
    or hashtags aside)."""
    core = _TAIL_NOTE.sub("", _LIST_MARK.sub("", collapse(text)))
    words = [w for w in core.split() if any(c.isalpha() for c in w)]
    if not 4 <= len(words) <= 25 or not (core[0].isupper() or core[0].isdigit()):
        return False
    if _NOT_A_TITLE.search(core):
        return False
    if "http" in core or "www." in core or core.endswith((".", ";", ",")):
        return False
    return not (is_chrome(core) or is_prose(core) or parse_names(core) is not None)


_LINK_MARKS = regex.compile(r"(?:\s*\[[^\[\]]{1,15}\])+\s*$")
# A venue and year closing a line: the venue opens with an acronym ("ICCV", "NeurIPS") or a
# venue word, not with a name ("Ann Lee, Bo Chen 2019" keeps Bo Chen).
_VENUE_YEAR_AFTER = regex.compile(
    r"[.,]\s+(?:In\s)?(?:[A-Z][a-z]*[A-Z][\w&'-]*|Proc\.?|Proceedings|Journal|Advances|"
    r"Trans\.?|Transactions|International|Conference|Workshop)(?:\s[\w&'.-]+){0,5}\s"
    rf"{YEAR}\w?\.?\s*$")


def without_venue(text: str) -> str:
    """An authors line without the venue and year after it ("Efros, Alexei A. ICCV 2015"
    -> "Efros, Alexei A.")."""
    text = collapse(text)
    m = _VENUE_YEAR_AFTER.search(text)
    if m is None or m.start() == 0:
        return text
    cut = m.start()
    if text[cut] == "." and cut >= 2 and text[cut - 1].isupper() and not text[cut - 2].isalnum():
        cut += 1  # the period of an initial
    return text[:cut]


def cited_title(text: str) -> bool:
    """A title as a reference list writes it: title-shaped once its link marks ("[pdf]
    [code]") and closing period are cut ("Learning to See by Moving. [pdf] [code]")."""
    core = _LINK_MARKS.sub("", collapse(text)).rstrip()
    return core.endswith(".") and title_shaped(core[:-1])
