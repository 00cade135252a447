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
import time
from collections.abc import Callable
from functools import cache
from pathlib import Path

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
        from pipeline.normalise import run as normalise_run

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


@cache
def code_version() -> str:
    """sha256 over the pipeline's code, gazetteers and schemas (what can change output)."""
    h = hashlib.sha256()
    for folder in ("pipeline", "gazetteers", "schemas"):
        for p in sorted((ROOT / folder).rglob("*")):
            if p.is_file() and "__pycache__" not in p.parts:
                h.update(p.relative_to(ROOT).as_posix().encode() + b"\0")
                h.update(sha256_file(p).encode())
    return h.hexdigest()


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
    for name in STAGE_NAMES:
        res, seconds = run_stage(cfg, name, inputs)
        timings[name] = round(seconds, 3)
        log.debug("%s took %.2fs", name, seconds)
        if on_result:
            on_result(res)
        results.append(res)
    write_json(cfg.work_dir / "timings.json", timings)
    return results


def validate_run(cfg: Config) -> StageResult:
    """Validate stage shell: extract + normalise outputs -> validated tables + quarantine."""
    from pipeline.errors import InputError
    from pipeline.io import read_table, write_rows, write_table
    from pipeline.leaderboards import METRICS_CSV
    from pipeline.validate import validate_tables

    norm, ext, out = (cfg.stage_dir(s) for s in ("normalise", "extract", "validate"))
    paths = {"papers": norm / "papers.parquet"}
    for t in ("code_links", "dataset_mentions", "resolutions", "results"):
        paths[t] = ext / f"{t}.parquet"
    for p in paths.values():
        if not p.exists():
            raise InputError(f"{p}: missing; run the earlier stages first")
    outcome = validate_tables({t: read_table(p, t) for t, p in paths.items()}, METRICS_CSV)
    for t, table in outcome.tables.items():
        write_table(out / f"{t}.parquet", table)
    write_rows(out / "quarantine.parquet", "quarantine", outcome.rejected)
    write_json(out / "checks.json", outcome.checks)
    counts = {t: outcome.tables[t].num_rows for t in paths}
    counts["quarantined"] = len(outcome.rejected)
    return StageResult("validate", counts)
