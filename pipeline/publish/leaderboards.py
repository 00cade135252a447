"""Derived `leaderboards` table: boards per (task, dataset, metric, resolution, setting,
steps), ranking the papers' own absolute claims from abstracts and the curated results of
leaderboard exports together.

- From `results`: `proposed`, `absolute` values with a dataset and a metric of known
  direction; a paper keeps its best value on a board (`source` abstract).
- From `curated_results`: every row joined to a published paper, its dataset and metric put
  in canonical form where the gazetteers know them ("ImageNet-1k" -> ImageNet, "ImageNet
  256x256" -> ImageNet at resolution 256, "Top-1 Error" -> error rate), the curators' names
  kept where they do not; every row is its own entry, as on the curators' board (`source`
  curated).
  A metric the table does not know ranks lower-is-better when its name has a word of
  `gazetteers/lower_is_better.txt`, else higher-is-better.
- `task`: an abstract row's `results.task` (the task taxonomy's for its dataset and metric);
  a curated row's the curators' task, else the taxonomy's. Boards of both sources meet where
  the names agree (PwC names on both sides).

Ranks run 1..n on every board (ties share the smaller rank); `published` is the paper's date.
"""

from __future__ import annotations

import csv
from collections.abc import Mapping
from functools import cache
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import regex

from pipeline.config import GAZETTEER_DIR, METRICS_CSV
from pipeline.errors import GazetteerError
from pipeline.extract.resources import table_names
from pipeline.schemas import arrow_schema

GROUP = ["task", "dataset", "metric", "resolution", "setting", "steps"]
LOWER_WORDS = GAZETTEER_DIR / "lower_is_better.txt"
_RESOLUTION = regex.compile(r"^(.*?)[\s-]*(\d{2,4})\s*[x×]\s*\2$")


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


@cache
def _lower_words(path: Path = LOWER_WORDS) -> regex.Pattern[str]:
    words = [w.strip() for w in path.read_text(encoding="utf-8").splitlines()
             if w.strip() and not w.startswith("#")]
    return regex.compile(r"\b(?:" + "|".join(regex.escape(w) for w in words) + r")\b",
                         regex.IGNORECASE)


def direction_of(metric: str, directions: Mapping[str, str]) -> str:
    """The metric table's direction (a name with a cut-off, "NDCG@10", "Recall@20", as its
    table entry: NDCG, Recall@k), else the word rule for a name it does not know."""
    for name in table_names(metric):
        known = directions.get(name)
        if known is not None:
            return known
    return "lower" if _lower_words().search(metric) else "higher"


def _canonical_dataset(name: str | None) -> tuple[str | None, int | None]:
    """(canonical name or the name itself, resolution) of a curated dataset name."""
    from pipeline.extract import resources

    if not name:
        return None, None
    text = " ".join(name.split())
    m = _RESOLUTION.match(text)
    base, resolution = (m[1], int(m[2])) if m and m[1] else (text, None)
    gaz = resources.datasets()
    index = gaz.by_key.get(resources.fold(base))
    if index is None:
        return (base, resolution) if resolution else (text, None)
    return gaz.entries[index].name, resolution


def curated_board_rows(curated: pa.Table, published: Mapping[str, object] | None = None
                       ) -> pa.Table:
    """`curated_results` rows with a paper, in the leaderboards' columns (rank 0 until ranked);
    a row without a date takes its paper's."""
    from pipeline.extract.tasks import canonical_metric, task_of

    rows = []
    for r in curated.filter(pc.is_valid(curated["paper_id"])).to_pylist():
        dataset, resolution = _canonical_dataset(r["dataset"])
        if dataset is None:
            continue
        metric = canonical_metric(r["metric"]) or " ".join(str(r["metric"]).split())
        unit = r["unit"] or ""
        rows.append({
            "task": r["task"] or task_of(dataset, metric), "dataset": dataset, "metric": metric,
            "resolution": resolution, "setting": None, "steps": None, "rank": 0,
            "paper_id": r["paper_id"], "value": r["value"], "unit": r["unit"],
            "evidence": f"{r['source_file']} row {r['line']}: {r['metric']} {r['value']:g}{unit}",
            "model": r["model"], "source": "curated",
            "published": r["published"] or (published or {}).get(r["paper_id"]),
        })
    return pa.Table.from_pylist(rows, schema=arrow_schema("leaderboards"))


