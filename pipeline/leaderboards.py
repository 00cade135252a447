"""Derived `leaderboards` table: proposed, absolute claims ranked per benchmark setting."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

import pyarrow as pa

from pipeline.errors import GazetteerError
from pipeline.schemas import arrow_schema

METRICS_CSV = Path(__file__).resolve().parent.parent / "gazetteers" / "metrics.csv"
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
    direction; a paper with several values in one group keeps its best.
    """
    schema = arrow_schema("leaderboards")
    df = results.to_pandas()
    if df.empty:
        return schema.empty_table()
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
    cols = [f.name for f in schema]
    out = df[cols].astype(object).where(df[cols].notna(), None)
    return pa.Table.from_pylist(out.to_dict("records"), schema=schema)
