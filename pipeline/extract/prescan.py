"""Which branches of a pattern file can match in a region: one Hyperscan pass.

A pattern file is ~5-20 `regex` branches, each tried in every region it may match in.
Most tries find nothing (~80% on the bench corpus), and the literal pre-checks that skip
some of them cost Python time per branch and region. Hyperscan compiles the branches of
one or more files into one automaton, in prefilter mode: each branch is relaxed
(look-arounds, back-references dropped) so that it matches a superset of what the branch
matches. One scan of a region then names the branches that may match there; only those
are tried with `regex`, which finds the real matches. A branch Hyperscan cannot compile
(or may read otherwise, `_reads_alike`) is always tried. Compiled automata are kept on
disk (`_cached_database`).

The superset holds only where both engines read the text the same way. The automaton is
compiled without Unicode classes (UCP: with them it took ~60 s a process to compile, 2 s
without), so to it `\\w`, `\\d`, `\\s` are ASCII. A text whose characters it classes as
`regex` does, with the same case-insensitive equivalents, is scanned exactly (`text_mode`
1, 80% of the bench abstracts); a text with a non-ASCII letter, digit or space (Greek, in
the rest) by a widened automaton where those classes take in every non-ASCII character
and word boundaries are dropped (mode 2, compiled on first use); a text with a character
whose cases the two engines match differently ("ß" is "ss" to `regex`) by neither: the
caller uses its literal pre-checks there. Verdicts are per character, once per process.
"""

from __future__ import annotations

import hashlib
import os
import threading
from functools import cache
from pathlib import Path
from typing import Any

import regex

try:
    import hyperscan
except ImportError:  # pragma: no cover - the lock pins it; without it, pre-checks only
    hyperscan = None  # type: ignore[assignment]

_NAMED_GROUP = regex.compile(r"\(\?P<\w+>")
_NON_ASCII = regex.compile(r"[^\x00-\x7f]")
_PROBES = (r"\w", r"\d", r"\s")


def _flags(rx: Any) -> int:
    fl = (hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_PREFILTER
          | hyperscan.HS_FLAG_ALLOWEMPTY | hyperscan.HS_FLAG_SINGLEMATCH)
    if rx.flags & regex.IGNORECASE:
        fl |= hyperscan.HS_FLAG_CASELESS
    if rx.flags & regex.DOTALL:
        fl |= hyperscan.HS_FLAG_DOTALL
    if rx.flags & regex.MULTILINE:
        fl |= hyperscan.HS_FLAG_MULTILINE
    return fl


def _expression(rx: Any, wide: bool = False) -> bytes | None:
    """The branch as Hyperscan reads it (None: it cannot): a named group is a plain group
    to it (it has no captures); `wide`, see `_widen`."""
    pattern = _NAMED_GROUP.sub("(", rx.pattern)
    if wide:
        widened = _widen(pattern)
        if widened is None:
            return None
        pattern = widened
    return pattern.encode("utf-8")


_NON_ASCII_RANGE = r"\x{80}-\x{10FFFF}"
_PLAIN_ESCAPES = frozenset("dwsDWSbBAZztnrfxu0123456789")


def _widen(pattern: str) -> str | None:
    """A relaxation of `pattern` for texts with non-ASCII letters, digits or spaces, which
    `regex` classes by Unicode and the automaton (no UCP) as non-word: `\\w`, `\\d`,
    `\\s` also match any non-ASCII character, `\\b` and `\\B` are dropped. None when
    a construct is not one of those this is sure of (an escape it does not know, a
    negated class with `\\W`, `\\D` or `\\S` in it)."""
    out: list[str] = []
    i, n = 0, len(pattern)
    in_class = negated = False
    while i < n:
        c = pattern[i]
        if c == "\\":
            e = pattern[i + 1:i + 2]
            if e.isalnum() and e not in _PLAIN_ESCAPES:
                return None
            if e in ("w", "d", "s"):
                if not in_class:
                    out.append(f"[\\{e}{_NON_ASCII_RANGE}]")
                else:
                    out.append(f"\\{e}" if negated else f"\\{e}{_NON_ASCII_RANGE}")
            elif e in ("W", "D", "S") and in_class and negated:
                return None
            elif e in ("b", "B") and not in_class:
                pass
            else:
                out.append(pattern[i:i + 2])
            i += 2
        elif in_class:
            in_class = c != "]"
            out.append(c)
            i += 1
        elif c == "[":
            j = i + 1
            negated = pattern.startswith("^", j)
            j += negated
            j += pattern.startswith("]", j)  # a leading "]" is a member
            out.append(pattern[i:j])
            in_class = True
            i = j
        else:
            out.append(c)
            i += 1
    return "".join(out)


