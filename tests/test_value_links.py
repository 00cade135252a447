"""The learned metric tagger (`extract.recognise`): the shipped model is what `make train`
makes from the repo's gold; the tagger is asked only about changes the rules could not name,
and its phrase becomes the metric; without it the rules' answer stands."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from helpers import results_of

from pipeline.extract import recognise
from pipeline.tools import train_extract


@pytest.fixture
def tiny_model() -> Iterator[None]:
    """A model trained on sentences written for this test: the word before "by N%" is the
    metric."""
    data = []
    for name, value in (("CTR", "2.81"), ("GMV", "1.5"), ("CVR", "3.2"), ("DAU", "0.9"),
                        ("watch time", "4.1"), ("revenue", "2.2")):
        text = f"Online, the new ranker increases the {name} by {value}% for all users."
        sent = recognise.sentence(text, 0, len(text), [], [])
        t = recognise.target_index(sent, text.index(value))
        assert t is not None
        feats = recognise.target_features(sent, t, [])
        start = text.index(name)
        labels = ["M" if start <= sent.tokens[i][0] < start + len(name) else "O"
                  for i in recognise.window(sent, t)]
        data.append((feats, labels))
    recognise.use_tagger(recognise.tagger_from_bytes(train_extract.train(data)))
    yield
    recognise.use_tagger(None)


def test_an_unnamed_change_takes_the_tagged_metric(tiny_model: None) -> None:
    text = "Deployed online, the distilled model increases the CPM by 1.69% on the app."
    assert [(r.metric, r.value) for r in results_of(text)] == [("CPM", 1.69)]


def test_without_the_tagger_the_rules_answer_stands() -> None:
    recognise.use_tagger(recognise.OFF)
    try:
        text = "Deployed online, the distilled model increases the CPM by 1.69% on the app."
        assert [(r.metric, r.value) for r in results_of(text)] == [("improvement", 1.69)]
    finally:
        recognise.use_tagger(None)


def test_a_named_metric_is_not_asked(tiny_model: None) -> None:
    text = "Our sampler reaches an FID of 2.15 on FFHQ."
    assert [r.metric for r in results_of(text)] == ["FID"]


def test_metric_names_of_phrases() -> None:
    assert recognise.metric_name("classification accuracies") == "accuracy"
    assert recognise.metric_name("online engagements") == "online engagement"
    assert recognise.metric_name("CTR") == "CTR"


def test_shipped_model_is_what_make_train_makes() -> None:
    papers = train_extract.load_papers()
    analysed = [train_extract.analyse(p) for p in papers]
    synonyms = train_extract.evaluate.metric_synonyms()
    data = train_extract.training_data(papers, analysed, synonyms)
    assert train_extract.train(data) == train_extract.MODEL.read_bytes(), (
        "pipeline/extract/models/value_links.crfsuite is stale: run `make train`")
