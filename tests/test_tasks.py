"""Task taxonomy: rebuilt from the repo's PwC rows it equals the committed file; look-ups
fall back from the pair to the dataset to the metric; results carry the task."""

from __future__ import annotations

import pytest

from pipeline.errors import GazetteerError
from pipeline.extract.tasks import TASKS_CSV, canonical_metric, parse_tasks, task_of
from pipeline.tools import build_tasks


def test_rebuilt_taxonomy_equals_committed_file() -> None:
    built = build_tasks.to_csv(build_tasks.build(
        build_tasks.without_check_dev(build_tasks.read_rows())))
    assert built == TASKS_CSV.read_text(encoding="utf-8"), (
        "gazetteers/tasks.csv is stale: run `make train`")


def test_pwc_names_are_put_in_canonical_form() -> None:
    assert build_tasks.canonical_dataset("ImageNet 256x256") == "ImageNet"
    assert build_tasks.canonical_dataset("Cityscapes val") == "Cityscapes"
    assert build_tasks.canonical_dataset("Some Unheard-of Set") is None
    assert canonical_metric("Top 1 Accuracy") == "accuracy"
    assert canonical_metric("Accuracy (%)") == "accuracy"
    assert canonical_metric("Word Error Rate (WER)") == "WER"


@pytest.mark.parametrize(("pwc", "published"), [
    ("R@1", "Recall@1"), ("Recall@10", "Recall@10"), ("nDCG@10", "NDCG@10"),
    ("mAP @0.5:0.95", "mAP@0.5:0.95"), ("MRR@20", "MRR@20"),
    ("Acc@1", "accuracy"), ("Pass@100", "pass@100"), ("Recall@K", "Recall@k"),
])
def test_a_pwc_metric_keeps_its_cutoff_as_extract_publishes_it(pwc: str, published: str) -> None:
    assert canonical_metric(pwc) == published


def test_a_metric_with_a_cutoff_finds_the_task_of_its_table_entry() -> None:
    table = parse_tasks("dataset,metric,task\nD,Recall@k,Retrieval\n", "t.csv")
    assert table.task_of("D", "Recall@1") == "Retrieval"


def test_lookup_order_pair_then_dataset_then_metric_without_dataset() -> None:
    table = parse_tasks(
        "dataset,metric,task\nD,m,Pair Task\nD,,Dataset Task\n,m,Metric Task\n", "t.csv")
    assert table.task_of("D", "m") == "Pair Task"
    assert table.task_of("D", "other") == "Dataset Task"
    assert table.task_of("E", "m") is None  # an unknown dataset: the metric does not guess
    assert table.task_of(None, "m") == "Metric Task"
    assert table.task_of("E", "other") is None
    assert table.task_of(None, None) is None


def test_a_metric_alone_is_sure_of_its_task_only_above_the_share() -> None:
    table = parse_tasks("dataset,metric,task,papers,share\n,EPE,Optical Flow,15,1.00\n"
                        ",mIoU,Semantic Segmentation,241,0.38\n,FID,Image Generation,74,\n",
                        "t.csv")
    assert table.sure_metric_task("EPE") == "Optical Flow"
    assert table.sure_metric_task("mIoU") is None  # a guess: the paper's words come first
    assert table.task_of(None, "mIoU") == "Semantic Segmentation"  # still the last resort
    assert table.sure_metric_task("FID") is None  # no share: not sure
    assert table.sure_metric_task("BLEU") is None


def test_shipped_taxonomy_names_the_tasks_users_ask_about() -> None:
    assert task_of("CIFAR-10", "FID") == "Image Generation"
    assert task_of("ImageNet", "FID") == "Image Generation"
    assert task_of("ImageNet", "accuracy") == "Image Classification"
    assert task_of("GSM8K", "accuracy") == "Arithmetic Reasoning"
    assert task_of(None, "perplexity") == "Language Modelling"
    # FID alone is split among PwC's generation tasks (image, conditional, text-to-image...):
    # under a third of its papers name any one of them, so the metric alone names none
    assert task_of(None, "FID") is None


@pytest.mark.parametrize("text", [
    "dataset,task\nD,T\n",  # no metric column
    "dataset,metric,task\n,,T\n",  # neither key
    "dataset,metric,task\nD,m,\n",  # no task
    "dataset,metric,task\nD,m,T\nD,m,U\n",  # twice
    "dataset,metric,task,share\n,m,T,most\n",  # a share that is not a number
])
def test_bad_taxonomy_names_file_and_line(text: str) -> None:
    with pytest.raises(GazetteerError, match=r"t\.csv:\d"):
        parse_tasks(text, "t.csv")


def test_cross_validation_reports_coverage_and_accuracy() -> None:
    rows = build_tasks.read_rows()
    report = build_tasks.cross_validate(rows, 3)
    assert report["rows"] == sum(f["rows"] for f in report["folds"])
    assert 0.5 < report["coverage"] <= 1
    assert 0.5 < report["accuracy_when_named"] <= 1
