"""Streaming and the engine change nothing: every streamed or parallel path gives exactly what
the whole-table, in-order path gives (same rows, same verdicts, same file bytes).

- `map_batches` keeps input order for any worker count;
- `ParquetSink` writes the bytes `write_table` writes, whatever the pieces;
- normalise's `fix_text` is `ftfy.fix_text`;
- ingest's parallel blocks read what the reader reads in order;
- normalise's three passes give `merge_records`' papers, rejections and merge counts;
- `validate_chunk` over chunks gives `validate_tables`' tables, quarantine and checks;
- extract's output does not depend on the batch size; its span verdicts are validate's.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import ftfy
import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from budget import budget
from ftfy.badness import is_bad
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.config import Config
from pipeline.engine.engine import map_batches
from pipeline.ingest import read_input, scan_inputs
from pipeline.ingest.stage import (
    BLOCK_BYTES,
    iter_blocks,
    parse_block,
    parse_block_reference,
)
from pipeline.io import ParquetSink, iter_batches, table_from_rows, write_table
from pipeline.normalise.dedup import merge_records
from pipeline.normalise.rules import FTFY_CONFIG, fix_text, looks_mojibake
from pipeline.publish.leaderboards import METRICS_CSV
from pipeline.records import Record, Rejected
from pipeline.schemas import arrow_schema, to_table
from pipeline.validate.checks import (
    merge_checks,
    repeated_values,
    validate_chunk,
    validate_tables,
)
from pipeline.validate.spans import span_matches

ROOT = Path(__file__).resolve().parent.parent
ARXIV = ROOT / "tests/fixtures/formats/arxiv/arxiv-metadata-oai-snapshot.head.jsonl"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


# ----------------------------------------------------------------------------- engine


@pytest.mark.parametrize("workers", [1, 2])
def test_map_batches_keeps_input_order(workers: int) -> None:
    batches = [list(range(i, i + 5)) for i in range(40)]
    assert list(map_batches(sum, iter(batches), workers)) == [sum(b) for b in batches]


def test_map_batches_of_nothing_is_nothing() -> None:
    assert list(map_batches(sum, iter([]), 2)) == []


# ----------------------------------------------------------------------------- io


@given(st.lists(st.integers(1, 70_000), min_size=1, max_size=6))
@settings(max_examples=budget(15))
def test_sink_writes_the_bytes_of_write_table(tmp_path_factory: pytest.TempPathFactory,
                                               sizes: list[int]) -> None:
    tmp = tmp_path_factory.mktemp("sink")
    n = sum(sizes)
    table = pa.table(
        {
            "stage": pa.array(["ingest"] * n),
            "source_file": pa.array([f"f{i % 7}" for i in range(n)]),
            "line": pa.array(range(n), pa.int64()),
            "reason": pa.array(["r"] * n),
            "detail": pa.array([f"d{i}" for i in range(n)]),
            "record": pa.array(["{}"] * n),
        },
        schema=arrow_schema("quarantine"),
    )
    write_table(tmp / "whole.parquet", table)
    with ParquetSink(tmp / "streamed.parquet", "quarantine") as sink:
        start = 0
        for size in sizes:
            sink.add_table(table.slice(start, size))
            start += size
    assert _sha(tmp / "whole.parquet") == _sha(tmp / "streamed.parquet")


def test_iter_batches_holds_one_row_group_not_the_file(tmp_path: Path) -> None:
    # A pass over a file must not keep what it has read: stages stream files far larger
    # than memory. 60 row groups of ~1 MB; the Arrow memory held while iterating stays
    # within a few row groups (pre-buffered reads kept them all: ~60 MB here).
    text = "x" * 2000
    table = pa.table({"id": pa.array(range(30_000), pa.int64()), "text": [text] * 30_000})
    pq.write_table(table, tmp_path / "big.parquet", row_group_size=500, use_dictionary=False,
                   compression="none")
    base = pa.total_allocated_bytes()
    peak = 0
    rows = 0
    for batch in iter_batches(tmp_path / "big.parquet", 500):
        rows += batch.num_rows
        peak = max(peak, pa.total_allocated_bytes() - base)
        del batch
    assert rows == 30_000
    assert peak < 8 * 500 * 2000, f"{peak >> 20} MB held while iterating"


def test_table_from_rows_is_to_table() -> None:
    rows = list(read_input(ARXIV.parent, scan_inputs(ARXIV.parent)[0]))
    records = [r for r in rows if isinstance(r, Record)]
    assert table_from_rows("records", records).equals(to_table("records", records))
    dicts = [{"stage": "x", "source_file": "f", "line": None, "reason": "r", "detail": "",
              "record": "{}"}]
    assert table_from_rows("quarantine", dicts).equals(to_table("quarantine", dicts))


# ----------------------------------------------------------------------------- normalise

_PIECES = [
    *"ab <>&;#x1\n\r\t\x1b\x7f\x85\xa0 ñé€Ã©â€™ﬁ０１×→α±–’…°²³ØÙΒΓΞΟВГ√≈‚œŠ\u2028\u0301",
    *["&amp;", "&lt;", "&#39;", "R&D", "\x1b[31m", "Ã©", "â€™", "Ã ", "Â ", "×²", "ÃƒÂ©",
      "\ud800", "Γ¦Γ", "Ο°Β", "the Γ point"],
]
_TEXT = st.lists(st.sampled_from(_PIECES), max_size=40).map("".join)


@given(_TEXT)
@settings(max_examples=budget(1000))
def test_fix_text_is_ftfy(text: str) -> None:
    assert fix_text(text) == ftfy.fix_text(text, FTFY_CONFIG)


@given(_TEXT)
@settings(max_examples=budget(1000))
def test_windowed_mojibake_check_misses_nothing(text: str) -> None:
    # Searching only around trigger characters may add a match at a window's edge, never
    # lose one: a text ftfy finds bad is always sent to ftfy.
    if is_bad(text):
        assert looks_mojibake(text)


def test_windowed_mojibake_check_examples() -> None:
    assert not looks_mojibake("the Γ point of the Brillouin zone, and Ξ baryons")
    long_clean = "Γ point " * 200
    for text in ("caf" + "é".encode().decode("latin-1") + " au lait", long_clean + "cafÃ©",
                 "ΓΘ", "Γ" + "é".encode().decode("latin-1") + long_clean):
        assert looks_mojibake(text) == is_bad(text), text[:40]
    assert fix_text("the Γ point, R&D &amp; Q&A") == "the Γ point, R&D & Q&A"


# ----------------------------------------------------------------------------- ingest


def _items(raw: Path, name: str) -> tuple[list[dict[str, object]], list[Rejected]]:
    f = next(f for f in scan_inputs(raw) if f.name == name)
    items = list(read_input(raw, f))
    records = to_table("records", [r for r in items if isinstance(r, Record)]).to_pylist()
    return records, [r for r in items if isinstance(r, Rejected)]


@pytest.mark.parametrize("block", [1, 700, 5000, BLOCK_BYTES])
def test_parallel_blocks_read_what_the_reader_reads(tmp_path: Path, block: int) -> None:
    lines = ARXIV.read_bytes().splitlines(keepends=True)
    data = (
        b"\xef\xbb\xbf" + lines[0] + b"\n" + lines[1] + b"{not json\n" + b"   \n"
        + b"".join(lines[2:12])
        # UTF-8 with one broken byte (a file of no other encoding): read as UTF-8 both ways
        + b'{"id": "1", "title": "caf\xc3\xa9s caf\xc3\xa9 caf\xff", "authors": "A"}\r\n'
        + b"[1, 2]\n" + lines[12].rstrip(b"\n")
    )
    (tmp_path / "a.jsonl").write_bytes(data)
    want_records, want_rejected = _items(tmp_path, "a.jsonl")
    records: list[dict[str, object]] = []
    rejected: list[Rejected] = []
    for first, piece in iter_blocks(tmp_path / "a.jsonl", block):
        res = parse_block(("arxiv_jsonl", "a.jsonl", first, piece))
        records += pq.read_table(pa.BufferReader(res.records)).to_pylist()
        rejected += res.rejected
    assert records == want_records
    assert rejected == want_rejected
    assert len(want_rejected) == 2


_odd_char = st.sampled_from(
    ["\ud800", "\udfff", "\ufffd", "\xa0", "\u2003", "\x1c", "\x85", "é", "\\", "\n", "\r",
     "\t", "\x00", " ", '"', "\ufeff"]
)
_odd_text = st.lists(st.text(max_size=6) | _odd_char, max_size=5).map("".join)
_scalar = st.none() | st.booleans() | st.integers() | st.floats() | _odd_text
_name_part = _odd_text | st.sampled_from(["Lee", "Ann", "", " ", "Jr."]) | _scalar
_author_item = (
    st.tuples(_name_part, _name_part, _name_part).map(list)
    | st.lists(_name_part, max_size=4)
    | _scalar
    | st.dictionaries(st.sampled_from(["name", "x"]), _name_part, max_size=2)
)
_snapshot = st.fixed_dictionaries(
    {},
    optional={
        "id": st.sampled_from(["2401.00001", "hep-th/9901001", "", " "]) | _scalar,
        "submitter": st.just("x"),
        "authors": st.sampled_from(["Ann Lee, Bo Chen and Cy Dow", "A; B", "", " "])
        | _odd_text | st.lists(_author_item, max_size=3) | _scalar,
        "title": st.sampled_from(["Diffusion beats GANs", "  Hard\n  wrapped  ", ""])
        | _odd_text | _scalar | st.lists(_odd_text, max_size=2),
        "abstract": st.sampled_from(["  We get FID 2.1.\n", "", "   "]) | _odd_text | _scalar,
        "categories": st.just("cs.LG"),
        "authors_parsed": st.lists(_author_item, max_size=4) | _scalar,
    },
)
_name_str = st.sampled_from(["Lee", "Ann", "", " ", "Jr.", "\ud800", "Dö", "\xa0", " B. "])
_typical = st.fixed_dictionaries(
    {
        "title": st.sampled_from(["Diffusion beats GANs", "\u2003", "\ud800 x", "Tëst"])
        | _odd_text,
        "authors_parsed": st.lists(
            st.tuples(_name_str | _odd_text, _name_str, _name_str | _odd_text).map(list),
            min_size=1, max_size=4,
        ),
    },
    optional={
        "id": st.sampled_from(["2401.00001", " ", "\ud800"]) | _odd_text,
        "abstract": st.sampled_from(["  We get FID 2.1.\n", "\ufffd", "\x85"]) | _odd_text,
        "authors": st.sampled_from(["Ann Lee, Bo Chen and Cy Dow", ""]),
    },
)
"""A snapshot record with a title and `authors_parsed` of the snapshot's shape: odd text."""


