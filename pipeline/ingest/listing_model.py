"""The learned taggers of listing pages: one labels each line, one labels a title line's segments.

Both are linear-chain CRFs (python-crfsuite) trained by `make train`
(`pipeline/tools/train_listing.py`) on the annotated pages in `tests/fixtures/pages/` and
the seed pages; the model files ship in `pipeline/ingest/models/` with their source note
(`models/README.md`: data, command, cross-validated scores).

Line labels are the kinds title, authors, abstract, venue_links, date_presenter (lines of a
paper entry) and chrome, heading, blank (lines outside entries). Segment labels are `T`
(title), `A` (authors), `O`.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from importlib import resources
from typing import Protocol

from pipeline.crf import ModelTagger
from pipeline.ingest import listing_features, listing_fields

LINE_MODEL = "listing_lines.crfsuite"
SEGMENT_MODEL = "listing_segments.crfsuite"
ENTRY_KINDS = ("title", "authors", "abstract", "venue_links", "date_presenter")
OUTSIDE = ("chrome", "heading", "blank")


class SequenceTagger(Protocol):
    """What the reader needs of a trained CRF: labels for a sequence of feature dicts."""

    def tag(self, xseq: Sequence[dict[str, str | float]]) -> list[str]: ...


def load(filename: str) -> SequenceTagger:
    """A tagger for a model file of `pipeline/ingest/models/`."""
    return ModelTagger(resources.files(__package__).joinpath("models", filename).read_bytes())


@cache
def line_tagger() -> SequenceTagger:
    """The shipped line model."""
    return load(LINE_MODEL)


@cache
def segment_tagger() -> SequenceTagger:
    """The shipped title-line segment model."""
    return load(SEGMENT_MODEL)


def tag_lines(lines: Sequence[str], tagger: SequenceTagger | None = None) -> list[str]:
    """A label for every line of a page: blank lines are `blank`, the others are tagged as one
    sequence (blank lines are features of their neighbours, not members of the sequence)."""
    feats = listing_features.page_features(lines)
    content = [i for i, t in enumerate(lines) if t.strip()]
    labels = ["blank"] * len(lines)
    if content:
        for i, label in zip(content, (tagger or line_tagger()).tag([feats[i] for i in content]),
                            strict=True):
            labels[i] = label
    return labels


def tag_segments(text: str, tagger: SequenceTagger | None = None
                 ) -> tuple[list[listing_fields.Segment], list[str]]:
    """The segments of a title line and a `T`/`A`/`O` label for each."""
    segs = listing_fields.segments(text)
    if not segs:
        return segs, []
    return segs, (tagger or segment_tagger()).tag(listing_fields.segment_features(segs))
