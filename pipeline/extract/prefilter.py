"""Literal pre-checks derived from a pattern: strings of which one must occur in any match.

`required_literals(pattern)` reads the pattern's syntax tree (the stdlib parser; the
`regex` patterns of `gazetteers/patterns/` use no syntax it reads differently, and any
pattern it cannot read safely gets no pre-check) and returns factors: each factor is a
tuple of lower-case strings, and every match of the pattern contains at least one string
of every factor in its matched text or a positive lookahead (never a lookbehind, which may
look before the start of the scanned region). So a region of `fold(text)` that lacks every
string of some factor holds no match, and the pattern need not run there.

Case: strings are compared with `fold(text)` (ASCII letters lower-cased); a case-sensitive
literal is folded too (a weaker but still necessary check). A case-insensitive pattern can
also match a few non-ASCII letters that fold to ASCII ones (the Kelvin sign, "ß" for "ss",
ligatures), so texts with such letters (`has_fold_special`) skip the pre-checks.
"""

from __future__ import annotations

import re
import re._constants as sre_c  # read-only use of the stdlib regex parser
import re._parser as sre_parse
from itertools import product
from typing import Any

__all__ = ["required_literals", "has_fold_special", "FOLD_SPECIAL_CHARS"]

_MAX_SET = 48
"""Alternative strings kept per factor; a larger set is dropped (no factor)."""

Factor = frozenset[str]


class _Unsupported(Exception):
    pass


class _Sig:
    """What a node can match: `exact` (every string it can match, folded; None if not a
    small finite set) and `factors` (sets of strings one of which each match contains)."""

    __slots__ = ("exact", "factors")

    def __init__(self, exact: frozenset[str] | None, factors: list[Factor]) -> None:
        self.exact = exact
        self.factors = factors


_EMPTY = frozenset({""})


def _fold_char(code: int, ignore_case: bool) -> str | None:
    c = chr(code)
    if not c.isascii():
        # Case-insensitive non-ASCII letters match other cases that fold() keeps apart.
        return None if ignore_case else c
    return c.lower()


def _minimal(strings: frozenset[str]) -> Factor | None:
    """Drop strings that contain another string of the set (implied); None if unusable."""
    if not strings or "" in strings or len(strings) > _MAX_SET:
        return None
    keep = [s for s in strings if not any(o != s and o in s for o in strings)]
    return frozenset(keep)


