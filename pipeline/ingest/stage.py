"""Ingest stage shell: raw folder -> cached parts of the input files, `rejected`, `inputs.json`.

A part (`ingest/parts/<key>/`) holds one file's records as numbered Parquet chunks
(`records-00000.parquet`, ...), its rejected items and `part.json` (counts, warnings). Its
key is the file's name, content sha256, format and the code version, so a re-run reads
only the files that changed; `parts.json` lists the parts in file order for normalise.

A run of many small files (`BUNDLE_MIN` or more in a row, each under `SMALL_FILE_BYTES`)
is read into shared parts instead, a bundle of up to `BUNDLE_FILES` files whose key is
its files' keys: one part per file made a folder of 20,000 one-record files cost ~3 ms a
file here and 20,000 chunks and extract batches downstream (~22 ms a file in all). A
changed file re-reads its bundle; the accounting stays per file (`part.json` keeps each
file's counts and warnings).

A large plain arXiv snapshot (JSON lines) is cut at line ends into blocks that the engine
parses in parallel, each block becoming one chunk; every other file is read in order by
its reader and cut into chunks of `CHUNK_RECORDS`.
"""

from __future__ import annotations

import io
import json
import logging
import os
import shutil
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, TypeVar

import pyarrow as pa
import pyarrow.compute as pc

from pipeline.cache import keep_only, key_of
from pipeline.config import Config
from pipeline.engine.engine import map_batches
from pipeline.errors import InputError, Reason
from pipeline.faults import fault_point
from pipeline.ingest import (
    CHANGE_RETRIES,
    InputFile,
    arxiv_jsonl,
    changed_problem,
    file_stamp,
    inspect_file,
    read_input,
    scan_inputs,
    too_large,
)
from pipeline.ingest.common import skip_rest_of_line
from pipeline.io import (
    ParquetSink,
    parquet_bytes,
    read_json,
    read_table,
    table_from_rows,
    write_bytes,
    write_json,
    write_table,
)
from pipeline.progress import progress
from pipeline.records import Record, Rejected, StageResult
from pipeline.schemas import arrow_schema

log = logging.getLogger(__name__)
T = TypeVar("T")

BLOCK_BYTES = 8 << 20
"""Bytes of JSON lines per parallel block (~4k arXiv records)."""
CHUNK_RECORDS = 8192
"""Records per chunk file of a file read in order."""
SPLITTABLE = {arxiv_jsonl.FORMAT: arxiv_jsonl.read}
"""Formats whose records are one per line, independent of each other: safe to cut."""
SMALL_FILE_BYTES = 64 << 10
"""A file this small (stored bytes) may share a part with its neighbours."""
BUNDLE_MIN = 16
"""Fewer small files in a row keep a part each (and their per-file cache)."""
BUNDLE_FILES = 2048
"""Files per bundle at most: a change re-reads at most this many small files."""


@dataclass(frozen=True, slots=True)
class BlockResult:
    """What a worker made of one block of lines."""

    records: bytes
    """Parquet bytes of the block's `records`."""
    rejected: list[Rejected]
    warnings: list[str]
    read: int
    replaced: int


def _replaced_warning(name: str, line: int) -> str:
    return f"{name}:{line}: invalid UTF-8 bytes replaced by U+FFFD"


def _has_replaced_bytes(rec: Record) -> bool:
    # Invalid UTF-8 was replaced by U+FFFD at decoding: kept, but said.
    return "\ufffd" in (rec.title or "") + (rec.abstract or "")


def parse_block(task: tuple[str, str, int, bytes]) -> BlockResult:
    """Pure: (format, file name, number of the block's first line, bytes) -> its records.

    An arXiv snapshot block is read straight into columns (`arxiv_jsonl.read_block`): the
    `Record` objects and their conversion to Arrow cost as much as the JSON parsing. Same
    result as `parse_block_reference`, field for field.
    """
    fmt, name, first_line, data = task
    if fmt != arxiv_jsonl.FORMAT:
        return parse_block_reference(task)
    block = arxiv_jsonl.read_block(data, name, first_line)
    messages = [(r.line or 0, r.detail) for r in block.rejected]
    replaced = 0
    for line, title, abstract in zip(block.line, block.title, block.abstract, strict=True):
        if "\ufffd" in title or (abstract is not None and "\ufffd" in abstract):
            replaced += 1
            messages.append((line, _replaced_warning(name, line)))
    messages.sort(key=lambda m: m[0])  # each line makes one item: no ties
    read = len(block.line) + len(block.rejected)
    shifted = first_line not in (1, 2)  # `parse_block_reference` shifts these lines
    table = _records_table(name, arxiv_jsonl.FORMAT, block, shifted)
    return BlockResult(
        parquet_bytes(table), block.rejected, [m for _, m in messages], read, replaced
    )