@st.composite
def _snapshot_line(draw: st.DrawFn) -> bytes:
    """One line's bytes: a snapshot object (odd fields, escaped or raw non-ASCII), a real
    snapshot line, or not a record at all (invalid JSON, other JSON, blank)."""
    kind = draw(st.integers(0, 9))
    if kind <= 3:
        value = draw(_typical if kind <= 1 else _snapshot)
        text = json.dumps(value, ensure_ascii=draw(st.booleans()), separators=(",", ":"))
        if draw(st.booleans()):  # a duplicate key: the last value wins
            text = text[:-1] + ("," if value else "") + '"title":"Dup"}'
        line = text.encode("utf-8", "surrogatepass")  # a raw surrogate: invalid UTF-8
    elif kind <= 5:
        line = draw(st.sampled_from(ARXIV.read_bytes().splitlines()))
    elif kind == 6:
        line = draw(st.sampled_from(ARXIV.read_bytes().splitlines()))
        line = line[: draw(st.integers(0, len(line)))]  # truncated
    else:
        line = draw(st.sampled_from([
            b"", b"   ", b"\t", b"\xc2\xa0", b"{not json", b"[1, 2]", b"42", b'"t"', b"null",
            b'{"title": NaN, "id": Infinity}', b'{"title": "x", "id": 1' + b"0" * 5000 + b"}",
            b'{"title": "' + b"[" * 50 + b'"}', b"[" * 50 + b"]" * 50, b"{}", b'{"title": "a"}',
            b' {"title": "lead"}', b'{"title": "trail"}  ', b'\xc2\xa0{"title": "nbsp"}',
            b'{"title": "a"} {}', b'{"title": "\\ud800x", "authors_parsed": [["\\udfff", "", ""]]}',
            b'{"title": "t", "abstract": "caf\xff", "authors": "A\xe2\x82"}', b"\xef\xbb\xbf{}",
            b'{"title": "ctl\x01"}', b'{"title": "r"}\r',
            b'{"title": "t", "authors_parsed": [[" ", "", ""]], "authors": "Ann Lee and B C"}',
            b'{"title": "t", "authors_parsed": [["Lee", "", ""], ["", "Ann", ""], ["", "", "Jr"]]}',
        ]))
    if draw(st.booleans()):  # invalid UTF-8 somewhere
        at = draw(st.integers(0, len(line)))
        bad = draw(st.sampled_from([b"\xff", b"\xe2\x82", b"\xed\xa0\x80"]))
        line = line[:at] + bad + line[at:]
    return line


