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
        from pipeline.validate.stage import run as validate_run

        return validate_run
    if name == "publish":
        from pipeline.publish.stage import run as publish_run

        return publish_run
    raise ValueError(f"unknown stage {name!r}")


def inputs_fingerprint(raw_dir: Path, follow_symlinks: bool = False) -> str:
    """sha256 over the raw folder's entries as ingest sees them (names, contents, problems).

    Never raises for one entry: an unreadable file is fingerprinted by its error, and ingest
    quarantines it (PC107) while the rest is read.
    """
    from pipeline.ingest import list_entries

    h = hashlib.sha256()
    for entry in list_entries(raw_dir, follow_symlinks):
        h.update(entry.name.encode("utf-8", "surrogateescape") + b"\0")
        if entry.problem is not None:
            h.update(entry.problem.reason.encode())
            continue
        try:
            h.update(sha256_file(raw_dir / entry.name).encode())
        except OSError as e:
            h.update(f"unreadable: {type(e).__name__}: {e}".encode())
    return h.hexdigest()


def stage_key(cfg: Config, stage: str, inputs: str) -> str:
    # `--categories` is applied by normalise: ingest's output does not depend on it, so
    # another filter does not read and hash every raw file again.
    categories = [] if stage == "ingest" else list(cfg.categories)
    doc = {"stage": stage, "code": code_version(), "inputs": inputs, "batch": cfg.batch_size,
           "categories": categories}
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
    key = stage_key(cfg, name, inputs or inputs_fingerprint(cfg.raw_dir, cfg.follow_symlinks))
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
    inputs = "missing"
    if cfg.raw_dir.is_dir():
        inputs = inputs_fingerprint(cfg.raw_dir, cfg.follow_symlinks)
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
    if "pipeline.publish.publish" in sys.modules:
        for part, seconds in sys.modules["pipeline.publish.publish"].TIMINGS.items():
            timings[f"publish.{part}"] = seconds
    write_json(cfg.work_dir / "timings.json", timings)
    return results


PARALLEL_STAGES = ("ingest", "normalise", "extract")
"""The stages that map work over batches on the engine (in order)."""


def release_workers(dask: bool = True) -> None:
    """Stop the local engine's workers (and with `dask`, close the Dask clients); give the
    Arrow memory the main process freed back to the system."""
    from pipeline.engine import engine

    engine.shutdown()
    if dask and "pipeline.engine.dask_engine" in sys.modules:
        sys.modules["pipeline.engine.dask_engine"].close_clients()
    if "pyarrow" in sys.modules:
        sys.modules["pyarrow"].default_memory_pool().release_unused()
