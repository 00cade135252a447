"""Extract stage shell: `papers` -> claim tables, mapped over batches by the engine.

Batches never span two ingest parts (a part is one source file, or a bundle of many small
ones: `ingest.stage.plan_parts`), and each batch's output is cached under the sha256
of its content (and the code version), so a re-run after one input file changed extracts
only that file's batches. Claims are written in paper order, each paper's sorted on
stable keys (`SORT_KEYS`): the order depends on neither the batch size nor the engine.

Evidence and mentions are checked against the abstract here, where it is in hand
(`<table>.spans.parquet`, one `span_ok` per claim row); validate then needs only the ids,
titles and sources of the papers, never their abstracts.
"""

from __future__ import annotations

import logging
import os
import shutil
from collections import deque
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.cache import batch_digest, keep_only, key_of
from pipeline.config import Config
from pipeline.engine.engine import map_batches
from pipeline.errors import InputError
from pipeline.io import ParquetSink, count_rows, iter_batches, read_json, read_table, write_table
from pipeline.progress import progress
from pipeline.records import Paper, StageResult
from pipeline.schemas import arrow_schema

log = logging.getLogger(__name__)

CLAIM_TABLES = ("code_links", "dataset_mentions", "resolutions", "results")
SORT_KEYS: dict[str, list[str]] = {
    "code_links": ["paper_id", "url"],
    "dataset_mentions": ["paper_id", "start", "dataset"],
    "resolutions": ["paper_id", "start", "pixels"],
    "results": ["paper_id", "start", "end", "metric", "value"],
}
SPAN_NEEDLE = {"dataset_mentions": "mention", "resolutions": "mention", "results": "evidence"}
"""Claim tables whose `needle` column must be `abstract[start:end]` (mentions: or title)."""
SPANS_SCHEMA = pa.schema([pa.field("span_ok", pa.bool_(), nullable=False)])
_POS = "__paper_position"


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


def is_span(text: str | None, needle: str | None, start: int | None, end: int | None) -> bool:
    """`needle == text[start:end]` with code point offsets inside the text (as validate)."""
    if text is None or needle is None or start is None or end is None:
        return False
    return 0 <= start <= end <= len(text) and text[start:end] == needle


@dataclass(frozen=True, slots=True)
class ExtractedBatch:
    """The claim tables of one batch of papers, in output order, with their span checks."""

    tables: dict[str, pa.Table]
    span_ok: dict[str, pa.Array]
    """Per table of `SPAN_NEEDLE`: does each row's needle sit at its offsets."""


def extract_batch(batch: pa.RecordBatch | None) -> ExtractedBatch | None:
    """Pure: one batch of `papers` rows -> the four claim tables for it (None -> None)."""
    if batch is None:  # a cached batch: nothing to do (see `run`)
        return None
    from pipeline.extract import extract_paper, kept_for
    from pipeline.io import table_from_rows

    rows: dict[str, list[object]] = {t: [] for t in CLAIM_TABLES}
    positions: dict[str, list[int]] = {t: [] for t in CLAIM_TABLES}
    spans: dict[str, list[bool]] = {t: [] for t in SPAN_NEEDLE}
    papers = [paper_from_row(row) for row in batch.to_pylist()]
    with kept_for([p.abstract for p in papers if isinstance(p.abstract, str)]):
        extracted = [extract_paper(p) for p in papers]
    for pos, (paper, ex) in enumerate(zip(papers, extracted, strict=True)):
        found: dict[str, tuple[object, ...]] = {
            "code_links": ex.code_links,
            "dataset_mentions": ex.dataset_mentions,
            "resolutions": ex.resolutions,
            "results": ex.results,
        }
        for t, items in found.items():
            rows[t].extend(items)
            positions[t].extend([pos] * len(items))
        abstract, title = paper.abstract, paper.title
        for d in ex.dataset_mentions:
            ok = is_span(abstract, d.mention, d.start, d.end)
            spans["dataset_mentions"].append(ok or is_span(title, d.mention, d.start, d.end))
        for r in ex.resolutions:
            ok = is_span(abstract, r.mention, r.start, r.end)
            spans["resolutions"].append(ok or is_span(title, r.mention, r.start, r.end))
        spans["results"].extend(is_span(abstract, c.evidence, c.start, c.end) for c in ex.results)
    tables: dict[str, pa.Table] = {}
    span_ok: dict[str, pa.Array] = {}
    for t in CLAIM_TABLES:
        table = table_from_rows(t, rows[t])
        table = table.append_column(_POS, pa.array(positions[t], pa.int64()))
        if t in SPAN_NEEDLE:
            table = table.append_column("span_ok", pa.array(spans[t], pa.bool_()))
        keys = [k for k in SORT_KEYS[t] if k != "paper_id"]
        table = table.sort_by([(_POS, "ascending")] + [(k, "ascending") for k in keys])
        if t in SPAN_NEEDLE:
            span_ok[t] = table.column("span_ok").combine_chunks()
        tables[t] = table.select(arrow_schema(t).names)
    return ExtractedBatch(tables, span_ok)


def sort_table(name: str, table: pa.Table) -> pa.Table:
    keys = [k for k in SORT_KEYS[name] if k in table.column_names]
    return table.sort_by([(k, "ascending") for k in keys])