def _records_table(name: str, fmt: str, block: arxiv_jsonl.Block, shifted: bool) -> pa.Table:
    """The `records` table of a block's columns (what `table_from_rows` makes of its
    `Record`s); `shifted`: with the nullable `line` field that the reference's `set_column`
    leaves in the schema (kept: the chunk bytes must not change)."""
    n = len(block.line)
    text = pa.string()
    columns = {
        "source_file": pa.array([name] * n, text),
        "line": pa.array(block.line, pa.int64()),
        "source_format": pa.array([fmt] * n, text),
        "title": pa.array(block.title, text),
        "authors": pa.ListArray.from_arrays(
            pa.array(block.author_ends, pa.int32()), pa.array(block.authors, text)
        ),
        "abstract": pa.array(block.abstract, text),
        "arxiv_id": pa.array(block.arxiv_id, text),
        "urls": pa.ListArray.from_arrays(pa.array([0] * (n + 1), pa.int32()), pa.array([], text)),
        "raw": pa.array(block.raw, text),
        "published": pa.array(block.published, text),
        "categories": pa.array(block.categories, pa.list_(text)),
        "venue": pa.array(block.venue, text),
        "license": pa.array(block.license, text),
    }
    schema = arrow_schema("records")
    if shifted:
        schema = schema.set(schema.get_field_index("line"), pa.field("line", pa.int64()))
    return pa.Table.from_arrays([columns[f.name] for f in schema], schema=schema)


def parse_block_reference(task: tuple[str, str, int, bytes]) -> BlockResult:
    """`parse_block` through the format's reader, `Record` by `Record` (the reference).

    The reader sees the block as a file; a non-first block gets one blank line in front
    (readers skip blank lines, and the byte-order-mark rule only applies to line 1), and
    line numbers are shifted back to the file's.
    """
    fmt, name, first_line, data = task
    read_fn = SPLITTABLE[fmt]
    shift = 0 if first_line == 1 else first_line - 2
    fh = io.BytesIO(data if first_line == 1 else b"\n" + data)
    records: list[Record] = []
    rejected: list[Rejected] = []
    warnings: list[str] = []
    read = replaced = 0
    for item in read_fn(fh, name):
        read += 1
        if isinstance(item, Rejected):
            if shift and item.line is not None:
                old, new = f"{name}:{item.line}:", f"{name}:{item.line + shift}:"
                detail = (
                    new + item.detail[len(old) :] if item.detail.startswith(old) else item.detail
                )
                item = Rejected(
                    item.stage,
                    item.source_file,
                    item.line + shift,
                    item.reason,
                    detail,
                    item.record,
                )
            rejected.append(item)
            warnings.append(item.detail)
        else:
            if _has_replaced_bytes(item):
                replaced += 1
                warnings.append(_replaced_warning(name, item.line + shift))
            records.append(item)
    table = table_from_rows("records", records)
    if shift:
        line = pc.add(table.column("line"), pa.scalar(shift, pa.int64()))
        table = table.set_column(table.schema.get_field_index("line"), "line", line)
    return BlockResult(parquet_bytes(table), rejected, warnings, read, replaced)


def _without_long_lines(
    line: int, piece: bytes, max_line: int | None, oversized: list[tuple[int, int]] | None
) -> Iterator[tuple[int, bytes]]:
    """`(first line, bytes)` runs of `piece` (whole lines from `line` on) without the lines
    longer than `max_line`, which are noted in `oversized` as (line number, bytes)."""
    if max_line is None or len(piece) <= max_line:
        yield line, piece
        return
    start = run_start = 0
    run_line = number = line
    while start < len(piece):
        end = piece.find(b"\n", start) + 1 or len(piece)
        if end - start > max_line:
            if start > run_start:
                yield run_line, piece[run_start:start]
            if oversized is not None:
                oversized.append((number, end - start))
            run_start, run_line = end, number + 1
        number += 1
        start = end
    if run_start < len(piece):
        yield run_line, piece[run_start:]