@st.composite
def _block(draw: st.DrawFn) -> tuple[int, bytes]:
    """(number of the first line, bytes) of a block as `iter_blocks` cuts it."""
    lines = draw(st.lists(_snapshot_line(), max_size=12))
    ends = [draw(st.sampled_from([b"\n", b"\r\n"])) for _ in lines]
    data = b"".join(line + end for line, end in zip(lines, ends, strict=True))
    if lines and draw(st.booleans()):
        data = data.removesuffix(ends[-1])  # the file's last line, without a line end
    first = draw(st.sampled_from([1, 2, 3]) | st.integers(1, 10**7))
    if draw(st.booleans()):  # a byte-order mark: dropped from the file's first line only
        data = b"\xef\xbb\xbf" + data
    return first, data


def _same_block_result(task: tuple[str, str, int, bytes]) -> None:
    new, old = parse_block(task), parse_block_reference(task)
    assert new.records == old.records  # the Parquet bytes: every row, column and field
    assert new.rejected == old.rejected
    assert new.warnings == old.warnings
    assert (new.read, new.replaced) == (old.read, old.replaced)


@given(_block())
@settings(max_examples=budget(300), deadline=None)
def test_parse_block_equals_the_reference(block: tuple[int, bytes]) -> None:
    """The column-wise arXiv block reader gives what the reader + `table_from_rows` give."""
    first, data = block
    _same_block_result(("arxiv_jsonl", "a.jsonl", first, data))