def _reads_alike(rx: Any) -> bool:
    """False when the pattern has syntax that compiles in both engines but means something
    else to Hyperscan (PCRE): V1 set operations or nested sets in a class (`[a-z--q]`,
    `[[..]]`), `{,n}` and fuzzy `{e<=1}` quantifiers; or, under case-insensitivity, a
    character that `regex` folds to several ("ß" matches "ss") or an escape that may
    hide one."""
    pattern: str = rx.pattern
    caseless = bool(rx.flags & regex.IGNORECASE) or "(?i" in pattern
    if caseless and (any(len(c.casefold()) > 1 for c in pattern if not c.isascii())
                     or regex.search(r"\\[xuUN]", pattern)):
        return False
    i, n, in_class = 0, len(pattern), False
    while i < n:
        c = pattern[i]
        if c == "\\":
            i += 2
        elif in_class:
            if c == "]":
                in_class = False
            elif c == "[" or pattern.startswith(("--", "&&", "||", "~~"), i):
                return False
            i += 1
        elif c == "[":
            in_class = True
            i += 1
            i += pattern.startswith("^", i)
            i += pattern.startswith("]", i)  # a leading "]" is a member
        elif c == "{" and (pattern[i + 1:i + 2] == "," or pattern[i + 1:i + 2].isalpha()):
            return False
        else:
            i += 1
    return True


