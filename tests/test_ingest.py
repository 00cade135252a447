"""Ingest readers on the real fixture files and on small hand-made error cases.

Checks counts, line numbers and ids per fixture, content-based format detection (never the
file name), gzip/BOM/CRLF/invalid-UTF-8 handling, and that bad content becomes `Rejected`
rows with the right reason code while reading goes on.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import shutil
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from pipeline.errors import Reason
from pipeline.ingest import (
    KNOWN_FORMATS,
    InputFile,
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

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS = FIXTURES / "formats"
ARXIV = FORMATS / "arxiv" / "arxiv-metadata-oai-snapshot.head.jsonl"
HF_API = FORMATS / "hf" / "daily_papers_2024-10-25.json"
HF_MIRROR = FORMATS / "hf" / "saffee666_hf-daily-papers-mirror_index_2026-10-03.json"
PWC_PAPERS = FORMATS / "pwc" / "papers_api_list.json"
PWC_BOARD = FORMATS / "pwc" / "leaderboard_redditsota.json"
PWC_INVALID = FORMATS / "pwc" / "leaderboard_example_invalid.json"


def read_bytes(module, data: bytes, name: str = "x") -> list[Record | Rejected]:
    return list(module.read(io.BytesIO(data), name))


def records(items: list[Record | Rejected]) -> list[Record]:
    return [i for i in items if isinstance(i, Record)]


def rejected(items: list[Record | Rejected]) -> list[Rejected]:
    return [i for i in items if isinstance(i, Rejected)]


def scan_one(tmp_path: Path, name: str, data: bytes) -> InputFile:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    (f,) = [f for f in scan_inputs(tmp_path) if f.name == name]
    return f


# --- detection over the fixture folder ---------------------------------------------------


def test_scan_fixture_formats() -> None:
    found = {f.name: f for f in scan_inputs(FORMATS)}
    assert list(found) == sorted(found)
    assert {n: f.format for n, f in found.items()} == {
        "PROVENANCE.md": None,
        "arxiv/arxiv-metadata-oai-snapshot.head.jsonl": "arxiv_jsonl",
        "hf/daily_papers_2024-10-25.json": "hf_daily",
        "hf/saffee666_hf-daily-papers-mirror_index_2026-10-03.json": "hf_daily",
        "pwc/leaderboard_example_invalid.json": "pwc_leaderboard",
        "pwc/leaderboard_redditsota.json": "pwc_leaderboard",
        "pwc/papers_api_list.json": "pwc_papers",
    }
    arxiv = found["arxiv/arxiv-metadata-oai-snapshot.head.jsonl"]
    assert arxiv.sha256 == hashlib.sha256(ARXIV.read_bytes()).hexdigest()
    assert arxiv.size == ARXIV.stat().st_size
    assert arxiv.compression is None and arxiv.problem is None


def test_known_formats() -> None:
    assert KNOWN_FORMATS == ("listing_text", "arxiv_jsonl", "pwc_papers", "pwc_leaderboard",
                             "hf_daily", "table")


def test_markdown_doc_is_unknown_not_listing() -> None:
    (f,) = [f for f in scan_inputs(FORMATS) if f.name == "PROVENANCE.md"]
    assert f.format is None and f.problem is not None
    assert f.problem.reason == Reason.UNKNOWN_FORMAT.value
    assert f.problem.line is None
    assert "PROVENANCE.md" in f.problem.detail
    assert "known formats: " + ", ".join(KNOWN_FORMATS) in f.problem.detail
    assert list(read_input(FORMATS, f)) == [f.problem]


def test_seed_pages_are_listings() -> None:
    assert [f.format for f in scan_inputs(FIXTURES / "seeds")] == ["listing_text"] * 2


def test_detection_uses_content_not_name(tmp_path: Path) -> None:
    shutil.copy(ARXIV, tmp_path / "papers.csv")
    shutil.copy(FIXTURES / "seeds" / "000_2a00aa8dfd2c52e5.txt", tmp_path / "page.json")
    shutil.copy(PWC_PAPERS, tmp_path / "noext")
    got = {f.name: f.format for f in scan_inputs(tmp_path)}
    assert got == {"noext": "pwc_papers", "page.json": "listing_text", "papers.csv": "arxiv_jsonl"}


def test_scan_skips_hidden_and_recurses(tmp_path: Path) -> None:
    (tmp_path / ".hidden.jsonl").write_bytes(ARXIV.read_bytes())
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "x.jsonl").write_bytes(ARXIV.read_bytes())
    (tmp_path / "b" / "c").mkdir(parents=True)
    (tmp_path / "b" / "c" / "z.jsonl").write_bytes(ARXIV.read_bytes())
    (tmp_path / "a.jsonl").write_bytes(ARXIV.read_bytes())
    assert [f.name for f in scan_inputs(tmp_path)] == ["a.jsonl", "b/c/z.jsonl"]


# --- arXiv snapshot -------------------------------------------------------------------------


def test_arxiv_fixture() -> None:
    with ARXIV.open("rb") as fh:
        items = list(arxiv_jsonl.read(fh, "a.jsonl"))
    recs = records(items)
    assert len(items) == len(recs) == 200
    assert [r.line for r in recs] == list(range(1, 201))
    assert recs[0].arxiv_id == "0704.0001" and recs[-1].arxiv_id == "0704.0200"
    assert recs[0].authors == ("C. Balázs", "E. L. Berger", "P. M. Nadolsky", "C. -P. Yuan")
    assert recs[1].authors == ("Ileana Streinu", "Louis Theran")
    assert recs[0].title.startswith("Calculation of prompt diphoton")
    assert recs[0].abstract is not None and recs[0].abstract.startswith("  A fully differential")
    assert all(r.source_format == "arxiv_jsonl" and r.source_file == "a.jsonl" for r in recs)
    assert json.loads(recs[0].raw)["id"] == "0704.0001"


def test_arxiv_authors_string_without_parsed() -> None:
    line = {"id": "1", "title": "T", "authors": "Ann Lee, Bo Chen and Cy Dow"}
    (rec,) = read_bytes(arxiv_jsonl, json.dumps(line).encode())
    assert isinstance(rec, Record) and rec.authors == ("Ann Lee", "Bo Chen", "Cy Dow")


def test_arxiv_truncated_line_rejected_and_reading_continues() -> None:
    lines = ARXIV.read_bytes().splitlines(keepends=True)[:5]
    lines[2] = lines[2][:100] + b"\n"
    items = read_bytes(arxiv_jsonl, b"".join(lines), "snap.jsonl")
    assert [type(i).__name__ for i in items] == ["Record", "Record", "Rejected", "Record", "Record"]
    bad = items[2]
    assert isinstance(bad, Rejected)
    assert bad.reason == Reason.INVALID_JSON.value and bad.line == 3 and bad.stage == "ingest"
    assert bad.detail.startswith("snap.jsonl:3: invalid JSON")
    assert json.loads(bad.record)["line"] == lines[2][:100].decode()
    assert [i.line for i in items] == [1, 2, 3, 4, 5]


def test_arxiv_bom_crlf_and_invalid_utf8() -> None:
    lines = ARXIV.read_bytes().splitlines()[:3]
    lines[1] = lines[1].replace(b"Sparsity-certifying", b"Sparsity\xff\xfe-certifying")
    data = b"\xef\xbb\xbf" + b"\r\n".join(lines) + b"\r\n"
    items = read_bytes(arxiv_jsonl, data)
    recs = records(items)
    assert len(recs) == 3
    assert recs[1].title == "Sparsity\ufffd\ufffd-certifying Graph Decompositions"
    assert recs[0].arxiv_id == "0704.0001"
    assert arxiv_jsonl.sniff(data)


def test_arxiv_no_title_rejected_title_only_kept() -> None:
    data = b'{"id": "1", "authors": "A B"}\n{"title": "Only a title"}\n[1, 2]\n\n'
    items = read_bytes(arxiv_jsonl, data, "f")
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Rejected", 1), ("Record", 2), ("Rejected", 3)]
    assert items[0].reason == Reason.NO_TITLE.value
    assert items[2].reason == Reason.BAD_RECORD.value
    # raw: the line as written (it is the record's JSON text).
    assert items[1] == Record(source_file="f", line=2, source_format="arxiv_jsonl",
                              title="Only a title", raw='{"title": "Only a title"}')


def test_arxiv_raw_is_the_line_verbatim() -> None:
    line = '{"title": "Ünï T",  "id": "2401.00001", "abstract": "x"}'
    (rec,) = read_bytes(arxiv_jsonl, ("  " + line + " \r\n").encode(), "f")
    assert rec.raw == line and json.loads(rec.raw)["title"] == "Ünï T"


def test_huge_single_line(tmp_path: Path) -> None:
    abstract = "word " * 600_000  # 3 MB on one line, keys in the snapshot's order
    line = json.dumps({"id": "2401.00001", "submitter": "x", "authors": "A B", "title": "Big",
                       "categories": "cs.LG", "abstract": abstract}).encode()
    f = scan_one(tmp_path, "big.jsonl", line + b"\n" + line + b"\n")
    assert f.format == "arxiv_jsonl"
    recs = records(list(read_input(tmp_path, f)))
    assert [r.line for r in recs] == [1, 2] and recs[0].abstract == abstract


def test_gzip_variant(tmp_path: Path) -> None:
    data = gzip.compress(ARXIV.read_bytes())
    f = scan_one(tmp_path, "snap.jsonl.gz", data)
    assert (f.format, f.compression) == ("arxiv_jsonl", "gzip")
    assert f.sha256 == hashlib.sha256(data).hexdigest() and f.size == len(data)
    items = list(read_input(tmp_path, f))
    assert len(records(items)) == 200
    with ARXIV.open("rb") as fh:
        assert records(items) == [
            r for r in arxiv_jsonl.read(fh, "snap.jsonl.gz") if isinstance(r, Record)]


def test_truncated_gzip_keeps_records_then_reports(tmp_path: Path) -> None:
    data = gzip.compress(ARXIV.read_bytes())
    f = scan_one(tmp_path, "cut.gz", data[: len(data) // 2])
    assert f.format == "arxiv_jsonl"
    items = list(read_input(tmp_path, f))
    assert len(records(items)) > 50
    last = items[-1]
    assert isinstance(last, Rejected) and last.reason == Reason.UNREADABLE.value
    assert "cut.gz" in last.detail


def test_gzip_of_garbage_and_empty_gzip(tmp_path: Path) -> None:
    f = scan_one(tmp_path, "bad.gz", b"\x1f\x8bthis is not deflate data at all")
    assert f.format is None and f.problem is not None
    assert f.problem.reason == Reason.UNREADABLE.value
    g = scan_one(tmp_path, "empty.gz", gzip.compress(b""))
    assert g.format is None and g.problem is not None
    assert g.problem.reason == Reason.EMPTY_FILE.value


# --- whole-file problems -------------------------------------------------------------------


def test_empty_file(tmp_path: Path) -> None:
    f = scan_one(tmp_path, "empty.txt", b"")
    assert f.format is None and f.size == 0 and f.problem is not None
    assert f.problem.reason == Reason.EMPTY_FILE.value and "empty.txt" in f.problem.detail
    assert list(read_input(tmp_path, f)) == [f.problem]


def test_binary_file(tmp_path: Path) -> None:
    f = scan_one(tmp_path, "x.bin", bytes(range(256)) * 64)
    assert f.format is None and f.problem is not None
    assert f.problem.reason == Reason.UNKNOWN_FORMAT.value
    assert f.problem.detail.startswith("x.bin: unknown format; known formats: listing_text, ")
    json.loads(f.problem.record)


def test_markdown_file(tmp_path: Path) -> None:
    md = b"# Notes\n\nSome Title Here\nAda Lovelace\n\n| a | b |\n|---|---|\n"
    assert scan_one(tmp_path, "notes.txt", md).format is None


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "locked.jsonl"
    path.write_bytes(ARXIV.read_bytes())
    real_open = Path.open

    def deny(self: Path, *args, **kwargs):
        if self.name == "locked.jsonl":
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", deny)
    (f,) = scan_inputs(tmp_path)
    assert f.format is None and f.problem is not None and f.sha256 == ""
    assert f.problem.reason == Reason.UNREADABLE.value
    assert f.problem.detail.startswith("locked.jsonl: cannot read the file")
    assert list(read_input(tmp_path, f)) == [f.problem]


def test_json_with_no_known_shape_is_unknown(tmp_path: Path) -> None:
    assert scan_one(tmp_path, "a.json", b'{"foo": 1, "bar": [1, 2]}').format is None
    items = read_bytes(hf_daily, b'{"papers": 5}', "a.json")
    assert [i.reason for i in rejected(items)] == [Reason.BAD_RECORD.value]


# --- Papers with Code ----------------------------------------------------------------------


def test_pwc_papers_fixture() -> None:
    with PWC_PAPERS.open("rb") as fh:
        recs = records(list(pwc_papers.read(fh, "p.json")))
    assert len(recs) == 50
    assert [r.line for r in recs] == list(range(1, 51))
    assert sum(r.arxiv_id is not None for r in recs) == 44
    first = recs[0]
    assert first.title.startswith("Neural networks and physical systems")
    assert first.authors == ("J J Hopfield",)
    assert first.urls == ("https://www.pnas.org/content/79/8/2554",)
    assert first.arxiv_id is None


def test_pwc_papers_plain_list_and_bad_items() -> None:
    doc = [{"title": "A", "arxiv_id": "2101.00001", "url_abs": "https://arxiv.org/abs/2101.00001"},
           {"abstract": "no title"}, "junk"]
    items = read_bytes(pwc_papers, json.dumps(doc).encode())
    assert [type(i).__name__ for i in items] == ["Record", "Rejected", "Rejected"]
    assert [i.line for i in items] == [1, 2, 3]
    assert items[0].arxiv_id == "2101.00001"
    assert [i.reason for i in rejected(items)] == [Reason.NO_TITLE.value, Reason.BAD_RECORD.value]


def test_pwc_leaderboard_fixture() -> None:
    with PWC_BOARD.open("rb") as fh:
        items = list(pwc_leaderboard.read(fh, "board.json"))
    recs = records(items)
    assert len(items) == len(recs) == 32
    assert [r.line for r in recs] == list(range(1, 33))
    first = recs[0]
    assert first.title == "Language Models are Unsupervised Multitask Learners"
    assert first.abstract is None and first.arxiv_id is None
    assert first.urls == ("https://github.com/openai/gpt-2",
                          "https://d4mucfpksywv.cloudfront.net/better-language-models/"
                          "language-models.pdf")
    raw = json.loads(first.raw)
    assert (raw["task"], raw["dataset"]) == ("Language Modelling", "PTB")
    assert raw["row"]["metrics"] == {"Perplexity": "35.76"}
    assert recs[1].arxiv_id == "1711.03953"
    assert "" not in {u for r in recs for u in r.urls}


def test_pwc_leaderboard_subtasks_and_missing_title() -> None:
    row = {"paper_title": "Deep Thing", "paper_url": "https://arxiv.org/abs/1805.06280v2",
           "code_links": [{"title": "x", "url": "https://github.com/a/b"}]}
    sub_dataset = {"subdataset": "S", "sota": {"rows": [row]}}
    dataset = {"dataset": "D", "sota": {"rows": [row, {"model_name": "m"}]},
               "subdatasets": [sub_dataset]}
    subsub = {"task": "SubSub", "datasets": [{"dataset": "E", "sota": {"rows": [row]}}]}
    doc = {"task": "Top", "datasets": [],
           "subtasks": [{"task": "Sub", "datasets": [dataset], "subtasks": [subsub]}]}
    items = read_bytes(pwc_leaderboard, json.dumps(doc).encode(), "t.json")
    assert [type(i).__name__ for i in items] == ["Record", "Rejected", "Record", "Record"]
    assert [i.line for i in items] == [1, 2, 3, 4]
    assert items[0].arxiv_id == "1805.06280"
    assert items[0].urls == ("https://github.com/a/b", "https://arxiv.org/abs/1805.06280v2")
    assert items[1].reason == Reason.NO_TITLE.value and "t.json:2" in items[1].detail
    assert json.loads(items[2].raw)["subdataset"] == "S"
    assert json.loads(items[3].raw)["parent_tasks"] == ["Top", "Sub"]


def test_invalid_json_document_is_one_rejected() -> None:
    with PWC_INVALID.open("rb") as fh:
        items = list(pwc_leaderboard.read(fh, "pwc/leaderboard_example_invalid.json"))
    (bad,) = items
    assert isinstance(bad, Rejected)
    assert bad.reason == Reason.INVALID_JSON.value and bad.line == 27
    assert bad.detail.startswith("pwc/leaderboard_example_invalid.json:27: invalid JSON at column")
    assert json.loads(bad.record)["excerpt"].strip() == "}"


# --- Hugging Face --------------------------------------------------------------------------


def test_hf_api_fixture() -> None:
    with HF_API.open("rb") as fh:
        recs = records(list(hf_daily.read(fh, "hf.json")))
    assert len(recs) == 29
    first = recs[0]
    assert first.arxiv_id == "2410.17243" and first.line == 1
    assert first.title == ("Breaking the Memory Barrier: Near Infinite Batch Size Scaling for\n"
                           "  Contrastive Loss")
    assert first.authors[:2] == ("Zesen Cheng", "Hang Zhang") and len(first.authors) == 9
    assert first.abstract is not None and first.abstract.startswith("Contrastive loss is")
    assert "submittedBy" in json.loads(first.raw)


def test_hf_mirror_fixture() -> None:
    with HF_MIRROR.open("rb") as fh:
        recs = records(list(hf_daily.read(fh, "m.json")))
    assert len(recs) == 50
    assert sum(any("github.com" in u for u in r.urls) for r in recs) == 32
    first = recs[0]
    assert first.arxiv_id == "2609.22753"
    assert first.urls == ("https://github.com/OniReimu/Edge-Computing-JEV",
                          "https://arxiv.org/abs/2609.22753")
    assert first.authors[0] == "Delong Li"


# --- tables --------------------------------------------------------------------------------


def test_csv_with_unexpected_columns(tmp_path: Path) -> None:
    data = (
        b"Paper Title,Authors,Summary,GitHub,stars,notes\r\n"
        b'First Paper,"Ann Lee; Bo Chen","An abstract, with a comma",https://github.com/a/b,5,x\r\n'
        b',Nobody,no title here,,,\r\n'
        b'"Multi\nline title",Cy Dow and Di Eve,,,,extra,more\r\n'
        b"Only Title,,,,,\r\n"
    )
    f = scan_one(tmp_path, "t.csv", data)
    assert f.format == "table"
    items = list(read_input(tmp_path, f))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Record", 2), ("Rejected", 3), ("Record", 4), ("Record", 6)]
    first = items[0]
    assert first.title == "First Paper" and first.authors == ("Ann Lee", "Bo Chen")
    assert first.abstract == "An abstract, with a comma"
    assert first.urls == ("https://github.com/a/b",)
    raw = json.loads(first.raw)
    assert raw["stars"] == "5" and raw["notes"] == "x"
    assert items[1].reason == Reason.NO_TITLE.value
    assert items[2].title == "Multi\nline title" and items[2].authors == ("Cy Dow", "Di Eve")
    assert json.loads(items[2].raw)["_extra"] == ["more"]
    assert items[3].authors == () and items[3].abstract is None


def test_tsv_and_bom() -> None:
    data = b"\xef\xbb\xbftitle\tabstract\tarxiv_id\nA Title\tText.\t2301.00001\n"
    assert table.sniff(data)
    (rec,) = read_bytes(table, data)
    assert isinstance(rec, Record)
    assert (rec.title, rec.abstract, rec.line) == ("A Title", "Text.", 2)
    assert rec.arxiv_id == "2301.00001"


def test_jsonl_table(tmp_path: Path) -> None:
    rows = [{"Title": "One", "authors": ["A B", "C D"], "code_url": "https://github.com/x/y",
             "extra": {"k": 1}},
            {"title": "Two", "authors": "E F, G H and I J", "url": "https://arxiv.org/abs/2202.00002"}]
    data = "\n".join(json.dumps(r) for r in rows).encode() + b"\n{broken\n"
    f = scan_one(tmp_path, "rows.jsonl", data)
    assert f.format == "table"
    items = list(read_input(tmp_path, f))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Record", 1), ("Record", 2), ("Rejected", 3)]
    assert items[0].authors == ("A B", "C D") and items[0].urls == ("https://github.com/x/y",)
    assert items[1].authors == ("E F", "G H", "I J") and items[1].arxiv_id == "2202.00002"
    assert items[2].reason == Reason.INVALID_JSON.value


def test_json_array_table() -> None:
    data = json.dumps([{"title": "A", "abstract": "B"}, {"name": "x"}]).encode()
    assert detect_format(data) == "table"
    items = read_bytes(table, data)
    assert [type(i).__name__ for i in items] == ["Record", "Rejected"]


def test_parquet_table(tmp_path: Path) -> None:
    tbl = pa.table({
        "TITLE": ["P1", None, "P3"],
        "authors": [["A B"], ["C D"], []],
        "abstract": ["abs", "x", None],
        "github": ["https://github.com/o/r", None, None],
        "score": [1.5, 2.0, 3.0],
    })
    pq.write_table(tbl, tmp_path / "t.parquet")
    f = scan_one(tmp_path, "t.parquet", (tmp_path / "t.parquet").read_bytes())
    assert f.format == "table"
    items = list(read_input(tmp_path, f))
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Record", 1), ("Rejected", 2), ("Record", 3)]
    assert items[0].authors == ("A B",) and items[0].urls == ("https://github.com/o/r",)
    assert json.loads(items[0].raw)["score"] == 1.5
    gz = scan_one(tmp_path, "t.parquet.gz", gzip.compress((tmp_path / "t.parquet").read_bytes()))
    assert gz.format == "table" and len(list(read_input(tmp_path, gz))) == 3


def test_corrupt_parquet_is_unreadable() -> None:
    items = read_bytes(table, b"PAR1" + b"\x00" * 100)
    (bad,) = items
    assert isinstance(bad, Rejected) and bad.reason == Reason.UNREADABLE.value


def test_text_streams_accepted() -> None:
    text = ARXIV.read_text(encoding="utf-8")
    assert len(records(list(arxiv_jsonl.read(io.StringIO(text), "s")))) == 200
    assert len(records(list(hf_daily.read(io.StringIO(HF_API.read_text("utf-8")), "h")))) == 29
    page = (FIXTURES / "seeds" / "000_2a00aa8dfd2c52e5.txt").read_text("utf-8")
    assert len(records(list(listing_text.read(io.StringIO(page), "p")))) == 12


def test_pwc_papers_as_json_lines() -> None:
    with PWC_PAPERS.open("rb") as fh:
        papers = json.load(fh)["results"][:3]
    data = "\n".join(json.dumps(p) for p in papers).encode() + b"\n{cut"
    assert detect_format(data) == "pwc_papers"
    items = read_bytes(pwc_papers, data)
    assert [(type(i).__name__, i.line) for i in items] == [
        ("Record", 1), ("Record", 2), ("Record", 3), ("Rejected", 4)]


def test_minified_one_line_documents() -> None:
    with PWC_PAPERS.open("rb") as fh:
        api = json.load(fh)
    one_line = json.dumps(api).encode()
    assert detect_format(one_line) == "pwc_papers"
    assert len(records(read_bytes(pwc_papers, one_line))) == 50
    with HF_MIRROR.open("rb") as fh:
        mirror = json.dumps(json.load(fh)).encode()
    assert detect_format(mirror) == "hf_daily"


def test_jsonl_with_corrupt_first_line_still_detected() -> None:
    lines = ARXIV.read_bytes().splitlines(keepends=True)
    data = lines[0][:50] + b"\n" + b"".join(lines[1:10])
    assert detect_format(data) == "arxiv_jsonl"
    items = read_bytes(arxiv_jsonl, data)
    assert isinstance(items[0], Rejected) and len(records(items)) == 9


def test_csv_with_a_nul_byte_quarantines_that_row_only(tmp_path: Path) -> None:
    data = b"title,abstract\nGood One,We get 91% on MNIST.\nBad\x00Row,x\nGood Two,y\n"
    f = scan_one(tmp_path, "t.csv", data)
    assert f.format == "table"
    items = list(read_input(tmp_path, f))
    assert [type(i).__name__ for i in items] == ["Record", "Rejected", "Record"]
    bad = items[1]
    assert isinstance(bad, Rejected) and bad.line == 3 and bad.reason == Reason.BAD_RECORD.value


@pytest.mark.parametrize(
    "name, text",
    [
        ("arr.json", "[" * 990 + "]" * 990),
        ("obj.json", '{"a":' * 990 + "1" + "}" * 990),
        ("rows.json", '[{"title": "x", "deep": ' + "[" * 990 + "]" * 990 + "}]"),
        ("lines.jsonl", '{"id": "2501.00002", "title": "T", "authors": "A", "submitter": null, '
                        '"versions": [], "deep": ' + "[" * 990 + "]" * 990 + "}\n"),
    ],
)
def test_json_nested_too_deep_is_pc101_not_unknown(tmp_path: Path, name: str, text: str) -> None:
    f = scan_one(tmp_path, name, text.encode())
    items = list(read_input(tmp_path, f))
    assert len(items) == 1 and isinstance(items[0], Rejected)
    assert items[0].reason == Reason.INVALID_JSON.value, items[0].detail


LATIN_PAGE = """Publications

