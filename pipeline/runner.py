"""Runs the stages in order, reusing a stage's cached output when nothing it depends on changed.

A stage's cache key is the sha256 of: the content hashes of the raw inputs, the code
version (every file of `pipeline/`), the gazetteer and schema files, and the options that
change its output. The key and the stage's counts are stored next to its outputs
(`<work>/<stage>/.done.json`) only after the stage succeeded, so a crash mid-stage never
leaves a key that lies. Publish is never skipped: it is cheap and its destination may differ.
"""

from __future__ import annotations

import hashlib
import json
import logging
import sys
import time
from collections.abc import Callable
from pathlib import Path

from pipeline.cache import code_version
from pipeline.config import Config
from pipeline.io import read_json, sha256_file, write_json
from pipeline.records import StageResult

log = logging.getLogger(__name__)

StageFn = Callable[[Config], StageResult]
STAGE_NAMES = ("ingest", "normalise", "extract", "validate", "publish")
ROOT = Path(__file__).resolve().parent.parent


def stage_fn(name: str) -> StageFn:
    if name == "ingest":
        from pipeline.ingest.stage import run as ingest_run

        return ingest_run
    if name == "normalise":
        from pipeline.normalise.stage import run as normalise_run

        return normalise_run
    if name == "extract":
        from pipeline.extract.stage import run as extract_run

        return extract_run
    if name == "validate":
        return validate_run
    if name == "publish":
        from pipeline.publish import run as publish_run

        return publish_run
    raise ValueError(f"unknown stage {name!r}")


def inputs_fingerprint(raw_dir: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(raw_dir.rglob("*")):
        if p.is_file() and not any(part.startswith(".") for part in p.relative_to(raw_dir).parts):
            h.update(p.relative_to(raw_dir).as_posix().encode() + b"\0")
            h.update(sha256_file(p).encode())
    return h.hexdigest()


def stage_key(cfg: Config, stage: str, inputs: str) -> str:
    doc = {"stage": stage, "code": code_version(), "inputs": inputs, "batch": cfg.batch_size}
    return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()


def _cached(cfg: Config, stage: str, key: str) -> StageResult | None:
    done = cfg.stage_dir(stage) / ".done.json"
    if not done.exists():
        return None
    data = read_json(done)
    if data.get("key") != key:
        return None
    return StageResult(stage, {**data["counts"], "cached": 1})


def _mark_done(cfg: Config, stage: str, key: str, res: StageResult) -> None:
    write_json(cfg.stage_dir(stage) / ".done.json", {"key": key, "counts": res.counts})


def run_stage(cfg: Config, name: str, inputs: str | None = None) -> tuple[StageResult, float]:
    """Run one stage (or reuse its cache); return its result and wall seconds."""
    t0 = time.perf_counter()
    if name == "publish":
        res = stage_fn(name)(cfg)
        return res, time.perf_counter() - t0
    key = stage_key(cfg, name, inputs or inputs_fingerprint(cfg.raw_dir))
    cached = _cached(cfg, name, key)
    if cached is not None:
        return cached, time.perf_counter() - t0
    done = cfg.stage_dir(name) / ".done.json"
    done.unlink(missing_ok=True)
    res = stage_fn(name)(cfg)
    _mark_done(cfg, name, key, res)
    return res, time.perf_counter() - t0


def run_all(
    cfg: Config, on_result: Callable[[StageResult], None] | None = None
) -> list[StageResult]:
    results = []
    timings: dict[str, float] = {}
    inputs = inputs_fingerprint(cfg.raw_dir) if cfg.raw_dir.is_dir() else "missing"
    try:
        for name in STAGE_NAMES:
            res, seconds = run_stage(cfg, name, inputs)
            timings[name] = round(seconds, 3)
            log.debug("%s took %.2fs", name, seconds)
            if on_result:
                on_result(res)
            results.append(res)
            if name in PARALLEL_STAGES:
                # Fresh local workers per stage (and the main process's freed Arrow memory
                # handed back): what a stage's workers kept would otherwise stay in memory
                # through the next stages, more of it the larger the corpus.
                release_workers(dask=name == PARALLEL_STAGES[-1])
    finally:
        release_workers()
    if "pipeline.publish" in sys.modules:
        for part, seconds in sys.modules["pipeline.publish"].TIMINGS.items():
            timings[f"publish.{part}"] = seconds
    write_json(cfg.work_dir / "timings.json", timings)
    return results


PARALLEL_STAGES = ("ingest", "normalise", "extract")
"""The stages that map work over batches on the engine (in order)."""


def release_workers(dask: bool = True) -> None:
    """Stop the local engine's workers (and with `dask`, close the Dask clients); give the
    Arrow memory the main process freed back to the system."""
    from pipeline import engine

    engine.shutdown()
    if dask and "pipeline.dask_engine" in sys.modules:
        sys.modules["pipeline.dask_engine"].close_clients()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()


VALIDATE_CHUNK = 65_536
"""Rows per validation chunk (GX costs ~0.1 s per call, so chunks stay large)."""


def validate_run(cfg: Config) -> StageResult:
    """Validate stage shell: normalise + extract outputs -> validated tables + quarantine.

    Streams every table in chunks (`pipeline.validate.validate_chunk`); of the papers it
    reads all but the abstracts (the span checks were made in extract, next to them), and
    writes the removed paper rows (`papers_removed.parquet`) instead of a copy of the kept
    ones: publish copies the papers once, leaving those out.
    """
    from functools import partial

    import numpy as np
    import numpy.typing as npt
    import pyarrow as pa
    import pyarrow.compute as pc
    import pyarrow.parquet as pq

    from pipeline.errors import InputError
    from pipeline.extract.stage import CLAIM_TABLES, SPAN_NEEDLE
    from pipeline.io import ParquetSink, iter_batches, read_rows, read_table, write_table
    from pipeline.leaderboards import METRICS_CSV
    from pipeline.schemas import arrow_schema
    from pipeline.validate import (
        KnownIds,
        hash_ids,
        load_metric_ranges,
        merge_checks,
        repeated_by_hash,
        unique_columns,
        validate_chunk,
    )

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
        for batch in iter_batches(papers_path, VALIDATE_CHUNK, columns=slim):
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
                pc.fill_null(read_table(spans_paths[t]).column("span_ok"), False)
                .to_numpy()
                .astype(np.bool_)
                if t in spans_paths
                else None
            )
            offset = 0
            with ParquetSink(out / f"{t}.parquet", t) as sink:
                for batch in iter_batches(paths[t], VALIDATE_CHUNK):
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