@pytest.mark.parametrize("block", [700, 5000, BLOCK_BYTES])
def test_parse_block_equals_the_reference_on_the_fixture(tmp_path: Path, block: int) -> None:
    (tmp_path / "a.jsonl").write_bytes(ARXIV.read_bytes())
    for first, piece in iter_blocks(tmp_path / "a.jsonl", block):
        _same_block_result(("arxiv_jsonl", "a.jsonl", first, piece))


# ----------------------------------------------------------------------------- stages


def _cfg(raw: Path, work: Path, **kw: object) -> Config:
    return Config(raw_dir=raw, work_dir=work, **kw)  # type: ignore[arg-type]


def _run(cfg: Config, *stages: str) -> None:
    from pipeline.runner import stage_fn

    for s in stages:
        stage_fn(s)(cfg)


_word = st.sampled_from(["Diffusion", "models", "beat", "GANs", "on", "FFHQ", "!!", "Ünïcode"])
_record = st.fixed_dictionaries(
    {
        "title": st.lists(_word, max_size=3).map(" ".join),
        "id": st.sampled_from(["2401.00001", "2401.00002v2", "hep-th/9901001", "", "junk"]),
        "abstract": st.sampled_from(["", "We get FID 2.1 on CIFAR-10.", "caf&eacute; ok"]),
        "authors": st.sampled_from(["", "A. B, C. D", "E F and G H"]),
    }
)


