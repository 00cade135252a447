"""Validate stage core: Arrow schemas, Great Expectations suites, span and range checks.

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

import csv
import json
import logging
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path
from typing import Any, cast

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from pipeline.errors import GazetteerError, PipelineError, Reason, SchemaFileError
from pipeline.records import Rejected
from pipeline.schemas import SCHEMA_DIR, arrow_schema

log = logging.getLogger(__name__)

STAGE = "validate"
EXPECTATION_DIR = SCHEMA_DIR / "expectations"
CLAIM_TABLES = ("code_links", "dataset_mentions", "resolutions", "results")
TABLES = ("papers", *CLAIM_TABLES)
PAPER_KNOWN = "paper_id_in_papers"
"""Derived column of claim tables: paper_id is in the validated papers table."""
UNIQUE_TYPES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
"""Expectations whose failing rows keep their first valid occurrence."""

_SPAN_CHUNK = 8192
"""Rows per vectorised span comparison (bounds the per-chunk byte buffers to a few MB)."""
_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
}

Mask = npt.NDArray[np.bool_]
Rows = npt.NDArray[np.int64]


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


@dataclass(frozen=True, slots=True)
class ExpectationSpec:
    """One entry of `schemas/expectations/<table>.json`."""

    type: str
    kwargs: dict[str, Any]
    reason: str
    description: str

    @property
    def columns(self) -> tuple[str, ...]:
        cols = [self.kwargs[k] for k in ("column", "column_A", "column_B") if k in self.kwargs]
        cols.extend(self.kwargs.get("column_list", []))
        return tuple(cols)


@dataclass(frozen=True, slots=True)
class MetricRanges:
    """Plausible [min, max] per metric from the metric gazetteer (blank = unbounded)."""

    names: list[str]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    folded: list[str]
    """Lowercased names and aliases; `folded_index[i]` is the row of `folded[i]`."""
    folded_index: npt.NDArray[np.int64]


# ----------------------------------------------------------------------------- loaders


def _number(value: str | None, where: str, column: str, default: float) -> float:
    text = (value or "").strip()
    if not text:
        return default
    try:
        number = float(text)
    except ValueError as e:
        raise GazetteerError(f"{where}: column {column}: not a number: {text!r}") from e
    if math.isnan(number):
        raise GazetteerError(f"{where}: column {column}: NaN is not a bound")
    return number


def load_metric_ranges(path: Path) -> MetricRanges:
    """The `metric`, `aliases`, `min`, `max` columns of `gazetteers/metrics.csv`."""
    try:
        fh = path.open(encoding="utf-8", newline="")
    except OSError as e:
        raise GazetteerError(f"{path}: cannot read metric table: {e}") from e
    names: list[str] = []
    low: list[float] = []
    high: list[float] = []
    owners: dict[str, set[int]] = {}
    with fh:
        reader = csv.DictReader(fh)
        missing = [c for c in ("metric", "min", "max") if c not in (reader.fieldnames or [])]
        if missing:
            raise GazetteerError(f"{path}:1: missing column(s) {missing}; add them to the header")
        for lineno, row in enumerate(reader, start=2):
            where = f"{path}:{lineno}"
            metric = (row.get("metric") or "").strip()
            if not metric:
                raise GazetteerError(f"{where}: empty metric name")
            if metric in names:
                raise GazetteerError(f"{where}: duplicate metric {metric!r}")
            lo = _number(row.get("min"), where, "min", -math.inf)
            hi = _number(row.get("max"), where, "max", math.inf)
            if lo > hi:
                raise GazetteerError(f"{where}: {metric}: min {lo} > max {hi}")
            i = len(names)
            names.append(metric)
            low.append(lo)
            high.append(hi)
            aliases = (row.get("aliases") or "").split("|")
            for form in (metric, *aliases):
                if form.strip():
                    owners.setdefault(form.strip().lower(), set()).add(i)
    # A folded form shared by two metrics is ambiguous: only exact names match it.
    folded = {k: next(iter(v)) for k, v in owners.items() if len(v) == 1}
    return MetricRanges(
        names=names,
        low=np.array(low, dtype=np.float64),
        high=np.array(high, dtype=np.float64),
        folded=list(folded),
        folded_index=np.array(list(folded.values()), dtype=np.int64),
    )


@cache
def load_expectations(table: str) -> tuple[ExpectationSpec, ...]:
    """The parsed and checked `schemas/expectations/<table>.json`."""
    path = EXPECTATION_DIR / f"{table}.json"
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as e:
        raise SchemaFileError(f"{path}: cannot read expectations: {e}") from e
    if not isinstance(raw, list):
        raise SchemaFileError(f"{path}: expected a JSON list of expectation configurations")
    known_columns = set(arrow_schema(table).names) | ({PAPER_KNOWN} if table != "papers" else set())
    reasons = {r.value for r in Reason}
    specs: list[ExpectationSpec] = []
    for i, entry in enumerate(raw):
        where = f"{path}: expectation #{i}"
        if not isinstance(entry, dict) or not isinstance(entry.get("type"), str):
            raise SchemaFileError(f"{where}: needs a string `type`")
        kwargs, meta = entry.get("kwargs", {}), entry.get("meta", {})
        if not isinstance(kwargs, dict) or not isinstance(meta, dict):
            raise SchemaFileError(f"{where}: `kwargs` and `meta` must be objects")
        if meta.get("reason") not in reasons:
            raise SchemaFileError(
                f"{where}: meta.reason {meta.get('reason')!r} is not a Reason code "
                "(add it to pipeline/errors.py)"
            )
        spec = ExpectationSpec(
            entry["type"], kwargs, meta["reason"], str(meta.get("description", entry["type"]))
        )
        unknown = [c for c in spec.columns if c not in known_columns]
        if unknown:
            raise SchemaFileError(f"{where}: unknown column(s) {unknown} for table {table!r}")
        specs.append(spec)
    return tuple(specs)


# ----------------------------------------------------------------------------- GX


_GX_LOCK = threading.Lock()


@cache
def _gx_context() -> Any:
    """One ephemeral GX context per process: nothing written to disk, no progress bars."""
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    # GX logs at INFO/WARNING for routine work; its errors surface as exception_info.
    logging.getLogger("great_expectations").setLevel(logging.ERROR)
    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False, metric_calculations=False)
    context.data_sources.add_pandas("paperclaims")
    return context


@cache
def _gx_batch_definition(table: str) -> Any:
    datasource = _gx_context().data_sources.get("paperclaims")
    asset = datasource.add_dataframe_asset(name=table)
    return asset.add_batch_definition_whole_dataframe(f"{table}-whole")


@cache
def gx_suite(table: str) -> Any:
    """The GX `ExpectationSuite` of a table; a bad configuration names its file."""
    from great_expectations.core.expectation_suite import ExpectationSuite
    from great_expectations.expectations.expectation_configuration import (
        ExpectationConfiguration,
    )

    expectations = []
    for i, spec in enumerate(load_expectations(table)):
        config = ExpectationConfiguration(
            type=spec.type, kwargs=dict(spec.kwargs), meta={"index": i, "reason": spec.reason}
        )
        try:
            expectations.append(config.to_domain_obj())
        except Exception as e:  # GX raises many types for a bad configuration
            raise SchemaFileError(
                f"{EXPECTATION_DIR / (table + '.json')}: expectation #{i} ({spec.type}): {e}"
            ) from e
    return ExpectationSuite(name=f"paperclaims-{table}", expectations=expectations)


@dataclass(frozen=True, slots=True)
class _GxResult:
    success: bool
    unexpected_count: int
    rows: Rows
    """Failing row positions."""


def _run_gx(table: str, frame: pd.DataFrame, specs: tuple[ExpectationSpec, ...]) -> list[_GxResult]:
    """GX's verdict per expectation, in `specs` order."""
    none = np.empty(0, dtype=np.int64)
    failing = [_GxResult(True, 0, none) for _ in specs]
    if not specs or frame.empty:
        return failing
    with _GX_LOCK:
        batch = _gx_batch_definition(table).get_batch(batch_parameters={"dataframe": frame})
        try:
            outcome = batch.validate(gx_suite(table), result_format=_RESULT_FORMAT)
        finally:
            # Do not keep the last DataFrame alive in the cached context.
            batch.data.execution_engine.batch_manager.reset_batch_cache()
    for res in outcome.results:
        i = int(res.expectation_config.meta["index"])
        info = res.exception_info or {}
        if info.get("raised_exception"):
            raise PipelineError(
                f"validate: {table}: expectation #{i} ({specs[i].type}) crashed: "
                f"{info.get('exception_message')}"
            )
        if res.success:
            continue
        # Only row-level (map) expectations name rows; a failing aggregate one is recorded
        # in `checks` but removes nothing.
        index = cast(list[Any], res.result.get("unexpected_index_list") or [])
        if index and not isinstance(index[0], int | np.integer):
            raise PipelineError(f"validate: {table}: expectation #{i}: unexpected index {index[0]}")
        count = int(res.result.get("unexpected_count") or len(index))
        failing[i] = _GxResult(False, count, np.asarray(index, dtype=np.int64))
    return failing


