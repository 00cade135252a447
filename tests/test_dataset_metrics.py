"""Usual metric of a dataset: rebuilt from the repo's PwC rows (train split) it equals the
committed file; a number stated on a dataset without a metric takes that metric."""

from __future__ import annotations

import pytest
from helpers import results_of

from pipeline.errors import GazetteerError
from pipeline.extract.tasks import DATASET_METRICS_CSV, parse_dataset_metrics, usual_metric
from pipeline.tools import build_dataset_metrics as bdm
from pipeline.tools.build_tasks import Row, read_rows
from pipeline.tools.pwc_split import in_dev


def test_rebuilt_table_equals_committed_file() -> None:
    rows = [r for r in read_rows() if not in_dev(r.paper)]
    assert bdm.to_csv(bdm.build(rows)) == DATASET_METRICS_CSV.read_text(encoding="utf-8"), (
        "gazetteers/dataset_metrics.csv is stale: run `make train`")


def test_built_from_the_train_split_only() -> None:
    # the held-out half of pwc_train must not shape the table the PwC check measures
    dev = [r for r in read_rows() if in_dev(r.paper)]
    train = [r for r in read_rows() if not in_dev(r.paper)]
    assert dev and bdm.to_csv(bdm.build(train)) != bdm.to_csv(bdm.build(train + dev))


def test_cost_metrics_thin_evidence_and_no_clear_metric_give_no_row() -> None:
    rows = [Row(f"p{i}", "t", "D", "parameter count") for i in range(6)]  # not counted
    rows += [Row(f"p{i}", "t", "D", "accuracy") for i in range(3)]
    rows += [Row("p3", "t", "D", "mAP")]
    rows += [Row(f"q{i}", "t", "E", "mAP") for i in range(2)]  # two papers: too few
    rows += [Row(f"r{i}", "t", "F", m)  # five papers, five metrics: none is usual
             for i, m in enumerate(("mAP", "mIoU", "accuracy", "F1", "PSNR"))]
    assert bdm.build(rows) == [{"dataset": "D", "metric": "accuracy", "papers": 4,
                                "share": "0.75"}]


def test_parse_rejects_duplicates_and_blank_cells() -> None:
    with pytest.raises(GazetteerError, match="t.csv:3: D twice"):
        parse_dataset_metrics("dataset,metric\nD,mAP\nD,mIoU\n", "t.csv")
    with pytest.raises(GazetteerError, match="t.csv:2"):
        parse_dataset_metrics("dataset,metric\nD,\n", "t.csv")


def test_committed_table_has_common_benchmarks() -> None:
    assert usual_metric("Cityscapes") == "mIoU"
    assert usual_metric("HumanEval") == "pass@1"
    assert usual_metric("No Such Benchmark") is None


@pytest.mark.parametrize(("text", "want"), [
    # PwC train-split sentences and the issue's own example (Phi-3)
    ("Our single model achieves 78.6 on COCO test-dev.", [("mAP", 78.6, "MS-COCO")]),
    ("We achieve 82.7% on Cityscapes (street scene parsing).", [("mIoU", 82.7, "Cityscapes")]),
    ("Phi-3-mini achieves 69% on MMLU and 8.38 on MT-bench.",
     [("accuracy", 69.0, "MMLU"), ("score", 8.38, "MT-Bench")]),
])
def test_unnamed_number_on_a_dataset_takes_its_usual_metric(
        text: str, want: list[tuple[str, float, str]]) -> None:
    got = [(r.metric, r.value, r.dataset) for r in results_of(text) if r.kind == "absolute"]
    assert got == want


@pytest.mark.parametrize("text", [
    "The model was trained on 3.3 trillion tokens on MMLU.",  # no result verb, a count
    "We evaluate 12 models on MMLU.",
    "Cityscapes contains 5000 images.",
    "It achieves 78.6 after 3 epochs.",  # no dataset
])
def test_no_result_without_a_result_verb_and_a_dataset(text: str) -> None:
    assert results_of(text) == []
