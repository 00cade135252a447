"""The task a paper is about, read from the words of its title and abstract: a
maximum-entropy classifier (a CRF over a one-item sequence, python-crfsuite) trained by
`pipeline.tools.train_paper_task` on the Papers with Code tasks of pwc_train's papers
(`models/paper_task.crfsuite`). A result takes it only where the task taxonomy (dataset +
metric, `tasks.py`) names none and the classifier gives its task a probability of at least
`MIN_PROBABILITY`: "WER of 6.2% on our in-house calls" in a speech-recognition abstract is a
Speech Recognition result though its dataset is nobody's benchmark."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import regex

from pipeline import crf

MODEL = Path(__file__).parent / "models" / "paper_task.crfsuite"
MIN_PROBABILITY = 0.7
"""At 0.5 / 0.7 / 0.9, 5-fold cross-validation on pwc_train names one of the paper's tasks
for 0.642 / 0.711 / 0.786 of the papers it names a task for (0.674 / 0.524 / 0.336 of them:
`eval/paper_task_cv.json`), and results' task F1 on the annotated dev set (193 abstracts,
seen) is 0.380 / 0.393 / 0.369."""
_WORD = regex.compile(r"[a-z][a-z0-9+-]*[a-z0-9+]|[a-z]")
_STOP = frozenset(
    """the a an of and or in on for to with by we our is are be this that from as at which it
    its their these can has have been was were also than more using based show results paper
    propose proposed method methods approach model models new""".split())

Features = dict[str, float]


def features(title: str, abstract: str) -> Features:
    """The words and word pairs of the title and of the abstract, each set apart."""
    out: Features = {}
    for prefix, text in (("t", title), ("a", abstract)):
        words = [w for w in _WORD.findall(text.lower()) if w not in _STOP]
        for w in words:
            out[f"{prefix}:{w}"] = 1.0
        for a, b in zip(words, words[1:], strict=False):
            out[f"{prefix}b:{a}_{b}"] = 1.0
    return out


@cache
def _tagger() -> crf.ModelTagger | None:
    return crf.ModelTagger(MODEL.read_bytes()) if MODEL.exists() else None


def most_likely(tagger: crf.ModelTagger, feats: Features) -> tuple[str, float]:
    """The task `tagger` finds most likely for a paper's `features`, and its probability."""
    (label,) = tagger.tag([feats])
    return label, tagger.marginal(label, 0)


def classify(title: str, abstract: str) -> tuple[str, float] | None:
    """The shipped model's most likely task and its probability, or None without a model."""
    tg = _tagger()
    return most_likely(tg, features(title, abstract)) if tg is not None else None


def paper_task(title: str, abstract: str) -> str | None:
    """The paper's task when the classifier is sure enough of it, else None."""
    found = classify(title, abstract)
    return found[0] if found is not None and found[1] >= MIN_PROBABILITY else None
