"""Normalise: text repair is idempotent and total; ids are stable; duplicates merge."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

import numpy as np
import pyarrow as pa
import pytest
import regex
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.io import parquet_bytes, table_from_parquet, table_from_rows
from pipeline.normalise.columns import (
    KEY_FIELDS,
    RepairedChunk,
    _settled,
    normalise_texts,
    repair_chunk,
)
from pipeline.normalise.dedup import key_hash, merge_records, shared_key_rows
from pipeline.normalise.ids import clean_arxiv_id, paper_id_for, title_key
from pipeline.normalise.rows import records_from_table, repair_record
from pipeline.normalise.rules import (
    _MULT_SPACES,
    _TIE,
    _TIMES_AFTER,
    _TIMES_BETWEEN,
    _see_more_re,
    normalise_text,
    repair_once,
)
from pipeline.records import Record, Rejected


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("Ho… (voir plus)wever, it works", "However, it works"),
        ("the key parts of… (voir plus) the recipe", "the key parts of the recipe"),
        ("we ben... (see more)chmark it", "we benchmark it"),
        ("un mod… (mehr anzeigen)ell", "un modell"),
        ("datos… (ver más) nuevos", "datos nuevos"),
        ("images at 256times256 pixels", "images at 256×256 pixels"),
        ("a 64{times}64 grid", "a 64×64 grid"),
        ("a 64times 64 grid", "a 64×64 grid"),
        ("runs 3.5times faster", "runs 3.5× faster"),
        ("runs 25 times faster", "runs 25 times faster"),
        ("at $512 \\times 512$ resolution", "at 512×512 resolution"),
        ("with D{=}2048 dims", "with D=2048 dims"),
        ("improves by 5\\% overall", "improves by 5% overall"),
        ("a weight {\\alpha} and \\beta", "a weight α and β"),
        ("(i)~the first", "(i) the first"),
        ("about ~100 steps", "about ~100 steps"),
        ("line one\nline  two\r\n\tthree", "line one line two three"),
        ("cafÃ© mojibake", "café mojibake"),
        ("sometimes it rains", "sometimes it rains"),
    ],
)
def test_normalise_text_examples(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


@given(st.text())
@settings()
def test_normalise_text_is_idempotent_and_total(s: str) -> None:
    once = normalise_text(s)
    assert normalise_text(once) == once
    assert once == once.strip()
    assert "  " not in once


@given(st.text(alphabet=st.sampled_from(list("ab 0123456789.{}\\timesvoir plus()…$~%=\n"))))
@settings()
def test_normalise_text_latex_alphabet_idempotent(s: str) -> None:
    once = normalise_text(s)
    assert normalise_text(once) == once


@given(st.lists(st.sampled_from(
    [*"ab 0123456789.{}\\timesvoir plus()…~×\n\t\xa0É", "...", "(voir plus)", "(VER MÁS)"]),
    max_size=30).map("".join))
@settings()
def test_patterns_on_regex_match_as_on_re(s: str) -> None:
    # The look-behind patterns run on `regex` for speed; `re` is the reference.
    for rx in (_TIMES_BETWEEN, _TIMES_AFTER, _MULT_SPACES, _TIE, _see_more_re()):
        flags = re.IGNORECASE if rx.flags & regex.IGNORECASE else 0
        assert rx.sub("#", s) == re.compile(rx.pattern, flags).sub("#", s), rx.pattern


def test_arxiv_ids() -> None:
    assert clean_arxiv_id("2410.17243v2") == "2410.17243"
    assert clean_arxiv_id("arXiv:0704.0001") == "0704.0001"
    assert clean_arxiv_id("hep-th/9901001v1") == "hep-th/9901001"
    assert clean_arxiv_id("not an id") is None
    assert clean_arxiv_id(None) is None


def test_paper_id_is_stable_and_title_insensitive_to_case_and_punctuation() -> None:
    assert paper_id_for("2410.17243", "x") == "arxiv:2410.17243"
    a = paper_id_for(None, "Diffusion Models: A Survey")
    assert a == paper_id_for(None, "diffusion models a survey")
    assert a.startswith("title:") and len(a) == len("title:") + 16
    assert title_key("A  B—C") == title_key("a b c")


def _rec(file: str, line: int, title: str | None, **kw: object) -> Record:
    return Record(source_file=file, line=line, source_format="t", title=title, **kw)  # type: ignore[arg-type]


def test_merge_within_and_across_files_fills_gaps_and_counts() -> None:
    recs = [
        _rec("a.txt", 1, "Fast Sampling of Diffusion Models"),
        _rec("a.txt", 5, "fast sampling of diffusion models.", authors=("Ann Lee",)),
        _rec(
            "b.json",
            1,
            "Fast Sampling of  Diffusion Models",
            abstract="We do it.",
            arxiv_id="2401.00001v3",
            urls=("https://github.com/x/y",),
        ),
        _rec("b.json", 2, "Another Paper", arxiv_id="2401.00002"),
        _rec("c.json", 1, "Another paper, revised title?", arxiv_id="2401.00002"),
        _rec("c.json", 2, "   "),
    ]
    res = merge_records(recs)
    assert [p.title for p in res.papers] == ["Fast Sampling of Diffusion Models", "Another Paper"]
    first = res.papers[0]
    assert first.authors == ("Ann Lee",)
    assert first.abstract == "We do it."
    assert first.paper_id == "arxiv:2401.00001"
    assert first.sources == ("a.txt:1", "a.txt:5", "b.json:1")
    assert first.urls == ("https://github.com/x/y",)
    assert res.merged == {"a.txt": 1, "b.json": 1, "c.json": 1}
    assert [(r.source_file, r.line, r.reason) for r in res.rejected] == [
        ("c.json", 2, "PC105-no-title")
    ]


@given(st.lists(st.tuples(st.sampled_from(["a", "b"]), st.text(max_size=30)), max_size=30))
def test_merge_accounts_for_every_record(items: list[tuple[str, str]]) -> None:
    recs = [_rec(f, i + 1, t) for i, (f, t) in enumerate(items)]
    res = merge_records(recs)
    assert len(res.papers) + sum(res.merged.values()) + len(res.rejected) == len(recs)
    assert len({p.paper_id for p in res.papers}) == len(res.papers)


def test_an_arxiv_id_is_never_given_to_two_papers() -> None:
    recs = [
        _rec("a", 1, "Title X"),
        _rec("a", 2, "Title Y", arxiv_id="2401.00009"),
        _rec("a", 3, "Title X", arxiv_id="2401.00009"),
    ]
    ids = [p.paper_id for p in merge_records(recs).papers]
    assert len(set(ids)) == 2 and "arxiv:2401.00009" in ids


@given(st.lists(st.tuples(st.integers(0, 6), st.one_of(st.none(), st.integers(0, 6))),
                max_size=40))
@settings()
def test_shared_key_rows_are_the_rows_with_a_repeated_key(
        rows: list[tuple[int, int | None]]) -> None:
    # Title and arXiv hashes share one pool (their prefixes differ, so equal numbers here
    # stand for equal hashes); a row is shared when either of its keys occurs twice.
    pool = Counter([t for t, _ in rows] + [a for _, a in rows if a is not None])
    expected = [pool[t] > 1 or (a is not None and pool[a] > 1) for t, a in rows]
    key_t = np.array([t for t, _ in rows], np.uint64)
    key_a = np.array([a or 0 for _, a in rows], np.uint64)
    has_a = np.array([a is not None for _, a in rows], np.bool_)
    assert shared_key_rows(key_t, key_a, has_a).tolist() == expected


# ------------------------------------------------------------------ column-wise repair_chunk


def _reference_repair_chunk(data: bytes) -> RepairedChunk:
    """The first `repair_chunk`: `repair_record` row by row (the reference)."""
    papers, key_t, key_a, rejected = [], [], [], []
    for batch in table_from_parquet(data).to_batches(max_chunksize=1024):
        raw = batch.column("raw")
        for i, rec in enumerate(records_from_table(batch.drop_columns(["raw"]))):
            item = repair_record(rec)
            if isinstance(item, Rejected):
                rejected.append(replace(item, record=raw[i].as_py() or "{}"))
                continue
            papers.append(item.to_paper())
            key_t.append(key_hash(f"t:{title_key(item.title)}"))
            key_a.append(key_hash(f"a:{item.arxiv_id}") if item.arxiv_id else None)
    out = table_from_rows("papers", papers)
    out = out.append_column(KEY_FIELDS[0], pa.array(key_t, pa.uint64()))
    out = out.append_column(KEY_FIELDS[1], pa.array(key_a, pa.uint64()))
    return RepairedChunk(parquet_bytes(out), rejected)


def _assert_same_repair(records: list[Record]) -> None:
    data = parquet_bytes(table_from_rows("records", records))
    new, ref = repair_chunk(data), _reference_repair_chunk(data)
    got, want = table_from_parquet(new.repaired), table_from_parquet(ref.repaired)
    assert got.schema.equals(want.schema, check_metadata=True)
    for name in want.column_names:
        assert got.column(name).to_pylist() == want.column(name).to_pylist(), name
    assert got.equals(want, check_metadata=True)
    assert new.rejected == ref.rejected


# Pieces that each hit some repair rule, or the edge of a fast path: ASCII and not,
# controls and Unicode spaces, entities, LaTeX, markers, "times", mojibake, ligatures.
_PIECES = [
    "a", "Bc", "x", "7", "25", "3.5", " ", "  ", "\n", "\n  ", "\t", "\r\n", "\x0b", "\x0c",
    "\x1c", "\x1f", "\x00", "\x7f", "\x85", "\xa0", "\u2028", "&amp;", "&#39;", "&", "R&D",
    "&lt;", "<", ">", "$", "$x$", "$\\times$", "$512 \\times 512$", "$_{2}$", "\\times",
    "\\alpha", "\\le", "\\left", "{\\alpha}", "\\alphax", "\\textbf{b}", "\\texttt{c}",
    "{\\em d}", "{\\bf\ne}", "{=}", "{+}", "{", "}", "\\%", "\\&", "\\$", "\\", "...", "…",
    "… (voir plus)", "... (see more)", "(voir\nplus)", "~", "(i)~the", "a~b", "~(", "times",
    "3times4", "64{times}64", "5 times", " times 3", "×", "2 × 3", "é", "cafÃ©", "ﬁ", "Γ",
    "α", "π", "–", "’", "٣", "Ｋ", ".", ",", ";", " ,", "; ", "-", "_", "'", '"', "(", ")",
    "y" * 40, "z" * 81,
]
_texts = st.lists(st.sampled_from(_PIECES), max_size=14).map("".join)
_ascii_texts = st.lists(st.sampled_from([p for p in _PIECES if p.isascii()]), max_size=14).map(
    "".join
)
_any_text = st.one_of(_ascii_texts, _ascii_texts, _texts, st.text(max_size=20))
_arxiv = st.one_of(
    st.none(),
    st.sampled_from([
        "2410.12345", "2410.12345v2", "arXiv:0704.0001", "ARXIV:0704.0001v10", " 2401.00001 ",
        "2401.00001\n", "hep-th/9901001v1", "math.AG/0601001", "HEP-TH/9901001", "2410.123456",
        "2410.1234v", "junk", "", "２４１０.12345", "2410.1234٣", "heﬁ-th/9901001",
        "\u212aep-th/9901001", "ſ-th/9901001",
    ]),
    _texts,
)
_records = st.builds(
    lambda title, authors, abstract, arxiv_id, urls, line, raw: Record(
        source_file="f.jsonl", line=line, source_format="arxiv_jsonl", title=title,
        authors=tuple(authors), abstract=abstract, arxiv_id=arxiv_id, urls=tuple(urls),
        raw=raw,
    ),
    st.one_of(st.none(), _any_text),
    st.lists(st.one_of(_any_text, st.sampled_from(["A. Author", " ,B. C;", "", " ", ";"])),
             max_size=4),
    st.one_of(st.none(), _any_text),
    _arxiv,
    st.lists(st.sampled_from(["https://github.com/x/y", "", "u"]), max_size=2),
    st.integers(-3, 10**12),
    st.sampled_from(["", "{}", '{"title": null}']),
)


@given(st.lists(_records, max_size=12))
@settings(max_examples=300, deadline=None)
def test_repair_chunk_equals_repair_record_row_by_row(records: list[Record]) -> None:
    _assert_same_repair(records)


def test_repair_chunk_examples_equal_the_reference() -> None:
    plain = "  We show it.\nIt works\n"
    _assert_same_repair([
        Record("f", 1, "t", "A Title", ("A. Author", ""), plain, "2410.12345v2"),
        Record("f", 2, "t", "   ", ("x",), plain, None, raw='{"a": 1}'),
        Record("f", 3, "t", None, (), None, None),
        Record("f", 4, "t", "No Id: here", (" ,B; ",), "  \n ", "junk"),
        Record("f", 5, "t", "Café  au lait", (), "at $512 \\times 512$, see… (voir plus)", ""),
        Record("f", 6, "t", "x", (), "a $\\alpha$ and $n$ with 3times faster~(i)", None),
        # Cleaning must not make a marker ("voir plus" holds a space) nor hide ftfy's work.
        Record("f", 7, "t", "x", (), "...(voir\nplus)~a, i=1,...,d", None),
        Record("f", 8, "t", "x", (), "R&D &amp;\n<Q&A>", None),
        Record("f", 9, "t", "x", (), "R&\x01D", None),
        Record("f", 10, "t", "x", (), "R&D\tand Q&A, 25 times 3 ... 2 \\times 3", None),
    ])
    _assert_same_repair([])


@given(st.lists(_any_text, max_size=20))
@settings(max_examples=400, deadline=None)
def test_normalise_texts_is_normalise_text(texts: list[str]) -> None:
    got = normalise_texts(pa.array([*texts, None], pa.string())).to_pylist()
    assert got == [*(normalise_text(t) for t in texts), None]


@given(st.one_of(_texts, _ascii_texts))
@settings(max_examples=400)
def test_a_settled_text_is_a_fixed_point_of_a_pass(s: str) -> None:
    # The lemma the fast path stands on: `_settled` never says so of a text a pass changes.
    if _settled(pa.array([s]))[0]:
        assert repair_once(s) == s


def test_the_column_wise_repair_knows_every_step_of_a_pass() -> None:
    """`normalise.columns._unsettled` mirrors the steps of one repair pass in RE2. A step added
    to `replace_latex` or `repair_once` must be taught to it as well (and added here):
    until then this fails, rather than the fast path silently skipping the new step."""
    import pipeline.normalise.rules as n

    assert sorted(x for x in n.replace_latex.__code__.co_names if x in vars(n)) == [
        "BRACED_OP", "EM_GROUP", "ESCAPED", "INLINE_MATH", "TEXT_CMD", "_MULT_SPACES",
        "_TIE", "_TIMES_AFTER", "_TIMES_BETWEEN", "_latex_re", "latex_table"]
    assert sorted(n.repair_once.__code__.co_names) == [
        "_CONTROL", "_LATEX_TRIGGERS", "any", "collapse_whitespace", "fix_text", "isascii",
        "isprintable", "replace_latex", "splice_markers", "sub"]
