"""Derived `leaderboards` table: proposed, absolute claims ranked per benchmark setting."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa

from pipeline.config import METRICS_CSV
from pipeline.errors import GazetteerError
from pipeline.schemas import arrow_schema

GROUP = ["dataset", "metric", "resolution", "setting", "steps"]


@cache
def metric_directions(path: Path = METRICS_CSV) -> dict[str, str]:
    """Canonical metric -> `lower` or `higher` (which way is better)."""
    out: dict[str, str] = {}
    with path.open(encoding="utf-8", newline="") as fh:
        for lineno, row in enumerate(csv.DictReader(fh), start=2):
            direction = (row.get("direction") or "").strip()
            if direction not in ("lower", "higher", ""):
                raise GazetteerError(f"{path}:{lineno}: direction must be lower/higher")
            if direction:
                out[row["metric"].strip()] = direction
    return out


def build_leaderboards(results: pa.Table, directions: dict[str, str]) -> pa.Table:
    """One row per (dataset, metric, resolution, setting, steps) and paper, best first.

    Only the paper's own (`proposed`) absolute values with a dataset and a metric of known
    direction; a paper with several values in one group keeps its best. The ranking runs in
    pandas on the columns it needs; the rows it keeps are taken from `results` in Arrow, so
    the evidence strings never become Python objects (at 2.7M claim-dense abstracts they
    were most of publish's memory).
    """
    schema = arrow_schema("leaderboards")
    if results.num_rows == 0:
        return schema.empty_table()
    df = results.select([*GROUP, "role", "kind", "paper_id", "value", "start"]).to_pandas()
    df["_row"] = np.arange(len(df))
    df = df[
        (df["role"] == "proposed")
        & (df["kind"] == "absolute")
        & df["dataset"].notna()
        & df["metric"].isin(list(directions))
    ].copy()
    if df.empty:
        return schema.empty_table()
    df["_lower"] = df["metric"].map(lambda m: directions[m] == "lower")
    # Sort so the best value of each paper in each group comes first, then keep it.
    df["_score"] = df["value"].where(df["_lower"], -df["value"])
    df = df.sort_values(GROUP + ["_score", "paper_id", "start"], na_position="first", kind="stable")
    df = df.drop_duplicates(GROUP + ["paper_id"], keep="first")
    df["rank"] = (
        df.groupby(GROUP, dropna=False, sort=False)["_score"].rank(method="min").astype("int64")
    )
    df = df.sort_values(GROUP + ["rank", "paper_id"], na_position="first", kind="stable")
    out = results.take(pa.array(df["_row"].to_numpy()))
    columns = [
        pa.array(df["rank"].to_numpy(), pa.int64()) if f.name == "rank"
        else out.column(f.name).cast(f.type)
        for f in schema
    ]
    return pa.Table.from_arrays(columns, schema=schema)
