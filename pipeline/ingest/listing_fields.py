"""The fields inside one listing line: title and author spans, labels, author lists.

A title line often carries more than its title: "Title (Chaudhuri, Kakade). Summary",
"Rubin and Berant 2021: Title presented by X", "Mroueh, Y. Title", "Title Authors: A, B",
"[arXiv] Title", "Title.<tab>summary". Such a line is cut into segments at its boundaries
(sentence ends, tabs, brackets, years, dashes, field labels: `segments`), described by their
shape (`segment_features`) for the learned tagger (`listing_model`), which marks each segment
as title (`T`), authors (`A`) or other (`O`). Author lines are parsed by structure
(`parse_authors`): a leading "Authors:" label, affiliations in brackets, footnote marks,
"Last, I." pairs, "and"/"&"/";" separators and "et al." are handled.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache

import regex

from pipeline.ingest import listing_features, listing_names
from pipeline.ingest import listing_rules as rules

# Field labels, in English and in the languages of the pages users bring (Chinese, Japanese,
# Korean, Spanish, French, German, Portuguese).
_CJK_ABSTRACT_WORDS = r"摘要|概要|要旨|초록|요약"
_ABSTRACT_WORDS = (rf"abstract|summary|tl;?dr|{_CJK_ABSTRACT_WORDS}|resumen|r[ée]sum[ée]|"
                   r"zusammenfassung|resumo")
_AUTHOR_WORDS = r"authors?|author\(s\)|作者|著者|저자|autor(?:es|en)?|auteurs?"
_TITLE_WORDS = r"title|标题|標題|題目|제목|t[íi]tulo|titre|titel"
# "Abstract summary:", "Paper summary:", "Short abstract:": a summary word after one word
# ... and in Chinese, Japanese or Korean a word glued before or after one ("简要摘要" brief
# abstract, "摘要摘录" abstract excerpt, "核心摘要" core abstract)
_CJK_ABSTRACT_LABEL = (rf"[\p{{Han}}\p{{Hangul}}]{{0,4}}(?:{_CJK_ABSTRACT_WORDS})"
                       rf"[\p{{Han}}\p{{Hangul}}]{{0,4}}")
_ABSTRACT_LABEL = rf"(?:(?:[\p{{L}}-]{{2,12}}\s)?(?:{_ABSTRACT_WORDS})|{_CJK_ABSTRACT_LABEL})"
_LABEL = regex.compile(
    rf"^\s*\[?({_TITLE_WORDS}|{_AUTHOR_WORDS}|{_ABSTRACT_LABEL}|by|paper)\]?\s*[:：]\s*",
    regex.IGNORECASE,
)
_INNER_AUTHORS = regex.compile(rf"(?:^|\s)(?:{_AUTHOR_WORDS})\s*:\s*", regex.IGNORECASE)
_BRACKETED = regex.compile(r"\s*(?:\([^()]*\)|\[[^\[\]]*\])")
_FOOTNOTES = regex.compile(r"(?<=\S)[*†‡§¶#¹²³⁴⁵⁶⁷⁸⁹⁰]+|(?<=\p{L})\d{1,2}(?=\s|,|$)")
_SEPARATOR = regex.compile(r"\s*(?:,\s*and\s+|,\s*&\s*|;|,|\s+and\s+|\s+&\s+|\s[·•]\s)\s*")
_ET_AL = regex.compile(r"\s*,?\s*(?:et\.?\s*al\.?|and\s+others)\s*$", regex.IGNORECASE)
_AFTER_ET_AL = regex.compile(
    r"\s*,?\s*(?:et\.?\s*al\b|and\s+others\b|等|외\s).*$", regex.IGNORECASE)
_INITIALS = regex.compile(r"^(?:\p{Lu}\.?[\s-]?){1,3}$")
_URL = regex.compile(r"https?://[^\s<>\"'\])]+")
_FUNCTION_WORDS = frozenset(
    "a an the of for and or in on with to by via from at as is are we our this that "
    "presented discussed et al authors author abstract title paper code pdf arxiv".split()
)


# "Ann Lee", "Mark van der Wilk": one to three capitalised words, particles, a surname
_FULL_NAME = (r"(?:\p{Lu}[\p{L}.'’‐-]*\s+){1,3}(?:(?:" + "|".join(rules.PARTICLE_WORDS)
              + r")\s+){0,3}\p{Lu}[\p{L}'’‐-]+")
_NAME_JOIN = r"(?:,\s+|,?\s+and\s+)"
_VANCOUVER_NAME = r"\p{Lu}[\p{L}'’-]+\s\p{Lu}{1,3}"
"""A name written surname, then initials, no comma between ("Tseng YJ", Vancouver style)."""
_BOUNDARY = regex.compile(
    r"\t+|\s{2,}"  # a tab or a wide gap
    r"|(?<=[\p{L}\d)\]\"”’]{2})(?<!\bet|\bal|\bvs)[.?!](?:\s+|(?=\p{Lu}))"  # a sentence end
    # "Mroueh, Y. Towards", "Makhzani, A. A Computational"
    r"|(?<=,\s\p{Lu}\.)\s+(?=\p{Lu}\p{Ll}|(?-i:A\s\p{L}{2}))"
    r"|(?-i:(?<=" + _VANCOUVER_NAME + r"(?:,|\sand)\s" + _VANCOUVER_NAME + r")"
    r"\.\s+(?=\p{L}))"  # the period closing a list of Vancouver names (two in a row, so not
    # a given name's initial)
    r"|(?-i:(?<=" + _VANCOUVER_NAME + r"[*†]?,\s" + _VANCOUVER_NAME + r"[*†]?),\s+"
    r"(?!\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}[\p{L}'’-]+)?(?:\s\p{Lu}{1,3}){1,2}[*†]?(?:[,.]|$)))"
    # the comma closing such a list ("Kuo CH, Tseng YJ*, Title, Journal")
    r"|(?<=\b(?:19|20)\d\d[a-z]?\)?)\s*[:.,]?\s+"  # after a year
    r"|\s+(?=[(\[])|(?<=[)\]])\s*[.,:]?\s*"  # around a bracketed group
    r"|(?<=^\s*\d{1,3}[.)])\s+"  # after a leading number
    r"|\s+(?=(?:Authors?|By)\s*:|presented by\b|discussed\b)"  # before a field label
    # a dash between spaces; a bar with a space on one side at least ("A, B| Title"; not
    # "p(y|x)" or "||W||")
    r"|\s+[-–—]\s+|(?<!\|)(?:\s+\|\s*|\s*\|\s+)(?!\|)"
    r"|,\s+(?=\p{Lu}[\p{L}'’-]+\s+et\s+al\b)"  # "Title, Mnih et al, 2013"
    r"|,\s+(?=\p{Lu}[\p{L}'’-]+\s+(?:and|&)\s+\p{Lu}[\p{L}'’-]+,?\s+(?:19|20)\d\d\b)"
    r"|(?-i:,\s+(?=In\s+\p{Lu}))"  # ", In Proceedings of ..."
    # "A, B, and C, Title": the comma after an "and"-ended list of names
    r"|(?-i:(?<=\band\s+(?:\p{Lu}[\p{L}.'’-]*\s+){1,3}\p{Lu}[\p{L}'’-]+[*†]?),\s+)"
    # "Title by Wainwright and Simoncelli (1999)", "Title by Jacobs et al.": names, then a
    # bracket, comma, "and", "et al." or the end
    r"|(?-i:\s+(?=by\s+\p{Lu}[\p{L}.'’-]*(?:\s+\p{Lu}[\p{L}.'’-]*){0,3}"
    r"(?:\s*[,(]|\s+and\s|\s+et\.?\s*al\b|\s*$|\.\s)))"
    r"|(?-i:\s+(?=\p{Lu}[\p{L}'’.-]+\s+\p{Lu}[\p{L}'’-]+\s+[·•]\s))"  # "Title Ann Lee · Bo Chen"
    r"|(?<=[.?!,][\"”])\s+"  # after a quoted title: '"Deep learning." An MIT Press book'
    # "Ann Lee, Bo Chen: Title": the colon after two or more full names that open the line
    # (not after one: "Direct Preference Optimization: Your Language Model is ...")
    r"|(?-i:(?<=^\s*" + _FULL_NAME + r"(?:(?:" + _NAME_JOIN + r"|\s*&\s*)" + _FULL_NAME
    + r")+)\s*:\s+)"
    r"|(?-i:(?<=\bet\.?\s*al\.?),\s+(?=\p{Lu}))"  # "Hassan et al., Title"
    # "Guanyi Chen : Title": a colon with a space on each side after the one name opening the
    # line (a reading group's presenter)
    r"|(?-i:(?<=^\s*" + _FULL_NAME + r")\s+:\s+)"
    # "Title, Ann Lee, Bo Chen and Cy Dow": a comma before full names that end the line, link
    # marks ("..., and Jeremy Dawson [HTML] [PDF]") or a venue and date (", ICLR 2025")
    # after them aside; and the comma before that venue
    r"|(?-i:,\s+(?=" + _FULL_NAME + r"[*†]?(?:" + _NAME_JOIN + _FULL_NAME + r"[*†]?)*\.?\s*"
    r"(?:(?:[\[(][^\[\]()]{1,20}[\])]\s*)*$|" + listing_names.VENUE_TAIL + r")))"
    r"|(?-i:(?<=" + _FULL_NAME + r"[*†]?),\s+(?=" + listing_names.VENUE_DATE + r"))",
    regex.IGNORECASE,
)
YEAR_WORD = regex.compile(rf"\b{rules.YEAR}\b")
"""A year written as a word ("2016"), in a segment, a bracket or a venue."""
LIST_NUMBER = r"^\s*(?:\d{1,3}[.)]|\[\d{1,3}\]|#\d{1,3}[:.)]?)\s+"
"""A list number opening a line ("1. ", "[3] ", "#5: "), as a pattern for other patterns."""
_LEADING_NUMBER = regex.compile(LIST_NUMBER)
# A date code before a title ("200630 Title", "2020-06-30 Title", "[2020.06] Title") and
# hashtags after it ("Title #ctc #transducer"): a list's filing marks, not the title's words.
_LEADING_DATE = regex.compile(
    r"^(?:\d{6}|\d{8}|\d{4}[-./]\d{2}(?:[-./]\d{2})?|\[\d{4}[-./]\d{2}(?:[-./]\d{2})?\])"
    r"\s+(?=\S)")
_LEADING_MARKS = regex.compile(r"^[\p{Extended_Pictographic}\p{So}\uFE0F\u200D\s]+")
_LEADING_BULLET = regex.compile(r"^[-*+•‣◦–—]\s+(?=\S)")
"""A list bullet left before a title ("- Title", "• Title")."""
_TRAILING_TAGS = regex.compile(
    r"(?:\s+#[\w-]+)+\s*$"
    # arXiv category codes a digest prints after the title ("... Splatting CV/RO"); not "AI",
    # which ends real titles
    r"|\s(?:cs\.)?(?:CV|RO|LG|CL|IR|NE|SD|AS|IV|HC|GR|MM|CR|SY|MA)"
    r"(?:/(?:cs\.)?(?:CV|RO|LG|CL|IR|NE|SD|AS|IV|HC|GR|MM|CR|SY|MA|AI))*\s*$"
    # a presentation badge ("... Virtual Museum ORAL", "... Detection (Spotlight)")
    r"|\s(?:ORAL|SPOTLIGHT|POSTER|HIGHLIGHT)\s*$"
    r"|\s*[(\[](?i:oral|spotlight|poster|highlight|best paper(?: award)?)[)\]]\s*$"
    # a repository's star count a digest prints after the title ("... Decoding ⭐ 489")
    r"|\s*[⭐★🌟]\uFE0F?\s*\d[\d.,]*[kK]?\s*$")
_NAME_PARTS = regex.compile(r"\s*(?:,\s*and\s+|,|;|\s+and\s+|\s*&\s*|\s*[·•]\s*)\s*")


def is_name_list(text: str) -> bool:
    """Names and nothing else: each part 1-4 name-like words ("Kakade", "Y. Mroueh")."""
    text = _ET_AL.sub("", _FOOTNOTES.sub("", text.strip("()[]., ")))
    parts = [p for p in _NAME_PARTS.split(text) if p.strip()]
    if not parts:
        return False
    for part in parts:
        words = part.split()
        if not 1 <= len(words) <= 4:
            return False
        if not all(_INITIALS.match(w) or (rules.is_name_token(w) and w[0].isupper())
                   for w in words):
            return False
    return True


def is_author_line(text: str) -> bool:
    """Two or more names, or names with their affiliations in brackets, and nothing else
    ("Ann Lee (MIT); Bo Chen (ETH)")."""
    bare = _BRACKETED.sub("", text).strip()
    parts = [p for p in _NAME_PARTS.split(bare) if p.strip()]
    return (bare != text.strip() or len(parts) > 1) and not text.lstrip().startswith(("[", "(")) \
        and all(len(p.split()) <= 3 for p in parts) and is_name_list(bare)


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch of a line between two boundaries, and where it stands in the line."""

    text: str
    start: int
    end: int
    before: str
    after: str


