"""Validate stage shell: normalise + extract outputs -> validated tables + quarantine.

Reads `<work>/normalise/papers.parquet` and extract's claim tables (with their
`*.spans.parquet` span verdicts); writes `<work>/validate/<table>.parquet` (the kept claim
rows), `papers_removed.parquet` (the paper rows removed, not a copy of the kept ones),
`quarantine.parquet` (one row per removed row, with its reason code) and `checks.json`.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline.config import METRICS_CSV, Config
from pipeline.errors import InputError
from pipeline.extract.stage import CLAIM_TABLES, SPAN_NEEDLE
from pipeline.io import ParquetSink, iter_batches, read_rows, read_table, write_json, write_table
from pipeline.progress import progress
from pipeline.records import StageResult
from pipeline.schemas import arrow_schema
from pipeline.validate.arrays import to_mask
from pipeline.validate.checks import (
    KnownIds,
    hash_ids,
    merge_checks,
    repeated_by_hash,
    unique_columns,
    validate_chunk,
)
from pipeline.validate.ranges import load_metric_ranges

VALIDATE_CHUNK = 65_536
"""Rows per validation chunk (GX costs ~0.1 s per call, so chunks stay large)."""


def run(cfg: Config) -> StageResult:
    """Validate stage shell: normalise + extract outputs -> validated tables + quarantine.

    Streams every table in chunks (`checks.validate_chunk`); of the papers it
    reads all but the abstracts (the span checks were made in extract, next to them), and
    writes the removed paper rows (`papers_removed.parquet`) instead of a copy of the kept
    ones: publish copies the papers once, leaving those out.
    """
    norm, ext, out = (cfg.stage_dir(s) for s in ("normalise", "extract", "validate"))
    papers_path = norm / "papers.parquet"
    paths = {t: ext / f"{t}.parquet" for t in CLAIM_TABLES}
    spans_paths = {t: ext / f"{t}.spans.parquet" for t in SPAN_NEEDLE}
    for p in [papers_path, *paths.values(), *spans_paths.values()]:
        if not p.exists():
            raise InputError(f"{p}: missing; run the earlier stages first")
    checks: list[dict[str, object]] = []
    counts: dict[str, int] = {}
    n_rejected = 0
    with ParquetSink(out / "quarantine.parquet", "quarantine") as quarantine:
        # Papers: all columns but the abstract; the repeated values of unique columns first.
        slim = [n for n in arrow_schema("papers").names if n != "abstract"]
        # Memory per paper: 8 bytes of hash per unique column (`repeated_by_hash`, `KnownIds`),
        # not the ids as strings and hash sets of them.
        repeated = {
            c: repeated_by_hash(
                partial(iter_batches, papers_path, 65_536, [c]),
                np.concatenate(
                    [np.empty(0, np.int64)]
                    + [hash_ids(b.column(0)) for b in iter_batches(papers_path, 65_536, [c])]
                ),
            )
            for c in unique_columns("papers")
        }
        kept_before: dict[str, set[object]] = {c: set() for c in repeated}
        removed: list[npt.NDArray[np.int64]] = []
        removed_ids: list[pa.Array] = []
        table_checks: list[dict[str, object]] = []
        start = 0
        batches = iter_batches(papers_path, VALIDATE_CHUNK, columns=slim)
        for batch in progress(batches, "validate papers", cfg.progress, unit="chunk"):
            chunk = pa.Table.from_batches([batch])
            args = {"repeated": repeated, "kept_before": kept_before, "row_offset": start}
            res = validate_chunk("papers", chunk, **args)  # type: ignore[arg-type]
            if res.removed.size:
                # Rare: the quarantine keeps the whole row, abstract included.
                full = read_rows(papers_path, start, start + chunk.num_rows)
                res = validate_chunk("papers", full, **args)  # type: ignore[arg-type]
            for c, values in res.kept_repeats.items():
                kept_before[c].update(values)
            removed.append(res.removed + start)
            removed_ids.append(chunk.column("paper_id").take(pa.array(res.removed)).combine_chunks())
            quarantine.add_rows(res.rejected)
            n_rejected += len(res.rejected)
            table_checks = merge_checks(table_checks, res.checks)
            start += chunk.num_rows
        if not start:
            empty = arrow_schema("papers").empty_table()
            table_checks = validate_chunk("papers", empty).checks
        checks.extend(table_checks)
        gone = np.concatenate(removed) if removed else np.empty(0, np.int64)
        gone_ids = pa.chunked_array(removed_ids, pa.string()).combine_chunks()
        write_table(
            out / "papers_removed.parquet",
            pa.table({"row": pa.array(gone, pa.int64()), "paper_id": gone_ids}),
        )
        counts["papers"] = start - int(gone.size)
        known_ids = KnownIds.of(iter_batches(papers_path, 65_536, ["paper_id"]), gone_ids)

        def papers_of(ids: pa.ChunkedArray) -> pa.Table:
            """paper_id, source_file and line of the papers with these ids: where a rejected
            claim comes from (read only for a chunk that has one)."""
            wanted = pc.unique(ids.combine_chunks())
            cols = ["paper_id", "source_file", "line"]
            parts = [
                pa.Table.from_batches([b]).filter(pc.is_in(b.column(0), value_set=wanted))
                for b in iter_batches(papers_path, 65_536, cols)
            ]
            return pa.concat_tables(parts) if parts else pq.read_schema(papers_path).empty_table()

        ranges = load_metric_ranges(METRICS_CSV)
        for t in CLAIM_TABLES:
            table_checks = []
            n_kept = 0
            spans_all = (
                to_mask(read_table(spans_paths[t]).column("span_ok"))
                if t in spans_paths
                else None
            )
            offset = 0
            with ParquetSink(out / f"{t}.parquet", t) as sink:
                batches = iter_batches(paths[t], VALIDATE_CHUNK)
                for batch in progress(batches, f"validate {t}", cfg.progress, unit="chunk"):
                    chunk = pa.Table.from_batches([batch])
                    span_ok = None
                    if spans_all is not None:
                        span_ok = spans_all[offset : offset + chunk.num_rows]
                    args = {"ranges": ranges, "known_ids": known_ids, "span_ok": span_ok,
                            "row_offset": offset}
                    res = validate_chunk(t, chunk, **args)  # type: ignore[arg-type]
                    if res.removed.size:
                        # Rare: the rejections name their paper's file and line.
                        papers_in = papers_of(chunk.column("paper_id"))
                        res = validate_chunk(t, chunk, papers_in=papers_in, **args)  # type: ignore[arg-type]
                    offset += chunk.num_rows
                    sink.add_table(res.kept)
                    n_kept += res.kept.num_rows
                    quarantine.add_rows(res.rejected)
                    n_rejected += len(res.rejected)
                    table_checks = merge_checks(table_checks, res.checks)
            if not table_checks:
                empty_spans = np.zeros(0, np.bool_) if t in spans_paths else None
                table_checks = validate_chunk(
                    t,
                    arrow_schema(t).empty_table(),
                    ranges=ranges,
                    known_ids=known_ids,
                    span_ok=empty_spans,
                ).checks
            checks.extend(table_checks)
            counts[t] = n_kept
    write_json(out / "checks.json", checks)
    counts["quarantined"] = n_rejected
    return StageResult(
        "validate",
        counts,
        ("papers_removed.parquet", "quarantine.parquet", "checks.json")
        + tuple(f"{t}.parquet" for t in CLAIM_TABLES),
    )