Café Scenes: Learning Naïve Façades from Crème Brûlée Images
Zoë Müller
José Peña
Señor Datasets for Ångström-Scale Physics
Jürgen Groß
"""


@pytest.mark.parametrize(("encoding", "dash"), [("latin-1", "-"), ("cp1252", "–")])
def test_a_western_page_decodes_exactly(tmp_path: Path, encoding: str, dash: str) -> None:
    # The cp1252 page holds an en dash (0x96), a byte latin-1 would read as a control code.
    page = LATIN_PAGE.replace("Ångström-Scale", f"Ångström{dash}Scale")
    f = scan_one(tmp_path, "page.txt", page.encode(encoding))
    assert f.format == "listing_text" and f.encoding == "cp1252"  # cp1252 ⊃ latin-1 printables
    records = [i for i in read_input(tmp_path, f) if isinstance(i, Record)]
    assert [r.title for r in records] == [
        "Café Scenes: Learning Naïve Façades from Crème Brûlée Images",
        f"Señor Datasets for Ångström{dash}Scale Physics",
    ]
    assert records[0].authors == ("Zoë Müller", "José Peña")
    assert "\ufffd" not in "".join(r.title for r in records)


def test_a_cp1252_csv_decodes_exactly(tmp_path: Path) -> None:
    text = ('title,abstract,authors\n“Smart” Quotes – A Study,'
            '"We cut costs by 40 € and reach 88% accuracy on MNIST.",René Descartes\n')
    f = scan_one(tmp_path, "t.csv", text.encode("cp1252"))
    assert (f.format, f.encoding) == ("table", "cp1252")
    (rec,) = list(read_input(tmp_path, f))
    assert isinstance(rec, Record)
    assert rec.title == "“Smart” Quotes – A Study" and rec.authors == ("René Descartes",)
    assert rec.abstract is not None and "40 €" in rec.abstract


def test_utf8_with_a_broken_byte_stays_utf8_and_the_byte_is_replaced(tmp_path: Path) -> None:
    line = '{"id": "2501.00001", "title": "Café Naïve \xff Models", "authors": "A", ' \
           '"submitter": null, "versions": []}\n'
    f = scan_one(tmp_path, "a.jsonl", line.encode("utf-8").replace("ÿ".encode(), b"\xff"))
    assert (f.format, f.encoding) == ("arxiv_jsonl", "utf-8")
    (rec,) = list(read_input(tmp_path, f))
    assert isinstance(rec, Record) and rec.title == "Café Naïve \ufffd Models"