def _separator(sep: str) -> str:
    """A boundary as its mark: its punctuation, a tab (a table's cells), or a space."""
    return sep.strip() or ("\t" if "\t" in sep else " ")


def segments(text: str) -> list[Segment]:
    """The line cut at its boundaries (`_BOUNDARY`); each piece with the separators around it."""
    cuts = [(m.start(), m.end()) for m in _BOUNDARY.finditer(text) if m.end() > m.start()]
    gap = listing_names.glued_names_at(text)  # "... Uncertainty Quantification Gianni Franchi"
    if gap is not None and not any(a <= gap[1] and gap[0] <= b for a, b in cuts):
        cuts = sorted([*cuts, gap])
    out: list[Segment] = []
    pos = 0
    prev_sep = ""
    for a, b in [*cuts, (len(text), len(text))]:
        piece = text[pos:a]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            out.append(Segment(piece.strip(), pos + lead, pos + lead + len(piece.strip()),
                               _separator(prev_sep), _separator(text[a:b])))
        prev_sep = text[a:b]
        pos = b
    return out


def _segment_own(seg: Segment) -> dict[str, str | float]:
    words = seg.text.split()
    alpha = [w for w in words if any(c.isalpha() for c in w)]
    n = max(len(alpha), 1)
    f: dict[str, str | float] = {
        "words=" + listing_features.bucket(len(words), (1, 2, 3, 5, 8, 12, 20, 30)): 1.0,
        "name_ratio": round(sum(1 for w in alpha if rules.is_name_token(w.strip(",;.*†")))
                            / n, 2),
        "capital_ratio": round(sum(1 for w in alpha if w[0].isupper()) / n, 2),
        "person_ratio": listing_names.person_ratio(words),
        "person_first": 1.0 if words and listing_names.is_person_word(words[0]) else 0.0,
        "title_words": min(sum(1 for w in alpha if w.casefold().strip(",.:") in
                               rules.title_words()), 4) / 4,
        "comma_ratio": round(seg.text.count(",") / max(len(words), 1), 2),
        "initials": min(sum(1 for w in words if _INITIALS.match(w.strip(",;"))), 4) / 4,
        "before=" + seg.before[:1]: 1.0,
        "after=" + seg.after[:1]: 1.0,
    }
    first = words[0].casefold()
    if first in _FUNCTION_WORDS:
        f["first=" + first] = 1.0
    if seg.text.startswith(("(", "[")):
        f["bracketed"] = 1.0
    if YEAR_WORD.search(seg.text):
        f["year"] = 1.0
    if regex.search(r"\bet\.?\s*al\b|\band\b|&", seg.text):
        f["and"] = 1.0
    if rules.parse_names(seg.text.strip("()[].,")) is not None:
        f["names"] = 1.0
    if is_name_list(seg.text):
        f["name_list"] = 1.0
    links = sum(1 for w in words if w.strip("[]().,").casefold()
                in listing_features.link_words())
    if links:
        f["link_ratio"] = round(links / len(words), 2)
    if regex.match(r"^(?:Authors?|By)\s*:", seg.text, regex.IGNORECASE):
        f["authors_label"] = 1.0
    if regex.match(r"^(?:presented|discussed)\b", seg.text, regex.IGNORECASE):
        f["presented"] = 1.0
    if seg.text[-1] in ".!?":
        f["ends_sentence"] = 1.0
    if len(seg.text) > 1 and sum(c.isupper() for c in seg.text) > len(seg.text) / 2:
        f["caps"] = 1.0
    return f


