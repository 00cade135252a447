"""Repair rules: Unicode (ftfy), "see more" markers, LaTeX debris, whitespace.

The shared tables and patterns (`latex_table`, `BRACED_OP`, `repair_once`, `settle`, ...)
are public: the column-wise repair (`columns`) mirrors them with Arrow kernels. Core
functions are pure (`normalise_text`, `normalise_title`, `normalise_author`, `fix_text`)
and idempotent.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import ftfy
import regex
from ftfy.chardata import HTML_ENTITY_RE

from pipeline.config import GAZETTEER_DIR
from pipeline.errors import GazetteerError

log = logging.getLogger(__name__)

DATA_DIR = GAZETTEER_DIR / "normalise"
FTFY_CONFIG = ftfy.TextFixerConfig(
    uncurl_quotes=False, fix_latin_ligatures=True, normalization="NFC"
)


def _data_lines(path: Path) -> Iterator[tuple[int, str]]:
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.strip() and not line.startswith("#"):
            yield lineno, line.rstrip("\n")


@cache
def _see_more_re() -> regex.Pattern[str]:
    path = DATA_DIR / "see_more.txt"
    markers = sorted({m.strip() for _, m in _data_lines(path)}, key=len, reverse=True)
    if not markers:
        raise GazetteerError(f"{path}: no markers")
    alternation = "|".join(re.escape(m) for m in markers)
    # "…" or "...", an optional space, then "(marker)"; the cut word is re-joined.
    return regex.compile(rf"(?:…|\.\.\.)\s?\((?:{alternation})\)", regex.IGNORECASE)


@cache
def latex_table() -> dict[str, str]:
    path = DATA_DIR / "latex.tsv"
    table: dict[str, str] = {}
    for lineno, line in _data_lines(path):
        parts = line.split("\t")
        if len(parts) != 2 or not parts[0].isalpha():
            raise GazetteerError(f"{path}:{lineno}: expected 'command<TAB>replacement'")
        if parts[0] in table:
            raise GazetteerError(f"{path}:{lineno}: duplicate command {parts[0]!r}")
        table[parts[0]] = parts[1]
    return table


@cache
def _latex_re() -> re.Pattern[str]:
    names = "|".join(sorted(latex_table(), key=len, reverse=True))
    # "{\alpha}", "\alpha", "{\times}" ... ; the command must end at a non-letter.
    return re.compile(rf"\{{\\({names})\}}|\\({names})(?![A-Za-z])")


# Digits glued to a bare "times" left by scrapers that dropped the backslash:
# "256times256", "64{times}64", "64times 64", "3.5times" -> "256×256", "3.5×".
# Patterns that begin with a look-behind run on `regex`, which finds their literal first:
# ~10x faster than `re` on an abstract (the rest are faster on `re`; same syntax and
# matches in both, a property test checks it).
_TIMES_BETWEEN = regex.compile(r"(?<=\d)\s*\{?times\}?\s*(?=\d)")
_TIMES_AFTER = regex.compile(r"(?<=\d)\{?times\}?(?![A-Za-z])")
_MULT_SPACES = regex.compile(r"(?<=\d)\s*×\s*(?=\d)")
BRACED_OP = re.compile(r"\{([=<>+\-,.:;])\}")
ESCAPED = re.compile(r"\\([%&#_$])")
TEXT_CMD = re.compile(
    r"\\(?:textbf|textit|emph|mathrm|mathbf|mathcal|text|texttt|textsc)\{([^{}]*)\}"
)
EM_GROUP = re.compile(r"\{\\(?:em|bf|it|rm|tt)\s+([^{}]*)\}")
INLINE_MATH = re.compile(r"\$([^$]{1,80})\$")
_TIE = regex.compile(r"(?<=\S)~(?=[A-Za-z(])")


def splice_markers(text: str) -> str:
    """Remove "… (voir plus)"-style markers, re-joining the word they cut."""
    return _see_more_re().sub("", text)


def replace_latex(text: str) -> str:
    """Make LaTeX debris readable while keeping its meaning."""
    table = latex_table()
    # Each pattern needs a literal ("$", "\\", "times", ...): testing for it first skips
    # the scan, which for the look-behind patterns costs ~60 µs per abstract.
    if "$" in text:
        text = INLINE_MATH.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = TEXT_CMD.sub(lambda m: m.group(1), text)
        text = EM_GROUP.sub(lambda m: m.group(1), text)
        text = _latex_re().sub(lambda m: table[m.group(1) or m.group(2)], text)
    if "times" in text:
        text = _TIMES_BETWEEN.sub("×", text)
        text = _TIMES_AFTER.sub("×", text)
    if "×" in text:
        text = _MULT_SPACES.sub("×", text)
    if "{" in text:
        text = BRACED_OP.sub(lambda m: m.group(1), text)
    if "\\" in text:
        text = ESCAPED.sub(lambda m: m.group(1), text)
    return _TIE.sub(" ", text) if "~" in text else text


def collapse_whitespace(text: str) -> str:
    # Every whitespace character but " " is unprintable (str.isprintable), so printable text
    # without double, leading or trailing spaces is already collapsed: C-speed checks
    # instead of splitting (the second repair pass nearly always lands here).
    if text.isprintable() and "  " not in text and text[:1] != " " and text[-1:] != " ":
        return text
    return " ".join(text.split())


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_LATEX_TRIGGERS = ("\\", "{", "$", "~", "times", "×")


def _mojibake_triggers() -> list[tuple[int, int]] | None:
    """Code point ranges such that text without them cannot match ftfy's `BADNESS_RE`.

    Every alternative of the heuristic needs some non-ASCII character from a fixed set
    (a literal, or a class of literals); one such token per alternative is collected,
    preferring tokens that spare characters common in scientific text. None when an
    alternative has no such token (then only ASCII is known to be safe).
    """
    try:
        import re._constants as sre_c
        import re._parser as sre_parse

        from ftfy.badness import BADNESS_RE

        tree = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags)
        (op, (_, branches)), *rest = tree.data
    except Exception:  # noqa: BLE001 - another ftfy or Python: no fast path
        return None
    if op is not sre_c.BRANCH or rest:
        return None
    common = set(map(ord, "×±→←≤≥∼~°µμαβγδεηθλπσφωΔΩ–—’…·"))

    def token(item: tuple[object, object]) -> list[tuple[int, int]] | None:
        kind, value = item
        if kind is sre_c.LITERAL and isinstance(value, int):
            return [(value, value)] if value >= 128 else None
        if kind is sre_c.IN and isinstance(value, list):
            ranges: list[tuple[int, int]] = []
            for k, v in value:
                if k is sre_c.LITERAL:
                    ranges.append((v, v))
                elif k is sre_c.RANGE:
                    ranges.append(v)
                else:  # negation, categories: not a fixed set
                    return None
            return ranges if all(lo >= 128 for lo, _ in ranges) else None
        return None

    out: list[tuple[int, int]] = []
    for branch in branches:
        tokens = [t for t in (token(item) for item in branch.data) if t]
        if not tokens:
            return None
        out += min(
            tokens,
            key=lambda rs: (
                sum(lo <= c <= hi for c in common for lo, hi in rs),
                sum(hi - lo + 1 for lo, hi in rs),
            ),
        )
    return out


def _unsafe_ranges() -> list[tuple[int, int]]:
    from ftfy import chardata

    # "&" is not here: ftfy reacts to it only as part of an entity (`has_entity`).
    ranges = [(0x00, 0x1F), (0x7F, 0x9F), (0x2028, 0x2029), (0xD800, 0xDFFF)]
    for table in (chardata.LIGATURES, chardata.WIDTH_MAP, chardata.CONTROL_CHARS):
        ranges += [(c, c) for c in table]
    return ranges


@cache
def _ftfy_unsafe() -> re.Pattern[str]:
    """Characters some step of `ftfy.fix_and_explain(_, FTFY_CONFIG)` other than its mojibake
    repair could change or react to (mojibake: `looks_mojibake`)."""
    return _char_class(_unsafe_ranges())


@cache
def ftfy_attention() -> re.Pattern[str]:
    """`_ftfy_unsafe` and the mojibake triggers: text without them is inert for ftfy."""
    return _char_class([*_unsafe_ranges(), *(_mojibake_triggers() or [(0x80, 0x10FFFF)])])


def _char_class(ranges: list[tuple[int, int]]) -> re.Pattern[str]:
    return re.compile("[" + "".join(f"\\U{lo:08x}-\\U{hi:08x}" for lo, hi in ranges) + "]")


@cache
def _mojibake_windows() -> tuple[re.Pattern[str], int] | None:
    """(the trigger characters, the widest match of `BADNESS_RE`), when both are known."""
    import re._parser as sre_parse

    from ftfy.badness import BADNESS_RE

    triggers = _mojibake_triggers()
    if triggers is None:
        return None
    width = sre_parse.parse(BADNESS_RE.pattern, BADNESS_RE.flags).getwidth()[1]
    return (_char_class(triggers), width) if width < 100 else None


def looks_mojibake(text: str) -> bool:
    """`ftfy.badness.is_bad(text)`, or True when unsure; fast on clean text.

    A match of `BADNESS_RE` holds a trigger character and is at most `width` long, so it
    lies in the window of `width` characters either side of one: only those windows are
    searched (~1 ms for the whole of a 1,000-character abstract with a "Γ" in it). A
    window's right edge can only add matches (an anchor there sees the end of the text),
    never lose one, so the answer errs only towards calling ftfy.
    """
    spec = _mojibake_windows()
    if spec is None:
        return not text.isascii()
    from ftfy.badness import BADNESS_RE

    triggers, width = spec
    windows: list[list[int]] = []
    for m in triggers.finditer(text):
        lo, hi = max(0, m.start() - width), m.end() + width + 1
        if windows and lo <= windows[-1][1]:
            windows[-1][1] = hi
        else:
            windows.append([lo, hi])
    return any(BADNESS_RE.search(text, lo, min(hi, len(text))) for lo, hi in windows)


def has_entity(text: str) -> bool:
    """Whether ftfy's `unescape_html` step has something to replace: its own entity
    pattern ("&amp;", "&#39;"), not any "&" ("R&D", "Q&A" are left as they are)."""
    return "&" in text and HTML_ENTITY_RE.search(text) is not None


def _ftfy_inert(segment: str) -> bool:
    """True when ftfy cannot change this segment (one line, its "\\n" included).

    ftfy's steps each need a character to act on: HTML entities, mojibake characters
    (`_mojibake_triggers`), C1 and other control characters, ligatures, wide forms, line
    separators, surrogates; and NFC must leave the text alone. Without any of them every
    step is the identity, so `fix_and_explain` returns the segment unchanged.
    """
    body = segment[:-1] if segment.endswith("\n") else segment
    if has_entity(body):
        return False
    if ftfy_attention().search(body) and (
            _ftfy_unsafe().search(body) or looks_mojibake(body)):
        return False
    return body.isascii() or unicodedata.is_normalized("NFC", body)


def fix_text(text: str) -> str:
    """`ftfy.fix_text(text, FTFY_CONFIG)`, exactly, without calling ftfy on inert lines.

    ftfy fixes a text line by line (segments ending in "\n"); most lines of a hard-wrapped
    abstract are plain ASCII, and ftfy's fixed cost per line (~0.3 ms) was most of
    normalise's time. The loop is ftfy's own, including its sticky `unescape_html="auto"`
    rule, so the output is the same for every text (a property test checks it).
    """
    config = FTFY_CONFIG
    out: list[str] = []
    pos = 0
    end = len(text)
    while pos < end:
        textbreak = text.find("\n", pos) + 1
        if textbreak == 0:
            textbreak = end
        if textbreak - pos > config.max_decode_length:
            textbreak = pos + config.max_decode_length
        segment = text[pos:textbreak]
        if config.unescape_html == "auto" and "<" in segment:
            config = config._replace(unescape_html=False)
        out.append(segment if _ftfy_inert(segment) else ftfy.fix_and_explain(segment, config)[0])
        pos = textbreak
    return "".join(out)


def repair_once(text: str) -> str:
    # Pure ASCII without entities has nothing for ftfy to fix; skipping it is most of the
    # speed on arXiv-scale corpora (ftfy is ~450 µs per abstract).
    out = text if text.isascii() and "&" not in text else fix_text(text)
    # Control characters are unprintable: a printable text (a repaired one, in the second
    # pass) has none to replace and, if nothing below changes it, no whitespace but " ".
    printable = out.isprintable()
    if not printable:
        out = _CONTROL.sub(" ", out)
    before = out
    if "…" in out or "..." in out:
        out = splice_markers(out)
    if any(t in out for t in _LATEX_TRIGGERS):
        out = replace_latex(out)
    if printable and out is before and "  " not in out and out[:1] != " " and out[-1:] != " ":
        return out
    return collapse_whitespace(out)


def normalise_text(text: str) -> str:
    """Repair an abstract or title: Unicode, markers, LaTeX debris, whitespace.

    Idempotent: normalise_text(normalise_text(s)) == normalise_text(s).
    """
    return settle(text, repair_once(text))


def settle(text: str, out: str) -> str:
    """The rest of `normalise_text(text)`, given `out`, the first pass over `text`."""
    if out == text:
        return out  # a pass that changes nothing would change nothing again
    # A pass can expose a pattern for another (a marker inside math, say); iterate to a
    # fixed point so the function is idempotent. One extra pass is the norm.
    for _ in range(4):
        again = repair_once(out)
        if again == out:
            break
        out = again
    return out


def normalise_title(text: str) -> str:
    return normalise_text(text)


def normalise_author(text: str) -> str:
    return collapse_whitespace(fix_text(text)).strip(" ,;")