def _cache_dir() -> Path:
    """Where compiled automata are kept between processes: `PAPERCLAIMS_CACHE_DIR`, else
    the user's cache folder."""
    base = os.environ.get("PAPERCLAIMS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.join(Path.home(), ".cache"), "paperclaims")
    return Path(base) / "hyperscan"


def _cached_database(expressions: list[bytes], flags: list[int]) -> Any:
    """`_database`, kept on disk by the content of what it compiles: compiling a pattern
    file's automata takes ~2 s, loading them ~1 ms, and every worker process needs them.
    A cached file that does not load (another Hyperscan, another CPU) is compiled over."""
    h = hashlib.sha256(str(getattr(hyperscan, "__version__", "")).encode())
    for e, f in zip(expressions, flags, strict=True):
        h.update(len(e).to_bytes(4, "little") + e + f.to_bytes(4, "little"))
    path = _cache_dir() / f"{h.hexdigest()}.hsdb"
    try:
        return hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    except (OSError, hyperscan.error):
        pass
    db = _database(expressions, flags)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(f".tmp{os.getpid()}")
        tmp.write_bytes(hyperscan.dumpb(db))
        os.replace(tmp, path)
    except OSError:
        pass  # a read-only home: compiled again next time
    return db


def _database(expressions: list[bytes], flags: list[int]) -> Any:
    db = hyperscan.Database()
    db.compile(expressions=expressions, ids=list(range(len(expressions))),
               elements=len(expressions), flags=flags)
    return db


def _on_match(i: int, _start: int, _end: int, _flags: int, hits: list[int]) -> None:
    hits.append(i)


class _Automaton:
    """One pattern file's branches compiled together; per region of the current text,
    the branches that may match there."""

    def __init__(self, branches: tuple[Any, ...], wide: bool) -> None:
        exprs: list[bytes] = []
        flags: list[int] = []
        ids: list[int] = []
        always: list[int] = []
        for i, rx in enumerate(branches):
            e = _expression(rx, wide) if _reads_alike(rx) else None
            if e is None:
                always.append(i)
                continue
            exprs.append(e)
            flags.append(_flags(rx))
            ids.append(i)
        try:
            self.db = _cached_database(exprs, flags) if exprs else None
        except hyperscan.error:
            # Some branch Hyperscan cannot read: each is compiled alone to find which.
            keep = [k for k, (e, f) in enumerate(zip(exprs, flags, strict=True))
                    if _compiles(e, f)]
            always = sorted([*always, *(ids[k] for k in range(len(ids)) if k not in keep)])
            exprs = [exprs[k] for k in keep]
            flags = [flags[k] for k in keep]
            ids = [ids[k] for k in keep]
            self.db = _cached_database(exprs, flags) if exprs else None
        self.ids = tuple(ids)
        """Branch number of each expression in `db`."""
        self.always = tuple(always)
        """Branches Hyperscan cannot read as `regex` does: tried everywhere."""
        self._plain = not always and ids == list(range(len(ids)))
        """Expression k is branch k: hits need no mapping."""
        self._scratch: dict[int, Any] = {}
        """Scratch space per thread (a Dask worker may run tasks in threads)."""
        self._last: tuple[str, dict[tuple[int, int], list[int]]] = ("", {})
        """The text last scanned and its regions' answers (replaced whole, so a thread
        never reads another text's answers)."""
        self._kept: dict[str, dict[tuple[int, int], list[int]]] = {}
        """Regions' answers worked out ahead for a batch of texts (`keep`), by text."""

    def keep(self, requests: list[tuple[str, list[tuple[int, int]]]]) -> None:
        """Scan these regions of these texts back to back and keep the answers (in place
        of the last batch's) until `forget`. In one pass over a batch the automaton stays
        in the CPU's cache; asked one text at a time between other work, a scan cost ~2x.
        Answers are kept by the text's content, so they are right for any caller."""
        kept: dict[str, dict[tuple[int, int], list[int]]] = {}
        self._kept = kept
        for text, regions in requests:
            answers = kept.setdefault(text, {})
            for start, end in regions:
                if (start, end) not in answers:
                    answers[(start, end)] = self._scan(text, start, end)

    def forget(self) -> None:
        self._kept = {}

    def candidates(self, text: str, start: int, end: int) -> list[int]:
        """Branches that may match in text[start:end], ascending. The character before
        `start` is scanned too, so `\\b` at `start` reads the same as in `regex`."""
        last = self._last
        if last[0] is text:
            regions = last[1]
        else:
            regions = self._kept.get(text) or {}
            self._last = (text, regions)
        out = regions.get((start, end))
        if out is None:
            out = regions[(start, end)] = self._scan(text, start, end)
        return out

    def _scan(self, text: str, start: int, end: int) -> list[int]:
        found: list[int] = []
        if self.db is not None:
            scratch = self._scratch.get(threading.get_ident())
            if scratch is None:
                scratch = self._scratch[threading.get_ident()] = hyperscan.Scratch(self.db)
            self.db.scan(text[max(start - 1, 0):end].encode("utf-8"),
                         match_event_handler=_on_match, context=found, scratch=scratch)
        if self._plain:
            found.sort()
        else:
            ids = self.ids
            found = sorted([*(ids[h] for h in found), *self.always])
        return found


class Prescan:
    """The automata of one pattern file's branches: exact for texts `regex` and the
    automaton read alike (`text_mode` 1), widened (`_widen`) for texts with non-ASCII
    letters, digits or spaces (mode 2; compiled on first use).

    The files asked about the same regions (an abstract's sentences with a digit) share
    one (`resources.SHARED_SCANS`): a sentence is scanned once for all of them. The files
    scanned over the whole text have one each: a scan's cost grows with the automaton
    (~19 us for 400 bytes with every file's branches, 2-6 us with one file's). A region's
    answer is kept until the next text.
    """

    def __init__(self, branches: tuple[Any, ...]) -> None:
        self.branches = branches
        self.exact = _Automaton(branches, wide=False)
        self._wide: _Automaton | None = None

    @property
    def wide(self) -> _Automaton:
        if self._wide is None:
            self._wide = _Automaton(self.branches, wide=True)
        return self._wide

    def candidates(self, text: str, start: int, end: int, mode: int = 1) -> list[int]:
        """Branches that may match in text[start:end] (`mode`: `text_mode(text)`),
        ascending."""
        return (self.exact if mode == 1 else self.wide).candidates(text, start, end)

    def keep(self, requests: list[tuple[str, int, list[tuple[int, int]]]]) -> None:
        """`_Automaton.keep` for (text, its mode, regions): each text on its automaton."""
        self.exact.keep([(t, regions) for t, mode, regions in requests if mode == 1])
        wide = [(t, regions) for t, mode, regions in requests if mode == 2]
        if wide or self._wide is not None:
            self.wide.keep(wide)

    def forget(self) -> None:
        self.exact.forget()
        if self._wide is not None:
            self._wide.forget()


def _compiles(expression: bytes, flags: int) -> bool:
    try:
        _database([expression], [flags])
    except hyperscan.error:
        return False
    return True


class PrescanView:
    """One pattern file's branches in a `Prescan` over several files (numbers
    offset..offset+n there)."""

    __slots__ = ("prescan", "offset", "n")

    def __init__(self, prescan: Prescan, offset: int, n: int) -> None:
        self.prescan = prescan
        self.offset = offset
        self.n = n

    def candidates(self, text: str, start: int, end: int, mode: int = 1) -> list[int]:
        """This file's branches that may match in text[start:end], ascending."""
        lo = self.offset
        hi = lo + self.n
        return [h - lo for h in self.prescan.candidates(text, start, end, mode)
                if lo <= h < hi]


def compile_prescan(*files: tuple[Any, ...]) -> list[PrescanView] | None:
    """One `Prescan` over the compiled `regex` branches of these pattern files, as a view
    per file; None without Hyperscan."""
    if hyperscan is None:
        return None
    pre = Prescan(tuple(rx for branches in files for rx in branches))
    views: list[PrescanView] = []
    for branches in files:
        views.append(PrescanView(pre, sum(v.n for v in views), len(branches)))
    return views


# ----------------------------------------------------------------------------- safety


@cache
def _probe_db() -> Any:
    return _database([p.encode() for p in _PROBES],
                     [hyperscan.HS_FLAG_UTF8] * len(_PROBES))


def _hs_classes(c: str) -> set[int]:
    hits: list[int] = []
    _probe_db().scan(c.encode("utf-8"), match_event_handler=_on_match, context=hits)
    return set(hits)


def _py_classes(c: str) -> set[int]:
    return {i for i, p in enumerate(_PROBES) if regex.match(p, c, regex.V1)}


@cache
def _fold_classes() -> dict[str, tuple[str, ...]]:
    """casefold -> every character with that fold, for the characters with case (all of
    them below U+20000)."""
    out: dict[str, list[str]] = {}
    for cp in range(0x20000):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        ch = chr(cp)
        f = ch.casefold()
        if f != ch or ch.upper() != ch:
            out.setdefault(f, []).append(ch)
    for f, chars in out.items():
        if len(f) == 1 and f not in chars:
            chars.append(f)
    return {f: tuple(chars) for f, chars in out.items()}


def _hs_caseless(pattern: str, text: str) -> bool:
    db = _database([regex.escape(pattern).encode("utf-8")],
                   [hyperscan.HS_FLAG_UTF8 | hyperscan.HS_FLAG_CASELESS])
    hits: list[int] = []
    db.scan(text.encode("utf-8"), match_event_handler=_on_match, context=hits)
    return bool(hits)


def _case_alike(c: str) -> bool:
    """Whether a case-insensitive match of `c` in Hyperscan is one of every character
    `regex` folds together with it (full case folding: a character folding to several
    never is), and `c` is a character at all (not a lone surrogate)."""
    if "\ud800" <= c <= "\udfff":
        return False
    f = c.casefold()
    if f == c and c.upper() == c and c.lower() == c:
        return c.isascii() or c not in _fold_classes()
    if len(f) != 1:
        return False
    kin = _fold_classes().get(f, (f,))
    return all(_hs_caseless(x, c) and _hs_caseless(c, x) for x in kin if x != c)


def char_mode(c: str) -> int:
    """1: Hyperscan reads `c` as `regex` does (same `\\w`/`\\d`/`\\s` classes, cases
    alike); 2: only its cases are alike (a non-ASCII letter, digit or space: the widened
    automaton is sure); 0: neither."""
    if not _case_alike(c):
        return 0
    if _hs_classes(c) == _py_classes(c):
        return 1
    return 0 if c.isascii() else 2


def char_is_safe(c: str) -> bool:
    """Whether the exact automaton reads `c` as `regex` does (`char_mode` 1)."""
    return char_mode(c) == 1


_modes: dict[str, int] = {}


@cache
def _unsafe_ascii() -> regex.Pattern[str] | None:
    bad = [chr(i) for i in range(128) if char_mode(chr(i)) != 1]
    return regex.compile("[" + "".join(regex.escape(c) for c in bad) + "]") if bad else None


def text_mode(text: str) -> int:
    """Which automaton may pre-scan `text`: 1 exact, 2 widened, 0 none (the lowest
    `char_mode` of its characters)."""
    if hyperscan is None:
        return 0
    unsafe = _unsafe_ascii()
    if unsafe is not None and unsafe.search(text) is not None:
        return 0
    if text.isascii():
        return 1
    mode = 1
    for c in set(_NON_ASCII.findall(text)):
        m = _modes.get(c)
        if m is None:
            m = _modes[c] = char_mode(c)
        if m == 0:
            return 0
        mode = max(mode, m)
    return mode


def text_is_safe(text: str) -> bool:
    """Whether the exact automaton may pre-scan `text` (`text_mode` 1)."""
    return text_mode(text) == 1