def segment_features(segs: Sequence[Segment]) -> list[dict[str, str | float]]:
    """Features of each segment of a line: its own, its neighbours', where it stands."""
    own = [_segment_own(s) for s in segs]
    out: list[dict[str, str | float]] = []
    n = len(segs)
    longest = max(len(s.text) for s in segs) if segs else 0
    for i in range(n):
        f = dict(own[i])
        f["index=" + str(min(i, 3))] = 1.0
        if i == n - 1:
            f["last"] = 1.0
        f["longest"] = 1.0 if len(segs[i].text) == longest else 0.0
        for step in (-1, 1):
            j = i + step
            if 0 <= j < n:
                for name, value in own[j].items():
                    f[f"{step}:{name}"] = value
            else:
                f[f"{step}:none"] = 1.0
        out.append(f)
    return out


# Digest bots mark a paper's fields with emoji: "📄 Title", "👥 A, B".
_EMOJI_LABEL = regex.compile(r"^\s*(?:(?P<title>[📄📃📑])|(?P<authors>[👥👤✍]))\uFE0F?\s*(?=\S)")


def strip_label(text: str) -> tuple[str | None, str]:
    """A leading field label ("Abstract:", "Authors:", "[Title]", "📄 ", "👥 ") and the text
    after it."""
    m = _LABEL.match(text)
    if not m:
        e = _EMOJI_LABEL.match(text)
        if e is not None:
            return ("title" if e.group("title") else "authors"), text[e.end():].strip()
        return None, text.strip()
    return m.group(1).casefold(), text[m.end():].strip()


