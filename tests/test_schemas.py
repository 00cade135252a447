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


def _encodings(path: Path) -> dict[str, set[str]]:
    import pyarrow.parquet as pq

    md = pq.ParquetFile(path).metadata
    out: dict[str, set[str]] = {}
    for g in range(md.num_row_groups):
        for c in range(md.num_columns):
            col = md.row_group(g).column(c)
            out.setdefault(col.path_in_schema, set()).update(col.encodings)
    return out


def test_plain_columns_are_written_without_a_dictionary(tmp_path: Path) -> None:
    """`"dictionary": false` fields are written plain; every other column (nested ones
    by their leaf path) keeps its dictionary, and streamed and whole files agree."""
    import pyarrow as pa

    from pipeline.io import ParquetSink, write_table
    from pipeline.schemas import plain_columns

    assert plain_columns("papers") == {"title", "abstract"}
    assert plain_columns("results") == frozenset()  # evidence repeats (a sentence, 2 results)
    rows = [
        {"paper_id": f"p{i}", "title": f"Title {i}", "authors": ["A. B.", "C. D."],
         "abstract": f"Abstract number {i} with words.", "source_file": "f.jsonl",
         "source_format": "arxiv_jsonl", "line": i, "arxiv_id": None, "urls": [],
         "sources": [f"f.jsonl:{i}"], "categories": []}
        for i in range(50)
    ]
    table = pa.Table.from_pylist(rows, schema=arrow_schema("papers"))
    write_table(tmp_path / "whole.parquet", table)
    with ParquetSink(tmp_path / "streamed.parquet", "papers") as sink:
        sink.add_table(table.slice(0, 20))
        sink.add_table(table.slice(20))
    assert (tmp_path / "whole.parquet").read_bytes() == (tmp_path / "streamed.parquet").read_bytes()
    enc = _encodings(tmp_path / "whole.parquet")
    for col in ("title", "abstract"):
        assert "RLE_DICTIONARY" not in enc[col], col
    for col in ("paper_id", "source_file", "authors.list.element", "sources.list.element"):
        assert "RLE_DICTIONARY" in enc[col], col


def test_dictionary_flag_must_be_a_boolean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipeline import schemas
    from pipeline.errors import SchemaFileError

    spec = json.loads((schemas.SCHEMA_DIR / "papers.json").read_text(encoding="utf-8"))
    spec["fields"][0]["dictionary"] = "no"
    (tmp_path / "papers.json").write_text(json.dumps(spec), encoding="utf-8")
    monkeypatch.setattr(schemas, "SCHEMA_DIR", tmp_path)
    schemas.table_spec.cache_clear()
    try:
        with pytest.raises(SchemaFileError, match="'dictionary' must be a boolean"):
            schemas.table_spec("papers")
    finally:
        schemas.table_spec.cache_clear()
