"""Whether a word is a person's given name or a name written in Pinyin: a feature of the
listing reader's line and segment models ("Pola Schwobel, Martin Jørgensen" is a run of names,
"Marginal Likelihood for Invariance Learning" is not).

- given names: `listing_given_names.txt` (Latin-script first names of many locales, built by
  `pipeline/tools/build_given_names.py` from Faker's lists, MIT licence);
- Pinyin: a capitalised word that splits into one to three syllables of
  `listing_pinyin.txt` ("Haotian" = hao + tian, "Zhang"), the last of more than one not a
  bare "e" or a consonant and one ("Dense" = den + se, "Line" = lin + e are English words);
- never a word of `listing_title_words.txt`.

`glued_names_at` finds where names glued to a title's last word start ("... Uncertainty
Quantification Gianni Franchi"), so that the segment model can tell them apart; the words
abstracts write in lower case (`listing_common_words.txt`) keep "Can Self-Improve" a title's.
It misses names whose given name is not listed ("Yoshua Bengio") and surnames that are common
words ("Michael Black"): the segment model then reads the line as before.
`names_before_title` finds the other end: an author list that runs straight into the title
("E. Ekblom, O. Mogren EFFGAN: ...", "Le, A., Peters, J. Accelerating ..."), whose names
the reader takes as the authors before the segment model reads the rest.
"""

from __future__ import annotations

from functools import cache

import regex

from pipeline.ingest import listing_rules as rules

_MAX_SYLLABLES = 3
_BARE_E = frozenset("e be ce de ge he ke le me ne pe re se te ze".split())
_EDGES = ".,;:()[]\"'*†‡|“”’"


@cache
def given_names() -> frozenset[str]:
    return frozenset(w.casefold() for w in rules.load_words("listing_given_names.txt"))


@cache
def common_words() -> frozenset[str]:
    """Words abstracts write in lower case (`listing_common_words.txt`)."""
    return rules.load_words("listing_common_words.txt")


@cache
def pinyin_syllables() -> frozenset[str]:
    return rules.load_words("listing_pinyin.txt")


def _syllables(word: str, k: int) -> bool:
    """`word` (lower case) is `k` or fewer Pinyin syllables, the last not a bare "Ce"."""
    if not word:
        return True
    if k == 0:
        return False
    sy = pinyin_syllables()
    for n in range(min(6, len(word)), 0, -1):
        head = word[:n]
        if head in sy and (n < len(word) or k == _MAX_SYLLABLES or head not in _BARE_E) \
                and _syllables(word[n:], k - 1):
            return True
    return False


@cache
def is_person_word(token: str) -> bool:
    """A given name or a Pinyin name, capitalised, and no title word."""
    word = token.strip(_EDGES)
    if len(word) < 2 or not word[0].isupper() or not word[1:].islower() or not word.isalpha():
        return False
    low = word.casefold()
    if low in rules.title_words():
        return False
    return low in given_names() or _pinyin(word)


def person_ratio(words: list[str]) -> float:
    """The share of `words` that are person words, in tenths."""
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    if not alpha:
        return 0.0
    return round(sum(1 for w in alpha if is_person_word(w)) / len(alpha), 1)


# Each alternative starts where a run of spaces starts, so a long gap is read once.
_NAME_JOINS = regex.compile(
    r"(?<!\s)\s*,\s*(?:and\s+|&\s*)?|(?<!\s)\s+and\s+|(?<!\s)\s*[&·•]\s*")
_INITIAL = regex.compile(r"^(?:\p{Lu}\.-?){1,3}$")
_SURNAME = regex.compile(r"^\p{Lu}[\p{L}'’-]*\p{Ll}[\p{L}'’-]*$")
_LAST_KEPT = regex.compile(r"(?r)[^\s.*†‡¹²³⁴⁵⁶⁷⁸⁹⁰]")  # searched from the end
VENUE_DATE = (rf"(?:[^,\d()]{{1,60}}?(?:,\s*|\s+))?(?:\d{{1,2}}/)?{rules.YEAR}\b"
              r"(?:\s*\([^()]{1,40}\))?\s*$")