def _gx_frame(
    table: pa.Table, specs: tuple[ExpectationSpec, ...], derived: dict[str, Mask]
) -> pd.DataFrame:
    """Only the columns the suite reads, with a RangeIndex (= row positions)."""
    wanted = list(dict.fromkeys(c for s in specs for c in s.columns))
    real = [c for c in wanted if c in table.column_names]
    frame = cast(pd.DataFrame, table.select(real).to_pandas())
    for name in wanted:
        if name in derived:
            frame[name] = derived[name]
    return frame


# ----------------------------------------------------------------------------- verdicts


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
            bad |= _to_mask(nulls)
            cols.append(f.name)
    v.add_mask(
        "schema_non_nullable_fields",
        tuple(cols),
        Reason.SCHEMA.value,
        f"non-nullable fields of schemas/{v.name}.json are present (and not NaN)",
        bad,
    )


def _apply_suite(v: _Verdicts, derived: dict[str, Mask]) -> list[tuple[ExpectationSpec, _GxResult]]:
    """Run the GX suite; unique-type failures come back to be applied last."""
    specs = load_expectations(v.name)
    results = _run_gx(v.name, _gx_frame(v.table, specs, derived), specs)
    deferred: list[tuple[ExpectationSpec, _GxResult]] = []
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


def _apply_unique(v: _Verdicts, deferred: list[tuple[ExpectationSpec, _GxResult]]) -> None:
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


