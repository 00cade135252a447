"""Who a result is about (`extract.systems`), on sentences written for these tests: the
subject that reaches it, a possessive, a known model after the value; the title's system;
a known model the paper did not build is a baseline."""

from __future__ import annotations

import pytest
from helpers import results_of

from pipeline.extract import extract_paper, systems
from pipeline.records import Paper, Result

LEAD = "We fine-tune transformer language models. "


def _about(text: str) -> list[tuple[float, str | None, str]]:
    return [(r.value, r.model, r.role) for r in results_of(LEAD + text)]


def _paper(title: str, text: str) -> list[Result]:
    return list(extract_paper(Paper("p", title, (), text, "f.txt", "test", 1)).results)


@pytest.mark.parametrize(("text", "want"), [
    ("GridNet-L achieves an accuracy of 81.2% on CIFAR-100.", [(81.2, "GridNet-L", "proposed")]),
    ("Our recipe lifts Orca-2's GSM8K accuracy from 40.1% to 52.3%.",
     [(40.1, "Orca-2", "baseline"), (52.3, "Orca-2", "proposed")]),
    ("The prompt raises accuracy by 3.5 pp on GPT-4o.", [(3.5, "GPT-4o", "proposed")]),
    # a known model the paper did not build: its level is a baseline
    ("On our test set, Llama-3.1-8B reaches 61.0% accuracy, while our tuned model reaches "
     "70.5% accuracy.", [(61.0, "Llama-3.1-8B", "baseline"), (70.5, None, "proposed")]),
    # verbs of any outcome, helper verbs and adverbs between the name and its verb
    ("QuillRec increased CTR by 1.52% in online A/B testing.",
     [(1.52, "QuillRec", "proposed")]),
    ("The distilled MarlNet has been deployed online, increasing revenue by 2.8%.",
     [(2.8, "MarlNet", "proposed")]),
    ("SlimGPT can remove 25% of the parameters while maintaining 99% of the accuracy.",
     [(99.0, "SlimGPT", "proposed")]),
    # the name in brackets after the noun it names; the name before a colon
    ("Finally, our method (BoltTrack) gets 61.4% accuracy on the test set.",
     [(61.4, "BoltTrack", "proposed")]),
    ("KiteTok achieves a low zero-shot rFID (KiteTok: 0.12 vs. Plume-VAE: 0.18).",
     [(0.12, "KiteTok", "proposed"), (0.18, "Plume-VAE", "baseline")]),
    # the system the sentence introduces, by its acronym when it has one
    ("We introduce a Staged Lattice Attack (SLATE) procedure that achieves 71% attack "
     "success rate.", [(71.0, "SLATE", "proposed")]),
    # a list of systems aligned with a respectively-list of values: its subject, or the
    # names the sentence gives its models; not a list the systems are compared with
    ("As a result, KiteDet-l and KiteDet-x achieve 78.14% and 78.28% accuracy on CIFAR-100 "
     "respectively.", [(78.14, "KiteDet-l", "proposed"), (78.28, "KiteDet-x", "proposed")]),
    ("We train two larger models, called quill-2-small and quill-2-medium, both more capable "
     "(e.g., respectively 75% and 78% accuracy on CIFAR-100).",
     [(75.0, "quill-2-small", "proposed"), (78.0, "quill-2-medium", "proposed")]),
    ("Compared with GhostNet and MobileNet, our model is 15% and 16% faster, respectively.",
     [(15.0, None, "proposed"), (16.0, None, "proposed")]),
    # a class of systems is not one
    ("By combining these techniques, the accuracy of various GCNs increases by 1.21%.",
     [(1.21, None, "proposed")]),
])
def test_the_system_a_value_is_about(text: str, want: list[tuple[float, str | None, str]]) -> None:
    assert _about(text) == want


