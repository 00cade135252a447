"""Ingest stage shell: raw folder -> `records` + `rejected` Parquet + `inputs.json`."""

from __future__ import annotations

import logging
from dataclasses import asdict
from typing import Any

from pipeline.config import Config
from pipeline.errors import InputError
from pipeline.ingest import read_input, scan_inputs
from pipeline.io import ParquetSink, write_json
from pipeline.progress import progress
from pipeline.records import Rejected, StageResult

log = logging.getLogger(__name__)


def run(cfg: Config) -> StageResult:
    if not cfg.raw_dir.is_dir():
        raise InputError(f"{cfg.raw_dir}: raw input folder does not exist")
    out = cfg.stage_dir("ingest")
    files = scan_inputs(cfg.raw_dir)
    if not files:
        raise InputError(f"{cfg.raw_dir}: no input files")
    inputs: list[dict[str, Any]] = []
    n_records = n_rejected = 0
    with (
        ParquetSink(out / "records.parquet", "records") as records,
        ParquetSink(out / "rejected.parquet", "quarantine") as rejected,
    ):
        for f in progress(files, "ingest", cfg.progress, unit="file"):
            read = bad = repaired = 0
            for item in read_input(cfg.raw_dir, f):
                read += 1
                if isinstance(item, Rejected):
                    bad += 1
                    log.warning("%s", item.detail)
                    rejected.add(item)
                else:
                    if "\ufffd" in (item.title or "") + (item.abstract or ""):
                        # Invalid UTF-8 was replaced by U+FFFD at decoding: kept, but said.
                        repaired += 1
                        log.warning(
                            "%s:%d: invalid UTF-8 bytes replaced by U+FFFD", f.name, item.line
                        )
                    records.add(item)
            log.debug("ingest: %s (%s): %d records, %d rejected", f.name, f.format, read, bad)
            entry = asdict(f)
            entry.pop("problem")
            entry["status"] = "read" if f.format else "skipped"
            entry["skip_reason"] = f.problem.detail if f.problem and not f.format else None
            entry["records_read"] = read
            entry["ingest_rejected"] = bad
            entry["records_with_replaced_bytes"] = repaired
            inputs.append(entry)
            n_records += read - bad
            n_rejected += bad
    write_json(out / "inputs.json", inputs)
    return StageResult(
        "ingest",
        {"files": len(files), "records": n_records, "quarantined": n_rejected},
        ("records.parquet", "rejected.parquet", "inputs.json"),
    )