"""A venue and date closing a citation line after its names ("ICLR 2025 (oral
presentation)", "Nature Computational Science, 12/2024", "bioRxiv, 04/2025")."""
VENUE_TAIL = r",\s+" + VENUE_DATE
"""`VENUE_DATE` after the comma that closes the names."""
_VENUE_TAIL = regex.compile(VENUE_TAIL)
_MIN_TITLE_WORDS = 3
_WORD = regex.compile(r"\S+")
_CHUNK = regex.compile(r"\S(?:.*\S)?")
_MARKS = "*†‡§¶"
_NOT_BEFORE = frozenset("by and with from given dr prof".split())
_MAX_NAME_WORDS = 4


def _name_words(words: list[str]) -> bool:
    """Two to four words that can be one person's name: initials, particles, capitalised
    name tokens (`listing_rules.is_name_token`: no title word), the last a surname
    ("T. Anderson Keller", "Mark van der Wilk"; not "Can Self-Improve")."""
    if not 2 <= len(words) <= _MAX_NAME_WORDS or not _SURNAME.match(words[-1]):
        return False
    return all(_INITIAL.match(w) or (_SURNAME.match(w) and rules.is_name_token(w))
               or (0 < i and rules.is_particle(w)) for i, w in enumerate(words))


def _common(word: str) -> bool:
    """A word abstracts write in lower case ("Solve", "Self-Improve"), not a Pinyin name."""
    parts = [p for p in regex.split(r"[-‐]", word.strip(_EDGES)) if p]
    return any(p.casefold() in common_words() and not _pinyin(p) for p in parts)


def _pinyin(word: str) -> bool:
    """The word, stripped and in lower case, is one to three Pinyin syllables."""
    low = word.strip(_EDGES).casefold()
    return low.isascii() and low.isalpha() and _syllables(low, _MAX_SYLLABLES)


def _given(word: str) -> bool:
    """A person word that is a listed given name (not only Pinyin)."""
    return word.strip(_EDGES).casefold() in given_names() and is_person_word(word)


def _opens_name(words: list[str]) -> bool:
    """The words open a name: an initial, a listed given name, or a Pinyin name before a
    Pinyin surname ("Wei Zhang"; not "You Need")."""
    first = words[0]
    return bool(_INITIAL.match(first)) or _given(first) or (
        is_person_word(first) and len(words) > 1 and is_person_word(words[-1]))


def _glued_name(before: str, name: list[str]) -> bool:
    """`name` is a person's name and `before` the last word of what precedes it: the name
    opens as names do and `before` does not; its other words are not words abstracts write
    in lower case ("Can Self-Improve") and its surname is no Western given name ("Hamiltonian
    Monte Carlo"); `before` is a word (not "|"), and no "by", "and" or punctuation, which
    cut the line already. Footnote marks after a name ("Felix Kallenborn*") are no part of
    it."""
    name = [w.rstrip(_MARKS) for w in name]
    last = name[-1]
    if not _name_words(name) or not _opens_name(name) or _opens_name([before]):
        return False
    if any(_common(w) for w in name[1:]) or (_given(last) and not _pinyin(last)):
        return False
    return any(c.isalnum() for c in before) and before[-1] not in ".;:" \
        and before.casefold() not in _NOT_BEFORE


def _chunks(body: str) -> list[tuple[int, str]]:
    """The stretches of `body` between name joins (commas, "and", "&", "·"), each trimmed,
    with where it starts."""
    joins = list(_NAME_JOINS.finditer(body))
    starts = [0, *(m.end() for m in joins)]
    ends = [*(m.start() for m in joins), len(body)]
    out = []
    for start, end in zip(starts, ends, strict=True):
        m = _CHUNK.search(body, start, end)
        if m is not None:
            out.append((m.start(), m.group()))
    return out


def glued_names_at(text: str) -> tuple[int, int] | None:
    """The gap before a run of names glued to the words before them, when a line ends with
    one: "... for Uncertainty Quantification Gianni Franchi" (the space before "Gianni"),
    "Self Normalizing Flows T. Anderson Keller, Jorn W. T. Peters, Max Welling" (before
    "T."), a venue and date after them aside (`VENUE_DATE`). The run's first name opens with a
    given name or an initial and the word before it is neither; at least three words stand
    before it. None when the line does not end so."""
    if "\t" in text:
        return None  # a table's cells are cut at their tabs
    tail = _VENUE_TAIL.search(text)
    text = text[:tail.start()] if tail is not None else text
    last = _LAST_KEPT.search(text)
    body = text[:last.end()] if last is not None else ""
    chunks = _chunks(body)
    for c in range(len(chunks) - 1, -1, -1):
        at, chunk = chunks[c]
        spans = [(m.start() + at, m.end() + at) for m in _WORD.finditer(chunk)]
        words = [body[a:b] for a, b in spans]
        if c > 0 and rules.is_person_name(chunk):
            continue  # a whole name in a list of names: look further left
        for k in range(max(len(words) - _MAX_NAME_WORDS, 1), len(words) - 1):
            if len(body[:spans[k][0]].split()) >= _MIN_TITLE_WORDS \
                    and _glued_name(words[k - 1], words[k:]):
                return spans[k - 1][1], spans[k][0]
        return None
    return None


