"""Reader for scraped paper-listing pages saved as plain text (`listing_text`).

Entries are segmented by the SHAPE of lines, not by one site's wording, so lab "Publications"
pages (title, one author per line, optional abstract paragraph) and "Daily Papers" pages
(title, blank, abstract, blank) both work, and so does a similar page from another site:

- abstract: a long paragraph line (>= 200 characters or >= 25 words) that reads like prose
  (ends with sentence punctuation or a URL, or holds a sentence break);
- names: a line of 2-5 capitalised name tokens (initials, hyphens, particles such as "de",
  "van" allowed; no digits or sentence punctuation; no word from `listing_title_words.txt`),
  or several such names separated by commas, semicolons or "and";
- chrome: a line listed in `listing_chrome.txt`, a line without letters, and any short line
  (<= 3 words) at the very top of the page that has neither authors nor abstract and is
  directly followed by another title-like line (e.g. a "Publications" header);
- url: a line that is only a URL, optionally behind a short label ("Code: https://...");
- title: any other line.

Grammar: `entry = title names* url* abstract*`. A title or name line starts a new entry when
no entry is open or the open one already has its abstract; a title line always starts one.
Further prose paragraphs after an abstract are joined to it (multi-paragraph abstracts).
A prose paragraph before any title yields `Rejected` PC105 (no title).

`Record.line` is the title's line; `raw` is `{"lines": [[line number, text], ...]}` with the
entry's non-blank lines as read. Titles and names are whitespace-collapsed; the abstract is
kept as read (trimmed). Decoding follows `common` (invalid UTF-8 replaced by U+FFFD, kept).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Literal

import regex

from pipeline.errors import Reason
from pipeline.ingest import table
from pipeline.ingest.common import (
    Source,
    head_text,
    iter_lines,
    json_start,
    json_text,
    reject,
)
from pipeline.records import Record, Rejected

log = logging.getLogger(__name__)

FORMAT = "listing_text"

LineKind = Literal["blank", "chrome", "abstract", "names", "url", "title"]

_PROSE_MIN_CHARS = 200
_PROSE_MIN_WORDS = 25
_HEADER_MAX_WORDS = 3
_PARTICLES = frozenset(
    "de da del della der den di du van von la le dos das do y bin ibn al ter ten zu st.".split()
)
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


def _load_words(filename: str) -> frozenset[str]:
    text = resources.files(__package__).joinpath(filename).read_text(encoding="utf-8")
    return frozenset(
        " ".join(line.split()).casefold()
        for line in text.splitlines()
        if line.strip() and not line.lstrip().startswith("#")
    )


@cache
def chrome_lines() -> frozenset[str]:
    """Lines of page chrome (casefolded), from `listing_chrome.txt`."""
    return _load_words("listing_chrome.txt")


@cache
def title_words() -> frozenset[str]:
    """Words that never occur in a person's name, from `listing_title_words.txt`."""
    return _load_words("listing_title_words.txt")


def collapse(text: str) -> str:
    """Whitespace runs to one space, ends trimmed."""
    return " ".join(text.split())


def is_prose(text: str) -> bool:
    """A long paragraph that reads like prose (an abstract)."""
    text = text.strip()
    if len(text) < _PROSE_MIN_CHARS and len(text.split()) < _PROSE_MIN_WORDS:
        return False
    return _PROSE_END.search(text) is not None or _SENTENCE_BREAK.search(text) is not None


def _is_name_token(token: str) -> bool:
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
    return all(_is_name_token(t) for t in core)


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


@dataclass(slots=True)
class Entry:
    """One paper entry being assembled from listing lines."""

    title: tuple[int, str] | None = None
    authors: list[str] = field(default_factory=list)
    abstract: list[str] = field(default_factory=list)
    urls: list[str] = field(default_factory=list)
    lines: list[tuple[int, str]] = field(default_factory=list)

    def is_header_like(self) -> bool:
        """Short, title-only: a page header when it tops the page."""
        return (
            self.title is not None
            and not self.authors
            and not self.abstract
            and not self.urls
            and len(self.title[1].split()) <= _HEADER_MAX_WORDS
        )


def segment_entries(lines: Iterable[tuple[int, str]]) -> Iterator[Entry]:
    """Group `(line number, text)` pairs into entries (see the module docstring)."""
    current: Entry | None = None
    emitted = False
    for lineno, text in lines:
        kind = classify_line(text)
        if kind in ("blank", "chrome"):
            if kind == "chrome":
                log.debug("line %d: chrome %r", lineno, text[:80])
            continue
        starts_new = (
            current is None
            or kind == "title"
            or (kind == "names" and (bool(current.abstract) or current.title is None))
        )
        if kind in ("abstract", "url") and current is not None:
            starts_new = False
        if starts_new:
            if current is not None:
                # A short title-only line at the top that another title follows is a header.
                if not (not emitted and current.is_header_like()):
                    emitted = True
                    yield current
                else:
                    log.debug("line %d: page header %r", current.lines[0][0], current.lines[0][1])
            current = Entry()
        assert current is not None
        current.lines.append((lineno, text))
        if kind == "abstract":
            current.abstract.append(text.strip())
        elif kind == "url":
            current.urls.append(url_of_line(text) or text.strip())
        elif starts_new:
            current.title = (lineno, collapse(text))
        else:
            current.authors.extend(parse_names(text) or (collapse(text),))
    if current is not None:
        yield current


def entry_to_item(entry: Entry, name: str) -> Record | Rejected:
    """A `Record` for an entry with a title, else `Rejected` PC105."""
    raw = {"lines": [[n, t] for n, t in entry.lines]}
    if entry.title is None:
        line = entry.lines[0][0]
        return reject(name, line, Reason.NO_TITLE,
                      "text without a title line before it; check the page layout", raw)
    return Record(
        source_file=name,
        line=entry.title[0],
        source_format=FORMAT,
        title=entry.title[1],
        authors=tuple(entry.authors),
        abstract="\n\n".join(entry.abstract) if entry.abstract else None,
        urls=tuple(dict.fromkeys(entry.urls)),
        raw=json_text(raw),
    )


def read(fh: Source, name: str) -> Iterator[Record | Rejected]:
    """Stream the entries of a listing page."""
    for entry in segment_entries(iter_lines(fh)):
        yield entry_to_item(entry, name)


def is_markdown(text: str) -> bool:
    """Markdown headings, `|` tables or code fences."""
    return _MARKDOWN.search(text) is not None


def looks_binary(text: str) -> bool:
    """Too many replacement characters or control characters for a text page."""
    if "\x00" in text:
        return True
    bad = sum(1 for c in text if c == "\ufffd" or (ord(c) < 32 and c not in _TEXT_CONTROLS))
    return bad > max(2, len(text) // 100)


def sniff(head: bytes) -> bool:
    """Plain UTF-8 text, not JSON/CSV/markdown, with a prose paragraph or a title+author pair."""
    if b"\x00" in head:
        return False
    text = head_text(head)
    if not text.strip() or looks_binary(text) or json_start(text) in ("{", "["):
        return False
    if table.sniff_csv_text(text) or is_markdown(text):
        return False
    lines = text.splitlines()
    if len(head) >= 1024 and len(lines) > 1 and not text.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line may be cut by the head limit
    kinds = [classify_line(line) for line in lines]
    content = [k for k in kinds if k not in ("blank", "chrome")]
    if "abstract" in content:
        return True
    return any(a == "title" and b == "names" for a, b in zip(content, content[1:], strict=False))