_BARE_LABEL = regex.compile(
    rf"^\s*\[?(?:(?P<abstract>{_ABSTRACT_WORDS}|{_CJK_ABSTRACT_LABEL})|(?P<authors>"
    rf"{_AUTHOR_WORDS}))\]?\s*[:：]?\s*$",
    regex.IGNORECASE)


def bare_label(text: str) -> str | None:
    """The field a line that is only a label introduces: "abstract" for "Abstract",
    "Summary", "TL;DR"; "authors" for "Authors:"; else None."""
    m = _BARE_LABEL.match(text)
    return None if m is None else m.lastgroup


_METADATA_LABEL = regex.compile(r"^\s*\[?(\p{L}[\p{L} ]{1,20}?)\]?\s?[:：]\s*\S")


def metadata_line(text: str) -> bool:
    """A line that opens with the label of an entry's metadata ("Keywords: ...", "Contact:
    ...", `listing_metadata_labels.txt`): never the entry's title."""
    m = _METADATA_LABEL.match(text)
    return m is not None and m.group(1).casefold() in rules.load_words(
        "listing_metadata_labels.txt")


_TRANSLATED_TITLE = regex.compile(rf"^\s*(?:{_TITLE_WORDS})\s?\([^()]{{1,20}}\)\s?[:：]\s*\S",
                                   regex.IGNORECASE)


def translated_title(text: str) -> bool:
    """A line that gives the title again in another language ("Title (ZH): ...")."""
    return _TRANSLATED_TITLE.match(text) is not None


_INLINE_KIND = {"by": "authors"}


def inline_label(text: str) -> str | None:
    """The entry field a labelled line states with its text ("Summary: Introduced word2vec"
    is an abstract, "Authors: A, B" authors, "Title: X" a title), else None."""
    label, rest = strip_label(text)
    if label is None or not rest:
        return None
    if regex.fullmatch(_ABSTRACT_LABEL, label, regex.IGNORECASE):
        return "abstract"
    if regex.fullmatch(_AUTHOR_WORDS, label):
        return "authors"
    if regex.fullmatch(_TITLE_WORDS, label):
        return "title"
    return _INLINE_KIND.get(label)


_OTHER_LABEL = regex.compile(
    r"^\s*(?P<l>\p{L}[\p{L}\p{M}\s'’-]{1,40}?)(?P<q>\s?\([^()]{1,20}\))?\s?[:：]\s+\S")
"""A label, with a qualifier or not ("Abstract (ZH): ", a translation, is not the abstract)."""
_ABSTRACT_SECTIONS = regex.compile(
    r"(?i:background|objectives?|aims?|purpose|motivation|context|introduction|methods?|"
    r"methodology|approach|design|setting|participants|results?|findings|discussion|"
    r"conclusions?|interpretation|significance)")
_SENTENCE_START = frozenset("we i it this these our they you here there that".split())


def _note_label(text: str) -> regex.Match[str] | None:
    """The match of a label of something other than the entry's fields or the sections of a
    structured abstract, at the start of `text`."""
    m = _OTHER_LABEL.match(text)
    if m is None or inline_label(text) is not None or \
            _ABSTRACT_SECTIONS.fullmatch(m.group("l").strip()):
        return None
    return m


def name_key(key: str) -> bool:
    """A key before a colon that is a name, not a label: one word with two capitals or more
    ("CLUTR: Curriculum ...", "GFlowNets: ...", "Pangu-Agent: Introduces ...")."""
    return " " not in key.strip() and sum(c.isupper() for c in key) > 1


def without_note_label(text: str) -> str:
    """An abstract line without a note's label of one to three words ("Contribution: The
    paper ...", "Key idea: ..."); a structured abstract's sections keep theirs, and so does a
    name of one word with two capitals or more ("Pangu-Agent: Introduces ...")."""
    m = _note_label(text)
    label = m.group("l").split() if m is not None else []
    if m is None or len(label) > 3 or label[0].casefold() in _SENTENCE_START or (
            # "We ask: can ...?"; a name as a summary opens with ("Pangu-Agent: Introduces")
            len(label) == 1 and name_key(label[0])):
        return text
    return text[m.end() - 1:].lstrip()


_LEAD = regex.compile(r"^(?:(?P<lead>[^\s.:!?][^.:!?\n]{1,40}?[.:])\s+\S"
                      rf"|(?P<lead>(?i:{_ABSTRACT_WORDS}))\s+(?=\p{{Lu}}))")
