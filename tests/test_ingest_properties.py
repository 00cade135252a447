"""Property: no input makes an ingest reader raise, and everything it yields is well formed.

Random bytes, random JSON (biased towards the keys the readers look for), random JSON lines,
truncated and corrupted real fixture files: every reader and every sniffer must return
normally, and every item must be a `Record` or `Rejected` naming the file, with line >= 1
(or None for a whole-file problem), JSON text in `raw`/`record` and UTF-8-encodable strings.
The listing reader also loses no content line: each one lands in exactly one item.
"""

from __future__ import annotations

import gzip
import io
import json
import tempfile
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
from budget import budget
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.errors import Reason
from pipeline.ingest import (
    arxiv_jsonl,
    detect_format,
    hf_daily,
    listing_text,
    pwc_leaderboard,
    pwc_papers,
    read_input,
    scan_inputs,
    table,
)
from pipeline.records import Record, Rejected

READERS = (listing_text, arxiv_jsonl, pwc_papers, pwc_leaderboard, hf_daily, table)
FIXTURES = Path(__file__).parent / "fixtures"
REAL_FILES = sorted(
    p for p in [*(FIXTURES / "formats").rglob("*"), *(FIXTURES / "seeds").rglob("*")]
    if p.is_file()
)
REAL_BYTES = {p.name: p.read_bytes() for p in REAL_FILES}
REASONS = {r.value for r in Reason}
KEYS = ["title", "paper_title", "paper", "papers", "results", "task", "datasets", "subtasks",
        "subdatasets", "sota", "rows", "authors", "authors_parsed", "summary", "abstract", "id",
        "arxiv_id", "url_abs", "code_links", "githubRepo", "paper_url", "url", "name",
        "submitter", "categories", "discussionId", "upvotes", "dataset"]
FAST = settings(max_examples=budget(60), deadline=None,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20)
    | st.sampled_from(["https://arxiv.org/abs/2101.00001", "Ann Lee, Bo Chen and Cy Dow", ""]),
    lambda inner: st.lists(inner, max_size=4)
    | st.dictionaries(st.sampled_from(KEYS) | st.text(max_size=6), inner, max_size=6),
    max_leaves=25,
)


def _utf8(text: str) -> None:
    text.encode("utf-8")  # raises on lone surrogates


def check_items(items: list[Record | Rejected], name: str) -> None:
    for item in items:
        assert isinstance(item, Record | Rejected)
        assert item.source_file == name
        if isinstance(item, Record):
            assert item.line >= 1
            assert item.title and isinstance(item.title, str)
            json.loads(item.raw)
            for text in (item.title, item.abstract or "", item.arxiv_id or "", item.raw,
                         *item.authors, *item.urls):
                assert isinstance(text, str)
                _utf8(text)
        else:
            assert item.stage == "ingest"
            assert item.line is None or item.line >= 1
            assert item.reason in REASONS
            assert name in item.detail
            json.loads(item.record)
            _utf8(item.detail)
            _utf8(item.record)


def run_all(data: bytes, name: str = "in/file") -> None:
    detect_format(data[: 64 * 1024])
    for reader in READERS:
        assert isinstance(reader.sniff(data), bool)
        check_items(list(reader.read(io.BytesIO(data), name)), name)


@FAST
@given(st.binary(max_size=3000))
def test_random_bytes(data: bytes) -> None:
    run_all(data)


@FAST
@given(json_values)
def test_random_json_document(value: object) -> None:
    run_all(json.dumps(value).encode())
    run_all(json.dumps(value, indent=1).encode())


@FAST
@given(st.lists(json_values, max_size=6))
def test_random_json_lines(values: list[object]) -> None:
    run_all("\n".join(json.dumps(v) for v in values).encode())


@FAST
@given(st.text(max_size=2000))
def test_random_text(text: str) -> None:
    run_all(text.encode("utf-8", "surrogatepass"))
    for reader in READERS:
        check_items(list(reader.read(io.StringIO(text), "t")), "t")


@settings(max_examples=budget(40), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(REAL_BYTES)), st.floats(0, 1), st.binary(max_size=8))
def test_truncated_and_corrupted_real_files(name: str, cut: float, junk: bytes) -> None:
    data = REAL_BYTES[name]
    at = int(len(data) * cut)
    run_all(data[:at], name)
    run_all(data[:at] + junk + data[at + len(junk):], name)


@settings(max_examples=budget(25), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(sorted(REAL_BYTES)), st.floats(0, 1), st.booleans())
def test_scan_and_read_input_on_files(name: str, cut: float, compress: bool) -> None:
    data = REAL_BYTES[name]
    data = data[: int(len(data) * cut)]
    if compress:
        full = gzip.compress(data)
        data = full[: max(2, int(len(full) * cut))] if cut < 0.5 else full
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "f").write_bytes(data)
        (f,) = scan_inputs(Path(tmp))
        items = list(read_input(Path(tmp), f))
        check_items(items, "f")
        if f.format is None:
            assert items == [f.problem]


LISTING_LINES = st.sampled_from([
    "", "new", "Subscribe", "2024", "A Study of Wobbly Lattices for Texture Synthesis",
    "Ada Lovelace", "Grace B. Hopper", "Tomás de la Vega, Anke van der Berg and Ngozi Adeyemi",
    "Code: https://example.org/x",
    "We study things at length. " * 12,
    "Short Header",
]) | st.text(max_size=80).map(lambda s: s.replace("\n", " ").replace("\r", " "))


@FAST
@given(st.lists(LISTING_LINES, max_size=30))
def test_listing_loses_no_content_line(lines: list[str]) -> None:
    items = list(listing_text.read(io.BytesIO("\n".join(lines).encode("utf-8", "replace")), "p"))
    check_items(items, "p")
    seen: list[int] = []
    for item in items:
        raw = json.loads(item.raw if isinstance(item, Record) else item.record)
        seen.extend(n for n, _ in raw["lines"])
    assert len(seen) == len(set(seen))
    # A line no entry holds is one the line model called page chrome, a heading or blank.
    decoded = [(n, t.encode("utf-8", "replace").decode()) for n, t in enumerate(lines, 1)]
    for lineno, text, label in listing_text.labelled(decoded):
        if lineno not in seen:
            assert label in ("chrome", "heading", "blank"), (lineno, text, label)


def _parquet_bytes() -> bytes:
    buf = io.BytesIO()
    pq.write_table(pa.table({"title": ["a", None] * 20, "authors": [["x y"], []] * 20}), buf)
    return buf.getvalue()


PARQUET = _parquet_bytes()


@FAST
@given(st.integers(4, len(PARQUET)), st.lists(st.tuples(st.integers(4, len(PARQUET) - 1),
                                                        st.integers(0, 255)), max_size=4))
def test_truncated_or_corrupted_parquet(cut: int, flips: list[tuple[int, int]]) -> None:
    data = bytearray(PARQUET)
    for at, value in flips:
        data[at] = value
    check_items(list(table.read(io.BytesIO(bytes(data[:cut])), "p")), "p")
