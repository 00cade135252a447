"""Parquet and JSON files of the work folder and the release: deterministic bytes."""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.schemas import arrow_schema, to_table

ROW_GROUP = 64_000


def write_table(path: Path, table: pa.Table) -> None:
    """Write a table atomically (temp name + rename) with fixed writer settings."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    pq.write_table(
        table,
        tmp,
        compression="zstd",
        row_group_size=ROW_GROUP,
        use_dictionary=True,
        write_statistics=True,
        store_schema=True,
    )
    os.replace(tmp, path)


def write_rows(path: Path, table_name: str, rows: list[Any]) -> pa.Table:
    table = to_table(table_name, rows)
    write_table(path, table)
    return table


def read_table(path: Path, table_name: str | None = None) -> pa.Table:
    table = pq.read_table(path)
    if table_name is not None:
        table = table.cast(arrow_schema(table_name))
    return table


def iter_batches(path: Path, batch_size: int) -> Iterator[pa.RecordBatch]:
    pf = pq.ParquetFile(path)
    yield from pf.iter_batches(batch_size=batch_size)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def write_json(path: Path, data: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    tmp.write_text(json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n", "utf-8")
    os.replace(tmp, path)


def read_json(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


class ParquetSink:
    """Stream rows into one Parquet file, a row group every `batch` rows.

    Written under a temporary name and renamed on a clean close, so readers never see a
    half-written file.
    """

    def __init__(self, path: Path, table_name: str, batch: int = ROW_GROUP) -> None:
        self.path = path
        self.table_name = table_name
        self.schema = arrow_schema(table_name)
        self.batch = batch
        self.rows: list[Any] = []
        self.count = 0
        path.parent.mkdir(parents=True, exist_ok=True)
        self.tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        self.writer = pq.ParquetWriter(self.tmp, self.schema, compression="zstd")

    def add(self, row: Any) -> None:
        self.rows.append(row)
        if len(self.rows) >= self.batch:
            self.flush()

    def add_table(self, table: pa.Table) -> None:
        self.flush()
        if table.num_rows:
            self.writer.write_table(table.cast(self.schema), row_group_size=ROW_GROUP)
            self.count += table.num_rows

    def flush(self) -> None:
        if self.rows:
            self.writer.write_table(to_table(self.table_name, self.rows))
            self.count += len(self.rows)
            self.rows = []

    def __enter__(self) -> ParquetSink:
        return self

    def __exit__(self, exc_type: object, exc: object, tb: object) -> None:
        if exc_type is None:
            self.flush()
            self.writer.close()
            os.replace(self.tmp, self.path)
        else:
            self.writer.close()
            self.tmp.unlink(missing_ok=True)
