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
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.config import Config
from pipeline.errors import AccountingError, InputError, PolicyError
from pipeline.extract.stage import CLAIM_TABLES
from pipeline.io import (
    ParquetSink,
    iter_batches,
    read_json,
    read_table,
    sha256_file,
    write_json,
    write_table,
)
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
TIMINGS: dict[str, float] = {}
"""Seconds spent in parts of the last publish (`card`: the card, its plots and report)."""


@dataclass(frozen=True, slots=True)
class PapersStream:
    """The published papers without holding them: `path`'s rows but those in `removed`."""

    path: Path
    removed: npt.NDArray[np.int64]
    """Sorted row positions of `path` that validation removed."""

    def batches(self, size: int = 8192) -> Iterator[pa.Table]:
        start = 0
        for batch in iter_batches(self.path, size):
            n = batch.num_rows
            lo, hi = np.searchsorted(self.removed, [start, start + n])
            table = pa.Table.from_batches([batch])
            if hi > lo:
                keep = np.ones(n, dtype=np.bool_)
                keep[self.removed[lo:hi] - start] = False
                table = table.filter(pa.array(keep))
            yield table
            start += n

    def write(self, path: Path) -> int:
        """Write the papers to `path` (the same bytes as `write_table` of them all)."""
        with ParquetSink(path, "papers") as sink:
            for table in self.batches():
                sink.add_table(table)
        return sink.count


@dataclass(frozen=True, slots=True)
class Release:
    tables: dict[str, pa.Table]
    """Every release table; `papers` may be absent when `papers_stream` is given."""
    manifest: dict[str, Any]
    papers_stream: PapersStream | None = None
    """Set by `assemble`: the papers are streamed into the release, never held whole."""
    streams: dict[str, Path] = field(default_factory=dict)
    """Set by `assemble`: tables copied batch by batch from these work files (the claim
    tables), so publish holds none of them whole; absent from `tables`."""


def copy_table(src: Path, dest: Path, name: str, size: int = 65_536) -> int:
    """Stream table `name` from `src` to `dest` (the bytes `write_table` of it would give)."""
    with ParquetSink(dest, name) as sink:
        for batch in iter_batches(src, size):
            sink.add_table(batch)
    return sink.count


def _sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _value_counts(column: pa.ChunkedArray) -> Counter[str]:
    """How often each value occurs (without a Python string per row)."""
    counts = pc.value_counts(column)
    values = counts.field("values")
    if pa.types.is_dictionary(values.type):
        values = values.cast(values.type.value_type)
    return Counter(dict(zip(values.to_pylist(), counts.field("counts").to_pylist(), strict=True)))


def account_inputs(
    inputs: list[dict[str, Any]],
    normalised_papers: pa.Table,
    published_papers: pa.Table,
    merged: dict[str, int],
    quarantine: pa.Table,
) -> list[dict[str, Any]]:
    """Per input file: read, published, merged, quarantined; raises if they do not add up."""
    pub = _value_counts(published_papers.column("source_file"))
    norm = _value_counts(normalised_papers.column("source_file"))
    record_stages = pc.is_in(quarantine.column("stage"), pa.array(["ingest", "normalise"]))
    q_records = _value_counts(quarantine.filter(record_stages).column("source_file"))
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
    """Read the validated work tables and build every release table and the manifest.

    The papers are not read: the release streams them from normalise's output, leaving
    out the rows validation removed (`validate/papers_removed.parquet`).
    """
    ingest_dir, norm_dir, val_dir = (cfg.stage_dir(s) for s in ("ingest", "normalise", "validate"))
    papers_path = norm_dir / "papers.parquet"
    removed_path = val_dir / "papers_removed.parquet"
    for p in (ingest_dir / "inputs.json", papers_path, removed_path):
        if not p.exists():
            raise InputError(f"{p}: missing; run the earlier stages first")
    tables: dict[str, pa.Table] = {}
    streams = {n: val_dir / f"{n}.parquet" for n in CLAIM_TABLES}
    directions = metric_directions()
    # The leaderboard rows are few: filter the results batch by batch, hold only those.
    results_schema = arrow_schema("results")
    candidates = pa.concat_tables(
        [results_schema.empty_table()]
        + [
            leaderboard_candidates(pa.Table.from_batches([b]).cast(results_schema), directions)
            for b in iter_batches(streams["results"], 65_536)
        ]
    )
    tables["leaderboards"] = build_leaderboards(candidates, directions)
    quarantine = pa.concat_tables(
        [
            read_table(ingest_dir / "rejected.parquet", "quarantine"),
            read_table(norm_dir / "rejected.parquet", "quarantine"),
            read_table(val_dir / "quarantine.parquet", "quarantine"),
        ]
    )
    tables["quarantine"] = quarantine.sort_by(QUARANTINE_SORT)
    removed = np.sort(read_table(removed_path, columns=["row"]).column("row").to_numpy())
    files = pq.read_table(papers_path, columns=["source_file"], read_dictionary=["source_file"])
    keep = np.ones(files.num_rows, dtype=np.bool_)
    keep[removed] = False
    inputs = account_inputs(
        read_json(ingest_dir / "inputs.json"),
        files,
        files.filter(pa.array(keep)),
        read_json(norm_dir / "merged.json"),
        tables["quarantine"],
    )
    checks = read_json(val_dir / "checks.json") if (val_dir / "checks.json").exists() else []
    manifest = build_manifest(tables, inputs, checks)
    return Release(
        tables, manifest, PapersStream(papers_path, removed.astype(np.int64)), streams
    )


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


