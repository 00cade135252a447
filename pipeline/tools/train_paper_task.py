"""Train the paper-task classifier of `pipeline/extract/paper_task.py` on pwc_train's papers
(title and abstract -> their Papers with Code task), or measure it by k-fold
cross-validation by paper (`--cv K --write eval/paper_task_cv.json`).

Each paper is one example, labelled with the task most of its PwC rows name (ties: the task
more papers have, then by name); tasks fewer than `MIN_PAPERS` training papers have are left
out. The papers of the Papers with Code-style check's dev split (`pwc_split`) are never read."""

from __future__ import annotations

import gzip
import json
import sys
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pipeline import crf
from pipeline.extract import paper_task
from pipeline.tools import crossval, pwc_split

DATA = pwc_split.DATA
PARAMS: dict[str, Any] = {"c1": 0.5, "c2": 0.01, "max_iterations": 100}
MIN_PAPERS = 10
THRESHOLDS = (0.5, 0.7, 0.9)


@dataclass(frozen=True, slots=True)
class Example:
    arxiv_id: str
    features: paper_task.Features
    task: str
    """The task most of the paper's rows name."""
    tasks: frozenset[str]
    """Every task of the paper's rows: a prediction among them is right."""


def load_examples(folder: Path = DATA) -> list[Example]:
    """pwc_train's papers with an abstract, in file order, without the check's dev split."""
    held_out = set(pwc_split.dev_rows(folder / "labels.jsonl.gz"))
    texts: dict[str, tuple[str, str]] = {}
    with gzip.open(folder / "abstracts.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            texts[str(d["id"])] = (str(d.get("title") or ""), str(d.get("abstract") or ""))
    labelled: list[tuple[str, Counter[str]]] = []
    with gzip.open(folder / "labels.jsonl.gz", "rt", encoding="utf-8") as fh:
        for line in fh:
            d = json.loads(line)
            key = str(d["arxiv_id"])
            if key not in held_out and key in texts and texts[key][1]:
                labelled.append((key, Counter(" ".join(str(r["task"]).split())
                                              for r in d["rows"] if r.get("task"))))
    papers = Counter(t for _key, tasks in labelled for t in tasks)
    out: list[Example] = []
    for key, tasks in labelled:
        if not tasks:
            continue
        main = min(tasks, key=lambda t: (-tasks[t], -papers[t], t))
        out.append(Example(key, paper_task.features(*texts[key]), main, frozenset(tasks)))
    return out


def train(examples: Sequence[Example]) -> bytes:
    """The model's bytes, trained on the examples whose task has `MIN_PAPERS` of them."""
    n = Counter(e.task for e in examples)
    return crf.train([([e.features], [e.task]) for e in examples if n[e.task] >= MIN_PAPERS],
                     PARAMS)


def cross_validate(examples: Sequence[Example], k: int) -> dict[str, Any]:
    """Each paper classified by a model trained on the other folds: how many get a task at
    each threshold, and how many of those are one of the paper's tasks."""
    scored: list[tuple[float, bool]] = []
    folds = [crossval.fold_of(e.arxiv_id, k) for e in examples]
    for f in range(k):
        tagger = crf.ModelTagger(train([e for e, fe in zip(examples, folds, strict=True)
                                        if fe != f]))
        for e, fe in zip(examples, folds, strict=True):
            if fe == f:
                label, p = paper_task.most_likely(tagger, e.features)
                scored.append((p, label in e.tasks))
    by_threshold = {}
    for th in THRESHOLDS:
        named = [ok for p, ok in scored if p >= th]
        by_threshold[f"{th:.1f}"] = {
            "coverage": round(len(named) / len(scored), 3),
            "precision": round(sum(named) / len(named), 3) if named else None,
            "named": len(named), "right": sum(named)}
    return {
        "set": ("pwc_train papers with an abstract, without the Papers with Code-style check's "
                "dev split (trained on: k-fold by paper)"),
        "k": k, "papers": len(scored), "min_probability": paper_task.MIN_PROBABILITY,
        "right_when_named": "the predicted task is one of the paper's Papers with Code tasks",
        "by_threshold": by_threshold,
    }


def main(argv: Sequence[str] | None = None) -> int:
    args = crossval.parser("pipeline.tools.train_paper_task", __doc__ or "").parse_args(argv)
    examples = load_examples()
    if args.cv:
        report = cross_validate(examples, args.cv)
        crossval.save(report, "pipeline.tools.train_paper_task", args)
        print(json.dumps(report["by_threshold"]))
        return 0
    data = train(examples)
    paper_task.MODEL.write_bytes(data)
    print(f"{paper_task.MODEL.name}: {len(data):,} bytes from {len(examples)} papers",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
