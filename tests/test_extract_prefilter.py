"""Literal pre-checks derived from the patterns (`prefilter`) skip only scans that cannot
match: with and without them every pattern file finds the same matches."""

from __future__ import annotations

import dataclasses
import json
import random
import sys
from pathlib import Path
from typing import Any

import pytest
import regex
from hypothesis import given
from hypothesis import strategies as st

from pipeline.extract import resources
from pipeline.extract.prefilter import (
    FOLD_SPECIAL_CHARS,
    has_fold_special,
    match_prefixes,
    required_literals,
    whitespace_bound,
)
from pipeline.extract.segment import split_sentences
from pipeline.extract.tag import tag_datasets

FIX = Path(__file__).parent / "fixtures"
PATTERN_FILES = sorted(p.stem for p in resources.PATTERN_DIR.glob("*.jsonl"))

# Texts that stress case, non-ASCII letters and the shapes the patterns look for.
_CRAFTED = [
    "We IMPROVE FID by 12.5% OVER the BASELINE on ImageNet 256×256 (Table 3); "
    "the previous STATE-OF-THE-ART was 2.1. Zero-Shot and 5-shot TEXT-TO-IMAGE results.",
    "Accuracy reaches 91.2 % vs. 88.0 % for the prior best; 3x faster, 10^{-3} error, "
    "learning rate of 0.001, O(n log n) time, NFE = 8, 4K resolution, 512px images.",
    "Die Straße (ß), the \u212aelvin sign, \ufb01ne-tuning with the ſ long s: "
    "BLEU=31.4 and ROUGE-L: 40.2; we introduce FooBench, a new benchmark.",
    "Ünïcödé ΘΩ → ≈ ≤ ≥ text, see https://github.com/a/b and the project page.",
    # Whitespace other than spaces around the words the windows are built from.
    "We use the\nFoo Bar\tdataset and on\u00a0Baz  Qux   dataset; the\n\nQ A B C D "
    "benchmark, we introduce\tZooX,\na new\ncurated\u2003dataset (Long Name Dataset (LND)).",
    "the A\nB\nC\nD\ndataset the A B C D E dataset on X\u3000Y dataset",
]


def _texts() -> list[str]:
    texts = list(_CRAFTED)
    with (FIX / "formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl").open() as fh:
        texts += [json.loads(line)["abstract"] for line in fh]
    hf = json.loads((FIX / "formats/hf/daily_papers_2024-10-25.json").read_text())
    texts += [p["paper"]["summary"] for p in hf]
    for page in sorted((FIX / "seeds").glob("*.txt")):
        texts += [ln for ln in page.read_text().splitlines() if len(ln) > 300]
    return [t for t in texts if t]


TEXTS = _texts()


def _rows(found: list[tuple[str, str, Any]]) -> list[tuple[Any, ...]]:
    return [(pid, label, m.span(), m.groupdict()) for pid, label, m in found]


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_prechecks_never_change_matches(name: str) -> None:
    ps = resources.patterns(name)
    bare = dataclasses.replace(ps, factors=(), whole_factors=(), windows=(), require_roots=(),
                               require_folds=(), anchors=(), prescan=None,
                               path=ps.path + "#plain")
    rng = random.Random(0)
    for text in TEXTS:
        plain = (text + ".")[:-1]  # the same text as another object: no index, no cache
        n = len(text)
        sentences = [(s.start, s.end) for s in split_sentences(text)]
        windows = [tuple(sorted((rng.randrange(n + 1), rng.randrange(n + 1))))
                   for _ in range(3)]
        for spans in (None, sentences, windows, sentences[1:2]):
            tag_datasets(text)  # its automaton pass records where intro scans' strings are
            fast = _rows(ps.finditer(text, spans=spans))
            assert fast == _rows(bare.finditer(plain, spans=spans)), (name, spans, text[:80])
        tag_datasets(text)
        assert ps.search(text) == bare.search(plain)


@pytest.mark.parametrize("name", PATTERN_FILES)
def test_every_match_holds_its_factors(name: str) -> None:
    """Each factor has a string inside the region a match was found in."""
    ps = resources.patterns(name)
    for text in TEXTS:
        if has_fold_special(text):
            continue
        low = resources.fold(text)
        for s in split_sentences(text):
            for i, rx in enumerate(ps.branches):
                for _m in rx.finditer(text, s.start, s.end):
                    for alts in ps.factors[i]:
                        assert any(a in low[s.start:s.end] for a in alts), (ps.ids[i], alts)


