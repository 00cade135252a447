"""Validate core: every check of a table chunk, and the rejection each removed row becomes.

Every removed row becomes exactly one `Rejected` (its first failing check decides the
reason), so per table `rows in == rows out + rejected`. A failing claim is quarantined
alone; a paper row that fails takes its claims with it, as `PC204` orphans.

The GX suites are data (`schemas/expectations/<table>.json`) and run in-process on one
ephemeral context per process. Referential integrity is a GX `in_set` expectation on the
derived boolean column `paper_id_in_papers`, not on `paper_id` with a value set of every
id: GX 1.x walks a value set ~100 times per validation (pydantic `.dict()`), which costs
minutes for 100k ids.
"""

from __future__ import annotations

import json
import logging
import math
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import PipelineError, Reason
from pipeline.records import Rejected
from pipeline.schemas import arrow_schema
from pipeline.validate.arrays import Mask, Rows, to_ints, to_mask
from pipeline.validate.ranges import MetricRanges, load_metric_ranges
from pipeline.validate.spans import span_matches
from pipeline.validate.suites import (
    PAPER_KNOWN,
    UNIQUE_TYPES,
    ExpectationSpec,
    GxResult,
    gx_frame,
    load_expectations,
    run_gx,
)

log = logging.getLogger(__name__)


STAGE = "validate"


CLAIM_TABLES = ("code_links", "dataset_mentions", "resolutions", "results")


TABLES = ("papers", *CLAIM_TABLES)


@dataclass(frozen=True, slots=True)
class ValidationOutcome:
    """What validation kept, what it rejected, and every check it ran."""

    tables: dict[str, pa.Table]
    """Same keys as the input, failing rows removed, schemas = `arrow_schema(name)`."""
    rejected: list[Rejected]
    """One entry per removed row (stage `validate`)."""
    checks: list[dict[str, Any]]
    """One entry per expectation or Python check run: table, expectation, column, reason,
    success, unexpected_count (rows failing it) and quarantined (rows it removed first)."""


class _Verdicts:
    """First failing check per row of one table, and the `checks` entries."""

    def __init__(self, name: str, table: pa.Table) -> None:
        self.name = name
        self.table = table
        self.first = np.full(table.num_rows, -1, dtype=np.int32)
        self.causes: list[tuple[str, str, tuple[str, ...]]] = []
        """(reason, description, columns) per check index."""
        self.checks: list[dict[str, Any]] = []

    def alive(self) -> Mask:
        return self.first < 0

    def add(
        self,
        expectation: str,
        columns: tuple[str, ...],
        reason: str,
        description: str,
        rows: Rows,
        unexpected_count: int | None = None,
        success: bool | None = None,
    ) -> None:
        """Record a check; its failing `rows` still alive are removed with its reason."""
        k = len(self.causes)
        self.causes.append((reason, description, columns))
        fresh = rows[self.first[rows] < 0] if rows.size else rows
        self.first[fresh] = k
        count = int(rows.size if unexpected_count is None else unexpected_count)
        self.checks.append(
            {
                "table": self.name,
                "expectation": expectation,
                "column": ",".join(columns),
                "reason": reason,
                "description": description,
                "success": count == 0 if success is None else success,
                "unexpected_count": count,
                "quarantined": int(fresh.size),
            }
        )

    def add_mask(
        self, expectation: str, columns: tuple[str, ...], reason: str, description: str, bad: Mask
    ) -> None:
        self.add(expectation, columns, reason, description, np.flatnonzero(bad).astype(np.int64))

    def kept(self) -> pa.Table:
        return self.table.filter(pa.array(self.alive()))

    def removed(self) -> Rows:
        return np.flatnonzero(~self.alive()).astype(np.int64)


def _check_nulls(v: _Verdicts) -> None:
    """Non-nullable schema fields (NaN counts as null for doubles): PC201."""
    bad = np.zeros(v.table.num_rows, dtype=np.bool_)
    cols: list[str] = []
    for f in arrow_schema(v.name):
        if f.nullable:
            continue
        col = v.table.column(f.name)
        nulls = pc.is_null(col, nan_is_null=True)
        if pc.any(nulls).as_py():
            bad |= to_mask(nulls)
            cols.append(f.name)
    v.add_mask(
        "schema_non_nullable_fields",
        tuple(cols),
        Reason.SCHEMA.value,
        f"non-nullable fields of schemas/{v.name}.json are present (and not NaN)",
        bad,
    )


