"""The Arrow schemas in schemas/ match the contract and the row dataclasses."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pipeline import records
from pipeline.schemas import RELEASE_TABLES, arrow_schema, dataclass_fields

CONTRACT = json.loads((Path(__file__).parent / "contract_columns.json").read_text())


@pytest.mark.parametrize("table", RELEASE_TABLES)
def test_schema_has_contract_columns_and_types(table: str) -> None:
    schema = arrow_schema(table)
    for col, typ in CONTRACT[table].items():
        assert col in schema.names, f"{table}.{col} missing"
        assert str(schema.field(col).type) == typ, f"{table}.{col}"


@pytest.mark.parametrize(
    ("table", "cls"),
    [
        ("records", records.Record),
        ("papers", records.Paper),
        ("code_links", records.CodeLink),
        ("dataset_mentions", records.DatasetMention),
        ("resolutions", records.Resolution),
        ("results", records.Result),
        ("quarantine", records.Rejected),
    ],
)
def test_schema_matches_dataclass(table: str, cls: type) -> None:
    assert sorted(arrow_schema(table).names) == sorted(dataclass_fields(cls))