def test_required_literals_shapes() -> None:
    assert required_literals(r"\bfoo\b") == (("foo",),)
    assert required_literals(r"(?:ab|cd)e")[0] == ("abe", "cde")
    assert required_literals(r"x?yz") == (("yz",),)
    assert required_literals(r"(?i:\bBar)s?") == (("bar",),)
    assert required_literals(r"Bar") == (("bar",),)  # case-sensitive, checked folded
    assert required_literals(r"[xX]\d") == (("x",),)
    assert required_literals(r"(?<=abc)\d+") == ()  # a lookbehind may lie before a region
    assert required_literals(r"\d+(?=\spx)") == (("px",),)
    assert required_literals(r"\d+(?!px)") == ()
    assert required_literals(r"(?:foo|\d+)") == ()
    assert required_literals(r"(?:foo){e<=1}") == ()  # regex fuzzy syntax: no pre-check
    assert required_literals(r"(?i:µm)") == (("m",),)  # "µ" ignoring case: other forms
    assert required_literals(r"µm")[0] == ("µm",)
    assert required_literals(r"(") == ()  # unreadable: no pre-check


def test_match_prefixes_shapes() -> None:
    assert match_prefixes(r"\bfoo|bar") == ("bar", "foo")
    assert match_prefixes(r"(?i:\bFoo)\d") == ("foo",)
    assert match_prefixes(r"(?<![\w.])(?:19|20)\d\d") == ("19", "20")  # lookbehind: no text
    assert match_prefixes(r"a?b") == ("ab", "b")
    assert match_prefixes(r"(?:x\w*|y)z") == ("x", "y")
    assert match_prefixes(r"(?:ab|abc)d") == ("abcd", "abd")
    assert match_prefixes(r"\d+px") == ()
    assert match_prefixes(r"(?:foo)?bar") == ("bar", "foobar")
    assert match_prefixes(r"x*y") == ()


def test_whitespace_bound_shapes() -> None:
    assert whitespace_bound(r"\bfoo\s(?:bar\s){0,3}baz") == 4
    assert whitespace_bound(r"a[^x]b") == 1  # a negated class may match a space
    assert whitespace_bound(r"(?<![\w.])\d+\s?px") == 1  # lookbehinds are fine
    assert whitespace_bound(r"\w+") == 0
    assert whitespace_bound(r"a\s+b") is None  # unbounded
    assert whitespace_bound(r"a(?=\sb)") is None  # a lookahead looks past the match
    assert whitespace_bound(r"a$") is None
    assert whitespace_bound(r"[[:space:]]x") is None  # V1-only syntax


def test_fold_special_chars_complete() -> None:
    """Every non-ASCII character a case-insensitive ASCII pattern may match is listed."""
    chars = "".join(chr(c) for c in range(0x80, sys.maxunicode + 1) if not 0xD800 <= c < 0xE000)
    # Cased characters by the installed `regex` (its Unicode may be newer than Python's)
    # and by Python.
    cased = set(regex.findall(
        r"(?V1)[\p{Changes_When_Casefolded}\p{Changes_When_Casemapped}\p{Cased}]", chars))
    cased |= {c for c in chars if c.lower() != c or c.upper() != c or c.casefold() != c}
    one = regex.compile(r"(?iV1)[a-z]")
    pairs = regex.compile(r"(?iV1)(?:" + "|".join(
        a + b for a in "abcdefghijklmnopqrstuvwxyz" for b in "abcdefghijklmnopqrstuvwxyz"
    ) + ")")
    found = set()
    for c in cased:
        forms = c.casefold() + c.lower() + c.upper() + c.title() + c.swapcase()
        if any(ch.isascii() and ch.isalpha() for ch in forms) or one.search(c) \
                or pairs.fullmatch(c):
            found.add(c)
    assert found <= set(FOLD_SPECIAL_CHARS)


@given(st.text(alphabet=st.characters(blacklist_categories=["Cs"]) | st.sampled_from(
    list("ABCxyz\u212aßİ")), max_size=60))
def test_fold_is_ascii_lowercase_only(text: str) -> None:
    expected = "".join(c.lower() if "A" <= c <= "Z" else c for c in text)
    assert resources.fold(text) == expected
    assert has_fold_special(text) == any(c in FOLD_SPECIAL_CHARS for c in text)
