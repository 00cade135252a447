"""Load a release in one line: `pipeline.load(dir)` -> {table name: DataFrame}.

Column dtypes follow the release contract, not pandas inference: Arrow `string` ->
pandas `string`, `int64` -> `int64` (`Int64` when nullable, so a missing steps count stays
`<NA>` instead of turning the column into floats), `double` -> `float64`, `bool` -> `bool`
(`boolean` when nullable), `date32` -> `datetime64[ns]` (`NaT` when missing),
`list<string>` -> Python lists.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.errors import InputError
from pipeline.io import read_json, sha256_file
from pipeline.schemas import RELEASE_TABLES


def pandas_dtype(arrow_type: pa.DataType, nullable: bool) -> str | None:
    """The pandas dtype of one contract column; None for list columns (Python lists)."""
    if pa.types.is_string(arrow_type) or pa.types.is_large_string(arrow_type):
        return "string"
    if pa.types.is_integer(arrow_type):
        return "Int64" if nullable else "int64"
    if pa.types.is_floating(arrow_type):
        return "float64"
    if pa.types.is_boolean(arrow_type):
        return "boolean" if nullable else "bool"
    if pa.types.is_date(arrow_type):
        return "datetime64[ns]"
    if pa.types.is_list(arrow_type) or pa.types.is_large_list(arrow_type):
        return None
    return "object"


def to_frame(table: pa.Table) -> pd.DataFrame:
    """An Arrow table as a DataFrame with the contract's dtypes (see the module doc)."""
    columns: dict[str, pd.Series[Any]] = {}
    for field, column in zip(table.schema, table.columns, strict=True):
        dtype = pandas_dtype(field.type, field.nullable)
        if dtype is None or dtype == "object":
            columns[field.name] = pd.Series(column.to_pylist(), dtype=object)
            continue
        extension = pd.api.types.pandas_dtype(dtype)
        mapper = {field.type: extension}.get if dtype in ("string", "Int64", "boolean") else None
        frame = pa.table({field.name: column}).to_pandas(types_mapper=mapper)
        columns[field.name] = frame[field.name].astype(extension)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))


def resolve_release(release_dir: str | Path) -> Path:
    """The release folder itself, or `DIR/latest` when given a processed folder."""
    folder = Path(release_dir).expanduser()
    if (folder / "manifest.json").is_file():
        return folder
    if (folder / "latest" / "manifest.json").is_file():
        return folder / "latest"
    raise InputError(
        f"{folder}: not a paperclaims release (no manifest.json); build one with `make run` "
        "or `python -m pipeline run --raw-dir DIR --out-dir DIR`"
    )


def release_tables(folder: Path) -> list[str]:
    """Table names of a release, in the contract's order, extra tables last."""
    manifest = read_json(folder / "manifest.json")
    names = list(manifest.get("tables", {})) or [p.stem for p in sorted(folder.glob("*.parquet"))]
    return [n for n in RELEASE_TABLES if n in names] + sorted(set(names) - set(RELEASE_TABLES))


def load(
    release_dir: str | Path,
    tables: Iterable[str] | None = None,
    *,
    verify: bool = False,
) -> dict[str, pd.DataFrame]:
    """Every table of a release (or only `tables`) as pandas DataFrames.

    release_dir: a release folder, or a processed folder holding `latest`.
    verify: check each file's sha256 against `manifest.json` first.
    """
    folder = resolve_release(release_dir)
    available = release_tables(folder)
    wanted = list(tables) if tables is not None else available
    unknown = [t for t in wanted if t not in available]
    if unknown:
        raise InputError(f"{folder}: no table {unknown}; the release has {available}")
    manifest = read_json(folder / "manifest.json") if verify else {}
    out: dict[str, pd.DataFrame] = {}
    for name in wanted:
        path = folder / f"{name}.parquet"
        if verify:
            expected = manifest["tables"][name]["sha256"]
            if sha256_file(path) != expected:
                raise InputError(f"{path}: sha256 differs from manifest.json; the file changed")
        out[name] = to_frame(pq.read_table(path))
    return out

