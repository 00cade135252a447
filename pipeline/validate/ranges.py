"""Metric ranges: the bounds `gazetteers/metrics.csv` gives each metric, for the range checks."""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from pipeline.errors import GazetteerError


@dataclass(frozen=True, slots=True)
class MetricRanges:
    """Plausible [min, max] per metric from the metric gazetteer (blank = unbounded)."""

    names: list[str]
    low: npt.NDArray[np.float64]
    high: npt.NDArray[np.float64]
    folded: list[str]
    """Lowercased names and aliases; `folded_index[i]` is the row of `folded[i]`."""
    folded_index: npt.NDArray[np.int64]


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
