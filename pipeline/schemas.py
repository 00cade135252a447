"""Arrow schemas built from `schemas/<table>.json`, the single source of truth."""

from __future__ import annotations

import json
from dataclasses import asdict, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pyarrow as pa

from pipeline.errors import SchemaFileError

SCHEMA_DIR = Path(__file__).resolve().parent.parent / "schemas"

_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "int64": pa.int64(),
    "double": pa.float64(),
    "bool": pa.bool_(),
    "list<string>": pa.list_(pa.string()),
    "date": pa.date32(),
}

RELEASE_TABLES = (
    "papers",
    "code_links",
    "dataset_mentions",
    "resolutions",
    "results",
    "leaderboards",
    "curated_results",
    "quarantine",
)


@cache
def table_spec(table: str) -> dict[str, Any]:
    """The parsed `schemas/<table>.json` (name, description, fields)."""
    path = SCHEMA_DIR / f"{table}.json"
    try:
        spec: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SchemaFileError(f"{path}: cannot read schema: {e}") from e
    for i, f in enumerate(spec["fields"]):
        if f["type"] not in _TYPES:
            raise SchemaFileError(f"{path}: field #{i} {f['name']!r}: unknown type {f['type']!r}")
        if not isinstance(f.get("dictionary", True), bool):
            raise SchemaFileError(
                f"{path}: field #{i} {f['name']!r}: 'dictionary' must be a boolean"
            )
    return spec


@cache
def plain_columns(table: str) -> frozenset[str]:
    """Fields written without dictionary encoding (`"dictionary": false`): long text that
    hardly repeats (abstracts, titles), where Parquet's dictionary is built only
    to be given up, which cost a quarter of the time of writing `papers`."""
    fields_ = table_spec(table)["fields"]
    return frozenset(f["name"] for f in fields_ if not f.get("dictionary", True))


@cache
def arrow_schema(table: str) -> pa.Schema:
    spec = table_spec(table)
    return pa.schema(
        [pa.field(f["name"], _TYPES[f["type"]], nullable=f["nullable"]) for f in spec["fields"]],
        metadata={"table": table},
    )


def to_row(obj: Any) -> dict[str, Any]:
    """A dataclass row as a dict, tuples turned into lists for Arrow."""
    assert is_dataclass(obj) and not isinstance(obj, type)
    row = asdict(obj)
    for k, v in row.items():
        if isinstance(v, tuple):
            row[k] = list(v)
    return row


def to_table(table: str, rows: list[Any]) -> pa.Table:
    """Rows (dataclasses or dicts) as an Arrow table with the table's schema."""
    schema = arrow_schema(table)
    names = schema.names
    dicts = [to_row(r) if is_dataclass(r) else r for r in rows]
    return pa.Table.from_pylist([{n: d.get(n) for n in names} for d in dicts], schema=schema)


def dataclass_fields(cls: type) -> list[str]:
    return [f.name for f in fields(cls)]
