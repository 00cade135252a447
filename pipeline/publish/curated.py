"""Curated results: the numbers of leaderboard exports (Papers with Code `pwc_leaderboard`
files), one `curated_results` row per (row, metric, value), joined to `papers`.

Scores are PwC's strings: "85.1", "85.1%", "0.25±0.005", "2.53 ± 0.40", "1,024", and for a
dataset named with several parts ("WMT14(en-fr fr-en)") one value per part, "(16.97 15.58)",
which become one row per part ("WMT14 en-fr", "WMT14 fr-en"). A score that is none of these
("No", "-") is quarantined (`PC209`) with its file, row and metric; nothing is dropped.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping
from typing import Any

import pyarrow as pa
import regex

from pipeline.errors import Reason
from pipeline.ingest import pwc_leaderboard
from pipeline.ingest.metadata import iso_date
from pipeline.records import Rejected
from pipeline.schemas import arrow_schema

_NUMBER = regex.compile(r"^[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][+-]?\d+)?$")
_PARTS = regex.compile(r"^(.*?)\s*\(([^()]*)\)\s*$")
CURATED_FORMAT = pwc_leaderboard.FORMAT


def parse_score(text: str) -> tuple[list[float], str | None] | None:
    """PwC score text -> (values, unit); None when it is not a number (or a list of them)."""
    s = " ".join(text.split())
    inner = _PARTS.match(s)
    parts = inner[2].split() if inner and not inner[1] else [s]
    values: list[float] = []
    unit: str | None = None
    for part in parts:
        part = part.split("±")[0].strip()
        if part.endswith("%"):
            part, unit = part[:-1].strip(), "%"
        if not _NUMBER.match(part):
            return None
        values.append(float(part.replace(",", "")))
    return values, unit


def dataset_parts(dataset: str | None, n: int) -> list[str | None]:
    """`n` dataset names for `n` values: "WMT14(en-fr fr-en)" -> ["WMT14 en-fr", "WMT14 fr-en"]
    when it names `n` parts, else the name `n` times."""
    if dataset and n > 1:
        m = _PARTS.match(dataset)
        if m and len(m[2].split()) == n:
            return [f"{m[1].strip()} {part}" for part in m[2].split()]
    return [dataset] * n


def _date(value: Any) -> dt.date | None:
    iso = iso_date(value)
    return dt.date.fromisoformat(iso) if iso else None


def curated_rows(
    raw: str, source_file: str, line: int, paper_id: str | None
) -> tuple[list[dict[str, Any]], list[Rejected]]:
    """The `curated_results` rows of one leaderboard record (its raw JSON, as ingest kept it)."""
    doc = json.loads(raw)
    row = doc.get("row") if isinstance(doc, dict) else None
    if not isinstance(row, dict):
        return [], []
    dataset = doc.get("dataset") if isinstance(doc.get("dataset"), str) else None
    if isinstance(doc.get("subdataset"), str) and doc["subdataset"].strip():
        dataset = f"{dataset} {doc['subdataset'].strip()}" if dataset else doc["subdataset"]
    task = doc.get("task") if isinstance(doc.get("task"), str) else None
    model = row.get("model_name") if isinstance(row.get("model_name"), str) else None
    title = " ".join(str(row.get("paper_title") or "").split())
    model_name = (" ".join(model.split()) or None) if model else None
    published = _date(row.get("paper_date"))
    out: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    metrics = row.get("metrics")
    for metric, score in (metrics if isinstance(metrics, dict) else {}).items():
        parsed = parse_score(str(score)) if score is not None else None
        if parsed is None:
            rejected.append(Rejected(
                stage="publish", source_file=source_file, line=line,
                reason=Reason.CURATED_VALUE.value,
                detail=f"{source_file}:{line}: {metric} score {score!r} is not a number; "
                "the row's other metrics are kept",
                record=json.dumps({"metric": metric, "score": score, "row": row},
                                  ensure_ascii=False, default=str)[:10_000],
            ))
            continue
        values, unit = parsed
        for name, value in zip(dataset_parts(dataset, len(values)), values, strict=True):
            out.append({
                "paper_id": paper_id, "paper_title": title, "task": task, "dataset": name,
                "metric": str(metric), "value": value, "unit": unit, "model": model_name,
                "published": published, "source_file": source_file, "line": line,
            })
    return out, rejected


def paper_of_sources(papers: Iterable[Mapping[str, Any]]) -> dict[tuple[str, int], str]:
    """(file, line) -> paper_id for every record merged into a published paper."""
    out: dict[tuple[str, int], str] = {}
    for p in papers:
        for source in p["sources"] or ():
            name, _, line = str(source).rpartition(":")
            if line.isdigit():
                out[(name, int(line))] = str(p["paper_id"])
    return out


def build_curated(
    records: Iterable[Mapping[str, Any]], paper_of: Mapping[tuple[str, int], str]
) -> tuple[pa.Table, list[Rejected]]:
    """`curated_results` of leaderboard records (rows with source_file, line, raw), in order."""
    rows: list[dict[str, Any]] = []
    rejected: list[Rejected] = []
    for rec in records:
        file, line = str(rec["source_file"]), int(rec["line"])
        got, bad = curated_rows(str(rec["raw"]), file, line, paper_of.get((file, line)))
        rows.extend(got)
        rejected.extend(bad)
    return pa.Table.from_pylist(rows, schema=arrow_schema("curated_results")), rejected