"""A short phrase closed by a period or colon at the start of an abstract, or an abstract
label without its colon before a capital ("Abstract As vision-based robots ...")."""
LEAD_REPEATS = 3
"""How many abstracts of a page must open with the same phrase for it to be a label."""


def repeated_leads(abstracts: Iterable[str]) -> frozenset[str]:
    """The phrases of at most six words that open at least `LEAD_REPEATS` of a page's
    abstracts word for word ("Why we're reading it.", "TL;DR.", "Key idea:", "Abstract"): a
    label the page puts before every summary, not the summary's first sentence."""
    found = Counter(m.group("lead") for a in abstracts
                    if (m := _LEAD.match(a)) is not None and len(m.group("lead").split()) <= 6)
    return frozenset(lead for lead, n in found.items() if n >= LEAD_REPEATS)


def without_lead(text: str, leads: frozenset[str]) -> str:
    """`text` without the page's repeated label (`repeated_leads`) opening it."""
    m = _LEAD.match(text)
    if m is None or m.group("lead") not in leads:
        return text
    return text[m.end("lead"):].lstrip()


def other_label(text: str) -> bool:
    """A line that starts with a label of something other than the entry's fields or the
    sections of a structured abstract ("Por qué es implementable: ...", "Why it matters:
    ..."): after a labelled abstract it is not more of the abstract."""
    return _note_label(text) is not None


_SUMMARY_HEADS = (r"in one sentence|one[- ]liner|one[- ]sentence summary|一言|一句话(?:总结|要点)?|"
                  r"한 줄 요약")


def summary_head(head: str) -> bool:
    """A table header cell that names an abstract or summary column ("Abstract", "摘要",
    "TL;DR", "In One Sentence", "一言")."""
    return regex.fullmatch(rf"\s*(?:{_ABSTRACT_LABEL}|{_SUMMARY_HEADS})\s*", head,
                           regex.IGNORECASE) is not None


_PRESENTER = regex.compile(r"^\s*(" + _FULL_NAME + r")\s+:\s+(?=\S)")


def without_presenter(cell: str) -> str:
    """A schedule cell without the one person's name and spaced colon opening it ("Guanyi
    Chen : Adversarial Multi-task Learning"): the presenter, not an author."""
    m = _PRESENTER.match(cell)
    return cell[m.end():] if m is not None and rules.is_person_name(m.group(1)) else cell


def is_abstract_label(text: str) -> bool:
    """A line that is only an "Abstract" (or "Summary", "TL;DR") label, colon or not."""
    return bare_label(text) == "abstract"


@cache
def _labels_after_names() -> frozenset[str]:
    """The labels that end a line's names: the field labels and `listing_after_names.txt`."""
    return listing_features.field_labels() | rules.load_words("listing_after_names.txt")


_NEXT_FIELD = regex.compile(r"\s+(?P<key>\p{L}[\p{L}()]*(?:\s\p{L}[\p{L}()]*)?)\s?[:：]")


def after_authors_label(text: str) -> str:
    """The text after an inner "Authors:" label ("ArXiv ID: 2507.00992 Authors: A, B"), up
    to the next field label ("A, B arXiv: 2607.05238 Categories: ...")."""
    found = list(_INNER_AUTHORS.finditer(text))
    names = text[found[-1].end():] if found else strip_label(text)[1]
    labels = _labels_after_names()
    cut = next((m.start() for m in _NEXT_FIELD.finditer(names, overlapped=True)
                if m.group("key").casefold() in labels), None)
    return names if cut is None else names[:cut]


def urls(text: str) -> list[str]:
    """The http(s) URLs written in a line, trailing punctuation trimmed."""
    return [u.rstrip(".,;:") for u in _URL.findall(text)]


_NAME_DATE = regex.compile(rf"\s+\(?{rules.YEAR}(?:[./-]\d{{1,2}}){{0,2}}\)?$")
_OPEN_BRACKET = regex.compile(r"\s*[(\[][^)\]]*$")  # "Du (Department of" cut short
_NAME_BY = regex.compile(r"^by\s+(?=\p{Lu})")
_NOT_CLOSING = frozenset({"Jr.", "Sr."})


def _clean_name(name: str) -> str:
    """A name without footnote marks, a leading "by", a date after it ("Xi Ye 2022.5") or
    the list's closing period ("Dongsheng Li." but "Jr." and initials keep theirs)."""
    name = rules.collapse(_FOOTNOTES.sub("", name)).strip(" ,;:·•")
    name = _NAME_BY.sub("", _NAME_DATE.sub("", _OPEN_BRACKET.sub("", name)))
    last = name.rsplit(None, 1)[-1] if name else ""
    if last.endswith(".") and last not in _NOT_CLOSING and any(c.islower() for c in last):
        name = name[:-1]  # the list's closing period, not an initial's
    return name


_AND = regex.compile(r",?\sand\s")
_SURNAME_INITIALS = regex.compile(r"^(?P<s>\p{Lu}[\p{L}'’-]+)\s(?P<i>(?:\p{Lu}\.[\s-]?){1,3})$")
_ONE_WORD = regex.compile(r"^\p{Lu}[\p{L}'’-]+$")
_GIVEN = regex.compile(r"^\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}\.)?$")