CARD_COLUMNS = {
    "papers": ["paper_id", "title", "arxiv_id"],
    "code_links": [n for n in arrow_schema("code_links").names if n != "evidence"],
    "results": ["dataset", "metric", "value", "resolution", "role", "kind"],
    "dataset_mentions": [],
    "resolutions": [],
}
"""What the card reads of the big tables: report.html needs the titles and links of the
papers on a leaderboard (only those are read), the plots these result columns (as
`plots.compact_results`: the FID points, the rest counted), the card nothing else (its row
counts are the manifest's); a changelog compares every column, so with a previous release
the card gets them all."""


def leaderboard_candidates(results: pa.Table, directions: dict[str, str]) -> pa.Table:
    """The rows `build_leaderboards` keeps (proposed, absolute, with a dataset and a metric of
    known direction), in order: it converts its input to pandas, so hand it only those."""
    keep = pc.and_(
        pc.and_(pc.equal(results["role"], "proposed"), pc.equal(results["kind"], "absolute")),
        pc.and_(
            pc.is_valid(results["dataset"]),
            pc.is_in(results["metric"], value_set=pa.array(list(directions), pa.string())),
        ),
    )
    return results.filter(keep)


def write_release(
    release: Release,
    folder: Path,
    card: Callable[[Release, Path], None],
    card_columns: dict[str, list[str]] | None = None,
) -> str:
    """Write tables, manifest and card into `folder`; return the release version.

    Streamed papers are handed to `card` re-read from the written file; `card_columns`
    limits what the card gets of a table (None: everything).
    """
    folder.mkdir(parents=True)
    manifest = release.manifest
    for name in RELEASE_TABLES:
        path = folder / f"{name}.parquet"
        if name == "papers" and release.papers_stream is not None:
            rows = release.papers_stream.write(path)
        elif name in release.streams:
            rows = copy_table(release.streams[name], path, name)
        else:
            write_table(path, release.tables[name].cast(arrow_schema(name)))
            rows = release.tables[name].num_rows
        manifest["tables"][name] = {
            "file": path.name,
            "rows": rows,
            "sha256": sha256_file(path),
            "schema": schema_json(arrow_schema(name)),
        }
    digest = _sha256_bytes(
        json.dumps({k: v["sha256"] for k, v in manifest["tables"].items()}, sort_keys=True).encode()
    )
    manifest["version"] = f"{__version__}-{digest[:10]}"
    fault_point("publish-tables-written")
    write_json(folder / "manifest.json", manifest)
    streamed = set(release.streams) | ({"papers"} if release.papers_stream is not None else set())
    if streamed or card_columns:
        # The card gets the streamed tables back from the written files, and of every table
        # only `card_columns` (papers: only those on a leaderboard, for report.html).
        tables = dict(release.tables)
        columns = card_columns or {}
        for name in sorted(streamed):
            tables[name] = _card_table(folder, name, columns.get(name), tables, card_columns)
        for name, cols in columns.items():
            whole = name in tables and name not in streamed  # streamed: read as the card needs
            if whole and set(cols) < set(tables[name].column_names):
                tables[name] = tables[name].select(cols)
        release = Release(tables, manifest)
    t0 = time.perf_counter()
    card(release, folder)
    TIMINGS["card"] = round(time.perf_counter() - t0, 3)
    log.debug("publish: card, plots and report took %.1fs", TIMINGS["card"])
    return str(manifest["version"])


