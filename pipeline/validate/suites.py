"""Great Expectations suites: `schemas/expectations/<table>.json` loaded, checked and run
in-process on one ephemeral GX context per process.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import dataclass
from functools import cache
from typing import Any, cast

import numpy as np
import pandas as pd
import pyarrow as pa

from pipeline.errors import PipelineError, Reason, SchemaFileError
from pipeline.schemas import SCHEMA_DIR, arrow_schema
from pipeline.validate.arrays import Mask, Rows

EXPECTATION_DIR = SCHEMA_DIR / "expectations"


PAPER_KNOWN = "paper_id_in_papers"
"""Derived column of claim tables: paper_id is in the validated papers table."""


UNIQUE_TYPES = frozenset(
    {"expect_column_values_to_be_unique", "expect_compound_columns_to_be_unique"}
)
"""Expectations whose failing rows keep their first valid occurrence."""


_RESULT_FORMAT: dict[str, Any] = {
    "result_format": "COMPLETE",
    "partial_unexpected_count": 0,
    "return_unexpected_index_query": False,
}


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
class GxResult:
    success: bool
    unexpected_count: int
    rows: Rows
    """Failing row positions."""


def run_gx(table: str, frame: pd.DataFrame, specs: tuple[ExpectationSpec, ...]) -> list[GxResult]:
    """GX's verdict per expectation, in `specs` order."""
    none = np.empty(0, dtype=np.int64)
    failing = [GxResult(True, 0, none) for _ in specs]
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
        failing[i] = GxResult(False, count, np.asarray(index, dtype=np.int64))
    return failing


def gx_frame(
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