def _apply_suite(v: _Verdicts, derived: dict[str, Mask]) -> list[tuple[ExpectationSpec, GxResult]]:
    """Run the GX suite; unique-type failures come back to be applied last."""
    specs = load_expectations(v.name)
    results = run_gx(v.name, gx_frame(v.table, specs, derived), specs)
    deferred: list[tuple[ExpectationSpec, GxResult]] = []
    for spec, res in zip(specs, results, strict=True):
        if spec.type in UNIQUE_TYPES:
            deferred.append((spec, res))
        else:
            v.add(
                spec.type,
                spec.columns,
                spec.reason,
                spec.description,
                res.rows,
                res.unexpected_count,
                res.success,
            )
    return deferred


def _apply_unique(v: _Verdicts, deferred: list[tuple[ExpectationSpec, GxResult]]) -> None:
    """Of rows sharing a key, keep the first that passed every other check."""
    for spec, res in deferred:
        rows = res.rows
        live = np.sort(rows[v.first[rows] < 0]) if rows.size else rows
        later = live
        if live.size:
            keys = v.table.select(list(spec.columns)).take(pa.array(live)).to_pandas()
            later = live[keys.duplicated(keep="first").to_numpy()]
        v.add(
            spec.type,
            spec.columns,
            spec.reason,
            spec.description,
            later,
            res.unexpected_count,
            res.success,
        )


def _check_spans(
    v: _Verdicts, paper_row: npt.NDArray[np.int64], papers: pa.Table, needle: str
) -> None:
    """PC202: results.evidence is `abstract[start:end]`; mentions may also be in the title."""
    table = v.table
    start = to_ints(table.column("start"), -1)
    end = to_ints(table.column("end"), -1)
    needles = table.column(needle)
    fields = ("abstract",) if needle == "evidence" else ("abstract", "title")
    ok = np.zeros(table.num_rows, dtype=np.bool_)
    for field in fields:
        ok |= span_matches(papers.column(field), paper_row, needles, start, end)
    where = " or ".join(f"papers.{f}[start:end]" for f in fields)
    v.add_mask(
        f"{needle}_is_text_span",
        (needle, "start", "end"),
        Reason.EVIDENCE_MISMATCH.value,
        f"{needle} is {where} verbatim",
        (paper_row >= 0) & ~ok,
    )


def _check_ranges(v: _Verdicts, ranges: MetricRanges) -> None:
    """PC203: absolute values inside their metric's [min, max]; unknown metrics pass."""
    table = v.table
    metric = table.column("metric")
    value = np.asarray(pc.fill_null(table.column("value"), math.nan).to_numpy(), dtype=np.float64)
    absolute = to_mask(pc.equal(table.column("kind"), "absolute"))
    exact = to_ints(pc.index_in(metric, value_set=pa.array(ranges.names, pa.string())), -1)
    folded = to_ints(
        pc.index_in(pc.utf8_lower(metric), value_set=pa.array(ranges.folded, pa.string())), -1
    )
    alias = np.append(ranges.folded_index, -1)[folded]
    row = np.where(exact >= 0, exact, alias)
    # Index -1 picks the appended unbounded entry.
    low = np.append(ranges.low, -math.inf)[row]
    high = np.append(ranges.high, math.inf)[row]
    # A [0, 1] metric stated as a percentage ("GenEval of 84%") is checked on [0, 100].
    percent = to_mask(pc.fill_null(pc.equal(table.column("unit"), "%"), False))
    scale = np.where(percent & (high <= 1), 100.0, 1.0)
    low, high = low * scale, high * scale
    with np.errstate(invalid="ignore"):
        bad = (absolute & ((value < low) | (value > high))) | np.isinf(value)
    v.add_mask(
        "value_in_metric_range",
        ("metric", "value", "kind"),
        Reason.OUT_OF_RANGE.value,
        "absolute value within its metric's [min, max] in gazetteers/metrics.csv, and finite",
        bad,
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    if isinstance(value, list):
        return [_jsonable(x) for x in value]
    if isinstance(value, dict):
        return {k: _jsonable(x) for k, x in value.items()}
    return value


def _short(value: Any, limit: int = 80) -> str:
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _rejections(v: _Verdicts, papers_in: pa.Table | None) -> list[Rejected]:
    """One `Rejected` per removed row; claims take source_file/line from their paper."""
    rows = v.removed()
    if not rows.size:
        return []
    sub = v.table.take(pa.array(rows))
    records = sub.to_pylist()
    if v.name == "papers" or papers_in is None:
        source = sub if v.name == "papers" else None
        at = None
    else:
        at = pc.index_in(sub.column("paper_id"), value_set=papers_in.column("paper_id"))
        source = papers_in
    if source is None:
        files: list[Any] = [None] * len(records)
        lines: list[Any] = [None] * len(records)
    elif at is None:
        files = source.column("source_file").to_pylist()
        lines = source.column("line").to_pylist()
    else:
        files = source.column("source_file").take(at).to_pylist()
        lines = source.column("line").take(at).to_pylist()
    out: list[Rejected] = []
    for pos, record, file, line in zip(rows.tolist(), records, files, lines, strict=True):
        reason, description, columns = v.causes[v.first[pos]]
        where = f"{file}:{line}" if file is not None else "unknown source"
        values = ", ".join(f"{c}={_short(record[c])}" for c in columns if c in record)
        detail = f"{where}: {v.name}[{pos}] (paper {record.get('paper_id')!r}): {description}"
        out.append(
            Rejected(
                stage=STAGE,
                source_file=file if file is not None else "",
                line=line,
                reason=reason,
                detail=f"{detail} ({values})" if values else detail,
                record=json.dumps(_jsonable(record), ensure_ascii=False),
            )
        )
    return out


def cast_table(name: str, table: pa.Table) -> pa.Table:
    """`table` with exactly the columns and types of `arrow_schema(name)`; else PipelineError."""
    schema = arrow_schema(name)
    missing = [f.name for f in schema if f.name not in table.column_names]
    if missing:
        raise PipelineError(
            f"validate: table {name!r}: missing column(s) {missing}; "
            f"the table must follow schemas/{name}.json"
        )
    columns = []
    for f in schema:
        column = table.column(f.name)
        try:
            columns.append(column.cast(f.type))
        except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError) as e:
            raise PipelineError(
                f"validate: table {name!r} column {f.name!r}: cannot cast {column.type} "
                f"to {f.type} (schemas/{name}.json): {e}"
            ) from e
    return pa.Table.from_arrays(columns, schema=schema)