def _card_table(
    folder: Path,
    name: str,
    columns: list[str] | None,
    tables: dict[str, pa.Table],
    card_columns: dict[str, list[str]] | None,
) -> pa.Table:
    """A written table as the card reads it: `columns` only, and (with `card_columns`) the
    papers only those with a leaderboard row (report.html names no other)."""
    path = folder / f"{name}.parquet"
    if columns == []:
        return arrow_schema(name).empty_table().select([])
    if name == "results" and card_columns is not None:
        from pipeline.plots import compact_results

        return compact_results(iter_batches(path, 65_536, columns=columns))
    if name in ("papers", "code_links") and card_columns is not None and "leaderboards" in tables:
        ids = pc.unique(tables["leaderboards"].column("paper_id")).cast(pa.string())
        parts = [
            t.filter(pc.is_in(t["paper_id"], value_set=ids))
            for t in (
                pa.Table.from_batches([b]) for b in iter_batches(path, 65_536, columns=columns)
            )
        ]
        schema = arrow_schema(name)
        if columns is not None:
            schema = pa.schema([schema.field(c) for c in columns])
        return pa.concat_tables([schema.empty_table(), *(p.cast(schema) for p in parts)])
    return read_table(path, name, columns)


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


def publish_key(cfg: Config, previous: Path | None) -> str:
    """Content key of everything a release is built from (work tables, previous release)."""
    from pipeline.cache import key_of
    from pipeline.card import EVAL_FILE

    digests = []
    for stage in ("ingest", "normalise", "validate"):
        folder = cfg.stage_dir(stage)
        for p in sorted(folder.glob("*")):
            if p.is_file() and not p.name.startswith("."):
                digests.append((f"{stage}/{p.name}", sha256_file(p)))
    prev = sha256_file(previous / "manifest.json") if previous is not None else None
    evals = sha256_file(EVAL_FILE) if EVAL_FILE.exists() else None
    return key_of("publish", digests, prev, evals)


def _copy_release(src: Path, folder: Path) -> None:
    """Copy a cached release into `folder`: tables, then (past the fault point) the rest."""
    folder.mkdir(parents=True)
    for name in RELEASE_TABLES:
        shutil.copyfile(src / f"{name}.parquet", folder / f"{name}.parquet")
    fault_point("publish-tables-written")
    for p in sorted(src.rglob("*")):
        dest = folder / p.relative_to(src)
        if p.is_dir():
            dest.mkdir(parents=True, exist_ok=True)
        elif not dest.exists():
            shutil.copyfile(p, dest)


def _cache_release(folder: Path, cache_dir: Path, key: str) -> None:
    from pipeline.cache import keep_only, publish_dir_atomically

    tmp = cache_dir / f".tmp-{key}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    shutil.copytree(folder, tmp)
    publish_dir_atomically(tmp, cache_dir / key)
    keep_only(cache_dir, [key])


def run(cfg: Config) -> StageResult:
    """Assemble, check and write the release, or copy it from the work folder's cache.

    A release is a pure function of the work tables, the previous release (changelog) and
    the eval figures (card); the last one built is kept in `<work>/publish/` and copied when
    they are unchanged, since writing the card's plots can cost more than the whole run.
    """
    from pipeline.card import write_card

    TIMINGS.clear()
    dest_parent = cfg.processed_dir if cfg.processed_dir else (cfg.out_dir or Path(".")).parent
    previous = _previous_release(cfg)
    cache_dir = cfg.stage_dir("publish")
    key = publish_key(cfg, previous)
    cached = cache_dir / key
    release: Release | None = None
    if (cached / "manifest.json").exists():
        manifest = read_json(cached / "manifest.json")
        log.debug("publish: reusing the release built for key %s", key[:12])
    else:
        release = assemble(cfg)
        manifest = release.manifest
    check_policy(cfg, manifest["totals"])
    dest_parent.mkdir(parents=True, exist_ok=True)
    clean_stale(dest_parent)
    tmp = dest_parent / f".tmp-{os.getpid()}"
    try:
        if release is None:
            _copy_release(cached, tmp)
            version = str(manifest["version"])
        else:
            columns = None if previous is not None else CARD_COLUMNS
            version = write_release(release, tmp, lambda r, f: write_card(r, f, previous), columns)
            _cache_release(tmp, cache_dir, key)
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
    counts = {name: int(manifest["tables"][name]["rows"]) for name in RELEASE_TABLES}
    counts["reused"] = int(release is None)
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