@given(st.lists(st.lists(_record, min_size=1, max_size=8), min_size=1, max_size=3))
@settings(max_examples=budget(25))
def test_normalise_passes_equal_merge_records(
    tmp_path_factory: pytest.TempPathFactory, files: list[list[dict[str, str]]]
) -> None:
    base = tmp_path_factory.mktemp("norm")
    raw = base / "raw"
    raw.mkdir()
    for i, recs in enumerate(files):
        lines = [
            json.dumps({**r, "submitter": "x", "categories": "cs.LG", "update_date": "2024"})
            for r in recs
        ]
        (raw / f"f{i}.jsonl").write_text("\n".join(lines) + "\n")
    cfg = _cfg(raw, base / "work", batch_size=3)
    _run(cfg, "ingest", "normalise")
    records = [
        item
        for f in scan_inputs(raw)
        for item in read_input(raw, f)
        if isinstance(item, Record)
    ]
    want = merge_records(records)
    out = cfg.stage_dir("normalise")
    assert pq.read_table(out / "papers.parquet").equals(to_table("papers", want.papers))
    got_rejected = pq.read_table(out / "rejected.parquet").to_pylist()
    assert got_rejected == to_table("quarantine", want.rejected).to_pylist()
    assert json.loads((out / "merged.json").read_text()) == dict(sorted(want.merged.items()))


def _paper(pid: str, title: str, abstract: str | None, file: str = "f", line: int = 1) -> dict:
    return {"paper_id": pid, "title": title, "authors": [], "abstract": abstract,
            "source_file": file, "source_format": "x", "line": line, "arxiv_id": None,
            "urls": [], "sources": [], "categories": []}


def _result(pid: str, evidence: str, start: int, end: int, **kw: object) -> dict:
    row: dict[str, object] = {"paper_id": pid, "metric": "FID", "value": 2.0, "unit": None,
                              "kind": "absolute", "dataset": None, "resolution": None,
                              "role": "proposed", "steps": None, "setting": None,
                              "model": None, "task": None, "evidence": evidence,
                              "start": start, "end": end}
    row.update(kw)
    return row


def _bad_tables() -> dict[str, pa.Table]:
    papers = [
        _paper("p1", "One", "FID 2.0 on CIFAR-10."),
        _paper("p2", "Two", "FID 3.5 here."),
        _paper("p1", "Dup", "FID 9.9.", line=3),
        _paper("p3", " ", "x"),
        _paper("p4", "Four", None),
        _paper("p2", "Dup2", "FID 3.5 here.", line=6),
        _paper("p5", "Five", "FID 1.0"),
    ]
    results = [
        _result("p1", "FID 2.0", 0, 7),
        _result("p1", "FID 2.0", 1, 8),
        _result("p2", "FID 3.5", 0, 7, unit="bogus"),
        _result("p3", "x", 0, 1),
        _result("zz", "FID", 0, 3),
        _result("p5", "FID 1.0", 0, 7, value=-5.0),
        _result("p5", "FID 1.0", 0, 7, kind="nope"),
        _result("p2", "FID 3.5", 0, 7, value=float("inf")),
    ]
    mentions = [
        {"paper_id": "p1", "dataset": "CIFAR-10", "mention": "CIFAR-10", "start": 11, "end": 19,
         "in_gazetteer": True},
        {"paper_id": "p2", "dataset": "Two", "mention": "Two", "start": 0, "end": 3,
         "in_gazetteer": False},
        {"paper_id": "p2", "dataset": "X", "mention": "nope", "start": 0, "end": 4,
         "in_gazetteer": True},
        {"paper_id": "p4", "dataset": "Y", "mention": "Four", "start": 0, "end": 4,
         "in_gazetteer": True},
    ]
    links = [{"paper_id": "p1", "url": "https://github.com/a/b", "kind": "code", "mention": "x"},
             {"paper_id": "p9", "url": "http://x.org/", "kind": "zzz", "mention": "y"}]
    return {
        "papers": to_table("papers", papers),
        "code_links": to_table("code_links", links),
        "dataset_mentions": to_table("dataset_mentions", mentions),
        "resolutions": to_table("resolutions", []),
        "results": to_table("results", results),
    }