@pytest.mark.parametrize("text", [
    "SOTA methods reach 71.3% accuracy on CIFAR-100.",  # not a name
    "It achieves 71.3% accuracy on CIFAR-100.",
])
def test_no_system_without_a_name(text: str) -> None:
    assert [r.model for r in results_of(LEAD + text)] == [None]


def test_the_title_system_when_the_sentence_names_it() -> None:
    (r,) = _paper("TinyNet-3: Small Models for Big Images",
                  "We train a neural network. With TinyNet-3 the error drops to an FID of 4.2.")
    assert (r.model, r.role) == ("TinyNet-3", "proposed")
    assert systems.title_system("FooBench: A Benchmark for Map Reasoning") is None
    assert systems.title_system("On the Limits of Scaling: An Essay") is None


def test_a_model_family_named_in_the_title_is_the_papers_own() -> None:
    (r,) = _paper("Phi-9 Technical Report",
                  "We train a language model. Phi-9-mini achieves 71% on MMLU.")
    assert (r.metric, r.model, r.role, r.dataset) == ("accuracy", "Phi-9-mini", "proposed", "MMLU")
    assert systems.third_party("GPT-4o", "A Benchmark of Map Reasoning")
    assert not systems.third_party("GridNet-L", "A Benchmark of Map Reasoning")


def test_an_architecture_the_paper_trains_is_not_a_third_party() -> None:
    # MAE's abstract: the ViT-Huge is the paper's own pre-trained model
    (r,) = _paper("Masked Autoencoders Are Scalable Vision Learners",
                  "Our approach learns models that generalize well: e.g., a vanilla ViT-Huge "
                  "model achieves the best accuracy (87.8%) among methods that use only "
                  "ImageNet-1K data.")
    assert (r.value, r.model, r.role) == (87.8, "ViT-Huge", "proposed")
    assert not systems.third_party("ResNet-50", "A Benchmark of Map Reasoning")
    assert systems.third_party("Llama-3.1-8B", "A Benchmark of Map Reasoning")


def test_a_named_model_family_as_subject() -> None:
    got = _about("Our largest GridNet-XL/4 models outperform prior work on CIFAR-100, achieving "
                 "an accuracy of 84.0%.")
    assert got == [(84.0, "GridNet-XL/4", "proposed")]


@pytest.mark.parametrize(("text", "role"), [
    ("No open-weight model exceeds 42.0% accuracy on our suite.", "baseline"),
    ("Even the strongest proprietary model reaches only 38.5% accuracy.", "baseline"),
    ("Twelve evaluated models score below 30.0% accuracy on the hard split.", "baseline"),
    ("Our model reaches 70.1% accuracy on the hard split.", "proposed"),
    # "our best models" are the paper's own, not the best of those it evaluates
    ("Our best models achieve 70.1% accuracy on the hard split.", "proposed"),
    ("The best models achieve 70.1% accuracy on the hard split.", "baseline"),
])
def test_levels_said_of_the_evaluated_systems_are_baselines(text: str, role: str) -> None:
    assert [r.role for r in results_of(LEAD + text)] == [role]


@pytest.mark.parametrize(("text", "model"), [
    ("The task is hard: even the best model (VistaLM) achieves an accuracy of only 52.0%.",
     "VistaLM"),
    ("The best model, Corvid Opus 2, fully solves 55.4% of the tasks.", "Corvid Opus 2"),
])
def test_the_named_best_of_the_evaluated_systems_is_a_baseline(text: str, model: str) -> None:
    assert [(r.model, r.role) for r in results_of(LEAD + text)] == [(model, "baseline")]


def test_the_metric_a_value_measures_is_not_its_system() -> None:
    text = ("An evaluation of CareerBot reveals 91% factual accuracy, and a System Usability "
            "Scale score of 81/100, a 50% improvement compared to the baseline portal.")
    paper = Paper("p", "CareerBot: A Copilot", (), text, "f", "t", 1)
    assert [r.model for r in extract_paper(paper).results] == ["CareerBot", "CareerBot"]
