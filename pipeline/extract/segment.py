"""Split an abstract into sentence and clause spans (offsets into the text).

A sentence ends at `.`, `!` or `?` followed by a space and something that can start a
sentence, unless the period belongs to an abbreviation ("e.g.", "vs.", "et al.", "Fig.") or
a number; URLs never contain a space so their dots never end a sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import regex

# Tokens (lower-cased, without the final period) after which a period does not end a sentence.
_ABBREVIATIONS = frozenset(
    """e.g i.e vs v.s cf al etc fig figs eq eqs sec secs tab ref refs resp approx no nos
    vol pp dr mr ms prof st jr sr inc ltd co corp dept univ est viz ca incl w.r.t wrt
    e.t.c a.k.a aka ch app appx alg thm def lem prop cor ex exp avg max min std""".split()
)

_BOUNDARY = regex.compile(r"[.!?](?:[\"'”’)\]]*)\s+(?=[\"'“‘(\[]?[A-Z0-9])")
_WORD_BEFORE = regex.compile(r"([A-Za-z][A-Za-z.]*)$")
_CLAUSE = regex.compile(
    r";\s|\s[-–—]{1,2}\s|:\s(?=[a-z])|,\s(?=(?:while|whereas|but|which|"
    r"and\s(?:we|it|our|they|achiev|reach|obtain|outperform|surpass|improv|reduc|yield)|"
    r"achieving|reaching|obtaining|outperforming|surpassing|improving|reducing|yielding|with)\b)"
)


@dataclass(frozen=True, slots=True)
class Span:
    start: int
    end: int


def split_sentences(text: str) -> list[Span]:
    """Sentence spans covering `text` (whitespace between sentences excluded)."""
    spans: list[Span] = []
    start = 0
    n = len(text)
    while start < n and text[start].isspace():
        start += 1
    for m in _BOUNDARY.finditer(text):
        cut = m.start() + len(m.group(0).rstrip())
        if text[m.start()] == "." and _is_abbreviation(text, m.start()):
            continue
        if cut <= start:
            continue
        spans.append(Span(start, cut))
        start = m.end()
    end = n
    while end > start and text[end - 1].isspace():
        end -= 1
    if end > start:
        spans.append(Span(start, end))
    return spans


_DIGIT = regex.compile(r"\d")
_ASCII_DIGIT = regex.compile(r"[0-9]")  # the same on ASCII text, ~3x faster


def find_digit(text: str, pos: int = 0, endpos: int | None = None) -> int:
    """Position of the first digit (`\\d`) in text[pos:endpos], or -1."""
    rx = _ASCII_DIGIT if text.isascii() else _DIGIT
    m = rx.search(text, pos) if endpos is None else rx.search(text, pos, endpos)
    return -1 if m is None else m.start()


def _boundary_at(text: str, i: int) -> Any:
    """The sentence boundary match starting at `i` (text[i] is ".", "!" or "?"), or None
    when there is none or the period ends an abbreviation. `_BOUNDARY` matches never
    contain another ".!?", so `finditer` finds exactly the positions where this matches."""
    m = _BOUNDARY.match(text, i)
    if m is None or (text[i] == "." and _is_abbreviation(text, i)):
        return None
    return m


_PUNCT = regex.compile(r"[.!?]")
_PUNCT_BACK = regex.compile(r"(?r)[.!?]")


def _last_boundary(text: str, lo: int, hi: int) -> Any:
    """The last boundary match starting in [lo, hi), or None."""
    while True:
        p = _PUNCT_BACK.search(text, lo, hi)
        if p is None:
            return None
        i = p.start()
        m = _boundary_at(text, i)
        if m is not None:
            return m
        hi = i


def _next_boundary(text: str, lo: int) -> Any:
    """The first boundary match starting at or after `lo`, or None."""
    while True:
        p = _PUNCT.search(text, lo)
        if p is None:
            return None
        i = p.start()
        m = _boundary_at(text, i)
        if m is not None:
            return m
        lo = i + 1


def digit_sentences(text: str) -> list[Span]:
    """The spans of `split_sentences(text)` that contain a digit (`\\d`), found around each
    digit without splitting the rest of the text: only these can hold a result or a stated
    resolution."""
    spans: list[Span] = []
    n = len(text)
    first = 0
    while first < n and text[first].isspace():
        first += 1
    end_all = n
    while end_all > first and text[end_all - 1].isspace():
        end_all -= 1
    pos = 0
    start_after = first  # where the sentence after the last span found starts
    while True:
        p = find_digit(text, pos)
        if p < 0:
            break
        prev = _last_boundary(text, pos, p)
        start = prev.end() if prev is not None else start_after
        nxt = _next_boundary(text, p)
        if nxt is None:
            if end_all > start:
                spans.append(Span(start, end_all))
            break
        cut = nxt.start() + len(nxt.group(0).rstrip())
        spans.append(Span(start, cut))
        pos = cut
        start_after = nxt.end()
    return spans


def sentence_before(text: str, sentence: Span) -> Span | None:
    """The sentence just before `sentence` (as `split_sentences` would cut it), or None."""
    end = _last_boundary(text, 0, sentence.start)
    if end is None:
        return None
    start = _last_boundary(text, 0, end.start())
    return Span(start.end() if start is not None else 0, end.end())


def _is_abbreviation(text: str, dot: int) -> bool:
    m = _WORD_BEFORE.search(text, max(0, dot - 12), dot)
    if m is None:
        return False
    word = m.group(1).lower().rstrip(".")
    if word in _ABBREVIATIONS:
        return True
    # Single capital initial ("J. Smith") or a dotted acronym ("U.S.").
    return len(word) == 1 and text[m.start()].isupper()


def split_clauses(text: str, sentence: Span) -> list[Span]:
    """Clause spans inside one sentence (split at ';', dashes, and result-bearing commas)."""
    spans: list[Span] = []
    start = sentence.start
    for m in _CLAUSE.finditer(text, sentence.start, sentence.end):
        if m.start() > start:
            spans.append(Span(start, m.start()))
        start = m.end()
    if sentence.end > start:
        spans.append(Span(start, sentence.end))
    return spans
