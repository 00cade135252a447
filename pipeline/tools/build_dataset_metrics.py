"""Build `gazetteers/dataset_metrics.csv`: the metric a dataset's results are usually reported
in, for numbers an abstract gives without naming one ("achieves 78.6 on COCO test-dev",
"82.7% on Cityscapes", "69% on MMLU").

Data: the Papers with Code rows of `data/train/pwc_train/labels.jsonl.gz` (CC BY-SA 4.0, see
its README), **train split only** (arXiv id hashing odd: `pwc_split.in_dev` is false), so the
Papers with Code-style check on the even half stays unseen. Dataset and metric names are put
in canonical form as for the task taxonomy (`build_tasks.read_rows`).

For each dataset, papers are counted per metric (a paper counts once per dataset and metric);
cost metrics (`relative_only` in `metrics.csv`: parameters, FLOPs, latency...) are left out,
as a bare number on a benchmark is its quality score. A dataset gets a row when at least
`MIN_PAPERS` papers report on it and its most frequent metric (ties: alphabetical) is given
by at least `MIN_SHARE` of them.

`python -m pipeline.tools.build_dataset_metrics` writes the file (`make train`, after
`build_pwc_datasets`, whose names it reads); `--cv K` measures it by K-fold cross-validation
by paper over the same split: for each held-out (paper, dataset) pair, does the table built
from the other folds name a metric (coverage), and is it one the paper reports for that
dataset (accuracy)? Folds are by a hash of the arXiv id: no randomness.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from pipeline.extract import resources
from pipeline.extract.tasks import DATASET_METRICS_CSV
from pipeline.tools import build_tasks, crossval
from pipeline.tools.build_tasks import Row
from pipeline.tools.pwc_split import in_dev

MIN_PAPERS = 3
MIN_SHARE = 0.4
COLUMNS = ("dataset", "metric", "papers", "share")


def _pairs(rows: Iterable[Row]) -> dict[tuple[str, str], set[str]]:
    """(paper, dataset) -> the quality metrics the paper reports for that dataset."""
    by_name = resources.metrics().by_name
    out: dict[tuple[str, str], set[str]] = defaultdict(set)
    for r in rows:
        if r.dataset and r.metric and not by_name[r.metric].relative_only:
            out[(r.paper, r.dataset)].add(r.metric)
    return out


def build(rows: Iterable[Row]) -> list[dict[str, Any]]:
    """One row per dataset with a clear usual metric, sorted by dataset."""
    papers: Counter[str] = Counter()
    counts: dict[str, Counter[str]] = defaultdict(Counter)
    for (_, dataset), metrics in _pairs(rows).items():
        papers[dataset] += 1
        counts[dataset].update(metrics)
    out: list[dict[str, Any]] = []
    for dataset in sorted(counts):
        metric, n = sorted(counts[dataset].items(), key=lambda kv: (-kv[1], kv[0]))[0]
        total = papers[dataset]
        if total >= MIN_PAPERS and n >= MIN_SHARE * total:
            out.append({"dataset": dataset, "metric": metric, "papers": total,
                        "share": f"{n / total:.2f}"})
    return out


def cross_validate(rows: Sequence[Row], k: int) -> dict[str, Any]:
    """Coverage and accuracy of the usual metric on held-out (paper, dataset) pairs."""
    folds: list[dict[str, Any]] = []
    asked = named = right = 0
    for i in range(k):
        table = {r["dataset"]: r["metric"]
                 for r in build(r for r in rows if crossval.fold_of(r.paper, k) != i)}
        test = _pairs(r for r in rows if crossval.fold_of(r.paper, k) == i)
        n = sum(1 for (_, d) in test if d in table)
        ok = sum(1 for (_, d), ms in test.items() if table.get(d) in ms)
        folds.append({"fold": i, "pairs": len(test), "named": n, "right": ok})
        asked, named, right = asked + len(test), named + n, right + ok
    return {
        "set": "pwc_train train split (odd hash): (paper, dataset) pairs whose dataset and "
               "a quality metric the gazetteers know (trained on: k-fold by paper)",
        "k": k, "pairs": asked, "coverage": round(named / asked, 3) if asked else None,
        "accuracy_when_named": round(right / named, 3) if named else None,
        "folds": folds,
    }


def to_csv(rows: Sequence[dict[str, Any]]) -> str:
    return build_tasks.to_csv(rows, COLUMNS)


def main(argv: Sequence[str] | None = None) -> int:
    return build_tasks.table_main(
        argv, prog="pipeline.tools.build_dataset_metrics", doc=__doc__ or "",
        out=DATASET_METRICS_CSV, select=lambda rows: [r for r in rows if not in_dev(r.paper)],
        build_rows=build, columns=COLUMNS, cross_validate_rows=cross_validate,
        what="train-split PwC rows")


if __name__ == "__main__":
    raise SystemExit(main())