# ----------------------------------------------------------------------------- Python checks


def _to_mask(arr: pa.Array | pa.ChunkedArray) -> Mask:
    """Boolean Arrow data as a numpy mask, null as False."""
    filled = pc.fill_null(arr, False)
    if isinstance(filled, pa.Array):
        return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.bool_)
    return np.asarray(filled.to_numpy(), dtype=np.bool_)


def _to_ints(arr: pa.Array | pa.ChunkedArray, null: int) -> npt.NDArray[np.int64]:
    filled = pc.fill_null(arr, null)
    if isinstance(filled, pa.Array):
        return np.asarray(filled.to_numpy(zero_copy_only=False), dtype=np.int64)
    return np.asarray(filled.to_numpy(), dtype=np.int64)


def _string_buffers(
    arr: pa.Array | pa.ChunkedArray,
) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.uint8], Mask]:
    """UTF-8 offsets (n+1), bytes and validity of a string array, without copying strings."""
    flat = arr.combine_chunks() if isinstance(arr, pa.ChunkedArray) else arr
    flat = flat.cast(pa.large_string())
    valid = _to_mask(pc.is_valid(flat))
    buffers = flat.buffers()
    offsets = np.frombuffer(buffers[1], dtype=np.int64)[flat.offset : flat.offset + len(flat) + 1]
    if buffers[2] is None:
        return offsets, np.empty(0, dtype=np.uint8), valid
    return offsets, np.frombuffer(buffers[2], dtype=np.uint8), valid