def _spans(papers: pa.Table, table: pa.Table, needle: str) -> np.ndarray:
    """Span verdicts against each claim's first paper row (as extract has it in hand)."""
    import pyarrow.compute as pc

    row = pc.index_in(table.column("paper_id"), value_set=papers.column("paper_id"))
    row = np.asarray(pc.fill_null(row, -1).to_numpy(zero_copy_only=False), dtype=np.int64)
    start = np.asarray(table.column("start").to_numpy(), dtype=np.int64)
    end = np.asarray(table.column("end").to_numpy(), dtype=np.int64)
    fields = ("abstract",) if needle == "evidence" else ("abstract", "title")
    ok = np.zeros(table.num_rows, dtype=np.bool_)
    for f in fields:
        ok |= span_matches(papers.column(f), row, table.column(needle), start, end)
    return ok


@pytest.mark.parametrize("chunk", [1, 2, 3, 100])
def test_validate_chunks_equal_validate_tables(chunk: int) -> None:
    from pipeline.validate.ranges import load_metric_ranges

    tables = _bad_tables()
    want = validate_tables(tables, METRICS_CSV)
    papers = tables["papers"]
    repeated = {"paper_id": repeated_values(papers.column("paper_id"))}
    kept_before: dict[str, set[object]] = {"paper_id": set()}
    kept: dict[str, list[pa.Table]] = {t: [] for t in tables}
    rejected: list[Rejected] = []
    checks: list[dict[str, object]] = []
    table_checks: list[dict[str, object]] = []
    for s in range(0, papers.num_rows, chunk):
        res = validate_chunk("papers", papers.slice(s, chunk), repeated=repeated,
                             kept_before=kept_before, row_offset=s)
        for c, values in res.kept_repeats.items():
            kept_before[c].update(values)
        kept["papers"].append(res.kept)
        rejected += res.rejected
        table_checks = merge_checks(table_checks, res.checks)
    checks += table_checks
    known = pa.concat_tables(kept["papers"]).column("paper_id")
    ranges = load_metric_ranges(METRICS_CSV)
    needles = {"results": "evidence", "dataset_mentions": "mention", "resolutions": "mention"}
    for t in ("code_links", "dataset_mentions", "resolutions", "results"):
        table = tables[t]
        spans = _spans(papers, table, needles[t]) if t in needles else None
        table_checks = []
        for s in range(0, max(table.num_rows, 1), chunk):
            part = table.slice(s, chunk)
            res = validate_chunk(
                t, part, ranges=ranges, known_ids=known,
                span_ok=None if spans is None else spans[s : s + part.num_rows],
                papers_in=papers.select(["paper_id", "source_file", "line"]), row_offset=s,
            )
            kept[t].append(res.kept)
            rejected += res.rejected
            table_checks = merge_checks(table_checks, res.checks)
        checks += table_checks
    for t, parts in kept.items():
        assert pa.concat_tables(parts).equals(want.tables[t]), t
    assert rejected == want.rejected
    assert checks == want.checks
    assert {r.reason for r in rejected} >= {"PC208-duplicate-paper-id", "PC204-unknown-paper",
                                            "PC202-evidence-not-verbatim", "PC105-no-title"}


