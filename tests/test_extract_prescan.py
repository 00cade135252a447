"""The Hyperscan pre-scan (`prescan`) names every branch that can match in a region, so
pattern files find the same matches with it as without it, on any text."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st
from test_extract_prefilter import TEXTS

from pipeline.extract import prescan, resources
from pipeline.extract.prescan import (
    _widen,
    char_is_safe,
    char_mode,
    compile_prescan,
    text_is_safe,
    text_mode,
)
from pipeline.extract.segment import split_sentences

PATTERN_FILES = sorted(p.stem for p in resources.PATTERN_DIR.glob("*.jsonl"))

# Pieces the patterns look for, and characters where engines may read text differently.
_WORDS = (
    "FID", "fid", "IS", "BLEU", "ROUGE-L", "accuracy", "Top-1", "mAP", "PSNR", "of", "by",
    "to", "from", "on", "the", "a", "an", "we", "achieve", "improve", "outperform", "SOTA",
    "state-of-the-art", "dataset", "benchmark", "Bench", "FooBench", "ImageNet", "COCO",
    "CIFAR-10", "FFHQ", "LSUN", "introduce", "present", "called", "named", "such as",
    "steps", "NFE", "epochs", "shot", "zero-shot", "5-shot", "px", "pixels", "resolution",
    "times", "faster", "fold", "points", "pp", "percent", "versus", "vs.", "compared",
    "baseline", "prior", "best", "Table", "Fig.", "https://github.com/a/b", "huggingface.co",
    "/datasets/", "(", ")", ",", ";", ":", ".", "-", "–", "−", "×", "x", "X", "%", "±", "~",
    "≈", "≤", "≥", "=", "<", ">", "/", "α", "Α", "ω", "Ω", "θ", "Θ", "µ", "μ", "Μ", "²",
    "°", "·", "→", "ß", "ſ", "\u212a", "ﬁ", "İ", "ς", "σ", "Σ", "ϐ", "\u00a0", "\u2003",
    "\u3000", "\x1c", "\x85", "\n", "\t", "_", "'", "\"", "$", "é", "Ünï", "一", "٣", "𝟙",
)
_NUMBERS = st.from_regex(r"\A(?:\d{1,4}(?:[.,]\d{1,3})?|\.\d)\Z", fullmatch=True)
_PIECE = st.one_of(st.sampled_from(_WORDS), _NUMBERS, st.characters(codec="utf-8"))


def _sentences() -> list[str]:
    out: list[str] = []
    for text in TEXTS:
        out += [text[s.start:s.end] for s in split_sentences(text)]
    return [s for s in out if s.strip()]


SENTENCES = _sentences()


@st.composite
def _text(draw: st.DrawFn) -> str:
    """A real sentence or two (they hold matches), edited: pieces inserted, spans
    deleted, re-cased; or pieces alone."""
    if draw(st.integers(0, 4)) == 0:
        parts = draw(st.lists(st.tuples(_PIECE, st.sampled_from(["", " ", "  "])), max_size=30))
        return "".join(p + sep for p, sep in parts)
    text = " ".join(draw(st.lists(st.sampled_from(SENTENCES), min_size=1, max_size=2)))
    for _ in range(draw(st.integers(0, 4))):
        at = draw(st.integers(0, len(text)))
        kind = draw(st.integers(0, 2))
        if kind == 0:
            text = text[:at] + draw(_PIECE) + text[at:]
        elif kind == 1:
            text = text[:at] + text[at + draw(st.integers(1, 6)):]
        else:
            end = at + draw(st.integers(1, 12))
            text = text[:at] + text[at:end].swapcase() + text[end:]
    return text


_TEXT = _text()


def _rows(found: list[tuple[str, str, Any]]) -> list[tuple[Any, ...]]:
    return [(pid, label, m.span(), m.groupdict()) for pid, label, m in found]


def _plain(ps: resources.PatternSet) -> resources.PatternSet:
    return dataclasses.replace(ps, factors=(), whole_factors=(), windows=(), require_roots=(),
                               require_folds=(), anchors=(), prescan=None,
                               path=ps.path + "#plain")


def _spans(data: st.DataObject, n: int) -> list[tuple[int, int]] | None:
    if not data.draw(st.booleans()):
        return None
    cuts = data.draw(st.lists(st.integers(0, n), max_size=6))
    points = sorted({0, n, *cuts})
    return [(a, b) for a, b in zip(points, points[1:], strict=False) if b > a]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERN_FILES), _TEXT, st.data())
def test_prescan_never_changes_matches(name: str, text: str, data: st.DataObject) -> None:
    ps = resources.patterns(name)
    assert ps.prescan is not None
    spans = _spans(data, len(text))
    fast = _rows(ps.finditer(text, spans=spans))
    plain = (text + ".")[:-1]  # another object: no shared per-text state
    assert fast == _rows(_plain(ps).finditer(plain, spans=spans))
    assert ps.search(text) == _plain(ps).search(plain)


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(PATTERN_FILES), _TEXT, st.integers(0, 200), st.integers(0, 200))
def test_every_match_has_its_branch_named(name: str, text: str, a: int, b: int) -> None:
    """The guarantee itself: a branch that matches in a region is a candidate there, for
    the automaton the text's mode picks (exact or widened)."""
    mode = text_mode(text)
    if not mode:
        return
    ps = resources.patterns(name)
    assert ps.prescan is not None
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    named = set(ps.prescan.candidates(text, start, end, mode))
    for i, rx in enumerate(ps.branches):
        if any(m.end() > m.start() for m in rx.finditer(text, start, end)):
            assert i in named, (ps.ids[i], mode, text[start:end])