def iter_blocks(
    path: Path,
    block: int = BLOCK_BYTES,
    max_line: int | None = None,
    oversized: list[tuple[int, int]] | None = None,
) -> Iterator[tuple[int, bytes]]:
    """(number of the first line, bytes) of consecutive whole-line blocks of a file.

    A line longer than `max_line` bytes is left out of the blocks and noted in `oversized`
    as (line number, bytes), whether it ends inside a block or runs past `max_line` with no
    end in sight (then it is skipped to its end, never held); line numbers stay right.
    """
    line = 1
    carry = b""
    with path.open("rb") as fh:
        while chunk := fh.read(block):
            data = carry + chunk
            cut = data.rfind(b"\n") + 1
            if cut == 0:  # one line longer than a block: keep reading
                carry = data
                if max_line is not None and len(carry) > max_line:
                    total = len(carry) + skip_rest_of_line(fh)
                    carry = b""
                    if oversized is not None:
                        oversized.append((line, total))
                    line += 1
                continue
            piece, carry = data[:cut], data[cut:]
            yield from _without_long_lines(line, piece, max_line, oversized)
            line += piece.count(b"\n")
    if carry:
        yield from _without_long_lines(line, carry, max_line, oversized)


def part_key(f: InputFile) -> str:
    return key_of(
        "ingest-part", f.name, f.sha256, f.size, f.format, f.compression, f.encoding,
        BLOCK_BYTES, CHUNK_RECORDS,
    )


def _splittable(f: InputFile) -> bool:
    return (f.format in SPLITTABLE and f.compression is None and f.encoding == "utf-8"
            and f.size > 2 * BLOCK_BYTES)


def _build_part_parallel(cfg: Config, f: InputFile, tmp: Path) -> dict[str, Any]:
    assert f.format is not None
    fmt = f.format
    oversized: list[tuple[int, int]] = []
    blocks = iter_blocks(cfg.raw_dir / f.name, BLOCK_BYTES, cfg.max_record_bytes, oversized)
    tasks = ((fmt, f.name, line, data) for line, data in blocks)
    rejected: list[Rejected] = []
    warnings: list[str] = []
    read = replaced = chunks = 0
    try:
        for res in map_batches(parse_block, tasks, cfg.workers, cfg.engine, cfg.scheduler):
            write_bytes(tmp / f"records-{chunks:05d}.parquet", res.records)
            chunks += 1
            rejected.extend(res.rejected)
            warnings.extend(res.warnings)
            read += res.read
            replaced += res.replaced
    except OSError as e:
        # A disk error mid-file: keep what was read and say where it stopped (as read_input).
        problem = Rejected(
            stage="ingest",
            source_file=f.name,
            line=None,
            reason=Reason.UNREADABLE.value,
            detail=f"{f.name}: reading stopped after {read} items ({type(e).__name__}: {e}); "
            "re-download the file",
            record=json.dumps({"file": f.name, "items_read": read, "error": str(e)}),
        )
        rejected.append(problem)
        warnings.append(problem.detail)
        read += 1
    for line, nbytes in oversized:
        problem = too_large(f.name, line, nbytes, cfg.max_record_bytes, f"line {line}")
        rejected.append(problem)
        warnings.append(problem.detail)
        read += 1
    rejected.sort(key=lambda r: r.line or 0)
    write_table(tmp / "rejected.parquet", table_from_rows("quarantine", rejected))
    return {
        "chunks": chunks,
        "read": read,
        "rejected": len(rejected),
        "replaced": replaced,
        "warnings": warnings,
    }


