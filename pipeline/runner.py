"""Runs the stages in order; each stage is also runnable alone from the CLI."""

from __future__ import annotations

import logging
from collections.abc import Callable

from pipeline.config import Config
from pipeline.records import StageResult

log = logging.getLogger(__name__)

StageFn = Callable[[Config], StageResult]
STAGE_NAMES = ("ingest", "normalise", "extract", "validate", "publish")


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


def run_all(
    cfg: Config, on_result: Callable[[StageResult], None] | None = None
) -> list[StageResult]:
    results = []
    for name in STAGE_NAMES:
        res = stage_fn(name)(cfg)
        log.info("%s", res.summary())
        if on_result:
            on_result(res)
        results.append(res)
    return results


def validate_run(cfg: Config) -> StageResult:
    """Validate stage shell: extract + normalise outputs -> validated tables + quarantine."""
    from pipeline.errors import InputError
    from pipeline.io import read_table, write_json, write_rows, write_table
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