def _span_chunk(
    texts: pa.Array | pa.ChunkedArray,
    needles: pa.Array | pa.ChunkedArray,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> Mask:
    """`needles[i] == texts[i][start[i]:end[i]]` (code point offsets), vectorised."""
    t_off, t_data, t_valid = _string_buffers(texts)
    n_off, n_data, n_valid = _string_buffers(needles)
    # Lead bytes of multi-byte UTF-8 characters are few: code point offsets become byte
    # offsets by adding the extra bytes of every multi-byte character before them.
    lead = np.flatnonzero(t_data >= 0xC0)
    extra = np.where(t_data[lead] >= 0xF0, 3, np.where(t_data[lead] >= 0xE0, 2, 1))
    extra_before = np.concatenate(([0], np.cumsum(extra)))
    lead_point = lead - extra_before[:-1]  # global code point index of each lead byte
    base = t_off[:-1] - extra_before[np.searchsorted(lead, t_off[:-1])]
    length = t_off[1:] - extra_before[np.searchsorted(lead, t_off[1:])] - base
    ok = t_valid & n_valid & (start >= 0) & (start <= end) & (end <= length)
    first_point = np.where(ok, base + start, 0)
    last_point = np.where(ok, base + end, 0)
    first = first_point + extra_before[np.searchsorted(lead_point, first_point)]
    last = last_point + extra_before[np.searchsorted(lead_point, last_point)]
    n_len = np.diff(n_off)
    ok &= (last - first) == n_len
    cand = np.flatnonzero(ok & (n_len > 0))
    if cand.size:
        lens = n_len[cand]
        seg = np.cumsum(lens) - lens
        step = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(seg, lens)
        differ = (
            t_data[np.repeat(first[cand], lens) + step]
            != n_data[np.repeat(n_off[cand], lens) + step]
        )
        ok[cand[np.logical_or.reduceat(differ, seg)]] = False
    return ok


def span_matches(
    texts: pa.ChunkedArray,
    text_row: npt.NDArray[np.int64],
    needles: pa.ChunkedArray,
    start: npt.NDArray[np.int64],
    end: npt.NDArray[np.int64],
) -> Mask:
    """Per row i: `needles[i] == texts[text_row[i]][start[i]:end[i]]` (False if text_row < 0)."""
    out = np.zeros(len(needles), dtype=np.bool_)
    for r0 in range(0, len(needles), _SPAN_CHUNK):
        r1 = min(len(needles), r0 + _SPAN_CHUNK)
        rows = text_row[r0:r1]
        taken = texts.take(pa.array(np.maximum(rows, 0), mask=rows < 0))
        out[r0:r1] = _span_chunk(taken, needles.slice(r0, r1 - r0), start[r0:r1], end[r0:r1])
    return out


def _check_spans(
    v: _Verdicts, paper_row: npt.NDArray[np.int64], papers: pa.Table, needle: str
) -> None:
    """PC202: results.evidence is `abstract[start:end]`; mentions may also be in the title."""
    table = v.table
    start = _to_ints(table.column("start"), -1)
    end = _to_ints(table.column("end"), -1)
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
    absolute = _to_mask(pc.equal(table.column("kind"), "absolute"))
    exact = _to_ints(pc.index_in(metric, value_set=pa.array(ranges.names, pa.string())), -1)
    folded = _to_ints(
        pc.index_in(pc.utf8_lower(metric), value_set=pa.array(ranges.folded, pa.string())), -1
    )
    alias = np.append(ranges.folded_index, -1)[folded]
    row = np.where(exact >= 0, exact, alias)
    # Index -1 picks the appended unbounded entry.
    low = np.append(ranges.low, -math.inf)[row]
    high = np.append(ranges.high, math.inf)[row]
    # A [0, 1] metric stated as a percentage ("GenEval of 84%") is checked on [0, 100].
    percent = _to_mask(pc.fill_null(pc.equal(table.column("unit"), "%"), False))
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


# ----------------------------------------------------------------------------- rejections


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


# ----------------------------------------------------------------------------- stage core


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
    return _to_ints(pc.index_in(table.column("paper_id"), value_set=papers.column("paper_id")), -1)


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


# ----------------------------------------------------------------------------- streaming
#
# The same verdicts as `validate_tables`, one chunk of one table at a time, so a stage shell
# can validate a corpus of any size in bounded memory. What crosses chunks is passed in:
# the values of unique columns that repeat anywhere in the table (and those already kept),
# the ids of the validated papers, and span verdicts computed where the abstracts were
# (`span_ok`), so the papers' abstracts are never needed here.


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
        known = (self.hashes[pos] == h) & _to_mask(pc.is_valid(ids))
        if len(self.removed):
            known &= ~_to_mask(pc.is_in(ids, value_set=self.removed))
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
            known = _to_mask(pc.is_in(ids, value_set=known_ids))
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
        failing = np.flatnonzero(_to_mask(pc.is_in(values, value_set=rep))).astype(np.int64)
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
