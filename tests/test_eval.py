"""evaluate_release: per-field P/R/F1, core vs borderline items, alias matching, alignment."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from pipeline.records import CodeLink, DatasetMention, Paper, Resolution, Result
from pipeline.schemas import to_table
from pipeline.tools.evaluate import author_key, evaluate_release

GOLD = {
    "source_file": "001_x.txt", "title": "A  Paper", "authors": ["Ann Lee", "Bo Chen"],
    "has_abstract": True, "code_urls": ["https://github.com/a/b"], "other_urls": [],
    "datasets": [
        {"name": "ImageNet", "aliases": ["ImageNet-64"], "mention": "ImageNet-64", "core": True},
        {"name": "gridworld", "aliases": [], "mention": "gridworld", "core": False},
    ],
    "resolutions": [{"pixels": 64, "mention": "ImageNet-64", "dataset": "ImageNet",
                     "core": True}],
    "results": [
        {"metric": "FID", "value": 1.3, "unit": None, "kind": "absolute",
         "dataset": "ImageNet", "resolution": 64, "role": "proposed", "core": True,
         "evidence": "x"},
        {"metric": "zero-shot generalization", "value": 45, "unit": "%", "kind": "relative",
         "dataset": None, "resolution": None, "role": "proposed", "core": True,
         "evidence": "y"},
    ],
}


def _result(metric: str, value: float, dataset: str | None) -> Result:
    return Result("p1", metric, value, None, "absolute", dataset, None, "proposed", None, None,
                  "e", 0, 1)


def _release(tmp_path: Path, extra_papers: Sequence[Paper] = ()) -> Path:
    out = tmp_path / "rel"
    out.mkdir()
    paper = Paper("p1", "A paper", ("Ann Lee", "Bo Chen"), "abs", "001_x.txt", "listing", 1)
    other = Paper("p2", "Not in gold", (), None, "999.txt", "listing", 1)
    tables = {
        "papers": [paper, other, *extra_papers],
        "code_links": [CodeLink("p1", "https://github.com/a/b", "code", "x"),
                       CodeLink("p1", "https://arxiv.org/abs/1", "other", "y")],
        "dataset_mentions": [DatasetMention("p1", "ImageNet", "ImageNet-64", 0, 3, True),
                             DatasetMention("p1", "gridworld", "gridworld", 4, 5, False)],
        "resolutions": [Resolution("p1", 64, "ImageNet-64", "ImageNet", 0, 3)],
        "results": [_result("FID", 1.30, "ImageNet"), _result("generalization", 45, None),
                    _result("FID", 9.9, None)],
    }
    for name, rows in tables.items():
        pq.write_table(to_table(name, rows), out / f"{name}.parquet")
    return out


def test_scores_per_field(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n")
    rep = evaluate_release(_release(tmp_path), gold)
    f = rep.fields
    assert (f["papers"].tp, f["papers"].fp, f["papers"].fn) == (1, 0, 0)
    assert f["authors"].f1 == 1.0
    assert (f["urls"].tp, f["urls"].fp) == (1, 1)
    # The borderline gold dataset absorbs its prediction: neither tp nor fp.
    assert (f["datasets"].tp, f["datasets"].fp, f["datasets"].fn) == (1, 0, 0)
    assert f["resolutions"].f1 == 1.0
    # "generalization" is the metric table's canonical name for "zero-shot generalization".
    assert (f["result_values"].tp, f["result_values"].fp) == (2, 1)
    # the number alone: 9.9 matches no gold value, whatever its metric
    assert (f["result_numbers"].tp, f["result_numbers"].fp) == (2, 1)
    assert (f["result_tuples"].tp, f["result_tuples"].fp, f["result_tuples"].fn) == (2, 1, 0)
    assert f["result_tuples"].false_positives == ["A  Paper: FID=9.9 on None"]
    text = rep.format_text()
    assert "result_tuples" in text and "false positives" in text
    assert json.loads(json.dumps(rep.to_dict()))["fields"]["papers"]["f1"] == 1.0


def test_missing_paper_counts_every_core_item(tmp_path: Path) -> None:
    gold = tmp_path / "gold.jsonl"
    g = dict(GOLD, title="Another title entirely")
    gold.write_text(json.dumps(g) + "\n")
    rep = evaluate_release(_release(tmp_path), gold)
    # The release paper aligns to no gold paper: unscored, not a false positive.
    assert rep.fields["papers"].fn == 1 and rep.fields["papers"].fp == 0
    assert rep.unaligned_predicted == 1 and rep.aligned_papers == 0
    assert rep.fields["result_tuples"].fn == 2
    assert rep.fields["datasets"].fn == 1


def test_papers_outside_a_partial_gold_are_not_false_positives(tmp_path: Path) -> None:
    """A gold covering some papers of a file scores only those; the rest are counted apart."""
    out = tmp_path / "rel"
    out.mkdir()
    papers = [Paper(f"p{i}", f"Paper number {i}", (), "abs", "001_x.txt", "listing", i)
              for i in range(3)]
    pq.write_table(to_table("papers", papers), out / "papers.parquet")
    pq.write_table(to_table("results", [Result("p2", "FID", 3.0, None, "absolute", None, None,
                                               "proposed", None, None, "e", 0, 1)]),
                   out / "results.parquet")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps({"source_file": "001_x.txt", "title": "Paper number 0",
                                "authors": [], "results": []}) + "\n")
    rep = evaluate_release(out, gold)
    assert (rep.fields["papers"].tp, rep.fields["papers"].fp) == (1, 0)
    assert rep.aligned_papers == 1 and rep.unaligned_predicted == 2
    # p2's result is not scored: it belongs to a paper the gold does not annotate.
    assert rep.fields["result_values"].fp == 0
    assert rep.to_dict()["unaligned_predicted"] == 2
    assert "unaligned predicted (not scored): 2" in rep.format_text()


def test_complete_gold_counts_unannotated_papers_of_its_files_as_false_positives(
    tmp_path: Path,
) -> None:
    extra = Paper("p3", "A menu line read as a paper", (), None, "001_x.txt", "listing", 9)
    out = _release(tmp_path, extra_papers=[extra])
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n")
    partial = evaluate_release(out, gold).fields["papers"]
    complete = evaluate_release(out, gold, complete=True).fields["papers"]
    assert (partial.tp, partial.fp) == (1, 0)  # a partial gold: not scored
    assert (complete.tp, complete.fp) == (1, 1)  # every entry annotated: a false positive
    assert complete.false_positives == ["A menu line read as a paper (001_x.txt)"]


def test_metric_names_are_scored_by_the_evaluators_own_table(
        monkeypatch: pytest.MonkeyPatch) -> None:
    # The extractor's gazetteer may grow; the scoring must not move with it.
    import pipeline.extract.resources as resources
    from pipeline.tools import evaluate

    def no_gazetteer() -> None:
        raise AssertionError("the evaluator read the extractor's metric table")

    monkeypatch.setattr(resources, "metrics", no_gazetteer)
    name = evaluate.metric_namer()
    assert name("FID-50K") == name("fid") == "fid"
    assert name("Some Metric Nobody Lists") == "some metric nobody lists"
    assert evaluate.metric_synonyms()["fid-50k"] == "FID"


def test_numbers_match_whatever_the_metric_is_called(tmp_path: Path) -> None:
    out = tmp_path / "rel"
    out.mkdir()
    paper = Paper("p1", "A paper", ("Ann Lee", "Bo Chen"), "abs", "001_x.txt", "listing", 1)
    pq.write_table(to_table("papers", [paper]), out / "papers.parquet")
    pq.write_table(to_table("results", [_result("precision", 1.3, "ImageNet")]),
                   out / "results.parquet")
    gold = tmp_path / "gold.jsonl"
    gold.write_text(json.dumps(GOLD) + "\n")
    f = evaluate_release(out, gold).fields
    assert (f["result_numbers"].tp, f["result_numbers"].fp, f["result_numbers"].fn) == (1, 0, 1)
    assert (f["result_values"].tp, f["result_values"].fp, f["result_values"].fn) == (0, 1, 2)
    assert f["result_numbers"].misses == ["A  Paper: 45% (zero-shot generalization)"]


def test_the_gold_model_is_the_contract_field_where_the_gold_has_it() -> None:
    from pipeline.tools.evaluate import same_model

    pred = {"value": 80.6, "model": "METok"}
    # v3 annotation: `model` is who the number is credited to; `qualifiers.model` the base
    v3 = {"value": 80.6, "model": "METok", "qualifiers": {"model": "LongVA-7B"}}
    assert same_model(v3, pred)
    assert not same_model(v3, dict(pred, model="LongVA-7B"))
    # a v3 gold that credits nobody: no model matches, whatever the qualifiers say
    assert not same_model(dict(v3, model=None), pred)
    # an older gold, without the field: its qualifiers name the model
    assert same_model({"value": 80.6, "qualifiers": {"model": "METok"}}, pred)


def test_a_name_written_last_name_first_is_the_same_name() -> None:
    # gold copies "Bengio, Y." as the page writes it; the reader writes "Y. Bengio"
    assert author_key("Bengio, Y.") == author_key("Y.  Bengio") == "y. bengio"
    assert author_key("Alvarez-Melis, David") == author_key("David Alvarez-Melis")
    assert author_key("Ann Lee") != author_key("Lee Ann")  # no comma: the order counts
    assert author_key("A, B, C") == "a, b, c"  # two commas: left as written
