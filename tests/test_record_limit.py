"""A line or document longer than `--max-record-mb` is quarantined (PC108) with its file and
line, never held in memory whole, and reading goes on with the next line.

Both reading paths are covered (a file read in order, and a large plain arXiv snapshot cut
into parallel blocks), plus the hostile case of the issue: a 1 MB gzip that inflates to a
valid line and then one 1 GB line without a newline, read by the ingest stage in a
subprocess whose address space is capped at 1.5 GB (`resource.setrlimit`), and then the
whole run, whose peak RSS stays under 1.5 GB.
"""

from __future__ import annotations

import gzip
import io
import json
import resource
import subprocess
import sys
from pathlib import Path

import pyarrow.parquet as pq
import pytest
from helpers import arxiv_line
from test_ingest import scan_one

from pipeline.errors import Reason
from pipeline.ingest import read_input, scan_inputs
from pipeline.ingest.common import BoundedSource, DocumentTooLarge

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def test_bounded_source_skips_long_lines_and_keeps_numbering() -> None:
    data = b"short\n" + b"x" * 100 + b"\n" + b"tail\n" + b"y" * 50
    src = BoundedSource(io.BytesIO(data), max_bytes=20)
    lines = [src.readline() for _ in range(5)]
    assert lines == [b"short\n", b"\n", b"tail\n", b"\n", b""]
    assert src.oversized == [(2, 101), (4, 50)]
    exact = BoundedSource(io.BytesIO(b"a" * 20 + b"\n"), max_bytes=20)
    assert exact.readline() == b"a" * 20 + b"\n" and exact.oversized == []
    with pytest.raises(DocumentTooLarge) as err:
        BoundedSource(io.BytesIO(b"z" * 500), max_bytes=20).read()
    assert err.value.nbytes == 500


def test_serial_reader_quarantines_the_long_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    data = arxiv_line(1) + b'{"id": "' + b"9" * 3 * MB + b'"}\n' + arxiv_line(3)
    f = scan_one(raw, "a.jsonl", data)
    items = list(read_input(raw, f, max_record_bytes=1 * MB))
    assert [getattr(i, "line", None) for i in items] == [1, 2, 3]
    assert items[1].reason == Reason.TOO_LARGE.value  # type: ignore[union-attr]
    assert items[1].detail.startswith("a.jsonl:2: line 2 of 3.0 MB")  # type: ignore[union-attr]
    assert len(items[1].record) < 1000  # type: ignore[union-attr]  # not the line itself


