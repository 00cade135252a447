"""extract_paper: datasets, resolutions, segmentation, and properties that hold on any text
(evidence is verbatim, offsets are valid, every result has a metric and a number, never raises).
"""

from __future__ import annotations

import math

import pytest
from budget import budget
from hypothesis import given, settings
from hypothesis import strategies as st

from pipeline.extract import extract_paper, gazetteer_versions
from pipeline.extract.segment import split_sentences
from pipeline.records import Extraction, Paper


def _paper(text: str | None, urls: tuple[str, ...] = ()) -> Paper:
    return Paper("p1", "A title", (), text, "f.txt", "test", 1, urls=urls)


def _datasets(text: str) -> list[tuple[str, str, bool]]:
    return [(m.dataset, m.mention, m.in_gazetteer)
            for m in extract_paper(_paper(text)).dataset_mentions]


def _resolutions(text: str) -> list[tuple[int, str | None]]:
    return [(r.pixels, r.dataset) for r in extract_paper(_paper(text)).resolutions]


# ----------------------------------------------------------------------------- datasets


def test_gazetteer_names_and_aliases() -> None:
    got = _datasets("We evaluate on MSCOCO, GSM8k and Meta-World, then on MSCOCO again.")
    assert [d for d, _m, _g in got] == ["MS-COCO", "GSM8K", "MetaWorld"]


def test_first_mention_offsets() -> None:
    text = "Results on cifar10 and later CIFAR-10."
    (m,) = extract_paper(_paper(text)).dataset_mentions
    assert (m.dataset, text[m.start:m.end]) == ("CIFAR-10", "cifar10")


def test_case_rule_keeps_math_apart_from_math() -> None:
    assert _datasets("We study math word problems.") == []
    assert [d for d, _m, _g in _datasets("We report on MATH and GSM8K.")] == ["MATH", "GSM8K"]


def test_family_list_forms() -> None:
    got = [d for d, _m, _g in _datasets("Experiments on CIFAR-10, -20, -100 and CIFAR-10/100.")]
    assert got == ["CIFAR-10", "CIFAR-20", "CIFAR-100"]
    got = [d for d, _m, _g in _datasets("Samples on LSUN Church & Bedroom look sharp.")]
    assert got == ["LSUN Church", "LSUN Bedroom"]


def test_dataset_introduced_by_text() -> None:
    got = _datasets("We release the FooBar-7 dataset and evaluate on the new QuuxBench.")
    assert ("FooBar-7", "FooBar-7", False) in got
    assert ("QuuxBench", "QuuxBench", False) in got


def test_generic_phrases_are_not_datasets() -> None:
    text = ("We run experiments on three public real-world datasets and on synthetic datasets; "
            "the proposed dataset and our benchmark are described in the Appendix.")
    assert _datasets(text) == []


# ----------------------------------------------------------------------------- resolutions


def test_resolution_forms() -> None:
    assert _resolutions("Images are generated at 512px.") == [(512, None)]
    assert _resolutions("We train at 256 resolution on FFHQ.") == [(256, "FFHQ")]
    assert _resolutions("Samples on AFHQ 256×256 are shown.") == [(256, "AFHQ")]
    got = _resolutions("On LSUN Bedroom we gain 5% on 256 and 7% on 512 resolutions.")
    assert got == [(256, "LSUN Bedroom"), (512, "LSUN Bedroom")]


def test_resolution_in_dataset_name() -> None:
    got = _resolutions("We test on ImageNet64, CelebA-HQ-128 and ImageNet-512.")
    assert sorted(got) == [(64, "ImageNet"), (128, "CelebA-HQ"), (512, "ImageNet")]


def test_square_side_pair_glued_to_a_dataset_name() -> None:
    got = _resolutions("Results on ImageNet256×256 and CelebA-HQ256x256 improve.")
    assert sorted(got) == [(256, "CelebA-HQ"), (256, "ImageNet")]
    assert _names("Results on ImageNet256×256 improve.") == ["ImageNet"]


def test_class_counts_are_not_resolutions() -> None:
    text = "We use ImageNet-100, TinyImageNet-200, CIFAR-100 and 3×3 convolutions."
    assert _resolutions(text) == []


# ----------------------------------------------------------------------------- segmentation


def test_sentences_survive_abbreviations_and_decimals() -> None:
    text = ("We compare e.g. DDPM vs. DDIM (Smith et al. 2020, Fig. 2) and get 1.30 FID. "
            "Code: https://github.com/a/b.")
    spans = split_sentences(text)
    assert [text[s.start:s.end] for s in spans] == [
        "We compare e.g. DDPM vs. DDIM (Smith et al. 2020, Fig. 2) and get 1.30 FID.",
        "Code: https://github.com/a/b."]


