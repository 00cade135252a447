"""The Papers with Code-style check scores a release's results against PwC rows whose score
the abstract prints: value, value + metric, value + metric + dataset."""

from __future__ import annotations

from pipeline.tools import pwc_check, pwc_split


def _result(pid: str, value: float, metric: str, dataset: str | None,
            kind: str = "absolute", task: str | None = None) -> dict:
    return {"paper_id": f"arxiv:{pid}", "value": value, "metric": metric, "dataset": dataset,
            "kind": kind, "task": task}


def test_rows_count_at_each_level() -> None:
    gold = {"1": [
        {"metric": "Top 1 Accuracy", "dataset": "ImageNet", "value_in_abstract": "85.4",
         "task": "Image  Classification"},
        {"metric": "FID", "dataset": "CIFAR-10", "value_in_abstract": "2.20",
         "task": "Image Generation"},
        {"metric": "BLEU", "dataset": "WMT2014 English-German", "value_in_abstract": "28.4%"},
        {"metric": "F1", "dataset": "Unheard-of Set", "value_in_abstract": "1,234.5"},
    ]}
    results = [
        _result("1", 85.4, "accuracy", "ImageNet", task="Image Classification"),  # all four
        _result("1", 2.2, "FID", None, task="Image Classification"),  # value, metric
        _result("1", 28.4, "accuracy", "WMT14"),  # value only
        _result("1", 1234.5, "F1", "Unheard-of Set", kind="relative"),  # not absolute
        _result("2", 85.4, "accuracy", "ImageNet"),  # another paper
    ]
    report = pwc_check.score(gold, results)
    assert report["rows"] == 4 and report["papers"] == 1
    assert report["counts"] == {"rows": 4, "value": 3, "value_metric": 2,
                                "value_metric_dataset": 1, "value_metric_task": 1}
    assert report["value_recall"] == 0.75 and report["value_metric_dataset_recall"] == 0.25
    assert report["value_metric_task_recall"] == 0.25
    assert len(report["misses"]) == 3


def test_dev_split_is_a_fixed_half_of_the_papers_with_printed_scores() -> None:
    gold = pwc_split.dev_rows()
    assert 100 < len(gold) < 220  # of 320 papers
    assert all(pwc_split.in_dev(pid) for pid in gold)
    assert all(r["value_in_abstract"] for rows in gold.values() for r in rows)
    assert pwc_check.number("−3.5 points") == -3.5 and pwc_check.number("none") is None