def _paper_rows(table: pa.Table, papers: pa.Table) -> npt.NDArray[np.int64]:
    """Row of each claim's paper in the validated papers, -1 when it is not there."""
    return to_ints(pc.index_in(table.column("paper_id"), value_set=papers.column("paper_id")), -1)


def validate_tables(tables: dict[str, pa.Table], metrics_csv: Path) -> ValidationOutcome:
    """Check the stage tables; drop and quarantine every failing row (see module doc)."""
    unknown = sorted(set(tables) - set(TABLES))
    if unknown:
        raise PipelineError(f"validate: unknown table(s) {unknown}; expected some of {TABLES}")
    if "papers" not in tables and any(t in tables for t in CLAIM_TABLES):
        raise PipelineError("validate: claim tables need the papers table to check paper_id")
    typed = {name: cast_table(name, table) for name, table in tables.items()}
    ranges = load_metric_ranges(metrics_csv) if "results" in typed else None

    verdicts: dict[str, _Verdicts] = {}
    papers = pa.Table.from_pylist([], schema=arrow_schema("papers"))
    if "papers" in typed:
        v = _Verdicts("papers", typed["papers"])
        _check_nulls(v)
        _apply_unique(v, _apply_suite(v, {}))
        verdicts["papers"] = v
        papers = v.kept()
    for name in CLAIM_TABLES:
        if name not in typed:
            continue
        v = _Verdicts(name, typed[name])
        paper_row = _paper_rows(v.table, papers)
        _check_nulls(v)
        deferred = _apply_suite(v, {PAPER_KNOWN: paper_row >= 0})
        if name == "results":
            _check_spans(v, paper_row, papers, "evidence")
            assert ranges is not None
            _check_ranges(v, ranges)
        elif name in ("dataset_mentions", "resolutions"):
            _check_spans(v, paper_row, papers, "mention")
        _apply_unique(v, deferred)
        verdicts[name] = v

    rejected: list[Rejected] = []
    checks: list[dict[str, Any]] = []
    for name in TABLES:
        if name in verdicts:
            rejected.extend(_rejections(verdicts[name], typed.get("papers")))
            checks.extend(verdicts[name].checks)
    out = {name: verdicts[name].kept() for name in tables}
    # The stage shell logs the INFO summary line; per-table detail is DEBUG.
    for name in out:
        log.debug("validate: %s: %d in, %d out", name, typed[name].num_rows, out[name].num_rows)
    return ValidationOutcome(tables=out, rejected=rejected, checks=checks)


@dataclass(frozen=True, slots=True)
class ChunkOutcome:
    """`validate_tables`' answer for one chunk of one table."""

    kept: pa.Table
    removed: Rows
    """Positions (in the chunk) of the rows removed."""
    rejected: list[Rejected]
    checks: list[dict[str, Any]]
    kept_repeats: dict[str, list[Any]]
    """Per unique column: values of `repeated[column]` this chunk kept (first occurrences)."""