# ----------------------------------------------------------------------------- API


def test_no_abstract_still_gives_links() -> None:
    out = extract_paper(_paper(None, urls=("https://github.com/Org/Repo.git",)))
    assert [(c.url, c.kind) for c in out.code_links] == [("https://github.com/Org/Repo", "code")]
    assert out.results == () and out.dataset_mentions == ()


def test_gazetteer_versions_are_sha256() -> None:
    v = gazetteer_versions()
    assert {"datasets.yaml", "metrics.csv", "url_hosts.csv"} <= set(v)
    assert any(k.startswith("patterns/") for k in v)
    assert all(len(h) == 64 for h in v.values())


def _check(text: str, out: Extraction) -> None:
    for r in out.results:
        assert r.evidence == text[r.start:r.end]
        assert r.metric and isinstance(r.value, float) and math.isfinite(r.value)
        # the system a result is credited to is printed in the text ("as printed")
        assert r.model is None or r.model in text
        assert r.task is None or r.task.strip() == r.task != ""
    for m in out.dataset_mentions:
        assert 0 <= m.start < m.end <= len(text) and text[m.start:m.end] == m.mention
    for z in out.resolutions:
        assert 0 <= z.start < z.end <= len(text) and text[z.start:z.end] == z.mention


_WORDS = st.sampled_from([
    "FID", "of", "1.30", "/", "vs", "on", "CIFAR-10", "ImageNet-64", "256×256", "3.5×", "10.6X",
    "45%", "+2.3", "points", "from", "to", "respectively", ",", ".", "and", "accuracy", "e.g.",
    "https://github.com/a/b.git.", "T=10", "steps", "one-step", "zero-shot", "(", ")", "LSUN",
    "Church", "&", "Bedroom", "-20", "improves", "by", "speedup", "fewer", "12", "2024", "[3]",
    "GridNet-L", "achieves", "increased", "(GridNet-L)", "our", "method", "GridNet-L:", "rises",
    "we", "introduce", "the", "best", "model",
])


@settings(max_examples=budget(150), deadline=None)
@given(st.lists(_WORDS, max_size=40))
def test_properties_on_abstract_like_text(words: list[str]) -> None:
    text = " ".join(words)
    _check(text, extract_paper(_paper(text)))


@settings(max_examples=budget(150), deadline=None)
@given(st.text(max_size=300), st.lists(st.text(max_size=40), max_size=3))
def test_never_raises_on_arbitrary_text(text: str, urls: list[str]) -> None:
    out = extract_paper(_paper(text, urls=tuple(urls)))
    _check(text, out)


# ----------------------------------------------------------------------------- dataset shapes


def _names(text: str, title: str = "A title") -> list[str]:
    paper = Paper("p1", title, (), text, "f.txt", "test", 1)
    return [m.dataset for m in extract_paper(paper).dataset_mentions]


def test_appositive_introduces_a_dataset() -> None:
    assert _names("We then curate Zorbl2Q, a bilingual dataset of 9k puzzles.") == ["Zorbl2Q"]
    assert _names("Our release includes GlimmerSet-5M, a dense captioning corpus.") == [
        "GlimmerSet-5M"]
    # adjectives before the noun may be separated by commas; the name may follow the noun
    assert _names("This paper introduces ZorbSafe-1, a high-quality, small-scale safety "
                  "dataset for reasoning models.") == ["ZorbSafe-1"]
    assert _names("We introduce a new benchmark, TurnQuillEval, for multi-turn dialogue.") == [
        "TurnQuillEval"]
    # A model or method in the same shape is not a dataset.
    assert _names("We propose TurboNet-X, a model trained on a dataset of cats.") == []
    assert _names("We propose TurboNet-X, a fast, small model trained on a dataset.") == []
    assert _names("We present QuillFormer, a framework for benchmark design.") == []


def test_names_after_benchmark_nouns() -> None:
    text = "It wins on the reasoning benchmarks PlinkQA and DeepMaze-3, and on benchmark OrbWalk."
    assert _names(text) == ["PlinkQA", "DeepMaze-3", "OrbWalk"]
    # Model names after "benchmark" are not datasets.
    assert _names("On this benchmark GPT-4o and Qwen2-VL fail.") == []


