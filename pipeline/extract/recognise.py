"""Recognise, for one result value, the words of its sentence that name its metric: a
linear-chain CRF (python-crfsuite) learned from the gold annotations.

The tagger sees the sentence as tokens and is told which number is the target; it labels
tokens `M` (the metric's name as written: "CTR", "online engagement") or `O`. The gazetteers
and the rules' own choice are features, not gates, so a name no table has can still be found.
`claims.py` asks it only for a change the rules found but could not name ("improvement"),
and takes its answer only when every word of it has a marginal probability of at
least `MIN_MARGINAL`: cross-validated on the trainable gold, asking it more often, or taking
its less sure answers, or its model names, lost more than it won (`models/README.md`).

Trained by `make train` (`pipeline/tools/train_extract.py`); the model file and its source
note (data, command, cross-validated scores) are in `pipeline/extract/models/`.
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from functools import cache
from importlib import resources as files
from itertools import groupby
from typing import Any, Protocol

import regex

from pipeline.crf import ModelTagger
from pipeline.extract import resources
from pipeline.extract.resources import fold

MODEL_FILE = "value_links.crfsuite"
LABELS = ("M", "O")
MIN_MARGINAL = 0.7

_TOKEN = regex.compile(
    r"\d+(?:[.,]\d+)*|[^\W\d_](?:[\w@+'’/.<>-]*[\w@+])?|[^\W_]|\S"
)
_NUMBER = regex.compile(r"\d+(?:[.,]\d+)*")
Features = dict[str, str | float]


class SequenceTagger(Protocol):
    def tag(self, xseq: Sequence[Features]) -> list[tuple[str, float]]:
        """(label, its marginal probability) per item (1.0 for `O`)."""
        ...


class _Tagger:
    """The model's labels, with marginals only where asked for (they cost a pass)."""

    def __init__(self, data: bytes) -> None:
        self._model = ModelTagger(data)

    def tag(self, xseq: Sequence[Features]) -> list[tuple[str, float]]:
        labels = self._model.tag(xseq)
        return [(y, self._model.marginal(y, i) if y != "O" else 1.0)
                for i, y in enumerate(labels)]


class _Off:
    """No tagger: the rules alone (training reads their choices as features)."""

    def tag(self, xseq: Sequence[Features]) -> list[tuple[str, float]]:
        return [("O", 1.0)] * len(xseq)


OFF: SequenceTagger = _Off()
_override: list[SequenceTagger | None] = [None]


def use_tagger(tagger: SequenceTagger | None) -> None:
    """Tag with `tagger` instead of the shipped model (cross-validation folds), or with `OFF`
    (the rules alone); None restores the shipped model."""
    _override[0] = tagger


def tagger_from_bytes(data: bytes) -> SequenceTagger:
    return _Tagger(data)


@cache
def _shipped() -> SequenceTagger | None:
    path = files.files(__package__).joinpath("models", MODEL_FILE)
    return _Tagger(path.read_bytes()) if path.is_file() else None


def tagger() -> SequenceTagger | None:
    tg = _override[0] or _shipped()
    return None if tg is OFF else tg


WINDOW = 10
"""Tokens on each side of the target number the tagger sees (a metric is named near its
number; a window keeps the cost per value flat however long the sentence)."""


class Sentence:
    """A sentence as tokens; each token's value-independent features are made when a window
    first needs them."""

    def __init__(self, text: str, tokens: list[tuple[int, int]],
                 metric_spans: Sequence[tuple[int, int, str]],
                 dataset_spans: Sequence[tuple[int, int]]) -> None:
        self.tokens = tokens
        self.words = [text[s:e] for s, e in tokens]
        self.lows = [fold(w) for w in self.words]
        self.numbers = [i for i, w in enumerate(self.words) if _NUMBER.fullmatch(w)]
        self._metric_spans = metric_spans
        self._dataset_spans = dataset_spans
        self._local: dict[int, Features] = {}
        self._base: dict[int, Features] = {}

    def local(self, i: int) -> Features:
        """Features of token `i` alone."""
        f = self._local.get(i)
        if f is not None:
            return f
        (s, e), w, lw = self.tokens[i], self.words[i], self.lows[i]
        f = {"b": 1.0, "w": lw, "shape": _shape(w), "suf3": lw[-3:], "pre3": lw[:3]}
        if w[:1].isupper():
            f["cap"] = 1.0
        if w.isupper() and len(w) > 1:
            f["upper"] = 1.0
        number = _NUMBER.fullmatch(w) is not None
        if number:
            f["num"] = 1.0
        elif any(c.isdigit() for c in w):
            f["alnum"] = 1.0
        if "-" in w:
            f["hyphen"] = 1.0
        if lw in resources.metrics().alias_to_metric:
            f["metric_word"] = 1.0
        for ms, me, _m in self._metric_spans:
            if ms <= s and e <= me:
                f["gaz_metric"] = "B" if s == ms or (i and self.tokens[i - 1][0] < ms) else "I"
                break
        if any(ds <= s and e <= de for ds, de in self._dataset_spans):
            f["gaz_dataset"] = 1.0
        self._local[i] = f
        return f

    def base(self, i: int) -> Features:
        """Token `i`'s features with its neighbours' words, shapes and metric hits."""
        f = self._base.get(i)
        if f is not None:
            return f
        f = dict(self.local(i))
        n = len(self.tokens)
        for d in (-2, -1, 1, 2):
            j = i + d
            f[f"w{d:+d}"] = self.lows[j] if 0 <= j < n else ("<s>" if j < 0 else "</s>")
        for d in (-1, 1):
            j = i + d
            if 0 <= j < n:
                g = self.local(j)
                f[f"shape{d:+d}"] = str(g["shape"])
                if "gaz_metric" in g:
                    f[f"gaz_metric{d:+d}"] = 1.0
        self._base[i] = f
        return f


