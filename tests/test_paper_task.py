"""The paper-task classifier (`extract/paper_task.py`): a result the task taxonomy cannot
place takes the task the paper's words are about, only when the classifier is sure; the
shipped model is what `make train` rebuilds."""

from __future__ import annotations

import pytest

from pipeline.extract import extract_paper, paper_task
from pipeline.records import Paper
from pipeline.tools import train_paper_task
from pipeline.tools.evaluate import same_task

SPEECH = ("Speech emotion recognition identifies the emotional state of a speaker from the "
          "acoustic signal. We propose a transformer over wav2vec features for speech emotion "
          "recognition. It reaches an accuracy of 71.3% on our own call-center recordings.")


def _tasks(title: str, text: str) -> list[str | None]:
    return [r.task for r in extract_paper(Paper("p", title, (), text, "f", "t", 1)).results]


def test_a_result_no_benchmark_places_takes_the_papers_task() -> None:
    assert _tasks("Transformers for Speech Emotion Recognition", SPEECH) == [
        "Speech Emotion Recognition"]


def test_the_taxonomy_comes_first() -> None:
    # ImageNet + top-1 accuracy: the taxonomy's task, whatever the paper's words are about
    text = SPEECH + " A variant reaches 81.0% top-1 accuracy on ImageNet."
    assert _tasks("Transformers for Speech Emotion Recognition", text)[-1] == \
        "Image Classification"


def test_no_task_when_the_classifier_is_unsure() -> None:
    found = paper_task.classify("A note on cooking", "We cook pasta with tomatoes and basil.")
    assert found is not None and found[1] < paper_task.MIN_PROBABILITY
    assert paper_task.paper_task("A note on cooking", "We cook pasta with tomatoes.") is None


def test_the_evaluator_matches_tasks_by_name_and_value() -> None:
    gold = {"value": 71.3, "task": "Speech Emotion Recognition"}
    assert same_task(gold, {"value": 71.3, "task": "speech emotion recognition"})
    assert not same_task(gold, {"value": 71.3, "task": "Speech Recognition"})
    assert not same_task(dict(gold, task=None), {"value": 71.3, "task": None})


@pytest.mark.slow
def test_the_shipped_model_is_what_make_train_builds() -> None:
    built = train_paper_task.train(train_paper_task.load_examples())
    assert built == paper_task.MODEL.read_bytes(), "run `make train` and commit the model"
