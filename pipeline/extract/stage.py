"""Extract stage shell: `papers` -> claim tables, mapped over batches by the engine."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pipeline.config import Config
from pipeline.engine import map_batches
from pipeline.errors import InputError
from pipeline.io import iter_batches, write_table
from pipeline.records import Paper, StageResult
from pipeline.schemas import to_table

CLAIM_TABLES = ("code_links", "dataset_mentions", "resolutions", "results")
SORT_KEYS: dict[str, list[str]] = {
    "code_links": ["paper_id", "url"],
    "dataset_mentions": ["paper_id", "start", "dataset"],
    "resolutions": ["paper_id", "start", "pixels"],
    "results": ["paper_id", "start", "end", "metric", "value"],
}


def paper_from_row(row: dict[str, object]) -> Paper:
    return Paper(
        paper_id=str(row["paper_id"]),
        title=str(row["title"]),
        authors=tuple(row["authors"] or ()),  # type: ignore[arg-type]
        abstract=row["abstract"],  # type: ignore[arg-type]
        source_file=str(row["source_file"]),
        source_format=str(row["source_format"]),
        line=int(row["line"]),  # type: ignore[call-overload]
        arxiv_id=row["arxiv_id"],  # type: ignore[arg-type]
        urls=tuple(row["urls"] or ()),  # type: ignore[arg-type]
        sources=tuple(row["sources"] or ()),  # type: ignore[arg-type]
    )


def extract_batch(batch: pa.RecordBatch) -> dict[str, pa.Table]:
    """Pure: one batch of `papers` rows -> the four claim tables for it."""
    from pipeline.extract import extract_paper

    rows: dict[str, list[object]] = {t: [] for t in CLAIM_TABLES}
    for row in batch.to_pylist():
        ex = extract_paper(paper_from_row(row))
        rows["code_links"].extend(ex.code_links)
        rows["dataset_mentions"].extend(ex.dataset_mentions)
        rows["resolutions"].extend(ex.resolutions)
        rows["results"].extend(ex.results)
    return {t: to_table(t, r) for t, r in rows.items()}


def sort_table(name: str, table: pa.Table) -> pa.Table:
    keys = [k for k in SORT_KEYS[name] if k in table.column_names]
    return table.sort_by([(k, "ascending") for k in keys])


def run(cfg: Config) -> StageResult:
    src = cfg.stage_dir("normalise") / "papers.parquet"
    if not src.exists():
        raise InputError(f"{src}: missing; run the normalise stage first")
    out = cfg.stage_dir("extract")
    parts: dict[str, list[pa.Table]] = {t: [] for t in CLAIM_TABLES}
    batches = iter_batches(src, cfg.batch_size)
    for tables in map_batches(extract_batch, batches, cfg.workers, cfg.engine, cfg.scheduler):
        for t in CLAIM_TABLES:
            parts[t].append(tables[t])
    n_papers = _count_rows(src)
    counts: dict[str, int] = {"papers": n_papers}
    for t in CLAIM_TABLES:
        table = pa.concat_tables(parts[t]) if parts[t] else to_table(t, [])
        table = sort_table(t, table)
        write_table(out / f"{t}.parquet", table)
        counts[t] = table.num_rows
    return StageResult("extract", counts, tuple(f"{t}.parquet" for t in CLAIM_TABLES))


def _count_rows(path: Path) -> int:
    return int(pq.ParquetFile(path).metadata.num_rows)