_SHAPE = str.maketrans({**dict.fromkeys(string.ascii_uppercase, "X"),
                        **dict.fromkeys(string.ascii_lowercase, "x"),
                        **dict.fromkeys(string.digits, "d")})


def _shape(w: str) -> str:
    """"GPT-4o" -> "XX-dx": ASCII letters and digits by class, runs cut to two."""
    return "".join(c * min(len(list(g)), 2) for c, g in groupby(w.translate(_SHAPE)))


def tokens_of(text: str, start: int, end: int) -> list[tuple[int, int]]:
    return [m.span() for m in _TOKEN.finditer(text, start, end)]


def sentence(text: str, start: int, end: int, metric_spans: Sequence[tuple[int, int, str]],
             dataset_spans: Sequence[tuple[int, int]]) -> Sentence:
    """The tokens of text[start:end]; `metric_spans` are the gazetteer's and the phrase rules'
    metric tags (start, end, metric), `dataset_spans` the dataset tags."""
    return Sentence(text, tokens_of(text, start, end), metric_spans, dataset_spans)


def sentence_of(text: str, start: int, end: int, tags: Any) -> Sentence:
    """`sentence` with the metric and dataset tags of an abstract's `Tags`."""
    return sentence(text, start, end,
                    [(m.start, m.end, str(m.value)) for m in tags.metrics
                     if start <= m.start and m.end <= end],
                    [(d.start, d.end) for d in tags.datasets if start <= d.start and d.end <= end])


def _bucket(d: int) -> str:
    a = abs(d)
    b = str(a) if a <= 3 else "4-6" if a <= 6 else "7-10" if a <= 10 else "far"
    return ("-" if d < 0 else "+") + b


def window(sent: Sentence, target: int) -> range:
    """The token indexes the tagger sees for the target number."""
    return range(max(0, target - WINDOW), min(len(sent.tokens), target + WINDOW + 1))


def target_features(sent: Sentence, target: int, rule_spans: Sequence[tuple[int, int]],
                    ) -> list[Features]:
    """For each token of the target's `window`: its features plus where it stands relative to
    the target number (token index `target`) and whether the rules' metric covers it."""
    out: list[Features] = []
    nums = sent.numbers
    for i in window(sent, target):
        g = dict(sent.base(i))
        d = i - target
        if d == 0:
            g["target"] = 1.0
        else:
            rel = _bucket(d)
            g["rel"] = rel
            g["rel_w"] = f"{rel}|{g['w']}"
            lo, hi = (i, target) if i < target else (target, i)
            if any(lo < n < hi for n in nums):
                g["past_number"] = 1.0
                g["rel_past"] = rel
        s, e = sent.tokens[i]
        if any(rs <= s and e <= re for rs, re in rule_spans):
            g["rule_metric"] = 1.0
        out.append(g)
    return out


def target_index(sent: Sentence, start: int) -> int | None:
    """The number token at text offset `start` (a value's first digit), if any."""
    for i in sent.numbers:
        s, e = sent.tokens[i]
        if s <= start < e:
            return i
    return None


def spans_of(labels: Sequence[str], label: str) -> list[tuple[int, int]]:
    """Runs of `label` as (first token, last token + 1)."""
    out: list[tuple[int, int]] = []
    i = 0
    while i < len(labels):
        if labels[i] == label:
            j = i
            while j < len(labels) and labels[j] == label:
                j += 1
            out.append((i, j))
            i = j
        else:
            i += 1
    return out


def nearest(runs: Sequence[tuple[int, int]], target: int) -> tuple[int, int] | None:
    """The run closest to the target token (before it on a tie)."""
    if not runs:
        return None
    return min(runs, key=lambda r: (min(abs(r[0] - target), abs(r[1] - 1 - target)),
                                    r[0] > target))


def link(text: str, sent: Sentence, value_start: int,
         rule_spans: Sequence[tuple[int, int]]) -> str | None:
    """The words that name the metric of the value starting at `value_start`, as written,
    when the tagger is sure of each (`MIN_MARGINAL`); else None."""
    tg = tagger()
    if tg is None:
        return None
    t = target_index(sent, value_start)
    if t is None:
        return None
    lo = window(sent, t).start
    tagged = tg.tag(target_features(sent, t, rule_spans))
    run = nearest(spans_of([y for y, _p in tagged], "M"), t - lo)
    if run is None or min(p for _y, p in tagged[run[0]:run[1]]) < MIN_MARGINAL:
        return None
    return text[sent.tokens[lo + run[0]][0]:sent.tokens[lo + run[1] - 1][1]]


def metric_name(phrase: str) -> str:
    """The metric a phrase names: the table's canonical name when the whole phrase (or its
    singular) is a spelling the table has, else the phrase with a plural head made singular."""
    table = resources.metrics().alias_to_metric
    key = fold(phrase.strip())
    for k in (key, singular(key)):
        if k in table:
            return table[k]
    words = phrase.strip().split()
    if words[-1].islower():
        words[-1] = singular(words[-1])
    return " ".join(words)


def singular(word: str) -> str:
    """"accuracies" -> "accuracy", "errors" -> "error"; "loss" stays."""
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss"):
        return word[:-1]
    return word