_MIN_LEAD_TITLE_WORDS = 3
_MAX_SURNAME_WORDS = 2


def _surname_run(words: list[str]) -> int | None:
    """How many of `words` (one or two) form a surname: capitalised name tokens that are no
    words abstracts write in lower case ("Listo Zec" of "Listo Zec Probabilistic ..."). None
    when a colon or period ends the surname: a mark stands between the names and the title
    ("Lisa Wu Wills: Characterizing ...") and the line's boundaries cut it already."""
    n = 0
    while n < min(_MAX_SURNAME_WORDS, len(words)):
        word = words[n].rstrip(":.")
        if not (_SURNAME.match(word) and rules.is_name_token(word) and not _common(word)):
            break
        if word != words[n]:
            return None
        n += 1
    return n


def _name_then_rest(chunk: str, listed: bool, inverted: bool) -> int | None:
    """The number of words of `chunk` that are a name opening it, when more words follow.
    In a list of "Last, I." names (`inverted`): the initials that end it ("Peters, J." leaves
    "J. Accelerating ...") or a surname and initials whose comma was left out ("Marzouk Y.
    Adaptive ..."). Else initials and a surname ("O. Mogren EFFGAN: ...") or, in a list of
    names (`listed`), a given name, any initials and a surname ("Jun Zhao Title ...")."""
    words = chunk.split()
    if inverted:
        k = 0
        while k < len(words) and _INITIAL.match(words[k]):
            k += 1
        if k == 0 and len(words) > 1 and _SURNAME.match(words[0]) \
                and rules.is_name_token(words[0]) and _INITIAL.match(words[1]):
            k = 2
        return k or None
    k = 1 if listed and _given(words[0]) else 0
    start = k
    while k < len(words) and _INITIAL.match(words[k]):
        k += 1
    if k == start == 0:
        return None
    n = _surname_run(words[k:])
    return k + n if n else None


def names_before_title(text: str) -> tuple[str, str] | None:
    """(the author list, the title) of a line whose author list runs straight into the
    title, with no mark between them: "E. Ekblom, E. Listo Zec, O. Mogren EFFGAN: Ensembles of ...",
    "Maurais, A., Marzouk Y. Adaptive Algorithms for ...", "E. Listo Zec Probabilistic
    Modelling of ...". Every part before the last comma is a name (or a "Last, I." pair),
    the last opens with one, and at least three words that open in capitals or digits follow
    it. None otherwise."""
    parts = _NAME_JOINS.split(text.strip())
    if not parts or not all(parts):
        return None
    *names, last = parts
    for p in names:
        if not (rules.is_person_name(p) or _INITIAL.match(p.replace(" ", ""))
                or (_SURNAME.match(p) and rules.is_name_token(p))):
            return None
    alternating = len(names) > 1 and all(
        _INITIAL.match(p.replace(" ", "")) for p in names[1::2])
    if names and not alternating and not all(rules.is_person_name(p) for p in names):
        return None  # bare surnames must alternate with initials ("Le, A., Biess, A.")
    cut = _name_then_rest(last, bool(names), alternating)
    if cut is None:
        return None
    words = last.split()
    head, rest = words[:cut], words[cut:]
    if len(rest) < _MIN_LEAD_TITLE_WORDS or not (rest[0][0].isupper() or rest[0][0].isdigit()):
        return None
    if not names and not any(_INITIAL.match(w) for w in head):
        return None  # one name alone only in initials ("E. Listo Zec ...")
    text = text.strip()
    at = len(text) - len(last) + len(" ".join(head))
    return text[:at].strip(), text[at:].strip()
