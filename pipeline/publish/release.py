"""The release in memory: validated tables, streamed big tables, the manifest and the
input accounting (records read = published + merged + quarantined, per input file).
"""

from __future__ import annotations

import hashlib
import logging
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from pipeline import __version__
from pipeline.config import GAZETTEER_DIR, Config
from pipeline.errors import AccountingError, InputError
from pipeline.extract.stage import CLAIM_TABLES
from pipeline.io import (
    ParquetSink,
    iter_batches,
    read_json,
    read_table,
    sha256_file,
    table_from_rows,
)
from pipeline.publish.curated import CURATED_FORMAT, build_curated, paper_of_sources
from pipeline.publish.leaderboards import (
    build_leaderboards,
    leaderboard_candidates,
    metric_directions,
)
from pipeline.records import Rejected
from pipeline.schemas import SCHEMA_DIR, arrow_schema

log = logging.getLogger(__name__)


QUARANTINE_SORT = [
    ("stage", "ascending"),
    ("source_file", "ascending"),
    ("line", "ascending"),
    ("reason", "ascending"),
    ("record", "ascending"),
]


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


def sha256_bytes(data: bytes) -> str:
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
    filtered: dict[str, int] | None = None,
) -> list[dict[str, Any]]:
    """Per input file: read, published, merged, quarantined, filtered (`--categories`);
    raises if they do not add up."""
    filtered = filtered or {}
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
            "records_filtered": filtered.get(name, 0),
        }
        total = (
            entry["papers_published"] + entry["duplicates_merged"] + entry["records_quarantined"]
            + entry["records_filtered"]
        )
        entry["accounted"] = total == f["records_read"]
        if not entry["accounted"]:
            raise AccountingError(
                f"{name}: records read {f['records_read']} != published {pub[name]} + merged "
                f"{entry['duplicates_merged']} + quarantined {entry['records_quarantined']} + "
                f"filtered {entry['records_filtered']}"
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
    removed = np.sort(read_table(removed_path, columns=["row"]).column("row").to_numpy())
    papers = pq.read_table(papers_path, columns=["source_file", "license"],
                           read_dictionary=["source_file"])
    keep = np.ones(papers.num_rows, dtype=np.bool_)
    keep[removed] = False
    kept = pa.array(keep)
    ingested = read_json(ingest_dir / "inputs.json")
    tables["curated_results"], curated_rejected = curated_results(
        cfg, papers_path, kept, ingested)
    tables["leaderboards"] = build_leaderboards(
        candidates, directions, tables["curated_results"],
        paper_dates(papers_path, kept, candidates, tables["curated_results"]))
    quarantine = pa.concat_tables(
        [
            read_table(ingest_dir / "rejected.parquet", "quarantine"),
            read_table(norm_dir / "rejected.parquet", "quarantine"),
            read_table(val_dir / "quarantine.parquet", "quarantine"),
            table_from_rows("quarantine", curated_rejected),
        ]
    )
    tables["quarantine"] = quarantine.sort_by(QUARANTINE_SORT)
    files = papers.select(["source_file"])
    inputs = account_inputs(
        ingested,
        files,
        files.filter(kept),
        read_json(norm_dir / "merged.json"),
        tables["quarantine"],
        read_json(norm_dir / "filtered.json") if (norm_dir / "filtered.json").exists() else {},
    )
    checks = read_json(val_dir / "checks.json") if (val_dir / "checks.json").exists() else []
    manifest = build_manifest(tables, inputs, checks)
    manifest["licenses"] = license_counts(papers.column("license").filter(kept))
    return Release(
        tables, manifest, PapersStream(papers_path, removed.astype(np.int64)), streams
    )


def paper_dates(papers_path: Path, kept: pa.BooleanArray, *claims: pa.Table
                ) -> dict[str, object]:
    """paper_id -> `published` of the published papers these claim tables name (only those
    are turned into Python objects)."""
    ids = pa.concat_arrays([pc.unique(t.column("paper_id").combine_chunks().cast(pa.string()))
                            for t in claims] or [pa.array([], pa.string())])
    if len(ids) == 0:
        return {}
    papers = pq.read_table(papers_path, columns=["paper_id", "published"]).filter(kept)
    papers = papers.filter(pc.is_in(papers["paper_id"], value_set=pc.unique(ids)))
    return dict(zip(papers.column("paper_id").to_pylist(), papers.column("published").to_pylist(),
                    strict=True))


def license_counts(licenses: pa.ChunkedArray) -> dict[str, int]:
    """Published papers per licence the source states (`unknown`: it states none)."""
    return dict(sorted(_value_counts(pc.fill_null(licenses, "unknown")).items()))


def curated_results(
    cfg: Config, papers_path: Path, kept: pa.BooleanArray, ingested: list[dict[str, Any]]
) -> tuple[pa.Table, list[Rejected]]:
    """`curated_results` from the ingested records of leaderboard files, each joined to the
    published paper its record was merged into (none when validation removed that paper)."""
    from pipeline.ingest.stage import record_chunks

    files = {i["name"] for i in ingested if i.get("format") == CURATED_FORMAT}
    if not files:
        return arrow_schema("curated_results").empty_table(), []
    records: list[dict[str, Any]] = []
    for _, path in record_chunks(cfg, files):  # only the leaderboard files' chunks are read
        chunk = read_table(path, columns=["source_file", "line", "raw"])
        # a bundle of small files shares its chunks with files of other formats
        chunk = chunk.filter(pc.is_in(chunk["source_file"], value_set=pa.array(sorted(files))))
        records.extend(chunk.to_pylist())
    papers = pq.read_table(papers_path, columns=["paper_id", "sources"])
    wanted = [p for p in papers.filter(kept).to_pylist()
              if any(str(s).rpartition(":")[0] in files for s in p["sources"] or ())]
    return build_curated(records, paper_of_sources(wanted))


def _gazetteer_versions() -> dict[str, str]:
    from pipeline.extract import gazetteer_versions

    out = dict(gazetteer_versions())
    norm_dir = GAZETTEER_DIR / "normalise"
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
        "records_filtered": sum(i.get("records_filtered", 0) for i in inputs),
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
    "papers": [],
    "code_links": [],
    "results": ["dataset", "metric", "value", "resolution", "role", "kind"],
    "dataset_mentions": [],
    "resolutions": [],
}
"""What the card reads of the big tables: the plots these result columns (as
`plots.compact_results`: the FID points, the rest counted), the card nothing else (its row
counts are the manifest's; report.html reads the rows it names from the written files); a
changelog compares every column, so with a previous release the card gets them all."""
