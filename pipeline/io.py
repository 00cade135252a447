"""Parquet and JSON files of the work folder and the release: deterministic bytes.

Every Parquet file is written with the same settings and row groups of exactly `ROW_GROUP`
rows (the last one shorter), whether it is written whole (`write_table`) or streamed
(`ParquetSink`), so a streamed file is byte-identical to the same table written at once
and no engine, worker count or batch size can change a file's bytes.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schemas import arrow_schema

ROW_GROUP = 16_384
"""Rows per Parquet row group: a streamed writer holds one (16k abstracts ~ 30 MB)."""
_WRITE_OPTIONS: dict[str, Any] = {
    "compression": "zstd",
    "use_dictionary": True,
    "write_statistics": True,
    "store_schema": True,
}


_SCRATCH_OPTIONS: dict[str, Any] = {
    "compression": "lz4",
    "use_dictionary": False,
    "write_statistics": False,
    "store_schema": True,
}
"""Work-folder chunks written once and read once: speed over size (zstd and dictionaries
cost more than the rest of ingest's writing)."""


def _leaf_paths(name: str, t: pa.DataType) -> list[str]:
    """Parquet column paths of a field ("authors", list<string> -> "authors.list.element")."""
    if pa.types.is_list(t) or pa.types.is_large_list(t):
        return _leaf_paths(f"{name}.list.element", t.value_type)
    if pa.types.is_struct(t):
        return [p for sub in t for p in _leaf_paths(f"{name}.{sub.name}", sub.type)]
    return [name]


def write_options(schema: pa.Schema) -> dict[str, Any]:
    """Release/work-file writer settings for a schema: dictionary encoding on every column
    but the `plain_columns` of its table (the schema's `table` metadata)."""
    from pipeline.schemas import plain_columns

    table = (schema.metadata or {}).get(b"table")
    plain = plain_columns(table.decode()) if table else frozenset()
    if not plain:
        return _WRITE_OPTIONS
    dictionary = [p for f in schema if f.name not in plain for p in _leaf_paths(f.name, f.type)]
    return {**_WRITE_OPTIONS, "use_dictionary": dictionary}


def _tmp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{os.getpid()}.tmp")


def write_table(path: Path, table: pa.Table, scratch: bool = False) -> None:
    """Write a table atomically (temp name + rename) with fixed writer settings.

    scratch: a work-folder chunk (fast compression; still deterministic bytes).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    options = _SCRATCH_OPTIONS if scratch else write_options(table.schema)
    pq.write_table(table, tmp, row_group_size=ROW_GROUP, **options)
    os.replace(tmp, path)


@cache
def _dataclass_names(cls: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(cls))


def table_from_rows(table_name: str, rows: Sequence[Any]) -> pa.Table:
    """Rows (dataclasses or dicts) as an Arrow table of the table's schema, column by column.

    Same table as `schemas.to_table` (tuples become lists, missing keys null) without a
    dict per row: `dataclasses.asdict` deep-copies every row, which made it the largest
    cost of ingest.
    """
    schema = arrow_schema(table_name)
    if rows and is_dataclass(rows[0]):
        have = _dataclass_names(type(rows[0]))  # type: ignore[arg-type]
        columns = [
            pa.array([getattr(r, f.name) for r in rows], type=f.type)
            if f.name in have
            else pa.nulls(len(rows), f.type)
            for f in schema
        ]
    else:
        columns = [pa.array([r.get(f.name) for r in rows], type=f.type) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)


def write_rows(path: Path, table_name: str, rows: Sequence[Any]) -> pa.Table:
    table = table_from_rows(table_name, rows)
    write_table(path, table)
    return table


def read_table(
    path: Path, table_name: str | None = None, columns: list[str] | None = None
) -> pa.Table:
    table = pq.read_table(path, columns=columns)
    if table_name is not None:
        schema = arrow_schema(table_name)
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns], metadata=schema.metadata)
        table = table.cast(schema)
    return table


def iter_batches(
    path: Path, batch_size: int, columns: list[str] | None = None
) -> Iterator[pa.RecordBatch]:
    # pre_buffer=False: with pre-buffering (the default) the reader keeps every range it
    # has read until the file is closed, so a pass over a 1M-row file held all of it
    # (~230 MB of Arrow memory after 500k papers); without it, one row group at a time.
    pf = pq.ParquetFile(path, pre_buffer=False)
    yield from pf.iter_batches(batch_size=batch_size, columns=columns)


def count_rows(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)


def read_rows(path: Path, start: int, stop: int, columns: list[str] | None = None) -> pa.Table:
    """Rows `[start, stop)` of a Parquet file, reading only the row groups that hold them."""
    pf = pq.ParquetFile(path, pre_buffer=False)
    parts: list[pa.Table] = []
    first = 0
    for i in range(pf.metadata.num_row_groups):
        n = pf.metadata.row_group(i).num_rows
        lo, hi = max(start, first), min(stop, first + n)
        if lo < hi:
            parts.append(pf.read_row_group(i, columns=columns).slice(lo - first, hi - lo))
        first += n
    if not parts:
        return pf.schema_arrow.empty_table().select(columns or pf.schema_arrow.names)
    return pa.concat_tables(parts)


def parquet_bytes(table: pa.Table) -> bytes:
    """A table as scratch Parquet bytes (a worker's output, compressed before the pipe)."""
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, row_group_size=ROW_GROUP, **_SCRATCH_OPTIONS)
    return bytes(sink.getvalue().to_pybytes())


def table_from_parquet(data: bytes) -> pa.Table:
    return pq.read_table(pa.BufferReader(data))


def write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically (temp name + rename)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    tmp.write_bytes(data)
    os.replace(tmp, path)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_name(path)
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class ParquetSink:
    """Stream rows or tables into one Parquet file in row groups of exactly `ROW_GROUP` rows.

    Whatever sizes the pieces come in, the file is byte-identical to `write_table` of their
    concatenation. Written under a temporary name and renamed on a clean close, so readers
    never see a half-written file. Memory: at most one row group plus one piece.
    """

    def __init__(self, path: Path, table: str | pa.Schema, batch: int = ROW_GROUP) -> None:
        """`table`: a table name of `schemas/` (rows may be added), or a schema (tables only)."""
        self.path = path
        self.table_name = table if isinstance(table, str) else ""
        self.schema = arrow_schema(table) if isinstance(table, str) else table
        self.batch = batch
        self.rows: list[Any] = []
        self.pending: list[pa.Table] = []
        self.pending_rows = 0
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = _tmp_name(path)
        self.writer = pq.ParquetWriter(self.tmp, self.schema, **write_options(self.schema))

    def add(self, row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= min(self.batch, ROW_GROUP):
            self._rows_to_pending()

    def add_rows(self, rows: Iterable[Any]) -> None:
        for row in rows:
            self.add(row)

    def add_table(self, table: pa.Table | pa.RecordBatch) -> None:
        self._rows_to_pending()
        if isinstance(table, pa.RecordBatch):
            table = pa.Table.from_batches([table])
        if table.num_rows:
            self.pending.append(table.cast(self.schema))
            self.pending_rows += table.num_rows
            self._write_full_groups()

    def _rows_to_pending(self) -> None:
        if self.rows:
            rows, self.rows = self.rows, []
            self.pending.append(table_from_rows(self.table_name, rows))
            self.pending_rows += len(rows)
            self._write_full_groups()

    def _write_full_groups(self, final: bool = False) -> None:
        while self.pending_rows >= ROW_GROUP or (final and self.pending_rows):
            whole = pa.concat_tables(self.pending)
            n = min(ROW_GROUP, whole.num_rows)
            # One contiguous chunk per row group: chunking must not reach the bytes.
            self.writer.write_table(whole.slice(0, n).combine_chunks(), row_group_size=ROW_GROUP)
            self.count += n
            rest = whole.slice(n)
            self.pending = [rest] if rest.num_rows else []
            self.pending_rows = rest.num_rows

    def _finish(self) -> None:
        self._rows_to_pending()
        self._write_full_groups(final=True)
        if not self.count:
            # `write_table` writes one empty row group for an empty table; so do we.
            self.writer.write_table(self.schema.empty_table(), row_group_size=ROW_GROUP)

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self._finish()
            self.writer.close()
            os.replace(self.tmp, self.path)
        else:
            self.writer.close()
            self.tmp.unlink(missing_ok=True)
