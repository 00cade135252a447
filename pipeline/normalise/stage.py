"""Normalise stage shell: ingest's record chunks -> `papers`, `rejected`, `merged.json`.

Reads `<work>/ingest/parts.json` and its chunks; writes `<work>/normalise/papers.parquet`
(repaired, one row per paper, duplicates merged), `rejected.parquet` (records without a
title after repair) and `merged.json` (records merged into another, per source file).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from functools import partial

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.io import read_json, write_json
from pipeline.normalise.columns import repair_chunk
from pipeline.normalise.dedup import merge_drafts, shared_key_rows
from pipeline.normalise.rows import Repaired, repaired_from_row
from pipeline.progress import progress
from pipeline.records import Paper, StageResult

log = logging.getLogger(__name__)


# ----------------------------------------------------------------------------- stage shell
#
# Three passes, memory bounded by a chunk, not by the corpus:
# 1. repair: every ingest chunk is repaired on the engine (pure, cached per chunk) into a
#    `repaired/<chunk>.parquet` of `papers` rows plus two 8-byte key hashes per row (title
#    key, arXiv id);
# 2. keys: only the hashes are loaded; a row whose keys are all unique cannot merge with
#    anything, so it is its own paper. The few rows sharing a hash (duplicates, or a hash
#    collision) are merged exactly by `merge_drafts`, on their full keys;
# 3. emit: the repaired rows are copied in order into `papers.parquet`, a duplicate group
#    written once at its first record, as `merge_records` would.



def run(cfg: Config) -> StageResult:
    from pipeline.cache import keep_only, key_of
    from pipeline.engine.engine import map_batches
    from pipeline.ingest.stage import record_chunks
    from pipeline.io import (
        ParquetSink,
        count_rows,
        iter_batches,
        read_table,
        table_from_rows,
        write_bytes,
        write_table,
    )
    from pipeline.schemas import arrow_schema, to_row

    src = cfg.stage_dir("ingest") / "parts.json"
    if not src.exists():
        raise InputError(f"{src}: missing; run the ingest stage first")
    out = cfg.stage_dir("normalise")
    rep_dir = out / "repaired"
    wanted = list(cfg.categories)
    chunks = [(key_of("normalise-repair", key, wanted), path) for key, path in record_chunks(cfg)]

    t0 = time.perf_counter()
    # 1. repair (cached per chunk: the key is the ingest chunk's, itself content-addressed)
    todo = [(k, p) for k, p in chunks if not (rep_dir / f"{k}.parquet").exists()]
    payloads = (p.read_bytes() for _, p in todo)
    repair = partial(repair_chunk, categories=cfg.categories)
    results = map_batches(repair, payloads, cfg.workers, cfg.engine, cfg.scheduler)
    results = progress(results, "normalise", cfg.progress, unit="chunk", total=len(todo))
    for (key, _), res in zip(todo, results, strict=True):
        if res.rejected:
            write_table(
                rep_dir / f"{key}.rejected.parquet", table_from_rows("quarantine", res.rejected)
            )
        if res.filtered:
            write_json(rep_dir / f"{key}.filtered.json", res.filtered)
        write_bytes(rep_dir / f"{key}.parquet", res.repaired)  # last: marks the chunk done
    names = (".parquet", ".rejected.parquet", ".filtered.json")
    keep_only(rep_dir, [f"{k}{n}" for k, _ in chunks for n in names])
    filtered: dict[str, int] = {}
    for k, _ in chunks:
        if (rep_dir / f"{k}.filtered.json").exists():
            for name, n in read_json(rep_dir / f"{k}.filtered.json").items():
                filtered[name] = filtered.get(name, 0) + int(n)
    write_json(out / "filtered.json", dict(sorted(filtered.items())))

    t1 = time.perf_counter()
    # 2. keys
    files = [rep_dir / f"{k}.parquet" for k, _ in chunks]
    t_parts, a_parts, has_parts = [], [], []
    for f in files:
        keys = read_table(f, columns=["key_t", "key_a"])
        t_parts.append(keys.column("key_t").to_numpy())
        key_a = keys.column("key_a")
        has_parts.append(pc.is_valid(key_a).to_numpy(zero_copy_only=False))
        a_parts.append(pc.fill_null(key_a, 0).to_numpy())
    key_t = np.concatenate(t_parts) if t_parts else np.empty(0, np.uint64)
    key_a = np.concatenate(a_parts) if a_parts else np.empty(0, np.uint64)
    has_a = np.concatenate(has_parts) if has_parts else np.empty(0, np.bool_)
    del t_parts, a_parts, has_parts
    shared = shared_key_rows(key_t, key_a, has_a)
    del key_t, key_a, has_a

    # Exact merge of the rows that share a key hash.
    groups: dict[int, Paper] = {}
    merged: dict[str, int] = {}
    if shared.any():

        def shared_rows() -> Iterator[tuple[int, Repaired]]:
            start = 0
            for f in files:
                n = count_rows(f)
                rows = np.flatnonzero(shared[start : start + n])
                if rows.size:
                    table = read_table(f).take(pa.array(rows))
                    for i, row in zip(rows.tolist(), table.to_pylist(), strict=True):
                        yield start + i, repaired_from_row(row)
                start += n

        drafts, merged = merge_drafts(shared_rows())
        groups = {d.position: d.to_paper() for d in drafts}

    t2 = time.perf_counter()
    # 3. emit
    names = arrow_schema("papers").names
    with ParquetSink(out / "papers.parquet", "papers") as sink:
        start = 0
        for f in files:
            for batch in iter_batches(f, cfg.batch_size, columns=names):
                n = batch.num_rows
                mask = shared[start : start + n]
                if not mask.any():
                    sink.add_table(batch)
                else:
                    rows = [
                        to_row(groups[start + i]) if mask[i] else r
                        for i, r in enumerate(batch.to_pylist())
                        if not mask[i] or (start + i) in groups
                    ]
                    sink.add_table(table_from_rows("papers", rows))
                start += n
    with ParquetSink(out / "rejected.parquet", "quarantine") as rejected_sink:
        for k, _ in chunks:
            path = rep_dir / f"{k}.rejected.parquet"
            if path.exists():
                rejected_sink.add_table(read_table(path, "quarantine"))
    n_rejected = count_rows(out / "rejected.parquet")
    write_json(out / "merged.json", dict(sorted(merged.items())))
    log.debug(
        "normalise: repair %.1fs, keys and merge %.1fs (%d rows share a key), emit %.1fs",
        t1 - t0,
        t2 - t1,
        int(shared.sum()),
        time.perf_counter() - t2,
    )
    return StageResult(
        "normalise",
        {
            "papers": count_rows(out / "papers.parquet"),
            "merged": sum(merged.values()),
            "filtered": sum(filtered.values()),
            "quarantined": n_rejected,
            "chunks_repaired": len(todo),
            "chunks_reused": len(chunks) - len(todo),
        },
        ("papers.parquet", "rejected.parquet", "merged.json", "filtered.json"),
    )