def papers_batches(path: Path, batch_size: int, part_of: Mapping[str, int] | None = None
                   ) -> Iterator[pa.RecordBatch]:
    """The papers in order, in batches of `batch_size` that never span two source files, or
    with `part_of` (source file -> ingest part) two parts."""
    buf: list[pa.RecordBatch] = []
    n = 0
    current: object = None

    def emit() -> pa.RecordBatch:
        nonlocal buf, n
        out = pa.Table.from_batches(buf).combine_chunks().to_batches()[0]
        buf, n = [], 0
        return out

    for rb in iter_batches(path, batch_size):
        files = rb.column("source_file")
        change = np.flatnonzero(
            pc.not_equal(files.slice(1), files.slice(0, len(files) - 1)).to_numpy(
                zero_copy_only=False
            )
        )
        bounds = [0, *(change + 1).tolist(), rb.num_rows]
        for lo, hi in zip(bounds, bounds[1:], strict=False):
            if lo == hi:
                continue
            run = rb.slice(lo, hi - lo)
            name = run.column("source_file")[0].as_py()
            group = part_of.get(name, name) if part_of is not None else name
            if group != current and n:
                yield emit()
            current = group
            while run.num_rows:
                take = min(batch_size - n, run.num_rows)
                buf.append(run.slice(0, take))
                n += take
                run = run.slice(take)
                if n == batch_size:
                    yield emit()
    if n:
        yield emit()


def _save(cache_dir: Path, key: str, res: ExtractedBatch) -> None:
    tmp = cache_dir / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    for t, table in res.tables.items():
        if t in res.span_ok:
            table = table.append_column("span_ok", res.span_ok[t])
        write_table(tmp / f"{t}.parquet", table)
    try:
        os.replace(tmp, cache_dir / key)
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)


def _load(cache_dir: Path, key: str) -> ExtractedBatch:
    tables: dict[str, pa.Table] = {}
    span_ok: dict[str, pa.Array] = {}
    for t in CLAIM_TABLES:
        table = read_table(cache_dir / key / f"{t}.parquet")
        if t in SPAN_NEEDLE:
            span_ok[t] = table.column("span_ok").combine_chunks()
        tables[t] = table.select(arrow_schema(t).names).cast(arrow_schema(t))
    return ExtractedBatch(tables, span_ok)


def ingest_parts(cfg: Config) -> dict[str, int] | None:
    """Source file -> index of its ingest part (None without ingest's `parts.json`)."""
    path = cfg.stage_dir("ingest") / "parts.json"
    if not path.exists():
        return None
    return {name: i for i, part in enumerate(read_json(path)) for name in part["names"]}


def run(cfg: Config) -> StageResult:
    src = cfg.stage_dir("normalise") / "papers.parquet"
    if not src.exists():
        raise InputError(f"{src}: missing; run the normalise stage first")
    out = cfg.stage_dir("extract")
    cache_dir = out / "cache"
    cache_dir.mkdir(parents=True, exist_ok=True)
    meta: deque[tuple[str, bool]] = deque()
    used: list[str] = []

    def jobs() -> Iterator[pa.RecordBatch | None]:
        for batch in papers_batches(src, cfg.batch_size, ingest_parts(cfg)):
            key = key_of("extract-batch", batch_digest(batch))
            hit = (cache_dir / key).is_dir()
            meta.append((key, hit))
            yield None if hit else batch

    sinks = {t: ParquetSink(out / f"{t}.parquet", t) for t in CLAIM_TABLES}
    spans = {t: ParquetSink(out / f"{t}.spans.parquet", SPANS_SCHEMA) for t in SPAN_NEEDLE}
    extracted = reused = 0
    try:
        results = map_batches(extract_batch, jobs(), cfg.workers, cfg.engine, cfg.scheduler)
        # No total: batches never span two parts, so their count is known only at the end.
        for res in progress(results, "extract", cfg.progress, unit="batch"):
            key, hit = meta.popleft()
            used.append(key)
            if res is None:
                res = _load(cache_dir, key)
                reused += 1
            else:
                _save(cache_dir, key, res)
                extracted += 1
            for t in CLAIM_TABLES:
                sinks[t].add_table(res.tables[t])
                if t in spans:
                    spans[t].add_table(pa.table({"span_ok": res.span_ok[t]}, schema=SPANS_SCHEMA))
    except BaseException as e:
        for sink in [*sinks.values(), *spans.values()]:
            sink.__exit__(type(e), e, None)
        raise
    for sink in [*sinks.values(), *spans.values()]:
        sink.__exit__(None, None, None)
    keep_only(cache_dir, used)
    counts: dict[str, int] = {"papers": count_rows(src)}
    for t in CLAIM_TABLES:
        counts[t] = sinks[t].count
    counts["batches_extracted"] = extracted
    counts["batches_reused"] = reused
    log.debug("extract: %d batches extracted, %d reused", extracted, reused)
    outputs = tuple(f"{t}.parquet" for t in CLAIM_TABLES)
    return StageResult("extract", counts, outputs + tuple(f"{t}.spans.parquet" for t in spans))
