"""Build the task taxonomy `gazetteers/tasks.csv` (dataset + metric -> task) from the
Papers with Code rows of `data/train/pwc_train/labels.jsonl.gz` (but those of the papers of
the Papers with Code-style check's dev split, held out), and measure it.

Each PwC row names a task, a dataset and a metric as raw strings. The dataset is put in this
project's canonical form by the dataset gazetteer (the longest name or alias that starts the
PwC name and ends on a word boundary: "Cityscapes val" -> Cityscapes, "ImageNet 256x256" ->
ImageNet, "Mini-Imagenet 5-way (1-shot)" -> miniImageNet); the metric by the metric table's
names and aliases ("Top 1 Accuracy" -> its canonical name when the table has it). Then, counting
papers (a paper counts once per dataset, metric and task):

- a (dataset, metric) row: the task most papers give the pair (ties: alphabetical);
- a (dataset, "") row: the dataset's task over all its metrics, and a ("", metric) row: the
  metric's task over all datasets, each only when that task is a clear plurality (at least
  a third of the papers and twice the next task's count) of at least `MIN_PAPERS` papers.

`results.task` looks the pair up first, then the dataset; the metric alone only for a result
without a dataset, after the paper-task classifier unless its share is high (`extract.tasks`).

`python -m pipeline.tools.build_tasks` writes the file (`make train`); `--cv K` measures it by
K-fold cross-validation over papers: for each held-out PwC row whose dataset and metric are
canonical, the taxonomy built from the other folds names a task or none (coverage), and that
task is PwC's or not (accuracy). Folds are by a hash of the arXiv id: no randomness.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import sys
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline.config import GAZETTEER_DIR
from pipeline.extract import resources
from pipeline.extract.tasks import TASKS_CSV, canonical_metric, parse_tasks
from pipeline.tools import crossval, pwc_split

LABELS = pwc_split.DATA / "labels.jsonl.gz"
MIN_PAPERS = 3
COLUMNS = ("dataset", "metric", "task", "papers", "share")


@dataclass(frozen=True, slots=True)
class Row:
    """One PwC row in canonical terms (dataset/metric None when the gazetteers lack them)."""

    paper: str
    task: str
    dataset: str | None
    metric: str | None


def canonical_dataset(name: str) -> str | None:
    """The gazetteer's canonical name for a PwC dataset name, or None."""
    text = resources.fold(" ".join(name.split()))
    gaz = resources.datasets()
    best: tuple[int, int] | None = None
    for key, start, end in gaz.automaton.find(text):
        if start == 0 and (end == len(text) or not text[end].isalnum()):
            if best is None or end > best[1]:
                best = (key, end)
    if best is None:
        return None
    entry: int = gaz.automaton.values[best[0]][0][0]
    return gaz.entries[entry].name


def _entry(metric: str | None) -> str | None:
    """The metric table's entry for a canonical name with a cut-off (Recall@1 -> Recall@k):
    the taxonomy is kept per table entry."""
    return resources.table_entry(metric) if metric else None


def read_rows(path: Path = LABELS) -> list[Row]:
    """Every PwC row with a task, in file order; a row on a version or subset of a dataset
    ("DAVIS 2017") is read once more on its parent (`DatasetEntry.parent`), so the parent's
    usual metric and task stay those of the whole family."""
    out: list[Row] = []
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, start=1):
            try:
                paper = json.loads(line)
            except json.JSONDecodeError as e:
                raise SystemExit(f"{path}:{lineno}: not JSON: {e}") from e
            for r in paper.get("rows") or ():
                task = " ".join(str(r.get("task") or "").split())
                if not task:
                    continue
                dataset = canonical_dataset(str(r.get("dataset") or ""))
                metric = _entry(canonical_metric(str(r.get("metric") or "")))
                out.append(Row(str(paper["arxiv_id"]), task, dataset, metric))
                parent = resources.parent_of(dataset) if dataset else None
                if parent:
                    out.append(Row(str(paper["arxiv_id"]), task, parent, metric))
    return out


def _top(counts: Counter[str]) -> tuple[str, int, int]:
    """(task, its papers, all papers): most papers first, then alphabetical."""
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked[0][0], ranked[0][1], sum(counts.values())


def _clear(counts: Counter[str]) -> bool:
    ranked = sorted(counts.values(), reverse=True)
    total = sum(ranked)
    second = ranked[1] if len(ranked) > 1 else 0
    return total >= MIN_PAPERS and ranked[0] * 3 >= total and ranked[0] >= 2 * second