def unique_columns(table: str) -> list[str]:
    """Columns of the table's single-column uniqueness expectations."""
    cols: list[str] = []
    for spec in load_expectations(table):
        if spec.type in UNIQUE_TYPES:
            if len(spec.columns) != 1:
                raise PipelineError(
                    f"validate: {table}: {spec.type} on {spec.columns}: only single-column "
                    "uniqueness can be checked chunk by chunk"
                )
            cols.append(spec.columns[0])
    return cols


def repeated_values(column: pa.ChunkedArray | pa.Array) -> pa.Array:
    """The non-null values that occur more than once in a column."""
    counts = pc.value_counts(column.drop_null())
    return pc.filter(counts.field("values"), pc.greater(counts.field("counts"), 1))


def hash_ids(values: pa.ChunkedArray | pa.Array) -> npt.NDArray[np.int64]:
    """64-bit hashes of string values (null: 0). Python's `hash`: fast, and only ever
    compared within the process that made them (it is salted per process)."""
    return np.fromiter(
        (0 if v is None else hash(v) for v in values.to_pylist()), np.int64, len(values)
    )


def repeated_by_hash(
    batches: Callable[[], Iterator[pa.RecordBatch]], hashes: npt.NDArray[np.int64]
) -> pa.Array:
    """`repeated_values` of a column too big to hash as strings: `hashes` (`hash_ids`, one per
    row) find the few rows whose hash repeats; only their values are compared exactly.
    `batches` yields the column (first column of each batch) in row order."""
    values, counts = np.unique(hashes, return_counts=True)
    suspects = values[counts > 1]
    parts: list[pa.Array] = []
    first: pa.DataType = pa.string()
    start = 0
    for batch in batches():
        column = batch.column(0)
        first = column.type
        n = len(column)
        if suspects.size:
            hit = np.isin(hashes[start : start + n], suspects)
            if hit.any():
                parts.append(column.filter(pa.array(hit)))
        start += n
    return repeated_values(pa.chunked_array(parts, first))


@dataclass(frozen=True, slots=True)
class KnownIds:
    """`paper_id`s of the validated papers for the claim check, in 8 bytes a paper instead
    of a hash set of a million strings per chunk (~250 MB of resident memory at 1M ids):
    the sorted `hash_ids` of every input paper, and the ids validation removed (every row
    of them), exactly.

    An id is known when its hash is among the papers' and it was not removed. A claim's
    paper that never was in the papers table could only pass by a 64-bit hash collision;
    the pipeline's claims all come from those papers."""

    hashes: npt.NDArray[np.int64]
    """Sorted."""
    removed: pa.Array

    @classmethod
    def of(cls, batches: Iterable[pa.RecordBatch], removed_rows: pa.Array) -> KnownIds:
        """From the papers' ids (the first column of each batch; nulls are no id) and the
        ids of the rows validation removed, one per row: an id is gone only when all its
        rows are (a repeated id keeps its first valid row)."""
        parts = [np.empty(0, np.int64)]
        lost = Counter(v for v in removed_rows.to_pylist() if v is not None)
        total: Counter[Any] = Counter()
        wanted = pa.array(list(lost), removed_rows.type)
        for batch in batches:
            column = batch.column(0)
            parts.append(hash_ids(column.filter(pc.is_valid(column))))
            if lost:
                total.update(column.filter(pc.is_in(column, value_set=wanted)).to_pylist())
        gone = [v for v, n in lost.items() if total[v] <= n]
        return cls(np.sort(np.concatenate(parts)), pa.array(gone, removed_rows.type))

    def mask(self, ids: pa.ChunkedArray | pa.Array) -> Mask:
        h = hash_ids(ids)
        if not self.hashes.size:
            return np.zeros(len(h), dtype=np.bool_)
        pos = np.minimum(np.searchsorted(self.hashes, h), self.hashes.size - 1)
        known = (self.hashes[pos] == h) & to_mask(pc.is_valid(ids))
        if len(self.removed):
            known &= ~to_mask(pc.is_in(ids, value_set=self.removed))
        return np.asarray(known, dtype=np.bool_)