def leaderboard_candidates(results: pa.Table, directions: Mapping[str, str]) -> pa.Table:
    """The `results` rows a board takes (proposed, absolute, with a dataset and a metric of
    known direction), in order. Publish filters the results stream with it batch by batch,
    so only these rows are ever held."""
    keep = pc.and_(
        pc.and_(pc.equal(results["role"], "proposed"), pc.equal(results["kind"], "absolute")),
        pc.and_(pc.is_valid(results["dataset"]),
                pc.is_in(results["metric"], value_set=pa.array(list(directions), pa.string()))),
    )
    return results.filter(keep)


def abstract_board_rows(rows: pa.Table, published: Mapping[str, object] | None = None
                        ) -> pa.Table:
    """Candidate `results` rows (`leaderboard_candidates`) in the leaderboards' columns
    (rank 0 until ranked)."""
    schema = arrow_schema("leaderboards")
    n = rows.num_rows
    dates = [(published or {}).get(p) for p in rows.column("paper_id").to_pylist()]
    extra = {
        "rank": pa.array(np.zeros(n, dtype=np.int64)),
        "published": pa.array(dates, pa.date32()),
        "source": pa.array(["abstract"] * n, pa.string()),
    }
    return pa.Table.from_arrays(
        [extra[f.name] if f.name in extra else rows.column(f.name).cast(f.type)
         for f in schema], schema=schema)


def build_leaderboards(
    results: pa.Table,
    directions: Mapping[str, str],
    curated: pa.Table | None = None,
    published: Mapping[str, object] | None = None,
) -> pa.Table:
    """Every board's rows, best first, ranked 1..n.

    The ranking runs in pandas on the columns it needs; the rows it keeps are taken in
    Arrow, so the evidence strings never become Python objects (at 2.7M claim-dense
    abstracts they were most of publish's memory).
    """
    schema = arrow_schema("leaderboards")
    candidates = leaderboard_candidates(results, directions)
    parts = [abstract_board_rows(candidates, published)]
    # A paper's equal values on a board: the one stated first in the abstract is kept.
    starts = [candidates.column("start").to_numpy()]
    if curated is not None and curated.num_rows:
        parts.append(curated_board_rows(curated, published))
        starts.append(np.zeros(parts[-1].num_rows, dtype=np.int64))
    rows = pa.concat_tables(parts)
    if rows.num_rows == 0:
        return schema.empty_table()
    df = rows.select([*GROUP, "paper_id", "value", "model", "source"]).to_pandas()
    df["_row"] = np.arange(len(df))
    df["_start"] = np.concatenate(starts)
    lower = {m: direction_of(m, directions) == "lower" for m in df["metric"].unique()}
    df["_score"] = df["value"].where(df["metric"].map(lower).astype(bool), -df["value"])
    # A paper keeps its best abstract value per board; curated rows are all kept.
    df["_who"] = np.where(df["source"] == "curated", df["_row"], -1)
    df = df.sort_values(GROUP + ["_score", "paper_id", "source", "_start", "_row"],
                        na_position="first", kind="stable")
    df = df.drop_duplicates(GROUP + ["paper_id", "source", "_who"], keep="first")
    df["rank"] = (
        df.groupby(GROUP, dropna=False, sort=False)["_score"].rank(method="min").astype("int64")
    )
    df = df.sort_values(GROUP + ["rank", "paper_id", "source", "_row"], na_position="first",
                        kind="stable")
    out = rows.take(pa.array(df["_row"].to_numpy()))
    columns = [pa.array(df["rank"].to_numpy(), pa.int64()) if f.name == "rank"
               else out.column(f.name) for f in schema]
    return pa.Table.from_arrays(columns, schema=schema)

