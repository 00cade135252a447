"""Repair of one ingest chunk column by column: what `repair_record` does row by row.

Most text needs only what Arrow's kernels can do (RE2, literal replaces, trims). Each
column gets a mask of the strings where the vectorised form is provably exact, and only
the others become Python objects and go through the per-record functions of
`rules` and `rows`, which stay the reference (a property test compares whole tables).
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.normalise.filters import keep_mask
from pipeline.normalise.ids import clean_arxiv_id, title_id, title_key
from pipeline.normalise.rows import records_from_table, repair_record
from pipeline.normalise.rules import (
    BRACED_OP,
    EM_GROUP,
    ESCAPED,
    INLINE_MATH,
    TEXT_CMD,
    ftfy_attention,
    has_entity,
    latex_table,
    normalise_author,
    normalise_text,
    repair_once,
    settle,
)
from pipeline.records import Rejected

_STRING = pa.string()
_STRINGS = pa.list_(pa.string())


@cache
def _settled_alphabet() -> str:
    """An RE2 class of the characters that `fix_text` leaves alone in any text of them.

    Printable ASCII but "&" (an entity), and the non-ASCII characters `replace_latex`
    writes that ftfy pays no attention to (`ftfy_attention`), are neither digits nor
    spaces (which the patterns treat apart) and compose with nothing under NFC.
    """
    ascii_ = [chr(c) for c in range(0x20, 0x7F) if chr(c) != "&"]
    made = sorted({c for v in latex_table().values() for c in v} | {"×"})
    made = [
        c
        for c in made
        if not c.isascii()
        and c.isprintable()
        and not (c.isspace() or c.isdigit())
        and unicodedata.combining(c) == 0
        and ftfy_attention().search(c) is None
    ]
    pool = ascii_ + made
    made = [c for c in made if all(unicodedata.is_normalized("NFC", a + c) for a in pool)]
    if any(ftfy_attention().search(c) for c in ascii_):
        return ""
    return "".join(f"\\x{{{ord(c):x}}}" for c in ascii_ + made)


@cache
def _unsettled() -> str:
    """RE2: matches every text that one more `repair_once` pass could change.

    Texts of other characters than `_settled_alphabet`, not collapsed, or with a match
    of some `replace_latex` pattern that changes the text (a superset where RE2 lacks a
    look-around). Over that alphabet `\\d` and `\\s` are ASCII's, and in a collapsed
    text `\\s*` is " ?".
    """
    alphabet = _settled_alphabet()
    names = "|".join(sorted(latex_table(), key=len, reverse=True))
    moves = [
        f"[^{alphabet}]" if alphabet else "(?s:.)",
        "  ",
        "^ ",
        " $",
        r"(?:\.\.\.|…) ?\(",  # splice_markers (then a marker: "(voir plus)")
        INLINE_MATH.pattern,
        TEXT_CMD.pattern,
        EM_GROUP.pattern,
        rf"\\(?:{names})",  # _latex_re
        r"[0-9] ?\{?times\}? ?[0-9]",  # _TIMES_BETWEEN ("25 times faster" is not)
        r"[0-9]\{?times",  # _TIMES_AFTER
        r"[0-9] ×|× [0-9]",  # _MULT_SPACES, where it changes something ("2×3" stays)
        BRACED_OP.pattern,
        ESCAPED.pattern,
        r"~[A-Za-z(]",  # _TIE
    ]
    return "|".join(f"(?:{m})" for m in moves)


def _settled(texts: pa.Array) -> npt.NDArray[np.bool_]:
    """Where `repair_once(text) == text` is sure (never where null)."""
    moves = pc.fill_null(pc.match_substring_regex(texts, _unsettled()), True)
    settled: npt.NDArray[np.bool_] = ~moves.to_numpy(zero_copy_only=False)
    return settled


_LATEX_IN_RE2 = (INLINE_MATH, TEXT_CMD, EM_GROUP, BRACED_OP, ESCAPED)
"""The steps of `replace_latex` that RE2 does exactly (each to its group 1), in its order.
The steps between them (`_latex_re`, the "times" ones, `_MULT_SPACES`) and `_TIE` must
then find nothing, which `_unsettled` on the result shows: none of these steps can hide
from it what those would match."""


def normalise_texts(texts: pa.Array) -> pa.Array:
    """`normalise_text` of each text (null stays null).

    On ASCII text that ftfy leaves alone and without a marker (`_cleanable`, and
    `_unsettled` matches what it refuses), turning controls into spaces and trimming
    commute with a first pass (every pattern treats whitespace and
    controls alike, `[^$]{1,80}` counts each as one, and no match holds a text's edge),
    and so does collapsing the spaces when no pattern matches (`_unsettled` finds each
    in the collapsed text whenever it is in the uncollapsed one): Arrow does the first
    pass when `_unsettled` shows that it and the next one leave nothing to do, first
    without LaTeX, then with the `_LATEX_IN_RE2` steps. The others run their first pass
    in Python from the cleaned text, and one that `_settled` shows final is done; the rest
    go on in Python (`settle`), as does every text outside that class from the start.
    """
    ascii_ = pc.fill_null(pc.string_is_ascii(texts), False)
    spaced = pc.replace_substring(texts, "\n", " ")
    # Other controls are rare: the regex (a scan of every byte) only where there are some.
    controls = pc.and_(ascii_, pc.invert(pc.ascii_is_printable(spaced)))
    if pc.any(controls).as_py():
        respaced = pc.replace_substring_regex(spaced.filter(controls), r"[\x00-\x1f\x7f]", " ")
        spaced = pc.replace_with_mask(spaced, controls, respaced)
    cleaned = pc.utf8_trim(spaced, " ")
    out = cleaned  # collapsed below where it has "  " (`_unsettled` matches it)
    ascii_np = ascii_.to_numpy(zero_copy_only=False)
    valid = pc.is_valid(texts).to_numpy(zero_copy_only=False)
    done = ascii_np & _settled(out)
    rows = np.flatnonzero(ascii_np & ~done)
    if rows.size:
        latex = cleaned.take(pa.array(rows))
        for rx in _LATEX_IN_RE2:
            latex = pc.replace_substring_regex(latex, rx.pattern, r"\1")
        latex = _collapsed(latex)
        ok = _settled(latex)
        mask = np.zeros(len(texts), np.bool_)
        mask[rows[ok]] = True
        out = pc.replace_with_mask(out, pa.array(mask), latex.filter(pa.array(ok)))
        done |= mask
    redo = valid & ~done
    rows = np.flatnonzero(redo)
    if not rows.size:
        return out
    take = pa.array(rows)
    originals: list[str] = texts.take(take).to_pylist()
    starts: list[str] = cleaned.take(take).to_pylist()
    easy = [a and _cleanable(t) for t, a in zip(originals, ascii_np[rows].tolist(), strict=True)]
    repaired = [
        repair_once(c) if e else normalise_text(t)
        for t, c, e in zip(originals, starts, easy, strict=True)
    ]
    unsure = np.array(easy, np.bool_) & ~_settled(pa.array(repaired, _STRING))
    for i in np.flatnonzero(unsure).tolist():
        repaired[i] = settle(originals[i], repaired[i])
    return pc.replace_with_mask(out, pa.array(redo), pa.array(repaired, _STRING))


_ELLIPSIS_PAREN = re.compile(r"(?:…|\.\.\.)\s?\(")


def _cleanable(text: str) -> bool:
    """Whether a first pass over this ASCII text is one over its cleaned form.

    Neither may meet a marker (its words hold spaces, which cleaning can make) nor ftfy
    acting: with an "&" (ftfy runs), no entity and no control but the lines' "\\n".
    """
    if "&" in text and (has_entity(text) or not text.replace("\n", " ").isprintable()):
        return False
    return not ("..." in text and _ELLIPSIS_PAREN.search(text))


def _collapsed(texts: pa.Array) -> pa.Array:
    return pc.replace_substring_regex(texts, "  +", " ")


def _normalise_authors(names: pa.Array) -> pa.Array:
    """`normalise_author` of each name (a null one fails as there).

    `fix_text` is the identity on printable ASCII without "&" (`_ftfy_inert`: no entity,
    no control or mojibake character), where " " is the only whitespace.
    """
    plain = pc.invert(pc.match_substring_regex(names, r"[^\x20-\x7e]|&"))
    out = pc.utf8_trim(pc.replace_substring_regex(names, " +", " "), " ,;")
    return _patched(out, pc.invert(pc.fill_null(plain, False)), names, normalise_author)


def _patched(
    fast: pa.Array, redo: pa.Array, values: pa.Array, fn: Callable[[Any], str | None]
) -> pa.Array:
    """`fast` with the `redo` positions replaced by `fn` of `values` there (the slow way)."""
    if not pc.any(redo).as_py():
        return fast
    slow = [fn(v) for v in values.filter(redo).to_pylist()]
    return pc.replace_with_mask(fast, redo, pa.array(slow, _STRING))


def _title_keys(titles: pa.Array) -> list[str]:
    """`title_key` of each title; ASCII ones in Arrow (NFKC is the identity there, casefold
    is lower, and `[\\W_]` is every character but a letter or a digit)."""
    lower = pc.ascii_lower(titles)
    fast = pc.utf8_trim(pc.replace_substring_regex(lower, "[^a-z0-9]+", " "), " ")
    redo = pc.invert(pc.string_is_ascii(titles))
    keys: list[str] = _patched(fast, redo, titles, title_key).to_pylist()
    return keys


_ARXIV_ID = r"(?i)^(?:arxiv:)?(?P<id>\d{4}\.\d{4,5}|[a-z\-]+(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?$"
"""`normalise._ARXIV_ID` in RE2: the same on ASCII (Python's case-insensitive `[a-z]` and
its `\\d` reach beyond ASCII) and without `strip` (an id with spaces around goes the slow
way)."""


def _clean_arxiv_ids(raw: pa.Array) -> pa.Array:
    """`clean_arxiv_id` of each id: null for none or junk."""
    fast = pc.struct_field(pc.extract_regex(raw, _ARXIV_ID), [0])
    exact = pc.and_(pc.fill_null(pc.string_is_ascii(raw), False), pc.is_valid(fast))
    # The slow way: a non-empty id that is not ASCII or that RE2 did not match (junk, spaces).
    redo = pc.and_(pc.fill_null(pc.not_equal(raw, ""), False), pc.invert(exact))
    return _patched(fast, redo, raw, clean_arxiv_id)


def _key_hashes(prefix: str, keys: Iterable[str]) -> npt.NDArray[np.uint64]:
    """`key_hash(prefix + key)` of each key: the digests read as little-endian numbers."""
    blake2b = hashlib.blake2b
    head = prefix.encode("utf-8")
    digests = b"".join(
        [blake2b(head + k.encode("utf-8", "surrogatepass"), digest_size=8).digest() for k in keys]
    )
    return np.frombuffer(digests, "<u8").astype(np.uint64)


def _lists_or_empty(column: pa.Array | pa.ChunkedArray) -> pa.Array | pa.ChunkedArray:
    """A list<string> column with its nulls as empty lists."""
    lists = column.cast(_STRINGS)
    if lists.null_count:
        lists = pa.array([v or [] for v in lists.to_pylist()], _STRINGS)
    return lists


def _without_empty(lists: pa.Array, names: pa.Array) -> pa.Array:
    """`lists` holding the (flattened) `names` instead, empty names dropped."""
    lengths = pc.fill_null(pc.list_value_length(lists), 0).to_numpy()
    kept = pc.not_equal(names, "")
    rows = np.repeat(np.arange(len(lists)), lengths)[kept.to_numpy(zero_copy_only=False)]
    counts = np.bincount(rows, minlength=len(lists))
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)
    return pa.ListArray.from_arrays(pa.array(offsets), names.filter(kept))


def _one_each(values: pa.Array) -> pa.Array:
    """A list of one value per row."""
    offsets = pa.array(np.arange(len(values) + 1, dtype=np.int32))
    return pa.ListArray.from_arrays(offsets, values)


def repair_table(records: pa.Table) -> tuple[pa.Table, list[Rejected]]:
    """`records` -> `repaired_schema()` rows and the rejected records, in order.

    The rows `repair_record`, `Repaired.to_paper` and `key_hash` give row by row.
    """
    from pipeline.schemas import arrow_schema

    table = records.combine_chunks()

    def col(name: str) -> pa.Array:
        return table.column(name).combine_chunks()

    titles = normalise_texts(pc.fill_null(col("title"), ""))
    keep = pc.not_equal(titles, "")
    rejected: list[Rejected] = []
    if not pc.all(keep).as_py():
        for rec in records_from_table(table.filter(pc.invert(keep))):
            item = repair_record(rec)
            assert isinstance(item, Rejected)
            rejected.append(item)  # its `record` is `raw`, or "{}"
        table = table.filter(keep)
        titles = titles.filter(keep)

    abstracts = normalise_texts(col("abstract"))
    abstracts = pc.if_else(pc.equal(abstracts, ""), pa.scalar(None, _STRING), abstracts)
    lists = col("authors")
    authors = _without_empty(lists, _normalise_authors(lists.flatten()))
    urls = _lists_or_empty(col("urls"))
    source_file = col("source_file")
    line = col("line")
    sources = _one_each(pc.binary_join_element_wise(source_file, pc.cast(line, _STRING), ":"))

    arxiv_ids = _clean_arxiv_ids(col("arxiv_id"))
    has_a = pc.is_valid(arxiv_ids)
    has = has_a.to_numpy(zero_copy_only=False)
    keys = _title_keys(titles)
    paper_id = pc.binary_join_element_wise(pa.scalar("arxiv:"), arxiv_ids, "")
    if not has.all():
        by_title = pa.array([title_id(keys[i]) for i in np.flatnonzero(~has).tolist()])
        paper_id = pc.replace_with_mask(paper_id, pc.invert(has_a), by_title)

    columns = [paper_id, titles, authors, abstracts, source_file, col("source_format"), line]
    columns += [arxiv_ids, urls, sources, pc.cast(col("published"), pa.date32())]
    columns += [_lists_or_empty(col("categories")), col("venue"), col("license")]
    out = pa.Table.from_arrays(columns, schema=arrow_schema("papers"))
    key_a = np.zeros(len(has), np.uint64)
    key_a[has] = _key_hashes("a:", arxiv_ids.filter(has_a).to_pylist())
    out = out.append_column(KEY_FIELDS[0], pa.array(_key_hashes("t:", keys), pa.uint64()))
    out = out.append_column(KEY_FIELDS[1], pa.array(key_a, pa.uint64(), mask=~has))
    return out, rejected


KEY_FIELDS = (pa.field("key_t", pa.uint64(), nullable=False), pa.field("key_a", pa.uint64()))


def repaired_schema() -> pa.Schema:
    from pipeline.schemas import arrow_schema

    return pa.schema([*arrow_schema("papers"), *KEY_FIELDS])




@dataclass(frozen=True, slots=True)
class RepairedChunk:
    """What a worker made of one ingest chunk."""

    repaired: bytes
    """Parquet bytes of `repaired_schema()` rows."""
    rejected: list[Rejected]
    filtered: dict[str, int] = field(default_factory=dict)
    """Records left out by `--categories`, per source file."""


def repair_chunk(data: bytes, categories: tuple[str, ...] = ()) -> RepairedChunk:
    """Pure: Parquet bytes of `records` -> repaired rows with key hashes, and rejections;
    with `categories`, only the records `filters.keep_mask` keeps (the others counted)."""
    from pipeline.io import parquet_bytes, table_from_parquet

    records = table_from_parquet(data)
    filtered: dict[str, int] = {}
    if categories:
        keep = keep_mask(records.column("categories"), categories)
        if not keep.all():
            for name in records.column("source_file").filter(pa.array(~keep)).to_pylist():
                filtered[name] = filtered.get(name, 0) + 1
            records = records.filter(pa.array(keep))
    out, rejected = repair_table(records)
    return RepairedChunk(parquet_bytes(out), rejected, filtered)