def test_validate_stage_equals_validate_tables(tmp_path: Path) -> None:
    # The stage shell (hashed id checks, papers read back only for a chunk with rejections)
    # gives validate_tables' tables, quarantine and checks.
    from pipeline.extract.stage import SPAN_NEEDLE, SPANS_SCHEMA
    from pipeline.io import read_table

    tables = _bad_tables()
    want = validate_tables(tables, METRICS_CSV)
    cfg = _cfg(tmp_path / "raw", tmp_path / "work")
    papers = tables["papers"]
    write_table(cfg.stage_dir("normalise") / "papers.parquet", papers)
    for t in ("code_links", "dataset_mentions", "resolutions", "results"):
        write_table(cfg.stage_dir("extract") / f"{t}.parquet", tables[t])
        if t in SPAN_NEEDLE:
            ok = _spans(papers, tables[t], SPAN_NEEDLE[t])
            write_table(cfg.stage_dir("extract") / f"{t}.spans.parquet",
                        pa.table({"span_ok": pa.array(ok)}, schema=SPANS_SCHEMA))
    _run(cfg, "validate")
    out = cfg.stage_dir("validate")
    for t in ("code_links", "dataset_mentions", "resolutions", "results"):
        assert read_table(out / f"{t}.parquet", t).equals(want.tables[t]), t
    removed = pq.read_table(out / "papers_removed.parquet")
    keep = np.ones(papers.num_rows, dtype=np.bool_)
    keep[removed.column("row").to_numpy()] = False
    assert papers.filter(pa.array(keep)).equals(want.tables["papers"])
    assert removed.column("paper_id").to_pylist() == [
        papers.column("paper_id")[i].as_py() for i in removed.column("row").to_pylist()]
    got = pq.read_table(out / "quarantine.parquet").to_pylist()
    assert sorted(got, key=str) == sorted(to_table("quarantine", want.rejected).to_pylist(),
                                          key=str)
    assert json.loads((out / "checks.json").read_text()) == json.loads(
        json.dumps(want.checks))