def parse_authors(text: str) -> tuple[str, ...]:
    """The names in an author list, as written ("Last, I." pairs become "I. Last", and so does
    an inverted first name before full ones: "Wang, Youle, Guangxi Li" -> "Youle Wang")."""
    text = after_authors_label(text)
    text = _BRACKETED.sub("", _BRACKETED.sub("", text))  # "(Institute (CRIM), City)"
    text, cut = _AFTER_ET_AL.subn("", rules.collapse(text))
    text = text.strip(" ,;")
    if not text:
        return ()
    pair = [p.strip() for p in text.split(",")]
    if cut and len(pair) == 2 and _ONE_WORD.match(pair[0]) and _GIVEN.match(pair[1]):
        return (_clean_name(f"{pair[1]} {pair[0]}"),)  # "He, Kaiming, et al." (MLA)
    for sep in (";", " and "):
        pairs = [p.strip() for p in text.split(sep)]
        if len(pairs) >= 2 and all(p.count(",") == 1 for p in pairs):
            # "Silva, Andrew; Chopra, Rohit", "Doersch, Carl and Gupta, Abhinav" (BibTeX):
            # "Last, First" names cut by semicolons or "and"
            return tuple(_clean_name(f"{first.strip()} {last.strip()}")
                         for last, first in (p.split(",") for p in pairs))
    parts = [p.strip() for p in _SEPARATOR.split(text)]
    parts = [p.removeprefix("and ").strip() for p in parts if p.strip()]
    tail = _SURNAME_INITIALS.match(parts[-1]) if len(parts) >= 3 and len(parts) % 2 else None
    if tail is not None and _surname_initial_pairs([*parts[:-1], tail["s"], tail["i"]]):
        parts = [*parts[:-1], tail["s"], tail["i"]]  # "Hartl, T., and Weber E." (comma missed)
    if _surname_initial_pairs(parts) or _last_first_pairs(parts):
        # "Hartl, T., Hutter, C.", "Wang, Chongyang, Lane, Nicholas D, and Bianchi-Berthouze,
        # Nadia": "Last, First" pairs
        parts = [f"{first} {last}" for last, first in zip(parts[0::2], parts[1::2], strict=True)]
    if len(parts) >= 3 and _ONE_WORD.match(parts[0]) and _GIVEN.match(parts[1]) and all(
            sum(w[0].isalpha() for w in p.split()) >= 2 for p in parts[2:]) and _AND.search(text):
        # "Wang, Youle, Guangxi Li, and Xin Wang": only the first name is inverted (MLA, which
        # joins the last name with "and"; "Amina, Abdullah, Sabbir Ahmed" are three names)
        parts = [f"{parts[1]} {parts[0]}", *parts[2:]]
    names = [_clean_name(p) for p in parts]
    return tuple(n for n in names if n and any(c.isalpha() for c in n) and not _not_a_name(n))


_GIVEN_NAMES = regex.compile(r"^\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}[\p{L}'’-]*\.?){0,3}$")
_ENDS_INITIAL = regex.compile(r"\s\p{Lu}\.?$")


def _surname_initial_pairs(parts: list[str]) -> bool:
    """Parts that alternate a surname and initials ("Hartl", "T.", "Hutter", "C.")."""
    return len(parts) >= 2 and len(parts) % 2 == 0 and all(
        _INITIALS.match(p) for p in parts[1::2]) and not any(
        _INITIALS.match(p) for p in parts[0::2])


def _last_first_pairs(parts: list[str]) -> bool:
    """Parts that alternate a one-word surname and given names ("Lane", "Nicholas D"), at
    least two pairs, the given names ending in an initial somewhere and the surnames never."""
    last, first = parts[0::2], parts[1::2]
    return (len(parts) >= 4 and len(parts) % 2 == 0
            and all(_ONE_WORD.match(p) for p in last)
            and all(_GIVEN_NAMES.match(p) for p in first)
            and any(_ENDS_INITIAL.search(p) for p in first))


_ACRONYM = regex.compile(r"^\p{Lu}{2,}$")
_VENUE_IN = regex.compile(r"^In\s\p{Lu}")


def _not_a_name(name: str) -> bool:
    """What an author list holds that is no person: a number ("2023 IEEE ..."), a lone acronym
    ("NLP", "IEEE"), a link or field word ("Code", "Summary"), a venue ("In ACM ..."), an
    organisation ("Google Research", `listing_org_words.txt`)."""
    return (any(c.isdigit() for c in name) or _ACRONYM.match(name) is not None
            or _VENUE_IN.match(name) is not None
            or rules.has_org_word(name.split())
            or name.casefold() in listing_features.link_words()
            or name.casefold() in listing_features.field_labels())


_BRACKETED_SEGMENT = regex.compile(r"^\(([^()]{1,40})\)$")
_WORD_PARTS = regex.compile(r"[\s\-‐‑–]+")


def _is_acronym_of(inner: str, words: str) -> bool:
    """"LSTM" of "Long Short-Term Memory", "KANs" of "Kolmogorov-Arnold Networks": the
    capitals of `inner` are the initials of the last words (hyphen parts apart) of `words`."""
    caps = [c for c in inner if c.isupper()]
    parts = [w for w in _WORD_PARTS.split(words) if w[:1].isalpha()]
    if len(caps) < 2 or len(caps) > len(parts) or not inner.replace("-", "").isalnum():
        return False
    return [w[0].casefold() for w in parts[-len(caps):]] == [c.casefold() for c in caps]


_ENCLOSED = regex.compile(r"^[(\[]([^()\[\]]+)[)\]]$")
_ET_AL_REF = regex.compile(r"^(?:by\s+)?\p{Lu}[\p{L}'’-]+\s+et\s+al\b")
_LINK_MARKS = regex.compile(r"[·•|,/]")


