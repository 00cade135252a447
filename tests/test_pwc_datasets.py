"""PwC dataset names: the generated gazetteer equals what its builder makes from the repo's
data (train split only), loads beside the hand-made one, and is matched case-exactly, with
one-word names only in a dataset context."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.config import GAZETTEER_DIR
from pipeline.errors import GazetteerError
from pipeline.extract import extract_paper, resources
from pipeline.extract.tag import tag_datasets
from pipeline.records import Paper
from pipeline.tools import build_pwc_datasets as b
from pipeline.tools.pwc_split import in_dev


def test_rebuilt_names_equal_committed_file() -> None:
    assert b.to_yaml(b.build()) == b.OUT.read_text(encoding="utf-8"), (
        "gazetteers/datasets_pwc.yaml is stale: run `make train`")


def test_split_tails_are_dropped() -> None:
    assert b.base_name("Cityscapes test") == "Cityscapes"
    assert b.base_name("VQA v1 test-std") == "VQA v1"
    assert b.base_name("CUHK03 (labeled)") == "CUHK03"
    assert b.base_name("PASCAL VOC 2012 val") == "PASCAL VOC 2012"
    assert b.base_name("Market-1501") == "Market-1501"


def test_no_name_comes_only_from_the_held_out_half() -> None:
    # Every generated name is reported by some train-split (odd-hash) paper.
    import gzip
    import json
    train: set[str] = set()
    with gzip.open(b.DATA / "labels.jsonl.gz", "rt", encoding="utf-8") as fh:
        for row in map(json.loads, fh):
            if not in_dev(row["arxiv_id"]):
                train.update(b.base_name(str(r["dataset"])) for r in row["rows"])
    names = [e.name for e in resources.datasets().entries if e.line]
    generated = {e["name"] for e in b.build()}
    assert generated and generated <= train
    assert set(generated) <= set(names)


def test_spellings_of_one_name_are_one_entry_named_in_ascii() -> None:
    entries = {str(e["name"]): e["aliases"] for e in b.build()}
    assert entries["ACE 2004"] == ["ACE2004"]
    assert entries["THUMOS14"] == ["THUMOS' 14", "THUMOS'14", "THUMOS’14"]
    assert "ACE2004" not in entries
    # A spelling of a hand-made name stays out: datasets.yaml lists it as an alias.
    assert "Cars-196" not in entries and "X-Sum" not in entries


def test_unwritten_names_are_kept_only_with_the_shape_of_a_name() -> None:
    for name in ("CATH 4.3", "LEVIR-CD", "ISPRS Potsdam", "WikiTableQuestions", "MSRP"):
        assert b.name_like(name), name
    for name in ("Letter", "Nottingham", "Cityscapes to ACDC", "DAVIS sigma10",
                 "BSD300 Noise Level 30%", "Salinas Scene", "a b c d"):
        assert not b.name_like(name), name
    names = {e["name"] for e in b.build()}
    assert {"LEVIR-CD", "S2Looking"} <= names


def test_names_match_case_exactly_and_words_need_a_dataset_context() -> None:
    g = resources.datasets()
    assert next(e for e in g.entries if e.name == "ISPRS Potsdam").case == "exact"
    text = "We reach a 3.9 NME on AFLW2000-3D and 91% on the Adience benchmark."
    found = {str(t.value) for t in tag_datasets(text)}
    assert {"AFLW2000-3D", "Adience"} <= found
    assert "ISPRS Potsdam" not in {str(t.value) for t in tag_datasets("on isprs potsdam")}
    # a marked name (`b.marked`) matches in any case
    assert "AFLW2000-3D" in {str(t.value) for t in tag_datasets("on aflw2000-3d")}
    assert "Adience" not in {str(t.value) for t in tag_datasets("Adience matters.")}
    entry = next(e for e in g.entries if e.name == "Adience")
    assert entry.context == "dataset"


def test_a_generated_spelling_that_the_hand_list_has_is_an_error(tmp_path: Path) -> None:
    extra = tmp_path / "extra.yaml"
    extra.write_text("datasets:\n  - {name: In1k, aliases: [ImageNet-1k]}\n", encoding="utf-8")
    with pytest.raises(GazetteerError,
                       match=r"extra.yaml:2: In1k: .*'ImageNet' \(.*datasets.yaml:"):
        resources.load_datasets(GAZETTEER_DIR / "datasets.yaml", extra)


def test_a_translation_benchmark_is_read_in_the_spellings_abstracts_use() -> None:
    codes = b.languages()
    forms = b.pair_aliases("WMT2014 English-German", codes)
    for form in ("WMT14 English-German", "WMT'14 En-De", "WMT 2014 EN-DE", "WMT14 en→de",
                 "WMT-14 English-to-German"):
        assert form in forms
    assert not any("De-En" in f or "German-English" in f for f in forms)  # another benchmark
    assert b.pair_aliases("WMT2014 Klingon-English", codes) == []
    assert b.pair_aliases("ImageNet 2012", codes) == []
    results = extract_paper(Paper(
        "p", "t", (), "Our translation model reaches 30.1 BLEU on WMT14 English-German and "
        "43.8 BLEU on WMT'14 En-Fr.", "f", "x", 1)).results
    assert [r.dataset for r in results] == ["WMT2014 English-German", "WMT2014 English-French"]


def test_a_marked_hyphenated_name_matches_in_any_case() -> None:
    assert b.marked("Refer-YouTube-VOS") and b.marked("MSR-VTT-1kA") and b.marked("Ant-v2")
    # a hyphenated phrase or a one-word name keeps its exact case
    assert not b.marked("Kung-Fu Master") and not b.marked("Self-Instruct")
    assert not b.marked("COCO")
    names = {str(t.value) for t in tag_datasets("We test on Refer-Youtube-VOS and Veri-776.")}
    assert {"Refer-YouTube-VOS", "VeRi-776"} <= names


def test_a_language_pair_after_a_translation_benchmark_is_that_benchmark() -> None:
    tags = tag_datasets("On the WMT 2014 English-to-German and English-to-French tasks we "
                        "gain 1.3 BLEU.")
    assert [str(t.value) for t in tags] == ["WMT2014 English-German", "WMT2014 English-French"]
    # without a benchmark of the corpus and year before it, a pair is no benchmark
    assert "WMT2014 English-French" not in {
        str(t.value) for t in tag_datasets("On CIFAR-10 and English-to-French we gain 1.3.")}