@pytest.mark.slow
def test_extract_output_does_not_depend_on_batch_size(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    shutil.copytree(ROOT / "tests/fixtures/formats", raw / "formats")
    small = _cfg(raw, tmp_path / "small", batch_size=7)
    big = _cfg(raw, tmp_path / "big", batch_size=5000)
    for cfg in (small, big):
        _run(cfg, "ingest", "normalise", "extract")
    names = [p.name for p in sorted(big.stage_dir("extract").glob("*.parquet"))]
    assert len(names) == 7
    for name in names:
        assert _sha(small.stage_dir("extract") / name) == _sha(big.stage_dir("extract") / name)
    # The span verdicts are validate's own (`span_matches` on the papers).
    papers = pq.read_table(big.stage_dir("normalise") / "papers.parquet")
    for t, needle in (("results", "evidence"), ("dataset_mentions", "mention")):
        claims = pq.read_table(big.stage_dir("extract") / f"{t}.parquet")
        spans = pq.read_table(big.stage_dir("extract") / f"{t}.spans.parquet")
        assert spans.column("span_ok").to_pylist() == _spans(papers, claims, needle).tolist()


@pytest.mark.slow
def test_workers_1_and_2_publish_identical_tables(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    shutil.copytree(ROOT / "data/raw", raw)
    shutil.copytree(ROOT / "tests/fixtures/formats", raw / "formats")
    shas = []
    for workers in (1, 2):
        out = tmp_path / f"out{workers}"
        proc = subprocess.run(
            [sys.executable, "-m", "pipeline", "run", "--raw-dir", str(raw), "--out-dir",
             str(out), "--work-dir", str(tmp_path / f"w{workers}"), "--workers", str(workers),
             "--batch-size", "16", "--no-progress", "-q"],
            cwd=ROOT, capture_output=True, text=True, timeout=600,
        )
        assert proc.returncode == 0, proc.stderr
        m = json.loads((out / "manifest.json").read_text())
        shas.append({t: v["sha256"] for t, v in m["tables"].items()})
    assert shas[0] == shas[1]


def _reference_leaderboards(results: pa.Table, directions: dict[str, str]) -> pa.Table:
    """`build_leaderboards` of abstract claims as first written: all of pandas, rows back
    through Python."""
    from pipeline.publish.leaderboards import GROUP

    schema = arrow_schema("leaderboards")
    df = results.to_pandas()
    df = df[(df["role"] == "proposed") & (df["kind"] == "absolute") & df["dataset"].notna()
            & df["metric"].isin(list(directions))].copy()
    if df.empty:
        return schema.empty_table()
    df["_score"] = df["value"].where(df["metric"].map(lambda m: directions[m] == "lower"),
                                     -df["value"])
    df = df.sort_values(GROUP + ["_score", "paper_id", "start"], na_position="first",
                        kind="stable").drop_duplicates(GROUP + ["paper_id"], keep="first")
    df["rank"] = df.groupby(GROUP, dropna=False, sort=False)["_score"].rank(
        method="min").astype("int64")
    df = df.sort_values(GROUP + ["rank", "paper_id"], na_position="first", kind="stable")
    df["published"] = None
    df["source"] = "abstract"
    cols = [f.name for f in schema]
    out = df[cols].astype(object).where(df[cols].notna(), None)
    return pa.Table.from_pylist(out.to_dict("records"), schema=schema)


_LB_ROW = st.builds(
    lambda pid, metric, role, kind, dataset, value, res, setting, steps, start, task: _result(
        pid, f"evidence {start}", start, start + 5, metric=metric, role=role, kind=kind,
        dataset=dataset, value=value, resolution=res, setting=setting, steps=steps, task=task),
    st.sampled_from(["p1", "p2", "p3"]),
    st.sampled_from(["FID", "IS", "accuracy", "NotAMetric"]),
    st.sampled_from(["proposed", "baseline"]),
    st.sampled_from(["absolute", "relative"]),
    st.sampled_from([None, "CIFAR-10", "ImageNet"]),
    st.sampled_from([1.0, 2.0, 2.5, -1.0]),
    st.sampled_from([None, 64, 256]),
    st.sampled_from([None, "class-conditional"]),
    st.sampled_from([None, 1, 50]),
    st.integers(0, 50),
    st.sampled_from([None, "Image Generation"]),
)


@given(st.lists(_LB_ROW, max_size=30))
@settings(max_examples=budget(300))
def test_leaderboards_are_the_reference_ranking(rows: list[dict]) -> None:
    from pipeline.publish.leaderboards import build_leaderboards, metric_directions

    results = to_table("results", rows)
    directions = metric_directions()
    assert build_leaderboards(results, directions).equals(
        _reference_leaderboards(results, directions))


def test_leaderboards_of_the_candidates_are_the_leaderboards() -> None:
    from pipeline.publish.leaderboards import build_leaderboards, metric_directions
    from pipeline.publish.release import leaderboard_candidates

    rows = []
    for i, (metric, role, kind, dataset, value) in enumerate(
        [
            ("FID", "proposed", "absolute", "CIFAR-10", 2.0),
            ("FID", "proposed", "absolute", "CIFAR-10", 1.5),
            ("FID", "baseline", "absolute", "CIFAR-10", 1.0),
            ("FID", "proposed", "relative", "CIFAR-10", 0.5),
            ("FID", "proposed", "absolute", None, 3.0),
            ("NotAMetric", "proposed", "absolute", "CIFAR-10", 3.0),
            ("IS", "proposed", "absolute", "CIFAR-10", 9.5),
            ("IS", "prior_sota", "absolute", "ImageNet", 9.9),
            ("FID", "proposed", "absolute", "ImageNet", 2.0),
        ]
    ):
        rows.append(_result(f"p{i % 4}", "e", 0, 1, metric=metric, role=role, kind=kind,
                            dataset=dataset, value=value, steps=i % 2 or None))
    results = to_table("results", rows)
    directions = metric_directions()
    whole = build_leaderboards(results, directions)
    assert whole.num_rows >= 3
    assert build_leaderboards(leaderboard_candidates(results, directions), directions).equals(whole)