def _closing_tag(text: str) -> str | None:
    """The tag of a segment closing a title that is not the title's: "A" for names ("(Diego
    Piccinotti and Marcello Restelli)", "Bradley Efron", "by Jacobs et al. Introduces ...",
    "Rebain et al. Arxiv 2020"), "O" for link words only ("(Paper PDF)", "[arXiv]",
    "Slides", "paper · slides · YouTube"); None for the title's own ("(LSTM)", "(2nd ed.)",
    "Shared Task")."""
    m = _ENCLOSED.match(text)
    inner = (m.group(1) if m is not None else text).strip(" ·•|")
    parts = [p for p in _NAME_PARTS.split(inner) if p.strip()]
    if _ET_AL_REF.match(inner) or (is_name_list(inner) and (
            len(parts) > 1 or rules.is_person_name(inner))):
        return "A"
    words = _LINK_MARKS.sub(" ", inner).casefold().split()
    return "O" if words and all(w in listing_features.link_words() for w in words) else None


def dashed_subtitle(segs: Sequence[Segment], tags: Sequence[str]) -> list[str]:
    """The tags with a title's subtitle after a dash kept in it, for a table's paper cell,
    where the dash cuts no authors off ("Rigging the Lottery - Making All Tickets Winners"):
    a segment after " - " that follows the title and holds no names, reference, link words
    or year is the title's too."""
    out = list(tags)
    for i in range(1, len(segs)):
        if out[i - 1] == "T" and out[i] != "T" and segs[i].before in ("-", "–", "—") and \
                _closing_tag(segs[i].text) is None and not YEAR_WORD.search(segs[i].text) \
                and not segs[i].text.startswith(("(", "[")):
            out[i] = "T"
    return out


def untagged_title(text: str, segs: Sequence[Segment]) -> str | None:
    """The title of a title line whose segments the segment model tagged with no title: its
    first run of segments that hold no names, reference, link words or year, and some
    letters, and that does not open with a bracket ("[5]  Prioritized Experience Replay,
    Schaul et al, 2015. ..."; "8. Deep Learning-Driven Microscopy (DL-PFPM)"; not "Sanjoy
    Dasgupta (UC San Diego)"), or None: then the whole line is the title, as before."""
    tags = ["T" if any(c.isalpha() for c in seg.text) and _closing_tag(seg.text) is None
            and not YEAR_WORD.search(seg.text) else "O" for seg in segs]
    spans = [s for s in span_text(text, segs, tags, "T") if not s.startswith(("(", "["))]
    return spans[0] if spans else None


def title_brackets(segs: Sequence[Segment], tags: Sequence[str]) -> list[str]:
    """The segment tags with the title's end settled.

    Segments that close a title and hold names, an "et al." reference or link words only are
    not the title's ("... Identification (Diego Piccinotti and Marcello Restelli) (Paper
    PDF)", "DeRF, Rebain et al. Arxiv 2020": authors, then links; the segment model reads
    them as title on pages it was not trained on; `_closing_tag`), and a title ends where
    such authors start; no title runs across a bar ("|", a cell's end: no gold title of the
    annotated pages holds one). A bracket inside a title stays in it: one between two title
    segments ("Privacy Auditing with One (1) Training Run"), and an acronym of the words
    before it ("Long Short-Term Memory (LSTM)"), with the subtitle after its colon ("Robust
    Body Exposure (RoBE): A Graph-based ...")."""
    out = list(tags)
    for i in range(1, len(segs)):
        # "Title | Titel auf Deutsch | 2506.04679": a bar is a cell's end, no title crosses it
        if out[i] == "T" and out[i - 1] == "T" and segs[i - 1].after == "|":
            for j in range(i, len(segs)):
                if out[j] != "T":
                    break
                out[j] = "O"
    for i in range(1, len(segs)):
        # "Title, Schaul et al, 2015. Algorithm: X": the title ends where its authors start
        if out[i] == "T" and out[i - 1] == "T" and _closing_tag(segs[i].text) == "A":
            out[i] = "A"
            for j in range(i + 1, len(segs)):
                if out[j] != "T":
                    break
                out[j] = _closing_tag(segs[j].text) or "O"
    for i in range(len(segs) - 1, 0, -1):
        # "Title (Paper PDF)": links end no title
        if out[i] == "T" and out[i - 1] == "T" and (i + 1 == len(segs) or out[i + 1] != "T"):
            out[i] = _closing_tag(segs[i].text) or out[i]
    for i in range(1, len(segs)):
        m = _BRACKETED_SEGMENT.match(segs[i].text)
        if m is None or out[i] == "T" or out[i - 1] != "T" or \
                YEAR_WORD.search(m.group(1)) or is_name_list(m.group(1)):
            continue
        following = i + 1 < len(segs) and out[i + 1] == "T"
        acronym = _is_acronym_of(m.group(1), segs[i - 1].text)
        if following or acronym:
            out[i] = "T"
        if acronym and not following and segs[i].after == ":" and i + 1 < len(segs) and \
                not is_name_list(segs[i + 1].text):
            out[i + 1] = "T"
    return out


def span_text(text: str, segs: Sequence[Segment], tags: Sequence[str], tag: str) -> list[str]:
    """The stretches of `text` covered by runs of segments tagged `tag`, each as written, with
    the question or exclamation mark that ends one ("Can RL solve it? (Phong Nguyen)")."""
    spans: list[str] = []
    start: int | None = None
    end = 0
    for seg, t in zip(segs, tags, strict=True):
        if t == tag:
            if start is None:
                start = seg.start
            end = seg.end + (text[seg.end:seg.end + 1] in ("?", "!"))
        elif start is not None:
            spans.append(text[start:end])
            start = None
    if start is not None:
        spans.append(text[start:end])
    return spans


def list_numbered(text: str) -> bool:
    """A line that opens with a list number ("1. ", "[3] ", "#5: ")."""
    return _LEADING_NUMBER.match(text) is not None