def _ingest(raw: Path, work: Path, *extra: str, rlimit_gb: float | None = None) -> str:
    def cap() -> None:
        if rlimit_gb is not None:
            limit = int(rlimit_gb * 1024**3)
            resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    proc = subprocess.run(
        [sys.executable, "-m", "pipeline", "ingest", "--raw-dir", str(raw), "--work-dir",
         str(work), "--workers", "2", "--no-progress", *extra],
        capture_output=True, text=True, cwd=ROOT, timeout=900, preexec_fn=cap,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stderr


@pytest.mark.slow
def test_parallel_blocks_quarantine_the_long_line(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    lines = [arxiv_line(i) for i in range(1, 100_001)]  # ~18 MB: cut into parallel blocks
    lines[50_000] = b'{"id": "' + b"7" * 20 * MB + b'"}\n'  # longer than a block, too
    (raw / "snap.jsonl").write_bytes(b"".join(lines))
    err = _ingest(raw, tmp_path / "work", "--max-record-mb", "2")
    assert "snap.jsonl:50001: line 50001 of 20.0 MB" in err
    rejected = pq.read_table(tmp_path / "work/ingest/rejected.parquet").to_pylist()
    assert [(r["line"], r["reason"]) for r in rejected] == [(50001, Reason.TOO_LARGE.value)]
    inputs = json.loads((tmp_path / "work/ingest/inputs.json").read_text())
    assert inputs[0]["records_read"] == 100_000 and inputs[0]["ingest_rejected"] == 1


@pytest.mark.slow
def test_a_gigabyte_line_in_a_small_gzip_stays_in_bounded_memory(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    with gzip.open(raw / "huge.jsonl.gz", "wb", compresslevel=1) as g:
        g.write(arxiv_line(1))
        chunk = b"a" * MB
        for _ in range(1024):  # 1 GB, no newline
            g.write(chunk)
    assert (raw / "huge.jsonl.gz").stat().st_size < 8 * MB
    (raw / "seed.txt").write_bytes((ROOT / "data/raw/000_2a00aa8dfd2c52e5.txt").read_bytes())
    err = _ingest(raw, tmp_path / "work", rlimit_gb=1.5)
    assert "huge.jsonl.gz:2: line 2 of 1,024.0 MB is longer than the 32 MB limit" in err
    # the whole run, the peak resident memory of its processes measured by a parent of its own
    measure = (
        "import resource, subprocess, sys\n"
        "rc = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL).returncode\n"
        "print(rc, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", measure, sys.executable, "-m", "pipeline", "run", "--raw-dir",
         str(raw), "--out-dir", str(tmp_path / "rel"), "--work-dir", str(tmp_path / "work2"),
         "--workers", "1", "--no-progress", "-q"],
        capture_output=True, text=True, cwd=ROOT, timeout=900,
    )
    rc, peak_kb = (int(x) for x in proc.stdout.split())
    assert rc == 0, proc.stderr[-3000:]
    assert peak_kb < 1.5 * 1024 * 1024, f"peak RSS {peak_kb / 1024:.0f} MB"
    manifest = json.loads((tmp_path / "rel/manifest.json").read_text())
    huge = next(i for i in manifest["inputs"] if i["name"] == "huge.jsonl.gz")
    assert huge["records_read"] == 2 and huge["papers_published"] == 1
    assert manifest["accounting_holds"]


def test_parquet_streams_by_row_groups_under_a_small_record_limit(tmp_path: Path) -> None:
    # A seekable file stays seekable through BoundedSource, so a Parquet table far larger
    # than DOCUMENT_FACTOR x the record limit is read row group by row group, not refused.
    import pyarrow as pa

    raw = tmp_path / "raw"
    raw.mkdir()
    rows = 2000
    table = pa.table({"title": [f"Paper number {i} about learning" for i in range(rows)],
                      "abstract": ["We reach 91.2% accuracy on CIFAR-10. " * 4] * rows})
    pq.write_table(table, raw / "t.parquet", row_group_size=100)
    assert (raw / "t.parquet").stat().st_size > 8 * 4096
    (f,) = scan_inputs(raw)
    items = list(read_input(raw, f, max_record_bytes=4096))
    assert len(items) == rows
    assert all(getattr(i, "reason", None) is None for i in items)


@pytest.mark.parametrize("long_at", [0, 3, 9])
def test_blocks_leave_out_a_long_line_that_ends_inside_a_block(tmp_path: Path,
                                                                long_at: int) -> None:
    # The parallel path applies the same limit as the serial one: a line over the limit is
    # left out (and numbered) even when its end falls inside a block.
    from pipeline.ingest.stage import iter_blocks

    lines = [f"line {i}\n".encode() for i in range(10)]
    lines[long_at] = b"x" * 50 + b"\n"
    path = tmp_path / "f.txt"
    path.write_bytes(b"".join(lines))
    oversized: list[tuple[int, int]] = []
    blocks = list(iter_blocks(path, block=100, max_line=30, oversized=oversized))
    assert oversized == [(long_at + 1, 51)]
    kept = [(first + k, text) for first, data in blocks
            for k, text in enumerate(data.splitlines(keepends=True))]
    assert kept == [(i + 1, line) for i, line in enumerate(lines) if i != long_at]