def validate_chunk(
    name: str,
    table: pa.Table,
    *,
    ranges: MetricRanges | None = None,
    known_ids: pa.Array | pa.ChunkedArray | KnownIds | None = None,
    span_ok: Mask | None = None,
    papers_in: pa.Table | None = None,
    repeated: dict[str, pa.Array] | None = None,
    kept_before: dict[str, set[Any]] | None = None,
    row_offset: int = 0,
) -> ChunkOutcome:
    """Validate one chunk of `name` as `validate_tables` validates the whole table.

    table: the chunk; nullable columns that no check reads (`papers.abstract`) may be left
      out and are then null in the rejection records.
    ranges: the metric ranges (results).
    known_ids: paper_id of every validated paper (claim tables), or a `KnownIds`.
    span_ok: per row, the needle is `abstract[start:end]` (or the title's, for mentions)
      of its paper (claim tables with spans); see `span_matches` for the rule.
    papers_in: paper_id, source_file and line of every input paper: where a rejected
      claim comes from.
    repeated: per unique column, `repeated_values` of the whole table's column.
    kept_before: per unique column, the repeated values earlier chunks kept.
    row_offset: position of the chunk's first row in the table (named in rejections).
    """
    schema = arrow_schema(name)
    missing = [f for f in schema if f.name not in table.column_names and f.nullable]
    for f in missing:
        table = table.append_column(f, pa.nulls(table.num_rows, f.type))
    v = _Verdicts(name, cast_table(name, table))
    derived: dict[str, Mask] = {}
    known = np.ones(v.table.num_rows, dtype=np.bool_)
    if name != "papers":
        if known_ids is None:
            raise PipelineError("validate: claim tables need the validated paper ids")
        ids = v.table.column("paper_id")
        if isinstance(known_ids, KnownIds):
            known = known_ids.mask(ids)
        else:
            known = to_mask(pc.is_in(ids, value_set=known_ids))
        derived[PAPER_KNOWN] = known
    _check_nulls(v)
    deferred = _apply_suite(v, derived)
    needle = {"results": "evidence", "dataset_mentions": "mention", "resolutions": "mention"}
    if name in needle:
        if span_ok is None or len(span_ok) != v.table.num_rows:
            raise PipelineError(f"validate: {name}: need one span verdict per row")
        fields = ("abstract",) if needle[name] == "evidence" else ("abstract", "title")
        where = " or ".join(f"papers.{f}[start:end]" for f in fields)
        v.add_mask(
            f"{needle[name]}_is_text_span",
            (needle[name], "start", "end"),
            Reason.EVIDENCE_MISMATCH.value,
            f"{needle[name]} is {where} verbatim",
            known & ~np.asarray(span_ok, dtype=np.bool_),
        )
    if name == "results":
        if ranges is None:
            raise PipelineError("validate: results need the metric ranges")
        _check_ranges(v, ranges)
    kept_repeats: dict[str, list[Any]] = {}
    for spec, _ in deferred:
        column = spec.columns[0]
        values = v.table.column(column)
        rep = (repeated or {}).get(column, pa.array([], values.type))
        before = (kept_before or {}).get(column, set())
        # Every row of a value repeated anywhere fails; the first one still alive is kept,
        # unless an earlier chunk kept that value already.
        failing = np.flatnonzero(to_mask(pc.is_in(values, value_set=rep))).astype(np.int64)
        later: list[int] = []
        kept_now: list[Any] = []
        seen = set(before)
        live = failing[v.first[failing] < 0]
        for pos, value in zip(live.tolist(), values.take(pa.array(live)).to_pylist(), strict=True):
            if value in seen:
                later.append(pos)
            else:
                seen.add(value)
                kept_now.append(value)
        kept_repeats[column] = kept_now
        rows = np.asarray(later, dtype=np.int64)
        v.add(spec.type, spec.columns, spec.reason, spec.description, rows, int(failing.size))
    rejected: list[Rejected] = []
    if v.removed().size:
        rejected = _rejections(v, v.table if name == "papers" else papers_in)
        if row_offset:
            rejected = [
                replace(
                    r,
                    detail=r.detail.replace(
                        f": {name}[{pos}] (", f": {name}[{pos + row_offset}] (", 1
                    ),
                )
                for pos, r in zip(v.removed().tolist(), rejected, strict=True)
            ]
    return ChunkOutcome(v.kept(), v.removed(), rejected, v.checks, kept_repeats)


def merge_checks(total: list[dict[str, Any]], chunk: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The `checks` of two chunks of one table as one (counts add up, success is all)."""
    if not total:
        return [dict(c) for c in chunk]
    out = []
    for a, b in zip(total, chunk, strict=True):
        out.append(
            {
                **a,
                "success": bool(a["success"] and b["success"]),
                "unexpected_count": a["unexpected_count"] + b["unexpected_count"],
                "quarantined": a["quarantined"] + b["quarantined"],
            }
        )
    return out