def build(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """The taxonomy's rows, sorted: pairs, then datasets alone, then metrics alone."""
    seen: set[tuple[str, str | None, str | None, str]] = set()
    pairs: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
    by_dataset: dict[str, Counter[str]] = defaultdict(Counter)
    by_metric: dict[str, Counter[str]] = defaultdict(Counter)
    for r in rows:
        key = (r.paper, r.dataset, r.metric, r.task)
        if key in seen:
            continue
        seen.add(key)
        if r.dataset and r.metric:
            pairs[(r.dataset, r.metric)][r.task] += 1
    seen_d: set[tuple[str, str, str]] = set()
    seen_m: set[tuple[str, str, str]] = set()
    for paper, dataset, metric, task in seen:
        if dataset and (paper, dataset, task) not in seen_d:
            seen_d.add((paper, dataset, task))
            by_dataset[dataset][task] += 1
        if metric and (paper, metric, task) not in seen_m:
            seen_m.add((paper, metric, task))
            by_metric[metric][task] += 1
    out: list[dict[str, Any]] = []
    for (dataset, metric), counts in sorted(pairs.items()):
        task, n, total = _top(counts)
        out.append({"dataset": dataset, "metric": metric, "task": task, "papers": n,
                    "share": f"{n / total:.2f}"})
    for dataset, counts in sorted(by_dataset.items()):
        if _clear(counts):
            task, n, total = _top(counts)
            out.append({"dataset": dataset, "metric": "", "task": task, "papers": n,
                        "share": f"{n / total:.2f}"})
    for metric, counts in sorted(by_metric.items()):
        if _clear(counts):
            task, n, total = _top(counts)
            out.append({"dataset": "", "metric": metric, "task": task, "papers": n,
                        "share": f"{n / total:.2f}"})
    return out


def to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[str] = COLUMNS) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buf.getvalue()


def cross_validate(rows: Sequence[Row], k: int) -> dict[str, Any]:
    """Coverage and accuracy of held-out rows' tasks, per fold and overall."""
    folds: list[dict[str, Any]] = []
    named = right = asked = 0
    for i in range(k):
        train = [r for r in rows if crossval.fold_of(r.paper, k) != i]
        test = [r for r in rows if crossval.fold_of(r.paper, k) == i and r.dataset and r.metric]
        table = parse_tasks(to_csv(build(train)), f"fold {i}")
        got = [(table.task_of(r.dataset, r.metric), r.task) for r in test]
        n = sum(1 for t, _ in got if t is not None)
        ok = sum(1 for t, gold in got if t == gold)
        folds.append({"fold": i, "rows": len(test), "named": n, "right": ok})
        asked, named, right = asked + len(test), named + n, right + ok
    return {
        "set": "pwc_train rows whose dataset and metric the gazetteers know "
               "(data/train/pwc_train, trained on: k-fold by paper)",
        "k": k, "rows": asked, "coverage": round(named / asked, 3) if asked else None,
        "accuracy_when_named": round(right / named, 3) if named else None,
        "right_of_all": round(right / asked, 3) if asked else None, "folds": folds,
    }


def table_main(argv: Sequence[str] | None, *, prog: str, doc: str, out: Path,
               select: Callable[[list[Row]], list[Row]],
               build_rows: Callable[[list[Row]], list[dict[str, Any]]],
               columns: Sequence[str],
               cross_validate_rows: Callable[[list[Row], int], dict[str, Any]],
               what: str) -> int:
    """The command line of a table built from PwC rows: write it, or `--cv K` measure it."""
    ap = crossval.parser(prog, doc)
    ap.add_argument("--labels", type=Path, default=LABELS)
    ap.add_argument("--out", type=Path, default=out)
    args = ap.parse_args(argv)
    rows = select(read_rows(args.labels))
    if args.cv:
        report = cross_validate_rows(rows, args.cv)
        crossval.save(report, prog, args)
        print(json.dumps({k: v for k, v in report.items() if k != "folds"}))
        return 0
    built = build_rows(rows)
    args.out.write_text(to_csv(built, columns), encoding="utf-8")
    print(f"{args.out.relative_to(GAZETTEER_DIR.parent)}: {len(built)} rows from "
          f"{len(rows)} {what}", file=sys.stderr)
    return 0


def without_check_dev(rows: list[Row]) -> list[Row]:
    """The rows of every paper but those of the Papers with Code-style check's dev split,
    whose tasks `pwc_check` scores held out (as the paper-task classifier never reads them)."""
    held_out = set(pwc_split.dev_rows())
    return [r for r in rows if r.paper not in held_out]


def main(argv: Sequence[str] | None = None) -> int:
    return table_main(argv, prog="pipeline.tools.build_tasks", doc=__doc__ or "",
                      out=TASKS_CSV, select=without_check_dev, build_rows=build,
                      columns=COLUMNS,
                      cross_validate_rows=cross_validate, what="PwC rows")


if __name__ == "__main__":
    raise SystemExit(main())
