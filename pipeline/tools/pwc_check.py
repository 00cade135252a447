"""Papers with Code-style check: how many of PwC's leaderboard rows whose score is printed in
the abstract does a release recover, on a dev split nobody tuned on.

Data: `data/train/pwc_train/` (CC BY-SA 4.0, see its README). Of the papers with at least one
row whose `value_in_abstract` is set, the dev split is those whose arXiv id hashes to an even
number (`pwc_split.in_dev`); their abstracts go through the whole pipeline (`python -m
pipeline run`), and each such row is looked for among the paper's absolute results:

- value: a result with that number (as printed in the abstract);
- value + metric: ... whose metric is PwC's metric in canonical form
  (`extract.tasks.canonical_metric`: "Top 1 Accuracy" -> accuracy);
- value + metric + dataset: ... and whose dataset is PwC's dataset in canonical form
  (`build_tasks.canonical_dataset`: "ImageNet 256x256" -> ImageNet), or the dataset that
  one is a version of when the abstract names only that ("MUSDB" for PwC's MUSDB18-HQ);
- value + metric + task: ... a value + metric match whose `task` is PwC's task, as PwC names
  it (the task taxonomy and the paper-task classifier never read the dev split's papers).

A PwC name the gazetteers do not know cannot be matched, so the last two figures are lower
bounds of what a reader would accept. `python -m pipeline.tools.pwc_check --write
eval/pwc_check.json` (`make eval`).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq
import regex

from pipeline.extract.resources import parent_of
from pipeline.extract.tasks import canonical_metric
from pipeline.tools.build_tasks import canonical_dataset
from pipeline.tools.evaluate import build_release
from pipeline.tools.pwc_split import DATA, dev_rows

_NUMBER = regex.compile(r"[-+−]?\d+(?:,\d{3})*(?:\.\d+)?")
SET_NAMES = {
    "dev": ("pwc_train dev split: papers with a score printed in the abstract whose arXiv "
            "id hashes even (held out: never tuned or trained on)"),
    "train": ("pwc_train train split: papers with a score printed in the abstract whose arXiv "
              "id hashes odd (seen: the gazetteers are built from it, rules tuned on it)"),
}


def number(text: str) -> float | None:
    m = _NUMBER.search(text)
    return float(m.group().replace(",", "").replace("−", "-")) if m else None


def score(gold: Mapping[str, list[dict[str, Any]]],
          results: Iterable[Mapping[str, Any]], split: str = "dev") -> dict[str, Any]:
    """The three recall figures of `gold` rows against a release's `results` rows."""
    found: dict[str, list[Mapping[str, Any]]] = {}
    for r in results:
        if r["kind"] == "absolute":
            found.setdefault(str(r["paper_id"]).removeprefix("arxiv:"), []).append(r)
    tally = {"rows": 0, "value": 0, "value_metric": 0, "value_metric_dataset": 0,
             "value_metric_task": 0}
    misses: list[str] = []
    for arxiv_id, rows in sorted(gold.items()):
        mine = found.get(arxiv_id, [])
        for row in rows:
            value = number(str(row["value_in_abstract"]))
            if value is None:
                continue
            tally["rows"] += 1
            same = [r for r in mine if math.isclose(r["value"], value, rel_tol=1e-9,
                                                    abs_tol=1e-9)]
            metric = canonical_metric(str(row["metric"]))
            dataset = canonical_dataset(str(row["dataset"]))
            with_metric = [r for r in same if metric is not None and r["metric"] == metric]
            names = {dataset, parent_of(dataset)} - {None} if dataset is not None else set()
            with_dataset = [r for r in with_metric if r["dataset"] in names]
            tally["value"] += bool(same)
            tally["value_metric"] += bool(with_metric)
            tally["value_metric_dataset"] += bool(with_dataset)
            task = " ".join(str(row.get("task") or "").split())
            tally["value_metric_task"] += any(r.get("task") == task for r in with_metric)
            if not with_dataset and len(misses) < 100:
                misses.append(f"{arxiv_id}: {row['metric']}={row['value_in_abstract']} on "
                              f"{row['dataset']} ({'value found' if same else 'value missed'})")
    n = tally["rows"]
    return {
        "set": SET_NAMES[split], "papers": len(gold), "rows": n,
        "value_recall": round(tally["value"] / n, 3) if n else None,
        "value_metric_recall": round(tally["value_metric"] / n, 3) if n else None,
        "value_metric_dataset_recall": round(tally["value_metric_dataset"] / n, 3) if n else None,
        "value_metric_task_recall": round(tally["value_metric_task"] / n, 3) if n else None,
        "counts": tally, "misses": misses,
    }


def run_release(gold: Mapping[str, Any], work: Path,
                abstracts: Path = DATA / "abstracts.jsonl.gz") -> list[dict[str, Any]]:
    """The dev papers' abstracts through the whole pipeline; the release's results rows."""
    raw = work / "raw"
    raw.mkdir(parents=True)
    with gzip.open(abstracts, "rt", encoding="utf-8") as fh, \
            (raw / "pwc_dev.jsonl").open("w", encoding="utf-8") as out:
        for line in fh:
            if json.loads(line)["id"] in gold:
                out.write(line)
    release = build_release(raw, work)
    rows: list[dict[str, Any]] = pq.read_table(release / "results.parquet").to_pylist()
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m pipeline.tools.pwc_check",
                                 description=__doc__.split("\n\n")[0])
    ap.add_argument("--write", type=Path, help="save the figures as JSON")
    ap.add_argument("--split", choices=sorted(SET_NAMES), default="dev",
                    help="dev (held out, the reported figure) or train (for tuning rules)")
    args = ap.parse_args(argv)
    gold = dev_rows(split=args.split)
    with tempfile.TemporaryDirectory(prefix="paperclaims-pwc-") as tmp:
        report = score(gold, run_release(gold, Path(tmp)), args.split)
    report["command"] = ("python -m pipeline.tools.pwc_check"
                         + (f" --split {args.split}" if args.split != "dev" else "")
                         + (f" --write {args.write}" if args.write else ""))
    if args.write:
        args.write.write_text(json.dumps(report, indent=1) + "\n", encoding="utf-8")
    print(json.dumps({k: v for k, v in report.items() if k != "misses"}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