def clean_title(text: str) -> str:
    """A title span without a leading list number ("1. ", "[3] ", "#5: ") or bullet ("- "), a
    leading date code ("200630 "), trailing hashtags or a star count ("⭐ 24"), wrapping
    quotes, a closing period or comma or a leading label."""
    text = _LEADING_NUMBER.sub("", strip_label(rules.collapse(text))[1])
    text = _TRAILING_TAGS.sub("", _LEADING_DATE.sub("", _LEADING_MARKS.sub(
        "", _LEADING_BULLET.sub("", text))))
    text = text.strip(" \"“”'‘’")
    if text.endswith((".", ",")) and not text.endswith(".."):
        text = text[:-1].rstrip(" \"“”'‘’")
    return text


# A citation's title in quotes after its authors or year: 'H. Liu, B. Zou, "Title," CVPR 2026',
# 'Last, First et al. 2018. “Title.”'. At least three words, and the quote opens the line or
# follows a comma, a period, a colon or a year.
_QUOTED_TITLE = regex.compile(
    rf"(?:^|(?<=[,.:]\s?|{rules.YEAR}\w?\)?\s?))\s*[\"“]"
    r"(?P<t>[^\"“”]{3,300}?\s[^\"“”]+?\s[^\"“”]+?)[\"”]")


# Around the authors before a quoted title: a venue and year before them ("CVPR 2026 "), a
# year after them ("et al. 2018.").
_VENUE_YEAR_BEFORE = regex.compile(rf"^(?:[A-Z][\w&-]*(?:\s[A-Z][\w&-]*){{0,3}}\s)?{rules.YEAR}\s+")
_YEAR_AFTER = regex.compile(rf"[\s,.(]*{rules.YEAR}\w?[).,]*$")


def quoted_title(text: str) -> tuple[tuple[str, ...], str] | None:
    """(the authors before it, when they read as a list of names; the title) of a citation
    line whose title is quoted, or None."""
    m = _QUOTED_TITLE.search(text)
    if m is None:
        return None
    title = m.group("t").strip().rstrip(",.")
    before = _LEADING_NUMBER.sub("", text[:m.start()].strip())
    before = _YEAR_AFTER.sub("", _VENUE_YEAR_BEFORE.sub("", before)).rstrip(" .,;:")
    return _person_names(before), title


def citation(text: str) -> tuple[tuple[str, ...], str] | None:
    """(authors, title) of a citation line whose title is quoted (`quoted_title`) or follows
    an APA year (`apa_citation`), or None."""
    return quoted_title(text) or apa_citation(text)


def names_then_venue(text: str) -> bool:
    """A line of authors and then a venue and year ("Doersch, Carl and Gupta, Abhinav. ICCV
    2015", "Hsin-Ying Lee, Jia-Bin Huang, and Ming-Hsuan Yang. ICCV 2017")."""
    names_part = rules.without_venue(text)
    return names_part != rules.collapse(text) and bool(_person_names(names_part))


def _person_names(text: str) -> tuple[str, ...]:
    """The names of an author list when every one reads as a person's name, else ()."""
    names = parse_authors(text)
    return names if names and all(rules.is_person_name(n) for n in names) else ()


# "Title In Title Case: A summary written as a sentence." (digests, reading lists): the colon
# where Title Case turns into a sentence ends the title.
_COLON = regex.compile(r":\s+(?=\S)")
_SMALL_WORDS = frozenset(
    "a an the of for and or nor but in on at to by via from with without into onto over under "
    "as is are vs vs. per than".split())


def _content_words(text: str) -> list[str]:
    return [w for w in regex.findall(r"[\p{L}][\p{L}\p{N}'’‐‑-]*", text)
            if w.casefold() not in _SMALL_WORDS]


def _title_case(words: list[str]) -> bool:
    return bool(words) and sum(w[0].isupper() or w[0].isdigit() for w in words) >= 0.8 * len(words)


def title_and_summary(text: str) -> tuple[str, str | None]:
    """The title and the one-line summary after it, when a line reads "Title Case Title:
    a sentence about it" (at least three title words, at least six summary words, and at
    least 40% of the summary's words, after its first, lower-case); else (text, None)."""
    for m in reversed(list(_COLON.finditer(text))):
        head, tail = text[:m.start()].strip(), text[m.end():].strip()
        head_words, tail_words = _content_words(head), _content_words(tail)
        if len(head_words) < 3 or len(tail_words) < 6 or not _title_case(head_words):
            continue
        rest = tail_words[1:]
        if sum(w[0].islower() for w in rest) >= 0.4 * len(rest):
            return head, tail
    return text, None


# An APA-style citation: "Last, F., Last, F. M., & Last, F. (2010[, May]). Title. Venue...".
_APA = regex.compile(
    r"^\s*\[?\s*(?:\[\d+\]\.?\s*|\d{1,3}\.\s+)?"
    r"(?P<a>\p{Lu}[\p{L}'’-]+(?:\s\p{Lu}[\p{L}'’-]+)?,\s(?:\p{Lu}\.[\s-]?)+.{0,400}?)\s"
    rf"\({rules.YEAR}[a-z]?(?:,\s\p{{Lu}}\p{{Ll}}+\.?(?:\s\d{{1,2}})?)?\)\.\s+"
    r"(?P<t>\S.{2,300}?(?<!\b\p{Lu})[.?!])(?=\s|$)")


def apa_citation(text: str) -> tuple[tuple[str, ...], str] | None:
    """(authors, title) of an APA-style citation line, or None: "Bengio, Y., Simard, P., &
    Frasconi, P. (1994). Learning long-term dependencies with gradient descent is
    difficult. IEEE transactions on neural networks, 5(2), 157-166." The title ends at its
    first sentence end (a question keeps its mark)."""
    m = _APA.match(text)
    if m is None:
        return None
    names = parse_authors(m.group("a"))
    if not names:
        return None
    title = m.group("t")
    return names, title[:-1] if title.endswith(".") else title
