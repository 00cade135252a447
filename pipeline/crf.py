"""CRFsuite models kept as bytes: train one, open one (the listing-page taggers of ingest and
the metric tagger of extract)."""

from __future__ import annotations

import tempfile
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pycrfsuite


class ModelTagger:
    """A CRFsuite tagger opened on a model's bytes, which it keeps alive (CRFsuite reads the
    buffer in place: freeing it under the tagger crashes the process)."""

    def __init__(self, data: bytes) -> None:
        self._data = data
        self._tagger = pycrfsuite.Tagger()
        self._tagger.open_inmemory(self._data)

    def tag(self, xseq: Sequence[Any]) -> list[str]:
        """The most likely label sequence."""
        return list(self._tagger.tag(xseq))

    def marginal(self, label: str, index: int) -> float:
        """The marginal probability of `label` at `index` in the sequence tagged last."""
        return float(self._tagger.marginal(label, index))


def train(xy: Sequence[tuple[Sequence[Any], Sequence[str]]], params: Mapping[str, Any]) -> bytes:
    """A model trained on (features, labels) sequences, as the bytes of its file. L-BFGS has
    no randomness: the same data and parameters give the same bytes."""
    trainer = pycrfsuite.Trainer(verbose=False)
    for x, y in xy:
        trainer.append(x, y)
    trainer.set_params(dict(params))
    with tempfile.TemporaryDirectory(prefix="paperclaims-crf-") as tmp:
        path = Path(tmp) / "model.crfsuite"
        trainer.train(str(path))
        return path.read_bytes()
