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
_MAX_CLASS = 8
"""Characters a class may list to count as that many one-character strings (an operator
set "[=<>≤≥≈]" is one a region must hold; "[A-Za-z]" is not read at all)."""

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
        return _Sig(frozenset(chars) if 0 < len(chars) <= _MAX_CLASS else None, [])
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


# `regex` syntax the stdlib parser reads otherwise: fuzzy constraints "{e<=1}", named lists,
# Unicode properties, POSIX classes, V1 set operations, nested sets, flags it lacks.
_UNSAFE = re.compile(
    r"(?<!\\)\{(?!\d*(?:,\d*)?\})|\\[LpPNXGKmMh]|\(\?[|rfwVb]|\(\?\(DEFINE"
)
_SET_OPERATOR = re.compile(r"\[\[|\[:|--|&&|\|\||~~")


def _unsafe(pattern: str) -> bool:
    if _UNSAFE.search(pattern):
        return True
    # Inside character classes only: "[[", "[:" and the V1 set operators.
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
            continue
        if c == "[":
            j = i + 1
            if j < n and pattern[j] == "^":
                j += 1
            if j < n and pattern[j] == "]":
                j += 1
            while j < n and pattern[j] != "]":
                j += 2 if pattern[j] == "\\" else 1
            body = pattern[i:j]
            if _SET_OPERATOR.search(body.replace("\\\\", "").replace("\\-", "").replace(
                    "\\[", "").replace("\\&", "").replace("\\|", "").replace("\\~", "")):
                return True
            i = j + 1
            continue
        i += 1
    return False


def required_literals(pattern: str, flags: int = 0,
                      max_factors: int = 2) -> tuple[tuple[str, ...], ...]:
    """Up to `max_factors` factors (most selective first) for a pattern; () when none can
    be derived (the pattern then always runs)."""
    if _unsafe(pattern):
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


def _prefixes(items: Any, flags: int) -> frozenset[str] | None:
    """Strings one of which every match of `items` starts with (None: not known)."""
    acc: frozenset[str] | None = _EMPTY
    for op, av in items:
        if op is sre_c.AT or op in (sre_c.ASSERT, sre_c.ASSERT_NOT):
            continue  # zero-width: the match's first character is still to come
        sig = _node(op, av, flags)
        if sig.exact is not None:
            acc = _concat(acc, sig.exact)
            if acc is None:
                return None
            continue
        head = _head(op, av, flags)
        if head is None:
            break
        return _prefix_set(_concat(acc, head))
    return _prefix_set(acc)


def _head(op: Any, av: Any, flags: int) -> frozenset[str] | None:
    """Prefixes of a node with no small finite set of forms."""
    if op is sre_c.SUBPATTERN:
        _group, add_flags, del_flags, sub = av
        return _prefixes(sub, (flags | add_flags) & ~del_flags)
    if op is sre_c.ATOMIC_GROUP:
        return _prefixes(av, flags)
    if op is sre_c.BRANCH:
        out: set[str] = set()
        for alt in av[1]:
            p = _prefixes(alt, flags)
            if p is None:
                return None
            out |= p
        return frozenset(out)
    if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
        lo, _hi, sub = av
        return _prefixes(sub, flags) if lo >= 1 else None
    return None


def _prefix_set(strings: frozenset[str] | None) -> frozenset[str] | None:
    """Drop strings another one of the set begins (implied); None if one is empty."""
    if not strings or "" in strings or len(strings) > _MAX_SET:
        return None
    return frozenset(s for s in strings if not any(o != s and s.startswith(o) for o in strings))


def match_prefixes(pattern: str, flags: int = 0) -> tuple[str, ...]:
    """Folded strings one of which every match of `pattern` begins with (lookbehinds and
    other zero-width tests aside), or () when not known. A scan then need only try the
    pattern where one of them occurs (`regex` sees the text before the start of a match
    attempt, so `match` at a position is the attempt a `search` makes there)."""
    if _unsafe(pattern):
        return ()
    try:
        found = _prefixes(sre_parse.parse(pattern, flags & re.IGNORECASE),
                          flags & re.IGNORECASE)
    except (re.error, _Unsupported, RecursionError, OverflowError, ValueError):
        return ()
    return tuple(sorted(found)) if found else ()


# Characters `\\s` may match (Python's isspace(), a superset of the `regex` module's).
_SPACES = frozenset(chr(c) for c in range(0x3001) if chr(c).isspace())
_INF = 1 << 30


def _space_item(op: Any, av: Any) -> bool:
    """True when this class item can match a whitespace character."""
    if op is sre_c.LITERAL:
        return chr(av) in _SPACES
    if op is sre_c.RANGE:
        return any(av[0] <= ord(c) <= av[1] for c in _SPACES)
    if op is sre_c.CATEGORY:
        return av not in (sre_c.CATEGORY_WORD, sre_c.CATEGORY_DIGIT, sre_c.CATEGORY_NOT_SPACE)
    return True  # NEGATE, NOT_LITERAL, ANY, anything else: may


def _spaces(items: Any) -> int:
    """Most whitespace characters a match of `items` can consume (_INF: unbounded)."""
    total = 0
    for op, av in items:
        if op is sre_c.IN:
            total += 1 if any(_space_item(o, a) for o, a in av) else 0
        elif op in (sre_c.LITERAL, sre_c.NOT_LITERAL, sre_c.ANY, sre_c.CATEGORY):
            total += 1 if _space_item(op, av) else 0
        elif op is sre_c.AT:
            if av not in (sre_c.AT_BOUNDARY, sre_c.AT_NON_BOUNDARY):
                raise _Unsupported("anchor")  # "^", "$": depend on where the text ends
        elif op is sre_c.SUBPATTERN:
            total += _spaces(av[3])
        elif op is sre_c.ATOMIC_GROUP:
            total += _spaces(av)
        elif op is sre_c.BRANCH:
            total += max(_spaces(alt) for alt in av[1])
        elif op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            lo, hi, sub = av
            w = _spaces(sub)
            total += 0 if w == 0 else (_INF if hi is sre_c.MAXREPEAT else w * hi)
        elif op in (sre_c.ASSERT, sre_c.ASSERT_NOT) and av[0] < 0:
            pass  # a lookbehind consumes nothing and looks before the match only
        else:
            raise _Unsupported(str(op))  # lookaheads look past the match: no bound
    return min(total, _INF)


def whitespace_bound(pattern: str, flags: int = 0) -> int | None:
    """Most whitespace characters a match of `pattern` can hold, or None when unbounded or
    not known (lookaheads, anchors, syntax the stdlib parser does not read the same way).

    A match holding an occurrence of a factor string at `q` then starts after the
    (bound+1)-th space before `q` and ends by the (bound+1)-th space after it; with no
    lookahead it looks at nothing past its end but the next character (`\\b`). So a scan
    may run in such windows around the factor's occurrences only."""
    if _unsafe(pattern):
        return None
    try:
        w = _spaces(sre_parse.parse(pattern, flags & re.IGNORECASE))
    except (re.error, _Unsupported, RecursionError, OverflowError, ValueError):
        return None
    return None if w >= _INF else w


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