def test_names_listed_in_brackets_after_benchmark_nouns() -> None:
    text = ("It is competitive on five benchmarks (PlinkQA, DPGX, ORBIT, CVTQ-2K, and LongWeave) "
            "and wins by 29.5 points.")
    assert _names(text) == ["PlinkQA", "DPGX", "ORBIT", "CVTQ-2K", "LongWeave"]
    # brackets after a word that is not a benchmark noun hold no names
    assert _names("We compare three models (PlinkNet, DPGX and ORBIT) at 29.5 points.") == []


def test_words_in_lower_case_are_not_a_name_written_with_capitals() -> None:
    # "in 100" is not IN-100 (ImageNet-100), "genomic benchmarks" not Genomic Benchmarks;
    # one word in lower case still names its dataset ("LongBench qasper", "cifar10")
    assert _names("Trained on 12 scenes, it runs in 100 ms per frame on ImageNet.") == [
        "ImageNet"]
    assert "Genomic Benchmarks" not in _names("It wins on several genomic benchmarks by 4%.")
    assert "Qasper" in _names("Thresholds are calibrated on LongBench qasper and reach 4.2x.")


def test_abbreviation_of_a_named_corpus_or_benchmark() -> None:
    text = "We filter the Open Fjord Corpus 2.0 (OFC2.0) and the Tiny Reasoning Benchmark (TRB)."
    assert _names(text) == ["OFC2.0", "TRB"]


def test_name_with_a_hub_dataset_link() -> None:
    assert _names("We release KelpText (https://huggingface.co/datasets/x/kelp) openly.") == [
        "KelpText"]


def test_longest_name_on_token_boundaries() -> None:
    # A known name continued by capitalised or numeric parts is the longer name.
    got = _names("Gains hold on MME, MME-RealWorld, HellaSwag-Pro and PersonaMem-32K.")
    assert got == ["MME", "MME-RealWorld", "HellaSwag-Pro", "PersonaMem-32K"]
    # Lower-case continuations, years, resolutions and class counts keep the known name.
    assert _names("An MMLU-style test, COCO-2017 images, ImageNet-64 and CIFAR-100.") == [
        "MMLU", "COCO 2017", "ImageNet", "CIFAR-100"]
    # Digits glued to a letter-final name, and a version written after it, are kept.
    assert _names("Policies are tested on RoboCasa365 and RoboTwin 2.0.") == [
        "RoboCasa", "RoboTwin"]


def test_acronym_needs_a_dataset_context() -> None:
    assert _names("Our layer is as fast as GQA and MQA at decoding.") == []
    assert _names("It uses GQA with eight KV heads; we evaluate on GQA too.") == []
    assert _names("We evaluate on GQA and VQAv2.") == ["GQA", "VQAv2"]
    assert _names("Scores rise on TextVQA, V*, and BLINK.") == ["TextVQA", "V*", "BLINK"]
    assert _names("Here V* denotes the optimal value, and BLINK is an entity linker.") == []
    # a later item of a list of names after "on", the first of which no gazetteer has
    assert _names("It gains 8% on Expresso, IEMOCAP, and RAVDESS.") == ["IEMOCAP", "RAVDESS"]
    assert _names("It runs on fast chips, GQA and MQA at decoding.") == []


def test_title_announces_the_paper_benchmark() -> None:
    text = "We build Quorlex from expert notes. Models struggle on Quorlex."
    assert _names(text, "Quorlex: A Clinical Benchmark for Planning") == ["Quorlex"]
    assert _names(text, "Quorlex: Benchmarking Planners in Clinics") == ["Quorlex"]
    assert _names(text, "Quorlex: Learning to Plan for Benchmark Tasks") == []
    # a name that opens in lower case, and one that starts like a model family ("ViT")
    # (apart: a name coordinated with a known one is a dataset too, whatever the title says)
    text = "We build iQuorWorld. We build VitaQuor. Agents fail on iQuorWorld and on VitaQuor."
    assert _names(text, "iQuorWorld: A Benchmark for Phones") == ["iQuorWorld"]
    assert _names(text, "VitaQuor: Benchmarking Agents") == ["VitaQuor"]
    # a name that ends the words before the colon needs the shape of a name
    text = "We release QRLX. Models fail on QRLX. Quorlex helps."
    assert _names(text, "Reading the Law with QRLX: A Local Ordinance Corpus") == ["QRLX"]
    assert _names(text, "Towards Reliable Quorlex: A Clinical Benchmark") == []