def _concat(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None or len(a) * len(b) > _MAX_SET:
        return None
    return frozenset(x + y for x, y in product(a, b))


def _seq(items: Any, flags: int) -> _Sig:
    factors: list[Factor] = []
    run: frozenset[str] | None = _EMPTY
    exact: frozenset[str] | None = _EMPTY

    def close_run() -> None:
        if run is not None:
            f = _minimal(run)
            if f is not None:
                factors.append(f)

    for op, av in items:
        sig = _node(op, av, flags)
        factors.extend(sig.factors)
        exact = _concat(exact, sig.exact)
        joined = _concat(run, sig.exact)
        if joined is None:
            close_run()
            # A node with no finite form breaks the run; one too big to join starts anew.
            run = sig.exact if sig.exact is not None else _EMPTY
        else:
            run = joined
    close_run()
    return _Sig(exact, factors)


def _node(op: Any, av: Any, flags: int) -> _Sig:
    ignore_case = bool(flags & re.IGNORECASE)
    if op is sre_c.LITERAL:
        c = _fold_char(av, ignore_case)
        return _Sig(frozenset({c}) if c is not None else None, [])
    if op is sre_c.IN:
        chars: set[str] = set()
        for iop, iav in av:
            if iop is not sre_c.LITERAL:
                return _Sig(None, [])
            c = _fold_char(iav, ignore_case)
            if c is None:
                return _Sig(None, [])
            chars.add(c)
        return _Sig(frozenset(chars) if 0 < len(chars) <= 4 else None, [])
    if op in (sre_c.ANY, sre_c.NOT_LITERAL, sre_c.CATEGORY, sre_c.GROUPREF,
              sre_c.GROUPREF_EXISTS):
        return _Sig(None, [])
    if op is sre_c.AT:
        return _Sig(_EMPTY, [])
    if op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _seq(sub, (flags | add_flags) & ~del_flags)
    if op is sre_c.ATOMIC_GROUP:
        return _seq(av, flags)
    if op is sre_c.BRANCH:
        _none, alternatives = av
        sigs = [_seq(alt, flags) for alt in alternatives]
        exact: frozenset[str] | None = frozenset()
        for s in sigs:
            exact = None if exact is None or s.exact is None else exact | s.exact
        if exact is not None and len(exact) > _MAX_SET:
            exact = None
        union: set[str] = set()
        for s in sigs:
            best = _best(s)
            if best is None:
                union = set()
                break
            union |= best
        f = _minimal(frozenset(union)) if union else None
        return _Sig(exact, [f] if f is not None else [])
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        lo, hi, sub = av
        sig = _seq(sub, flags)
        if lo == 0:
            return _Sig(_EMPTY | sig.exact if hi == 1 and sig.exact is not None else None, [])
        factors = list(sig.factors)
        if sig.exact is not None:
            f = _minimal(sig.exact)
            if f is not None:
                factors.append(f)
        return _Sig(sig.exact if lo == hi == 1 else None, factors)
    if op is sre_c.ASSERT:
        direction, sub = av
        if direction < 0:
            return _Sig(_EMPTY, [])  # a lookbehind may look before the region
        sig = _seq(sub, flags)
        factors = list(sig.factors)
        if sig.exact is not None:
            f = _minimal(sig.exact)
            if f is not None:
                factors.append(f)
        return _Sig(_EMPTY, factors)
    if op is sre_c.ASSERT_NOT:
        return _Sig(_EMPTY, [])
    raise _Unsupported(str(op))


def _best(sig: _Sig) -> Factor | None:
    cands = list(sig.factors)
    if sig.exact is not None:
        f = _minimal(sig.exact)
        if f is not None:
            cands.append(f)
    if not cands:
        return None
    return max(cands, key=_score)


def _score(f: Factor) -> tuple[int, int]:
    return (min(len(s) for s in f), -len(f))


# `regex` syntax the stdlib parser would read as literals: fuzzy constraints "{e<=1}".
_UNSAFE = re.compile(r"(?<!\\)\{(?!\d*(?:,\d*)?\})")


def required_literals(pattern: str, flags: int = 0,
                      max_factors: int = 2) -> tuple[tuple[str, ...], ...]:
    """Up to `max_factors` factors (most selective first) for a pattern; () when none can
    be derived (the pattern then always runs)."""
    if _UNSAFE.search(pattern) or "(?V0)" in pattern or "\\L<" in pattern:
        return ()
    try:
        tree = sre_parse.parse(pattern, flags & re.IGNORECASE)
        sig = _seq(tree, flags & re.IGNORECASE)
    except (re.error, _Unsupported, RecursionError, OverflowError, ValueError):
        return ()
    found = list(sig.factors)
    if sig.exact is not None:
        f = _minimal(sig.exact)
        if f is not None:
            found.append(f)
    factors = list(dict.fromkeys(found))
    factors.sort(key=_score, reverse=True)
    return tuple(tuple(sorted(f)) for f in factors[:max_factors])


# Non-ASCII characters that a case-insensitive `regex` pattern written in ASCII may match:
# those whose case forms or full case folding contain an ASCII letter ("K" Kelvin sign,
# "ſ", "ß" = "ss", "ﬁ" = "fi", "İ" = "i̇", ...). Checked against the installed `regex` and
# Python in tests/test_extract_prefilter.py.
FOLD_SPECIAL_CHARS = (
    "\u00df\u0130\u0131\u0149\u017f\u01f0\u1e96\u1e97\u1e98\u1e99\u1e9a\u1e9e"
    "\u212a\ufb00\ufb01\ufb02\ufb03\ufb04\ufb05\ufb06\U0001df95"
)
_FOLD_SPECIAL = re.compile("[" + FOLD_SPECIAL_CHARS + "]")


def has_fold_special(text: str) -> bool:
    """True when `text` has a character a case-insensitive ASCII pattern may match
    although `fold(text)` does not show that ASCII letter."""
    return not text.isascii() and _FOLD_SPECIAL.search(text) is not None
