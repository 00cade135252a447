"""The task a result belongs to: `gazetteers/tasks.csv` (dataset + metric -> task, built from
Papers with Code rows by `pipeline.tools.build_tasks`) looked up by the result's canonical
dataset and metric: the pair first, then the dataset alone; the metric alone only for a
result without a dataset, and there (in `claims`) before the paper-task classifier only when
the metric nearly always means one task (`SURE_SHARE`), after it otherwise; None when none
of them is in the taxonomy.

Also the metric a dataset's results are usually given in (`gazetteers/dataset_metrics.csv`,
built by `pipeline.tools.build_dataset_metrics` from the same rows' train split), for a number
stated on a benchmark without a metric ("78.6 on COCO test-dev")."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from functools import cache

import regex

from pipeline.config import GAZETTEER_DIR
from pipeline.errors import GazetteerError
from pipeline.extract import resources

TASKS_CSV = GAZETTEER_DIR / "tasks.csv"
DATASET_METRICS_CSV = GAZETTEER_DIR / "dataset_metrics.csv"
_QUALIFIER = regex.compile(r"\s*\([^()]*\)\s*$")
_IN_BRACKETS = regex.compile(r"\(([^()]+)\)\s*$")
_LEADING = regex.compile(
    r"^(?:(?:%|average|avg\.?|mean|overall|validation|val|test|dev)\s+)+", regex.IGNORECASE)
_COLUMNS = ("dataset", "metric", "task")
SURE_SHARE = 0.7
"""A metric alone names the task when at least this share of its papers have that task (the
paper-task classifier's threshold; below it the classifier is asked first)."""
_CUTOFF = regex.compile(rf"@\s?{resources.CUTOFF}\s*$")


@dataclass(frozen=True, slots=True)
class TaskTable:
    pairs: dict[tuple[str, str], str]
    datasets: dict[str, str]
    metrics: dict[str, str]
    sure_metrics: frozenset[str] = frozenset()

    def task_of(self, dataset: str | None, metric: str | None) -> str | None:
        """`metric` as published ("Recall@1"); the taxonomy holds table entries (Recall@k)."""
        if metric:
            metric = resources.table_entry(metric)
        if dataset:
            # A version the taxonomy lacks ("AIME 2025") has its parent's task; a dataset
            # the taxonomy does not know at all (a new benchmark) says nothing about the
            # task: its metric alone would guess ("pass@1" -> Code Generation for AIME).
            for name in (dataset, resources.parent_of(dataset)):
                if name and metric and (name, metric) in self.pairs:
                    return self.pairs[(name, metric)]
                if name and name in self.datasets:
                    return self.datasets[name]
            return None
        return self.metrics.get(metric) if metric else None

    def sure_metric_task(self, metric: str) -> str | None:
        """The task of a metric alone when its share is at least `SURE_SHARE`."""
        entry = resources.table_entry(metric)
        return self.metrics.get(entry) if entry in self.sure_metrics else None


def parse_tasks(text: str, where: str) -> TaskTable:
    """The taxonomy in `text` (CSV with dataset, metric, task); `where` names it in errors."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in _COLUMNS if c not in (reader.fieldnames or [])]
    if missing:
        raise GazetteerError(f"{where}:1: missing column(s) {missing}")
    pairs: dict[tuple[str, str], str] = {}
    datasets: dict[str, str] = {}
    metrics: dict[str, str] = {}
    sure: set[str] = set()
    for lineno, row in enumerate(reader, start=2):
        dataset, metric, task = (str(row.get(c) or "").strip() for c in _COLUMNS)
        if not task or not (dataset or metric):
            raise GazetteerError(f"{where}:{lineno}: a row needs a task and a dataset or metric")
        if (dataset, metric) in pairs or (not metric and dataset in datasets) or (
                not dataset and metric in metrics):
            raise GazetteerError(f"{where}:{lineno}: {dataset or '*'} / {metric or '*'} twice")
        if dataset and metric:
            pairs[(dataset, metric)] = task
        elif dataset:
            datasets[dataset] = task
        else:
            metrics[metric] = task
            share = str(row.get("share") or "").strip()
            try:
                if share and float(share) >= SURE_SHARE:
                    sure.add(metric)
            except ValueError as e:
                raise GazetteerError(f"{where}:{lineno}: share {share!r} is not a number") from e
    return TaskTable(pairs, datasets, metrics, frozenset(sure))


@cache
def tasks() -> TaskTable:
    try:
        text = TASKS_CSV.read_text(encoding="utf-8")
    except OSError as e:
        raise GazetteerError(f"{TASKS_CSV}: cannot read task taxonomy: {e}") from e
    return parse_tasks(text, str(TASKS_CSV))


def task_of(dataset: str | None, metric: str | None) -> str | None:
    return tasks().task_of(dataset, metric)


def sure_metric_task(metric: str) -> str | None:
    return tasks().sure_metric_task(metric)


def canonical_metric(name: str) -> str | None:
    """The metric table's canonical name for a metric named elsewhere (a Papers with Code
    row or export), or None. When the whole name is unknown: without a trailing qualifier in
    brackets ("Accuracy (%)", "Word Error Rate (WER)"), then the bracketed abbreviation ("Bit
    per Character (BPC)"), then without leading split or averaging words ("% Test Accuracy",
    "Validation mIoU", "Avg F1")."""
    aliases = resources.metrics().alias_to_metric
    text = " ".join(name.split())
    bare = _QUALIFIER.sub("", text)
    inner = _IN_BRACKETS.search(text)
    for form in (text, bare, inner.group(1) if inner else "", _LEADING.sub("", bare),
                 _CUTOFF.sub("", text).strip()):
        metric = aliases.get(resources.fold(form)) if form else None
        if metric is not None:
            # The cut-off the name is written with, as extract publishes it ("R@1" ->
            # Recall@1, "nDCG@10" -> NDCG@10); a name with a number of its own stays.
            k = _CUTOFF.search(text)
            if k is not None and resources.takes_cutoff(metric):
                return resources.with_cutoff(metric, k.group("k"))
            return metric
    return None


def parse_dataset_metrics(text: str, where: str) -> dict[str, str]:
    """dataset -> its usual metric, from `text` (CSV with dataset, metric)."""
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("dataset", "metric") if c not in (reader.fieldnames or [])]
    if missing:
        raise GazetteerError(f"{where}:1: missing column(s) {missing}")
    out: dict[str, str] = {}
    for lineno, row in enumerate(reader, start=2):
        dataset, metric = (str(row.get(c) or "").strip() for c in ("dataset", "metric"))
        if not dataset or not metric:
            raise GazetteerError(f"{where}:{lineno}: a row needs a dataset and a metric")
        if dataset in out:
            raise GazetteerError(f"{where}:{lineno}: {dataset} twice")
        out[dataset] = metric
    return out


@cache
def dataset_metrics() -> dict[str, str]:
    try:
        text = DATASET_METRICS_CSV.read_text(encoding="utf-8")
    except OSError as e:
        raise GazetteerError(f"{DATASET_METRICS_CSV}: cannot read usual metrics: {e}") from e
    return parse_dataset_metrics(text, str(DATASET_METRICS_CSV))


def usual_metric(dataset: str) -> str | None:
    """The metric results on `dataset` are usually reported in (or, for a version the table
    lacks, in its parent), or None."""
    table = dataset_metrics()
    if dataset in table:
        return table[dataset]
    parent = resources.parent_of(dataset)
    return table.get(parent) if parent else None