def test_a_dataset_named_with_a_public_or_its_own_words_before_the_noun() -> None:
    got = {name for name, _, _ in _datasets(
        "Tests on the public QRX-DET dataset and on the KZSD2 steel defect dataset agree.")}
    assert {"QRX-DET", "KZSD2"} <= got
    # a task acronym before "benchmarks" and a domain word before "benchmark dataset" are not
    got = {name for name, _, _ in _datasets(
        "It leads on standard QVOS benchmarks and on the large-scale UAV benchmark dataset.")}
    assert not got & {"QVOS", "UAV"}


@pytest.mark.parametrize(("text", "name"), [
    # a one-word name that is also a word or acronym counts when written as a dataset
    ("Segmentation improves on the Material Segmentation (MCubeS) dataset.", "MCubeS"),
    ("We rank first in the Deepfake Detection Challenge (DFDC) with our detector.", "DFDC"),
    ("Our re-identification model is strong on the CityFlow testset.", "CityFlow"),
    # a name in another spelling after adjectives ("FSC147" in the gazetteer)
    ("Counting errors drop on a recent large-scale FSC-147 dataset.", "FSC147"),
])
def test_dataset_contexts_in_parentheses_and_after_adjectives(text: str, name: str) -> None:
    assert name in {d for d, _, _ in _datasets(text)}
    assert name not in {d for d, _, _ in _datasets(text.split(" on ")[0].split(" in ")[0]
                                                    + " uses MCubeS, DFDC and CityFlow.")}


def test_an_acronym_glued_before_a_known_name_makes_another_dataset() -> None:
    got = {d for d, _, _ in _datasets("We build FL-MedSegBench from MedSegBench and RS-ImageNet "
                                      "from ImageNet; Tiny-ImageNet is also used.")}
    assert {"FL-MedSegBench", "MedSegBench", "RS-ImageNet", "ImageNet", "Tiny ImageNet"} == got


def test_a_named_challenge_is_a_dataset_unless_its_acronym_follows() -> None:
    got = {d for d, _, _ in _datasets(
        "Our tracker places first in the ICCV 2023 Ocean Litter Challenge and in the 3rd "
        "KVRX Challenge.")}
    assert {"Ocean Litter Challenge", "KVRX Challenge"} <= got
    # one capitalised word before "Challenge" is no name ("the Wild Challenge"), and a long
    # name with its acronym after it is that acronym's dataset
    got = {d for d, _, _ in _datasets(
        "It ranks 3rd in the Scene Parsing in the Wild Challenge. The Lung Nodule Analysis "
        "Challenge (LUNAX) is the standard test.")}
    assert not any("Challenge" in d for d in got) and "LUNAX" in got


def test_capitalised_dataset_noun_and_lists_before_datasets() -> None:
    got = {name for name, _, _ in _datasets(
        "We segment the ZQRS Dataset and detect changes on the KLM-CD and XYZ-CD datasets.")}
    assert {"ZQRS", "KLM-CD", "XYZ-CD"} <= got
    # a long title-case name before "Benchmark" is not taken whole
    got = {name for name, _, _ in _datasets("We build A Local Ordinance Benchmark for cities.")}
    assert "Local Ordinance" not in got


@pytest.mark.parametrize(("text", "want"), [
    # names of several words in a list before "datasets", after "for"
    ("We evaluate on the Qorva, ZKRS Vexin, and ZKRS Pothal datasets, comparing methods.",
     {"Qorva", "ZKRS Vexin", "ZKRS Pothal"}),
    ("Accuracy rises by 54% and 25% for ReDal and INSPIRAD datasets.", {"ReDal", "INSPIRAD"}),
    # a list after "benchmarks," or "datasets:"
    ("We test it on two tracking benchmarks, TQ-50 and TQ-100, and show gains.",
     {"TQ-50", "TQ-100"}),
    ("We introduce two new datasets of aggregative queries: HOTELZ and WORLD CUPZ.",
     {"HOTELZ", "WORLD CUPZ"}),
    # the list's last name ends at the sentence's end, whatever comes next
    ("We introduce two new datasets of queries: HOTELZ and WORLD CUPZ. Experiments show gains.",
     {"HOTELZ", "WORLD CUPZ"}),
])
def test_lists_tied_to_the_word_datasets(text: str, want: set[str]) -> None:
    assert want <= {name for name, _, _ in _datasets(text)}


def test_a_list_that_is_not_of_datasets_names_none() -> None:
    # models after a number and "on" are not datasets; nor is a list after "models:"
    text = ("It lifts accuracy by +7.1 pp on Foundation-Sec-8B and +2.0 pp on Qwen3-8B. "
            "We compare three models: Alpha-7B, Beta-8B and Gamma-9B.")
    assert {name for name, _, _ in _datasets(text)} == set()