@settings(max_examples=200, deadline=None)
@given(st.sampled_from(PATTERN_FILES), _TEXT, st.integers(0, 200), st.integers(0, 200))
def test_widened_automaton_names_every_match_on_any_safe_case(
        name: str, text: str, a: int, b: int) -> None:
    """The widened automaton is a superset on texts of mode 1 too (it only relaxes)."""
    if text_mode(text) != 1:
        return
    ps = resources.patterns(name)
    assert ps.prescan is not None
    start, end = sorted((min(a, len(text)), min(b, len(text))))
    wide = set(ps.prescan.candidates(text, start, end, 2))
    assert set(ps.prescan.candidates(text, start, end, 1)) <= wide


def test_branches_hyperscan_cannot_read_are_always_tried() -> None:
    branches = tuple(regex.compile(p, regex.V1) for p in (
        r"\bfoo\d+", r"(?P<a>x)(?P=a)\G", r"[a-z--q]+", r"ab{,3}", r"(?i)straße", r"bar"))
    pre = prescan.Prescan(branches)
    assert pre.exact.always == pre.wide.always == (1, 2, 3, 4)
    assert pre.candidates("no match here", 0, 13) == [1, 2, 3, 4]
    assert pre.candidates("a foo12 bar", 0, 11, 2) == [0, 1, 2, 3, 4, 5]
    assert pre.candidates("a foo12 bar", 0, 11) == [0, 1, 2, 3, 4, 5]
    assert pre.candidates("a foo12 bar", 8, 11) == [1, 2, 3, 4, 5]


def test_region_start_reads_the_character_before() -> None:
    # `\b` at the start of a region depends on the character before it, as in `regex`.
    views = compile_prescan((regex.compile(r"\bab", regex.V1),),
                            (regex.compile(r"\Bcd", regex.V1),))
    assert views is not None
    pre = views[0].prescan  # both files' branches: 0 and 1
    assert views[1].candidates("xcd", 1, 3) == [0]
    assert pre.candidates("xab", 1, 3) == []
    assert pre.candidates(" ab", 1, 3) == [0]
    assert pre.candidates("xcd", 1, 3) == [1]
    # Each region of a text has its own answer.
    assert pre.candidates("ab xcd", 0, 2) == [0]
    assert pre.candidates("ab xcd", 3, 6) == [1]


@pytest.mark.parametrize(("char", "safe"), [
    ("a", True), ("Z", True), (" ", True), ("×", True), ("≤", True), ("→", True),
    # A letter is a word character to `regex` but not to the automaton (no UCP).
    ("α", False), ("Ω", False), ("é", False),
    ("ß", False), ("ﬁ", False), ("İ", False), ("\ud800", False),
])
def test_char_is_safe(char: str, safe: bool) -> None:
    assert char_is_safe(char) is safe


@pytest.mark.parametrize(("char", "mode"), [
    ("a", 1), ("×", 1), ("α", 2), ("Ω", 2), ("é", 2), ("٣", 2), ("\u00a0", 2),
    ("ß", 0), ("ﬁ", 0), ("\ud800", 0),
])
def test_char_mode(char: str, mode: int) -> None:
    assert char_mode(char) == mode


def test_widen_shapes() -> None:
    wide = r"\x{80}-\x{10FFFF}"
    assert _widen(r"\bfoo\s\w+") == rf"foo[\s{wide}][\w{wide}]+"
    assert _widen(r"[\w.+-]+") == rf"[\w{wide}.+-]+"
    assert _widen(r"[^\w-]") == r"[^\w-]"  # a negated class already has every non-ASCII
    assert _widen(r"a[\b]") == r"a[\b]"  # backspace in a class
    assert _widen(r"[]x\d]") == rf"[]x\d{wide}]"
    assert _widen(r"[^\W]") is None
    assert _widen(r"\p{L}") is None
    assert _widen(r"\h") is None


def test_text_is_safe() -> None:
    assert text_is_safe("FID of 2.1 on ImageNet 256×256 (≤ 0.5)")
    assert not text_is_safe("FID of 2.1 (α = 0.5)")
    assert text_mode("FID of 2.1 (α = 0.5)") == 2
    assert not text_is_safe("Die Straße")
    assert prescan._modes["ß"] == 0
    assert text_mode("Die Straße") == 0


def test_compiled_automata_are_cached_on_disk(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.setenv("PAPERCLAIMS_CACHE_DIR", str(tmp_path))
    branches = (regex.compile(r"\bfoo\d+", regex.V1), regex.compile(r"bar", regex.V1))
    first = prescan.Prescan(branches)
    files = list((tmp_path / "hyperscan").glob("*.hsdb"))
    assert len(files) == 1

    def no_compiling(*_args: Any) -> None:
        raise AssertionError("compiled although cached")

    monkeypatch.setattr(prescan, "_database", no_compiling)
    again = prescan.Prescan(branches)
    assert again.candidates("a foo12 bar", 0, 11) == first.candidates("a foo12 bar", 0, 11)
    monkeypatch.undo()
    monkeypatch.setenv("PAPERCLAIMS_CACHE_DIR", str(tmp_path))
    files[0].write_bytes(b"not an automaton")  # damaged, or from another Hyperscan / CPU
    assert prescan.Prescan(branches).candidates("a foo12 bar", 0, 11) == [0, 1]
    assert files[0].read_bytes() != b"not an automaton"