class _Chunks:
    """Records written into a part folder as numbered chunk files of `CHUNK_RECORDS`."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.rows: list[Record] = []
        self.count = 0

    def add(self, rec: Record) -> None:
        self.rows.append(rec)
        if len(self.rows) >= CHUNK_RECORDS:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            path = self.folder / f"records-{self.count:05d}.parquet"
            write_table(path, table_from_rows("records", self.rows), scratch=True)
            self.count += 1
            self.rows = []


def _sort_items(items: Iterable[Record | Rejected], name: str, chunks: _Chunks,
                rejected: list[Rejected]) -> dict[str, Any]:
    """One file's items: records into `chunks`, the rest into `rejected`; the file's counts
    and warnings (`read`, `rejected`, `replaced`, `warnings`)."""
    read = bad = replaced = 0
    warnings: list[str] = []
    for item in items:
        read += 1
        if isinstance(item, Rejected):
            rejected.append(item)
            bad += 1
            warnings.append(item.detail)
            continue
        if _has_replaced_bytes(item):
            replaced += 1
            warnings.append(_replaced_warning(name, item.line))
        chunks.add(item)
    return {"read": read, "rejected": bad, "replaced": replaced, "warnings": warnings}


def _build_part_serial(cfg: Config, f: InputFile, tmp: Path) -> dict[str, Any]:
    chunks = _Chunks(tmp)
    rejected: list[Rejected] = []
    own = _sort_items(read_input(cfg.raw_dir, f, cfg.max_record_bytes), f.name, chunks,
                      rejected)
    chunks.flush()
    write_table(tmp / "rejected.parquet", table_from_rows("quarantine", rejected))
    return {"chunks": chunks.count, **own}


def _small(f: InputFile) -> bool:
    return f.size <= SMALL_FILE_BYTES and not _splittable(f)


def plan_parts(files: list[InputFile]) -> list[list[InputFile]]:
    """The files in order, grouped into parts: runs of at least `BUNDLE_MIN` small files cut
    into bundles of at most `BUNDLE_FILES`, every other file alone."""
    groups: list[list[InputFile]] = []
    run: list[InputFile] = []

    def flush() -> None:
        if len(run) >= BUNDLE_MIN:
            groups.extend(run[i : i + BUNDLE_FILES] for i in range(0, len(run), BUNDLE_FILES))
        else:
            groups.extend([f] for f in run)
        run.clear()

    for f in files:
        if _small(f):
            run.append(f)
        else:
            flush()
            groups.append([f])
    flush()
    return groups


def bundle_key(group: list[InputFile]) -> str:
    return key_of("ingest-bundle", [part_key(f) for f in group])


def build_bundle(cfg: Config, group: list[InputFile], dest: Path
                 ) -> tuple[list[InputFile], dict[str, Any]]:
    """Read small files in order into one part: shared record chunks, one rejected table,
    and each file's own counts and warnings under `files` in `part.json`."""
    tmp = dest.with_name(f".tmp-{dest.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    chunks = _Chunks(tmp)
    rejected: list[Rejected] = []
    files: dict[str, dict[str, Any]] = {}
    seen: list[InputFile] = []
    try:
        for f in group:
            f, items = _consistent(
                cfg, f, lambda g: list(read_input(cfg.raw_dir, g, cfg.max_record_bytes)))
            seen.append(f)
            files[f.name] = _sort_items(items, f.name, chunks, rejected)
        fault_point("ingest-part-built")
        chunks.flush()
        write_table(tmp / "rejected.parquet", table_from_rows("quarantine", rejected))
        summary = {"chunks": chunks.count, "files": files}
        write_json(tmp / "part.json", summary)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return seen, summary


def build_part(cfg: Config, f: InputFile, dest: Path) -> dict[str, Any]:
    """Read one input file into the part folder `dest` (written aside, renamed into place)."""
    tmp = dest.with_name(f".tmp-{dest.name}-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    try:
        build = _build_part_parallel if _splittable(f) else _build_part_serial
        summary = build(cfg, f, tmp)
        write_json(tmp / "part.json", summary)
        shutil.rmtree(dest, ignore_errors=True)
        os.replace(tmp, dest)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return summary


def _consistent(cfg: Config, f: InputFile, attempt: Callable[[InputFile], T],
                discard: Callable[[T], None] = lambda _: None) -> tuple[InputFile, T]:
    """`attempt(f)` on the version of the file that was hashed.

    A file rewritten between its hashing and the end of its reading (its stamp changed) is
    hashed and read again (`discard` drops the stale attempt's output); a file that keeps
    changing becomes one PC111 problem, which `attempt` then reads as the file's one item.
    """
    for _ in range(CHANGE_RETRIES):
        out = attempt(f)
        if f.stamp is None or file_stamp(cfg.raw_dir / f.name) == f.stamp:
            return f, out
        log.debug("ingest: %s changed while it was read; reading it again", f.name)
        discard(out)
        f = inspect_file(cfg.raw_dir, f.name)
    f = InputFile(f.name, "", 0, None, None, changed_problem(f.name))
    return f, attempt(f)


def build_consistent_part(cfg: Config, f: InputFile) -> tuple[InputFile, str, dict[str, Any]]:
    """Build the part of `f`, from the version of the file that was hashed, so the part, its
    key and the manifest's sha256 all describe one version."""
    parts_dir = cfg.stage_dir("ingest") / "parts"

    def attempt(g: InputFile) -> tuple[str, dict[str, Any]]:
        key = part_key(g)
        summary = build_part(cfg, g, parts_dir / key)
        fault_point("ingest-part-built")
        return key, summary

    f, (key, summary) = _consistent(
        cfg, f, attempt, lambda built: shutil.rmtree(parts_dir / built[0], ignore_errors=True))
    return f, key, summary


def record_chunks(cfg: Config, names: set[str] | None = None) -> list[tuple[str, Path]]:
    """(chunk key, path) of every records chunk (with `names`: of the parts that hold those
    input files; a bundle's chunks hold its other files' records too), in file then line
    order."""
    parts_dir = cfg.stage_dir("ingest") / "parts"
    out: list[tuple[str, Path]] = []
    for part in read_json(cfg.stage_dir("ingest") / "parts.json"):
        if names is not None and not names.intersection(part["names"]):
            continue
        for i in range(part["chunks"]):
            name = f"records-{i:05d}.parquet"
            out.append((f"{part['key']}-{i:05d}", parts_dir / part["key"] / name))
    return out


def run(cfg: Config) -> StageResult:
    if not cfg.raw_dir.is_dir():
        raise InputError(f"{cfg.raw_dir}: raw input folder does not exist")
    out = cfg.stage_dir("ingest")
    parts_dir = out / "parts"
    files = scan_inputs(cfg.raw_dir, cfg.follow_symlinks)
    if not files:
        raise InputError(f"{cfg.raw_dir}: no input files")
    inputs: list[dict[str, Any]] = []
    parts: list[dict[str, Any]] = []
    n_records = n_rejected = built = 0
    with ParquetSink(out / "rejected.parquet", "quarantine") as rejected_sink:
        for group in progress(plan_parts(files), "ingest", cfg.progress, unit="part"):
            if len(group) == 1:
                f = group[0]
                key = part_key(f)
                dest = parts_dir / key
                if (dest / "part.json").exists():
                    summary = read_json(dest / "part.json")
                    log.debug("ingest: %s: reusing part %s", f.name, key[:12])
                else:
                    f, key, summary = build_consistent_part(cfg, f)
                    dest = parts_dir / key
                    built += 1
                members = [(f, summary)]
            else:
                key = bundle_key(group)
                dest = parts_dir / key
                if (dest / "part.json").exists():
                    summary = read_json(dest / "part.json")
                    log.debug("ingest: %d files: reusing bundle %s", len(group), key[:12])
                else:
                    group, summary = build_bundle(cfg, group, dest)
                    built += len(group)
                members = [(f, summary["files"][f.name]) for f in group]
            rejected_sink.add_table(read_table(dest / "rejected.parquet", "quarantine"))
            for f, own in members:
                for message in own["warnings"]:
                    log.warning("%s", message)
                read, bad = own["read"], own["rejected"]
                log.debug("ingest: %s (%s): %d records, %d rejected", f.name, f.format, read,
                          bad)
                entry = asdict(f)
                entry.pop("problem")
                entry.pop("stamp")
                entry["status"] = "read" if f.format else "skipped"
                entry["skip_reason"] = f.problem.detail if f.problem and not f.format else None
                entry["records_read"] = read
                entry["ingest_rejected"] = bad
                entry["records_with_replaced_bytes"] = own["replaced"]
                inputs.append(entry)
                n_records += read - bad
                n_rejected += bad
            parts.append({"names": [f.name for f, _ in members], "key": key,
                          "chunks": summary["chunks"]})
    keep_only(parts_dir, [p["key"] for p in parts])
    write_json(out / "inputs.json", inputs)
    write_json(out / "parts.json", parts)
    return StageResult(
        "ingest",
        {
            "files": len(files),
            "records": n_records,
            "quarantined": n_rejected,
            "files_read": built,
            "files_reused": len(files) - built,
        },
        ("parts.json", "rejected.parquet", "inputs.json"),
    )
