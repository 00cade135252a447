"""Publish stage: validated tables -> a release folder, renamed into place in one step.

The release is assembled in a hidden temporary folder next to its destination; the
accounting (records read = published + merged + quarantined, per input file) is checked
before the rename, so a failed or killed run never leaves a half release.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import shutil
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import AccountingError, InputError, PolicyError
from pipeline.io import read_json, read_table, sha256_file, write_json, write_table
from pipeline.leaderboards import build_leaderboards, metric_directions
from pipeline.records import StageResult
from pipeline.schemas import RELEASE_TABLES, SCHEMA_DIR, arrow_schema

log = logging.getLogger(__name__)

QUARANTINE_SORT = [
    ("stage", "ascending"),
    ("source_file", "ascending"),
    ("line", "ascending"),
    ("reason", "ascending"),
    ("record", "ascending"),
]
STAGE_ORDER = {"ingest": 0, "normalise": 1, "extract": 2, "validate": 3}


@dataclass(frozen=True, slots=True)
class Release:
    tables: dict[str, pa.Table]
    manifest: dict[str, Any]


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def account_inputs(
    inputs: list[dict[str, Any]],
    normalised_papers: pa.Table,
    published_papers: pa.Table,
    merged: dict[str, int],
    quarantine: pa.Table,
) -> list[dict[str, Any]]:
    """Per input file: read, published, merged, quarantined; raises if they do not add up."""
    pub = Counter(published_papers.column("source_file").to_pylist())
    norm = Counter(normalised_papers.column("source_file").to_pylist())
    record_stages = pc.is_in(quarantine.column("stage"), pa.array(["ingest", "normalise"]))
    q_records = Counter(quarantine.filter(record_stages).column("source_file").to_pylist())
    rows: list[dict[str, Any]] = []
    for f in inputs:
        name = f["name"]
        # A paper row rejected by validation is a record quarantined at validation.
        q_papers = norm[name] - pub[name]
        entry = {
            **f,
            "papers_published": pub[name],
            "duplicates_merged": merged.get(name, 0),
            "records_quarantined": q_records[name] + q_papers,
        }
        total = (
            entry["papers_published"] + entry["duplicates_merged"] + entry["records_quarantined"]
        )
        entry["accounted"] = total == f["records_read"]
        if not entry["accounted"]:
            raise AccountingError(
                f"{name}: records read {f['records_read']} != published {pub[name]} + merged "
                f"{entry['duplicates_merged']} + quarantined {entry['records_quarantined']}"
            )
        rows.append(entry)
    return rows


def assemble(cfg: Config) -> Release:
    """Read the validated work tables and build every release table and the manifest."""
    ingest_dir, norm_dir, val_dir = (cfg.stage_dir(s) for s in ("ingest", "normalise", "validate"))
    for p in (ingest_dir / "inputs.json", norm_dir / "papers.parquet", val_dir / "papers.parquet"):
        if not p.exists():
            raise InputError(f"{p}: missing; run the earlier stages first")
    tables: dict[str, pa.Table] = {}
    for name in ("papers", "code_links", "dataset_mentions", "resolutions", "results"):
        tables[name] = read_table(val_dir / f"{name}.parquet", name)
    tables["leaderboards"] = build_leaderboards(tables["results"], metric_directions())
    quarantine = pa.concat_tables(
        [
            read_table(ingest_dir / "rejected.parquet", "quarantine"),
            read_table(norm_dir / "rejected.parquet", "quarantine"),
            read_table(val_dir / "quarantine.parquet", "quarantine"),
        ]
    )
    tables["quarantine"] = quarantine.sort_by(QUARANTINE_SORT)
    inputs = account_inputs(
        read_json(ingest_dir / "inputs.json"),
        read_table(norm_dir / "papers.parquet", "papers"),
        tables["papers"],
        read_json(norm_dir / "merged.json"),
        tables["quarantine"],
    )
    checks = read_json(val_dir / "checks.json") if (val_dir / "checks.json").exists() else []
    manifest = build_manifest(tables, inputs, checks)
    return Release(tables, manifest)


def _gazetteer_versions() -> dict[str, str]:
    from pipeline.extract import gazetteer_versions

    out = dict(gazetteer_versions())
    norm_dir = SCHEMA_DIR.parent / "gazetteers" / "normalise"
    for p in sorted(norm_dir.glob("*")):
        if p.is_file():
            out[f"normalise/{p.name}"] = sha256_file(p)
    return dict(sorted(out.items()))


def schema_hash() -> str:
    h = hashlib.sha256()
    for p in sorted(SCHEMA_DIR.rglob("*.json")):
        h.update(p.relative_to(SCHEMA_DIR).as_posix().encode() + b"\0" + p.read_bytes())
    return h.hexdigest()


def build_manifest(
    tables: dict[str, pa.Table], inputs: list[dict[str, Any]], checks: list[dict[str, Any]]
) -> dict[str, Any]:
    """Everything but the per-table sha256 (filled in once the files are written)."""
    totals = {
        "records_read": sum(i["records_read"] for i in inputs),
        "papers_published": sum(i["papers_published"] for i in inputs),
        "duplicates_merged": sum(i["duplicates_merged"] for i in inputs),
        "records_quarantined": sum(i["records_quarantined"] for i in inputs),
        "claims_quarantined": int(
            tables["quarantine"].num_rows - sum(i["records_quarantined"] for i in inputs)
        ),
    }
    return {
        "name": "paperclaims",
        "pipeline_version": __version__,
        "schema_hash": schema_hash(),
        "gazetteers": _gazetteer_versions(),
        "inputs": inputs,
        "totals": totals,
        "accounting_holds": all(i["accounted"] for i in inputs),
        "validation_checks": checks,
        "tables": {},
    }


def schema_json(schema: pa.Schema) -> list[dict[str, Any]]:
    return [{"name": f.name, "type": str(f.type), "nullable": f.nullable} for f in schema]


def write_release(release: Release, folder: Path, card: Callable[[Release, Path], None]) -> str:
    """Write tables, manifest and card into `folder`; return the release version."""
    folder.mkdir(parents=True)
    manifest = release.manifest
    for name in RELEASE_TABLES:
        path = folder / f"{name}.parquet"
        write_table(path, release.tables[name].cast(arrow_schema(name)))
        manifest["tables"][name] = {
            "file": path.name,
            "rows": release.tables[name].num_rows,
            "sha256": sha256_file(path),
            "schema": schema_json(arrow_schema(name)),
        }
    digest = _sha256_bytes(
        json.dumps({k: v["sha256"] for k, v in manifest["tables"].items()}, sort_keys=True).encode()
    )
    manifest["version"] = f"{__version__}-{digest[:10]}"
    fault_point("publish-tables-written")
    write_json(folder / "manifest.json", manifest)
    card(release, folder)
    return str(manifest["version"])


def fault_point(name: str) -> None:
    """Crash-safety tests stop a run here: PAPERCLAIMS_FAULT=<name>[:sleep|:raise]."""
    spec = os.environ.get("PAPERCLAIMS_FAULT", "")
    if not spec.startswith(name):
        return
    if spec.endswith(":raise"):
        raise OSError(f"injected fault at {name}")
    import time

    time.sleep(60)


def _swap_into_place(tmp: Path, dest: Path) -> None:
    """Replace `dest` by `tmp` (both folders) with renames only."""
    if dest.exists():
        old = dest.with_name(f".old-{dest.name}-{os.getpid()}")
        os.replace(dest, old)
        os.replace(tmp, dest)
        shutil.rmtree(old, ignore_errors=True)
    else:
        os.replace(tmp, dest)


def point_latest(processed: Path, version: str) -> None:
    link = processed / "latest"
    tmp = processed / f".latest-{os.getpid()}"
    tmp.unlink(missing_ok=True)
    tmp.symlink_to(version, target_is_directory=True)
    os.replace(tmp, link)


def clean_stale(parent: Path) -> None:
    """Remove temporary folders a killed run left behind (hidden, never a release)."""
    if parent.is_dir():
        for p in parent.glob(".tmp-*"):
            shutil.rmtree(p, ignore_errors=True)
        for p in parent.glob(".old-*"):
            shutil.rmtree(p, ignore_errors=True)


def run(cfg: Config) -> StageResult:
    from pipeline.card import write_card

    release = assemble(cfg)
    check_policy(cfg, release.manifest["totals"])
    dest_parent = cfg.processed_dir if cfg.processed_dir else (cfg.out_dir or Path(".")).parent
    dest_parent.mkdir(parents=True, exist_ok=True)
    clean_stale(dest_parent)
    tmp = dest_parent / f".tmp-{os.getpid()}"
    previous = _previous_release(cfg)
    try:
        version = write_release(release, tmp, lambda r, f: write_card(r, f, previous))
        if cfg.processed_dir:
            dest = cfg.processed_dir / version
            if dest.exists():
                # Same inputs and code give the same version: the release is already there.
                shutil.rmtree(tmp)
            else:
                os.replace(tmp, dest)
            point_latest(cfg.processed_dir, version)
        else:
            assert cfg.out_dir is not None
            _swap_into_place(tmp, cfg.out_dir)
            dest = cfg.out_dir
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    counts = {name: release.tables[name].num_rows for name in RELEASE_TABLES}
    log.info("published %s", dest)
    return StageResult("publish", counts, (str(dest),))


def check_policy(cfg: Config, totals: dict[str, int]) -> None:
    """`--strict` and `--max-quarantine-rate`: refuse to publish, naming the count."""
    if totals["papers_published"] == 0:
        raise PolicyError(f"nothing to publish: 0 papers from {totals['records_read']} records")
    quarantined = totals["records_quarantined"] + totals["claims_quarantined"]
    if cfg.strict and quarantined:
        raise PolicyError(f"--strict: {quarantined} rows quarantined; see the quarantine table")
    if cfg.max_quarantine_rate is not None and totals["records_read"]:
        rate = totals["records_quarantined"] / totals["records_read"]
        if rate > cfg.max_quarantine_rate:
            raise PolicyError(
                f"quarantine rate {rate:.3f} > --max-quarantine-rate {cfg.max_quarantine_rate}"
            )


def _previous_release(cfg: Config) -> Path | None:
    if cfg.processed_dir and (cfg.processed_dir / "latest" / "manifest.json").exists():
        return (cfg.processed_dir / "latest").resolve()
    if cfg.out_dir and (cfg.out_dir / "manifest.json").exists():
        return cfg.out_dir
    return None
